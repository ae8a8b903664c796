"""Result records that serialise to JSON; reports read only these."""

from __future__ import annotations

import hashlib
import json
import platform
from dataclasses import asdict, dataclass, field, replace
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from atomlearn.display import Displayed, format_value
from atomlearn.files import write_text_atomic
from atomlearn.schema import Record, read_checked_json

VERSIONED_PACKAGES = (
    "atomlearn",
    "numpy",
    "scipy",
    "pandas",
    "scikit-learn",
    "ase",
    "gemmi",
    "rdkit",
    "dscribe",
    "skops",
)


def package_versions() -> dict[str, str]:
    """Versions of Python and the packages that shape a result."""
    found = {"python": platform.python_version()}
    for name in VERSIONED_PACKAGES:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = "not installed"
    return found


def data_hash(ids: list[str], structure_hashes: list[str], y: np.ndarray) -> str:
    """SHA-256 of the ids, structures and target values a result was computed from."""
    digest = hashlib.sha256()
    for item_id, s_hash in zip(ids, structure_hashes):
        digest.update(f"{item_id}:{s_hash};".encode())
    digest.update(np.ascontiguousarray(y, dtype="<f8").tobytes())
    return digest.hexdigest()


@dataclass
class FittedRun:
    """What a run fitted and learnt from, kept in memory only (not in ``results.json``).

    Attributes
    ----------
    featurizer : estimator
        The fitted featurizer (structures -> X), or a ``FeatureUnion`` of several.
    model : estimator
        The fitted model (X, or the structures for a network, -> y in target units).
    features : dict of str to ndarray
        ``X`` (n_used, n_features), ``y`` (n_used,), ``ids``, ``set`` ("train"/"test") and ``names``
        (n_features,) of the structures the run used.
    """

    featurizer: Any
    model: Any
    features: dict[str, np.ndarray]


@dataclass(repr=False)
class HoldoutResult(Displayed):
    """Everything about one train/test evaluation: what, how, how well, and what failed.

    ``fitted`` holds the fitted parts (``FittedRun``) when the result comes from ``run_holdout``; it is
    None for a result read back from JSON, which records numbers, not models.

    Attributes
    ----------
    dataset, target, target_unit : str
    featurizer, model, split : dict
        What was used, with parameters and chosen hyperparameters.
    counts : dict of str to int
        Requested, used, failed.
    metrics : dict
        ``{"model" | baseline: {"train" | "test": {metric: value}}}`` (target units).
    metrics_ci : dict
        The test metrics with bootstrap intervals.
    predictions : list of dict
        id, set, y, prediction (and std) of every used structure.
    errors : list of dict
        id, stage, reason of every structure left out.
    timings_s : dict of str to float
    data_hash : str
    nested, calibration : dict, optional
    versions : dict of str to str
    fitted : FittedRun, optional
    """

    dataset: str
    target: str
    target_unit: str
    featurizer: dict[str, Any]
    model: dict[str, Any]
    split: dict[str, Any]
    counts: dict[str, int]
    metrics: dict[str, dict[str, dict[str, float]]]
    predictions: list[dict[str, Any]]
    errors: list[dict[str, str]]
    timings_s: dict[str, float]
    data_hash: str
    metrics_ci: dict[str, dict[str, dict[str, dict[str, float]]]] = field(default_factory=dict)
    nested: dict[str, Any] | None = None
    calibration: dict[str, Any] | None = None
    versions: dict[str, str] = field(default_factory=package_versions)
    fitted: FittedRun | None = field(default=None, repr=False, compare=False)

    def _display(self) -> tuple[str, list[tuple[str, Any]]]:
        counts = self.counts
        metrics = pd.DataFrame(
            [
                {"estimator": name, **{m: sets["test"].get(m, np.nan) for m in ("mae", "rmse", "r2")}}
                for name, sets in self.metrics.items()
                if "test" in sets
            ]
        )
        interval = self.metrics_ci.get("model", {}).get("test", {}).get("mae", {})
        rows: list[tuple[str, Any]] = [
            ("featurizer", self.featurizer.get("name", "")),
            (
                "split",
                f"{self.split.get('kind', '')}: {self.split.get('n_train')} train, {self.split.get('n_test')} test",
            ),
            (
                "structures",
                f"{counts.get('used', 0)} used of {counts.get('requested', 0)}, {counts.get('failed', 0)} failed",
            ),
            (f"test metrics ({self.target_unit})", metrics),
        ]
        if interval:
            rows.append(
                ("test MAE, 95 % interval", f"[{format_value(interval['low'])}, {format_value(interval['high'])}]")
            )
        return f"HoldoutResult: {self.model.get('name', '')} for {self.target} on {self.dataset}", rows

    def to_dict(self) -> dict[str, Any]:
        """The JSON-able record (everything but ``fitted``)."""
        record = asdict(replace(self, fitted=None))
        del record["fitted"]
        return record

    def predictions_frame(self) -> pd.DataFrame:
        """The predictions as a table: id, set (train/test/excluded), y_true, y_pred, baselines (target units)."""
        return pd.DataFrame(self.predictions)

    def to_json(self, path: str | Path | None = None) -> str:
        """JSON text of the result; written to ``path`` (whole or not at all) when given."""
        text = json.dumps(self.to_dict(), indent=2, default=json_default)
        if path is not None:
            write_text_atomic(path, text)
        return text

    @classmethod
    def from_json(cls, path: str | Path) -> HoldoutResult:
        """Read a ``results.json`` written by ``write_run`` (the fitted parts are not in it), checked against
        ``ResultsRecord``: a field of the wrong type or shape is refused with its name."""
        record = read_checked_json(path, ResultsRecord, "rerun `atomlearn fit --out` into the folder")
        fields = {name for name in cls.__dataclass_fields__ if name != "fitted"}
        return cls(**{k: v for k, v in record.items() if k in fields})


Number = int | float | None  # counts stay integers; NaN and None (a metric that does not apply) are both written


class FeaturizerRecord(Record):
    """What featurized the run."""

    names: list[str]
    n_features: int
    params: dict[str, Any] = {}


class ModelRecord(Record):
    """The model and the hyperparameters it chose."""

    name: str
    fitted: dict[str, Any] = {}
    input: str | None = None


class SplitRecord(Record):
    """How the test set was put aside, and what each part holds (``describe``: one row per part)."""

    kind: str
    random_state: int | None
    n_train: int
    n_test: int
    describe: list[dict[str, str | int | float | None]]


class CountsRecord(Record):
    """Structures in, used and failed."""

    dataset: int
    requested: int
    used: int
    failed: int


class FoldRecord(Record):
    """One outer fold of nested cross-validation."""

    fold: int
    n_train: int
    n_test: int
    params: dict[str, Any]
    fit_s: float
    metrics: dict[str, Number]


class NestedRecord(Record):
    """Nested cross-validation on the training set."""

    folds: list[FoldRecord]
    summary: dict[str, dict[str, Number]]


class CalibrationRecord(Record):
    """Coverage of the predicted intervals on the test set."""

    coverage: dict[str, Number]
    z_rms: Number


class ResultsRecord(Record):
    """``results.json``: the declared shape of a ``HoldoutResult`` on disk."""

    dataset: str
    target: str
    target_unit: str
    featurizer: FeaturizerRecord
    model: ModelRecord
    split: SplitRecord
    counts: CountsRecord
    metrics: dict[str, dict[str, dict[str, Number]]]
    predictions: list[dict[str, str | float | int | bool | None]]
    errors: list[dict[str, str]]
    timings_s: dict[str, Number]
    data_hash: str
    metrics_ci: dict[str, dict[str, dict[str, dict[str, Number]]]] = {}
    nested: NestedRecord | None = None
    calibration: CalibrationRecord | None = None
    versions: dict[str, str] = {}


def json_default(value: Any) -> Any:
    """JSON for what ``json`` cannot write: NumPy scalars and arrays as numbers and lists, anything else as
    its repr (``json.dumps(value, default=json_default)``).

    Parameters
    ----------
    value : object

    Returns
    -------
    object
    """
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    return repr(value)
