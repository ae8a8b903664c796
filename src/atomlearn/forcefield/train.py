"""Train a machine-learned force field on frames with energies and forces, test it on frames it
never saw, and save it as a model bundle (``FF_DIR``) that ``forcefield.Calculator`` loads."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from atomlearn.files import check_resume_request, file_sha256, mark_complete, mark_incomplete, write_csv_atomic
from atomlearn.forcefield.frames import Frames, read_training_frames
from atomlearn.models.nn.potential import checked_graph
from atomlearn.registry import Entry, Registry
from atomlearn.runs.bundle import CARD_FILE, MODEL_FILE, save_bundle

CHECKPOINT_FILE = "checkpoint.pt"
SETTINGS_FILE = "training_settings.json"


#: force-field model name -> its estimator class, imported when used
FORCEFIELD_MODELS = Registry(
    "force-field model",
    [
        Entry(
            "painn", "atomlearn.models.nn:PaiNNRegressor", "PaiNN equivariant network, energies + forces", extra="nn"
        ),
        Entry("schnet", "atomlearn.models.nn:SchNetRegressor", "SchNet network, energies + forces", extra="nn"),
        Entry(
            "soap_krr",
            "atomlearn.models.kernel_forcefield:KernelForceField",
            "SOAP + Gaussian KRR of one molecule's energy, forces from its derivative",
        ),
        Entry(
            "krr_local",
            "atomlearn.models.local_krr:LocalKernelRidge",
            "local kernel on FCHL19 environments: energies fitted, forces derived",
        ),
    ],
)


@dataclass(frozen=True)
class ForceFieldResult:
    """A trained force field.

    Attributes
    ----------
    folder : Path
    metrics : dict of str to float
        Test MAE and RMSE of energies (meV) and forces (meV/Å), and the baselines'.
    history : pandas.DataFrame
        Per epoch (networks).
    test_predictions : pandas.DataFrame
    """

    folder: Path
    metrics: dict[str, float]
    history: pd.DataFrame
    test_predictions: pd.DataFrame

    def summary(self) -> str:
        """One line: frames used, time, and the test energy and force errors against the zero-force baseline."""
        m = self.metrics
        return (
            f"{self.folder}: {m['n_train']} training / {m['n_test']} test frames, {m['train_seconds']:.0f} s; "
            f"test energy MAE {m['energy_mae_meV']:.1f} meV ({m['energy_mae_meV_per_atom']:.2f} meV/atom), "
            f"force MAE {m['force_mae_meV_A']:.1f} meV/Å (zero-force baseline {m['force_mae_zero_meV_A']:.0f})"
        )


def split_frames(
    frames: Frames, n_train: int, n_test: int | None, test: Frames | None, random_state: int
) -> tuple[Frames, Frames]:
    """``n_train`` random training frames; the test frames are ``test`` (an independent run) when given,
    else up to ``n_test`` of the frames left over."""
    spare = len(frames) - (0 if test is not None else 1)
    if not 1 < n_train <= spare:
        raise ValueError(
            f"{frames.path} holds {len(frames)} frames; n_train = {n_train} must be between 2 and {spare}"
            + ("" if test is not None else " (at least one frame is kept for testing)")
        )
    order = np.random.default_rng(random_state).permutation(len(frames))
    if test is None:
        test = frames.take(order[n_train:][: n_test or None])
    elif not np.array_equal(test.structures[0].numbers, frames.structures[0].numbers):
        raise ValueError(
            f"{test.path} holds {test.structures[0].get_chemical_formula()}, the training frames "
            f"{frames.structures[0].get_chemical_formula()}; test on the same molecule"
        )
    elif n_test:
        test = test.take(np.arange(min(n_test, len(test))))
    return frames.take(np.sort(order[:n_train])), test


def train_forcefield(
    path: str | Path,
    out: str | Path,
    model: str = "painn",
    n_train: int = 1000,
    n_test: int | None = None,
    test_path: str | Path | None = None,
    params: dict | None = None,
    random_state: int = 0,
    device: str = "auto",
    overwrite: bool = False,
) -> ForceFieldResult:
    """Train a force field on frames with energies and forces and write it to ``out``.

    A network interrupted (Ctrl-C, a killed job) resumes from ``out/checkpoint.pt`` when rerun with the
    same arguments; a folder that already holds a finished force field is refused unless ``overwrite``.

    Parameters
    ----------
    path : str or Path
        Training frames (:func:`read_training_frames`).
    out : str or Path
        ``FF_DIR``.
    model : {"painn", "schnet", "soap_krr", "krr_local"}
        A network fitted on energies and forces, or a kernel fitted on energies (forces derived).
    n_train : int
        Random training frames.
    n_test : int, optional
        Test frames among those left over (default all).
    test_path : str or Path, optional
        Frames of an independent run to test on instead.
    params : dict, optional
        Model parameters.
    random_state : int
    device : str
    overwrite : bool

    Returns
    -------
    ForceFieldResult
    """
    frames = read_training_frames(path)
    test = read_training_frames(test_path) if test_path else None
    train, test = split_frames(frames, n_train, n_test, test, random_state)
    out = Path(out)
    if (out / CARD_FILE).exists() and not overwrite:
        raise ValueError(
            f"{out} already holds a trained force field ({CARD_FILE}); choose another --out, or pass "
            "--overwrite (overwrite=True) to replace it"
        )
    out.mkdir(parents=True, exist_ok=True)
    mark_incomplete(out)  # sealed again when the new force field is whole
    settings = {
        "training_sha256": file_sha256(Path(path)),
        "model": model,
        "params": params or {},
        "n_train": n_train,
        "random_state": random_state,
    }
    check_resume_request(out, settings, (CHECKPOINT_FILE,), SETTINGS_FILE)
    estimator = FORCEFIELD_MODELS.create(model, **(params or {}))
    runtime = {"random_state": random_state, "device": device, "checkpoint": str(out / CHECKPOINT_FILE)}
    estimator.set_params(**{k: v for k, v in runtime.items() if k in estimator.get_params()})
    for atoms in (*train.structures, *test.structures):  # before training: an atom out of reach fails fast
        checked_graph(atoms, estimator.cutoff_A, atoms.info["id"])
    started = time.perf_counter()
    estimator.fit(train.structures, train.energies_eV, forces=train.forces_eV_A)
    seconds = time.perf_counter() - started
    predictions, metrics = evaluate_forcefield(estimator, train, test)
    metrics.update(
        n_train=len(train), n_test=len(test), train_seconds=seconds, epochs=getattr(estimator, "n_epochs_", 0)
    )
    if "checkpoint" in estimator.get_params():
        estimator.set_params(checkpoint=None)
    first = frames.structures[0]
    card = {
        "kind": "forcefield",
        "model": model,
        "params": _plain(estimator.get_params()),
        "formula": first.get_chemical_formula(),
        "species": sorted(set(first.get_chemical_symbols())),
        "n_atoms": len(first),
        "periodic": bool(first.pbc.any()),
        "energy_unit": "eV",
        "force_unit": "eV/Å",
        "training_file": str(path),
        "training_sha256": settings["training_sha256"],
        "test_file": str(test_path or path),
        "metrics": metrics,
    }
    save_bundle(out, None, estimator, card)
    history = pd.DataFrame(getattr(estimator, "history_", {}))
    if len(history):
        write_csv_atomic(history, out / "history.csv")
    write_csv_atomic(predictions, out / "test_predictions.csv")
    (out / CHECKPOINT_FILE).unlink(missing_ok=True)
    (out / SETTINGS_FILE).unlink(missing_ok=True)
    mark_complete(out, [CARD_FILE, MODEL_FILE, "test_predictions.csv"] + (["history.csv"] if len(history) else []))
    return ForceFieldResult(out, metrics, history, predictions)


def evaluate_forcefield(estimator: Any, train: Frames, test: Frames) -> tuple[pd.DataFrame, dict[str, float]]:
    """Per-frame test predictions and the MAE/RMSE of energies (meV) and forces (meV/Å), beside the
    baselines: the training-mean energy and zero forces."""
    energies = estimator.predict(test.structures)
    forces = estimator.predict_forces(test.structures)
    energy_error = 1000 * (energies - test.energies_eV)
    force_error = 1000 * np.concatenate([p - t for p, t in zip(forces, test.forces_eV_A)])
    true_forces = 1000 * np.concatenate(test.forces_eV_A)
    n_atoms = len(test.structures[0])
    predictions = pd.DataFrame(
        {
            "frame": [a.info.get("id", "") for a in test.structures],
            "energy_eV": test.energies_eV,
            "energy_pred_eV": energies,
            "force_mae_meV_A": [1000 * np.abs(p - t).mean() for p, t in zip(forces, test.forces_eV_A)],
        }
    )
    metrics = {
        "energy_mae_meV": float(np.abs(energy_error).mean()),
        "energy_rmse_meV": float(np.sqrt((energy_error**2).mean())),
        "energy_mae_meV_per_atom": float(np.abs(energy_error).mean() / n_atoms),
        "energy_mae_mean_meV": float(1000 * np.abs(test.energies_eV - train.energies_eV.mean()).mean()),
        "force_mae_meV_A": float(np.abs(force_error).mean()),
        "force_rmse_meV_A": float(np.sqrt((force_error**2).mean())),
        "force_mae_zero_meV_A": float(np.abs(true_forces).mean()),
    }
    return predictions, metrics


def _plain(params: dict) -> dict:
    return {k: v for k, v in params.items() if isinstance(v, (int, float, str, bool, type(None)))}
