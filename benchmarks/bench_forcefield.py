"""ML force fields on xTB data, side by side: atomlearn's PaiNN and SchNet against MACE (mace-torch).

For each molecule (aspirin, ethanol): 1,000 training frames from one GFN2-xTB Langevin run at
500 K and 1,000 test frames from an independent run (another seed), both made with
``atomlearn simulate xtb-md`` (resumable; kept in --data). MACE (small: 32 channels, L = 0,
2 interactions, correlation 3) trains first for --mace-epochs; atomlearn's networks then get
the same wall-clock budget (their epochs set from a timed 2-epoch fit); the SOAP kernel
baseline (energies only) takes its own time. Test energy MAE (meV)
and force MAE (meV/Å) for each, one JSON line per result. ``bench_md_speed.py`` then times MD
with the models left in --data.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from ase.io import write

from atomlearn.forcefield import read_training_frames, train_forcefield
from atomlearn.simulate.xtb import MDSettings, xtb_md
from atomlearn.structures import from_smiles

MOLECULES = {"aspirin": "CC(=O)Oc1ccccc1C(=O)O", "ethanol": "CCO"}
NETWORK = {"n_features": 64, "n_interactions": 3, "learning_rate": 1e-3, "batch_size": 16, "patience": 1000}


def frames_for(data: Path, name: str, n: int, interval: int) -> tuple[Path, Path]:
    paths = []
    for part, seed in (("train", 0), ("test", 1)):
        path = data / f"{name}_{part}.extxyz"
        xtb_md(
            from_smiles(MOLECULES[name], random_state=seed),
            path,
            n,
            MDSettings(temperature_K=500, seed=seed, interval_steps=interval),
        )
        paths.append(path)
    return paths[0], paths[1]


def train_mace(train: Path, test: Path, work: Path, epochs: int) -> dict:
    """Train a small MACE with its own CLI on the same frames; test with its ASE calculator."""
    from mace.calculators import MACECalculator

    work.mkdir(parents=True, exist_ok=True)
    frames = read_training_frames(train)
    for atoms, energy, forces in zip(frames.structures, frames.energies_eV, frames.forces_eV_A):
        atoms.calc = None
        atoms.info["REF_energy"], atoms.arrays["REF_forces"] = energy, forces
    write(work / "train.extxyz", frames.structures)
    command = [
        sys.executable,
        "-m",
        "mace.cli.run_train",
        "--name",
        "mace",
        "--work_dir",
        str(work),
        "--train_file",
        str(work / "train.extxyz"),
        "--valid_fraction",
        "0.05",
        "--energy_key",
        "REF_energy",
        "--forces_key",
        "REF_forces",
        "--E0s",
        "average",
        "--model",
        "MACE",
        "--num_channels",
        "32",
        "--max_L",
        "0",
        "--num_interactions",
        "2",
        "--correlation",
        "3",
        "--r_max",
        "5.0",
        "--batch_size",
        "10",
        "--max_num_epochs",
        str(epochs),
        "--lr",
        "0.01",
        "--forces_weight",
        "100",
        "--energy_weight",
        "1",
        "--device",
        "cpu",
        "--default_dtype",
        "float32",
        "--seed",
        "0",
        "--eval_interval",
        "1",
    ]
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    seconds = time.perf_counter() - started
    calculator = MACECalculator(model_paths=str(work / "mace.model"), device="cpu", default_dtype="float32")
    test_frames = read_training_frames(test)
    energies, forces = [], []
    for atoms in test_frames.structures:
        atoms.calc = calculator
        energies.append(atoms.get_potential_energy())
        forces.append(atoms.get_forces())
    energy_error = 1000 * (np.array(energies) - test_frames.energies_eV)
    force_error = 1000 * np.concatenate([p - t for p, t in zip(forces, test_frames.forces_eV_A)])
    return {
        "energy_mae_meV": float(np.abs(energy_error).mean()),
        "force_mae_meV_A": float(np.abs(force_error).mean()),
        "train_seconds": seconds,
        "epochs": epochs,
    }


def epochs_for_budget(model: str, train: Path, test: Path, seconds: float, work: Path) -> int:
    """Epochs of ``model`` that fit in ``seconds``, from a timed 2-epoch fit."""
    probe = train_forcefield(
        train,
        work / f"probe_{model}",
        model=model,
        n_train=1000,
        test_path=test,
        n_test=10,
        params={**NETWORK, "max_epochs": 2},
        device="cpu",
    )
    per_epoch = float(np.median(probe.history["seconds"]))
    return max(2, int(seconds / per_epoch))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", default="benchmarks/data/forcefield", help="folder for the xTB frames (resumable)")
    parser.add_argument("--molecules", default="aspirin,ethanol")
    parser.add_argument("--frames", type=int, default=1000, help="training and test frames per molecule")
    parser.add_argument(
        "--interval",
        type=int,
        default=10,
        help="xTB MD steps (0.5 fs) between frames; 50 spreads 1,000 frames over 25 ps instead of 5 "
        "(use another --data folder: the frame files remember their settings)",
    )
    parser.add_argument("--mace-epochs", type=int, default=20)
    parser.add_argument("--models", default="painn,schnet,soap_krr", help="atomlearn models to train beside MACE")
    args = parser.parse_args()
    data = Path(args.data)
    data.mkdir(parents=True, exist_ok=True)
    for name in args.molecules.split(","):
        train, test = frames_for(data, name, args.frames, args.interval)
        mace = train_mace(train, test, data / f"mace_{name}", args.mace_epochs)
        print(json.dumps({"molecule": name, "model": "mace", **mace}), flush=True)
        train_frames = read_training_frames(train)
        for model in args.models.split(","):
            params = (
                {}
                if model == "soap_krr"
                else {  # the kernel has no epochs: it takes the time it takes
                    **NETWORK,
                    "max_epochs": epochs_for_budget(model, train, test, mace["train_seconds"], data),
                }
            )
            result = train_forcefield(
                train,
                data / f"{model}_{name}",
                model=model,
                n_train=len(train_frames),
                test_path=test,
                params=params,
                device="cpu",
            )
            metrics = result.metrics  # on the independent test run (test_path)
            print(
                json.dumps(
                    {
                        "molecule": name,
                        "model": model,
                        "energy_mae_meV": metrics["energy_mae_meV"],
                        "force_mae_meV_A": metrics["force_mae_meV_A"],
                        "train_seconds": result.metrics["train_seconds"],
                        "epochs": result.metrics["epochs"],
                        "force_mae_ratio_to_mace": metrics["force_mae_meV_A"] / mace["force_mae_meV_A"],
                    }
                ),
                flush=True,
            )


if __name__ == "__main__":
    main()
