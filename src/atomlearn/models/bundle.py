"""Model bundles: a fitted featurizer + model saved with skops (no pickle execution) and a ``card.json``.

The card says what the model is (featurizers and their parameters, model, target and
unit), what it was trained on (data hash, counts), how well it did (test metrics) and
with which package versions; it also holds the SHA-256 of the skops file, so a bundle
whose files do not belong together is refused.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from ase import Atoms
from sklearn.base import BaseEstimator

from atomlearn.evaluate.results import package_versions
from atomlearn.models.gpr import has_predictive_std
from atomlearn.models.structure_input import takes_structures

MODEL_FILE = "model.skops"
CARD_FILE = "card.json"
TRUSTED_PREFIXES = ("atomlearn.", "sklearn.", "numpy", "scipy.", "builtins.", "collections.", "ase.")


@dataclass
class Bundle:
    """A loaded bundle: ``featurizer`` (structures -> X), ``model`` (X -> y) and its ``card``."""

    featurizer: BaseEstimator
    model: BaseEstimator
    card: dict[str, Any]

    def predict(self, structures: Sequence[Atoms], ids: Sequence[str], n_jobs: int = 1) -> pd.DataFrame:
        """Featurize and predict: one row per structure with ``id``, ``y_pred`` (target units), ``y_std``
        for a Gaussian process, and ``error`` (empty, or why the structure has no prediction)."""
        if len(ids) != len(structures):
            raise ValueError(f"{len(ids)} ids for {len(structures)} structures")
        parts = [part for _, part in getattr(self.featurizer, "transformer_list", [(None, self.featurizer)])]
        for part in parts:
            part.set_params(n_jobs=n_jobs, cache=False)
        labelled = []
        for atoms, item_id in zip(structures, ids):  # copies: failures are reported under these ids
            labelled.append(atoms.copy())
            labelled[-1].info["id"] = item_id
        frame = pd.DataFrame({"id": list(ids), "y_pred": np.nan, "error": ""})
        if takes_structures(self.model):  # a network: it needs the structures, not the features
            refused = self.model.structure_errors(labelled)
            ok = np.array([i not in refused for i in range(len(labelled))], dtype=bool)
            if ok.any():
                frame.loc[ok, "y_pred"] = self.model.predict([a for a, usable in zip(labelled, ok) if usable])
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


def file_sha256(path: Path) -> str:
    """SHA-256 of a file's bytes (hex)."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def save_bundle(folder: str | Path, featurizer: BaseEstimator, model: BaseEstimator, card: dict[str, Any]) -> Path:
    """Write ``model.skops`` and ``card.json`` into ``folder`` (created); returns the folder."""
    import skops.io as sio

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    sio.dump({"featurizer": featurizer, "model": model}, folder / MODEL_FILE)
    full_card = {"format": "atomlearn-bundle-1", **card, "versions": package_versions(),
                 "model_file": MODEL_FILE, "model_sha256": file_sha256(folder / MODEL_FILE)}
    (folder / CARD_FILE).write_text(json.dumps(full_card, indent=2, default=str))
    return folder


def load_bundle(folder: str | Path) -> Bundle:
    """Load a bundle, refusing it when the card is missing, does not match the model file,
    or the file holds types from outside atomlearn, scikit-learn, NumPy and SciPy."""
    import skops.io as sio

    folder = Path(folder)
    if (folder / "bundle").is_dir() and not (folder / CARD_FILE).exists():
        folder = folder / "bundle"  # a run folder of `atomlearn fit`
    card_path, model_path = folder / CARD_FILE, folder / MODEL_FILE
    if not card_path.exists() or not model_path.exists():
        raise FileNotFoundError(f"{folder} is not a model bundle: it needs {CARD_FILE} and {MODEL_FILE} "
                                "(written by `atomlearn fit --out RUN_DIR`)")
    try:
        card = json.loads(card_path.read_text())
    except json.JSONDecodeError as exc:
        raise ValueError(f"{card_path} is not valid JSON ({exc}); the bundle is damaged, refit it") from exc
    if card.get("format") != "atomlearn-bundle-1":
        raise ValueError(f"{card_path}: unknown bundle format {card.get('format')!r}; refit with this atomlearn version")
    if card.get("model_sha256") != file_sha256(model_path):
        raise ValueError(f"{model_path} does not match its card (SHA-256 differs): the files come from different "
                         "runs or were modified; refit, or copy the run folder whole")
    untrusted = sio.get_untrusted_types(file=model_path)
    foreign = [t for t in untrusted if not t.startswith(TRUSTED_PREFIXES)]
    if foreign:
        raise ValueError(f"{model_path} holds types atomlearn does not trust: {', '.join(foreign[:5])}; refusing to load it")
    content = sio.load(model_path, trusted=untrusted)
    featurizer, model = content["featurizer"], content["model"]
    expected = card.get("featurizer", {}).get("names")
    if expected is not None and expected != _featurizer_names(featurizer):
        raise ValueError(f"{model_path}: the featurizers {_featurizer_names(featurizer)} differ from the card's {expected}")
    return Bundle(featurizer, model, card)


def _featurizer_names(featurizer: BaseEstimator) -> list[str]:
    if hasattr(featurizer, "transformer_list"):
        return [name for name, _ in featurizer.transformer_list]
    return [featurizer.name]
