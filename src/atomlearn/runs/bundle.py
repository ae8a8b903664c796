"""Model bundles: a fitted featurizer + model saved with skops (no pickle execution) and a ``card.json``.

The card says what the model is (featurizers and their parameters, model, target and
unit), what it was trained on (data hash, counts), how well it did (test metrics) and
with which package versions; it also holds the SHA-256 of the skops file and the list of
types that file holds, so a bundle whose files do not belong together is refused.

What the checksum promises: integrity against accidents (a truncated copy, files of two
runs mixed), not authenticity — anyone can edit a card and recompute it. Safety comes from
``bundle_safety``: the model file is checked node by node against a fixed allow-list before
anything in it is built, so a bundle from a stranger cannot run code; its card's numbers
are still only as true as its author.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from ase import Atoms
from sklearn.base import BaseEstimator

from atomlearn.files import COMPLETION_FILE, atomic_file, file_sha256, require_complete, write_text_atomic
from atomlearn.models.gpr import has_predictive_std
from atomlearn.models.structure_input import takes_structures
from atomlearn.runs.bundle_safety import BundleError, audit_model_file, current_model_bytes, current_type_names
from atomlearn.runs.results import package_versions
from atomlearn.schema import Record, Sha256, read_checked_json

MODEL_FILE = "model.skops"
CARD_FILE = "card.json"
#: what a run folder must seal for its bundle to load
RUN_FILES = [f"bundle/{MODEL_FILE}", f"bundle/{CARD_FILE}"]


class FeaturizerCard(Record):
    """The card's featurizers: their names in order (checked against the model file)."""

    names: list[str]


class ModelCard(Record):
    """The card's model: its registry name (a force field's card gives the name alone)."""

    name: str


class BundleCard(Record):
    """``card.json`` of a model bundle: what the model file must be, and what it was trained for."""

    format: Literal["atomlearn-bundle-1"]
    model_file: str
    model_sha256: Sha256
    model_types: list[str] | None = None  # the audit of the model file lists them anyway
    kind: str | None = None
    model: ModelCard | str | None = None
    featurizer: FeaturizerCard | None = None
    species: list[str] | None = None
    dataset: str | None = None
    target: str | None = None
    target_unit: str | None = None
    split: dict[str, Any] | None = None
    counts: dict[str, Any] | None = None


SAFE_RUNTIME = {"n_jobs": 1, "scheduler": None, "cache": False}  # a loaded featurizer runs here, and nowhere else


@dataclass
class Bundle:
    """A loaded model bundle (``predict(structures, ids)`` featurizes and predicts).

    Attributes
    ----------
    featurizer : estimator
        Structures -> X.
    model : estimator
        X -> y (target units).
    card : dict
        What the bundle holds: featurizers and parameters, training-data hash, metrics, versions, types.
    """

    featurizer: BaseEstimator
    model: BaseEstimator
    card: dict[str, Any]

    def predict(self, structures: Sequence[Atoms], ids: Sequence[str], n_jobs: int = 1) -> pd.DataFrame:
        """Featurize and predict: one row per structure with ``id``, ``y_pred`` (target units), ``y_std``
        for a Gaussian process, and ``error`` (empty, or why the structure has no prediction)."""
        if len(ids) != len(structures):
            raise ValueError(f"{len(ids)} ids for {len(structures)} structures")
        parts = _featurizer_parts(self.featurizer)
        for part in parts:
            part.set_params(**{**SAFE_RUNTIME, "n_jobs": n_jobs})
        labelled = []
        for atoms, item_id in zip(structures, ids):  # copies: failures are reported under these ids
            labelled.append(atoms.copy())
            labelled[-1].info["id"] = item_id
        frame = pd.DataFrame({"id": list(ids), "y_pred": np.nan, "error": ""})
        if takes_structures(self.model):  # a network: it needs the structures, not the features
            refused = self.model.structure_errors(labelled)
            ok = np.array([i not in refused for i in range(len(labelled))], dtype=bool)
            usable = [a for a, fine in zip(labelled, ok) if fine]
            if has_predictive_std(self.model):  # the local-kernel GP
                frame["y_std"] = np.nan
                if ok.any():
                    frame.loc[ok, "y_pred"], frame.loc[ok, "y_std"] = self.model.predict(usable, return_std=True)
            elif ok.any():
                frame.loc[ok, "y_pred"] = self.model.predict(usable)
            frame.loc[~ok, "error"] = [f"model: {refused[i]}" for i in np.flatnonzero(~ok)]
            return frame
        X = self.featurizer.transform(labelled)
        ok = np.isfinite(X).all(axis=1)
        if has_predictive_std(self.model):
            frame["y_std"] = np.nan
            if ok.any():
                frame.loc[ok, "y_pred"], frame.loc[ok, "y_std"] = self.model.predict(X[ok], return_std=True)
        elif ok.any():
            frame.loc[ok, "y_pred"] = self.model.predict(X[ok])
        reasons = {str(r.item_id): f"{r.stage}: {r.reason}" for part in parts for r in part.errors_table().itertuples()}
        frame.loc[~ok, "error"] = [reasons.get(str(i), "the features hold NaN") for i in frame.loc[~ok, "id"]]
        return frame


def save_bundle(folder: str | Path, featurizer: BaseEstimator, model: BaseEstimator, card: dict[str, Any]) -> Path:
    """Write ``model.skops`` and ``card.json`` into ``folder`` (created).

    Each file is written under a temporary name and renamed, the card last: a bundle killed mid-write has
    no card matching its model file, and ``load_bundle`` refuses it. The model file is audited as
    ``load_bundle`` will audit it, so atomlearn never writes a bundle it would refuse.

    Parameters
    ----------
    folder : str or Path
    featurizer, model : estimator
        Fitted.
    card : dict
        What the bundle is (featurizers, metrics, training-data hash); the types and hashes are added.

    Returns
    -------
    Path
    """
    import skops.io as sio

    folder = Path(folder)
    model = getattr(
        model, "best_estimator_", model
    )  # a hyperparameter search: the model it chose (no scorer functions)
    with atomic_file(folder / MODEL_FILE) as partial:
        sio.dump({"featurizer": featurizer, "model": model}, partial)
        types = audit_model_file(partial)
        sha256 = file_sha256(partial)
    full_card = {
        "format": "atomlearn-bundle-1",
        **card,
        "versions": package_versions(),
        "model_file": MODEL_FILE,
        "model_sha256": sha256,
        "model_types": types,
    }
    write_text_atomic(folder / CARD_FILE, json.dumps(full_card, indent=2, default=str))
    return folder


def load_bundle(folder: str | Path) -> Bundle:
    """Load a model bundle through the allow-list of types atomlearn writes.

    Parameters
    ----------
    folder : str or Path

    Returns
    -------
    Bundle

    Raises
    ------
    BundleError
        When the card is missing or does not match the model file, or the model file is damaged or holds
        a type outside ``bundle_safety``'s allow-list.
    """
    import skops.io as sio

    folder = Path(folder)
    if (folder / "bundle").is_dir() and not (folder / CARD_FILE).exists():  # a run folder of `atomlearn fit`
        require_complete(folder, "run folder", "rerun `atomlearn fit --out` into it", RUN_FILES)
        folder = folder / "bundle"
    card_path, model_path = folder / CARD_FILE, folder / MODEL_FILE
    if not folder.is_dir() or not card_path.exists() or not model_path.exists():
        raise FileNotFoundError(
            f"{folder} is not a model bundle: it needs {CARD_FILE} and {MODEL_FILE} "
            "(written by `atomlearn fit --out RUN_DIR`)"
        )
    if (folder / COMPLETION_FILE).exists():  # a force field folder is sealed as a whole
        require_complete(folder, "model bundle", "retrain it", [CARD_FILE, MODEL_FILE])
    card = read_checked_json(card_path, BundleCard, "the bundle is damaged: refit it, or copy the run folder whole")
    if card["model_sha256"] != file_sha256(model_path):
        raise BundleError(
            f"{model_path} does not match its card (SHA-256 differs): the files come from different "
            "runs or were modified; refit, or copy the run folder whole"
        )
    types = audit_model_file(model_path)  # before anything in it is built
    if current_type_names(card.get("model_types") or types) != types:
        raise BundleError(f"{model_path} holds other types than its card lists; the bundle was modified, refit it")
    try:
        content = sio.loads(current_model_bytes(model_path), trusted=types)
    except Exception as exc:  # noqa: BLE001 - any failure to rebuild audited data means a damaged file
        raise BundleError(
            f"{model_path} is not a valid atomlearn bundle ({type(exc).__name__}: {exc}); refit it"
        ) from exc
    if not isinstance(content, dict) or set(content) != {"featurizer", "model"}:
        raise BundleError(f"{model_path} is not a valid atomlearn bundle: it does not hold a featurizer and a model")
    featurizer, model = content["featurizer"], content["model"]
    for part in _featurizer_parts(featurizer):
        part.set_params(**{k: v for k, v in SAFE_RUNTIME.items() if k in part.get_params(deep=False)})
    expected = (card.get("featurizer") or {}).get("names")
    if expected is not None and expected != _featurizer_names(featurizer):
        raise ValueError(
            f"{model_path}: the featurizers {_featurizer_names(featurizer)} differ from the card's {expected}"
        )
    return Bundle(featurizer, model, card)


def _featurizer_parts(featurizer: BaseEstimator | None) -> list[BaseEstimator]:
    if featurizer is None:  # a force field: the model takes the structures
        return []
    return [part for _, part in getattr(featurizer, "transformer_list", [(None, featurizer)])]


def _featurizer_names(featurizer: BaseEstimator) -> list[str]:
    if hasattr(featurizer, "transformer_list"):
        return [name for name, _ in featurizer.transformer_list]
    return [featurizer.name]
