"""Explain a fitted run folder (``atomlearn fit --out RUN_DIR``): permutation importance on its
test set, feature selection on its training set, and a 2-D map of all its structures.

Reads ``results.json``, ``features.npz`` and ``bundle/``; writes ``importance.csv``,
``importance_grouped.csv``, ``selected_features.csv`` (and ``lasso_path.csv``), ``map.csv``,
``curve.csv`` and a summary ``explain.json`` into the same folder, which the report reads.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from atomlearn.evaluate.learning_curves import learning_curve, summarize_curve
from atomlearn.explain.importance import correlated_groups, permutation_importance
from atomlearn.explain.projection import project
from atomlearn.explain.selection import lasso_path_frame, make_selector, selected_features
from atomlearn.files import write_csv_atomic, write_text_atomic
from atomlearn.runs.results import HoldoutResult
from atomlearn.runs.run_folder import require_complete_run
from atomlearn.schema import FileFormatError, Record, load_arrays, read_checked_json

EXPLAIN_FILE = "explain.json"


class CurveSummary(Record):
    """The learning curve's entry of ``explain.json``."""

    file: str
    log_log_slope: float | None = None


class ExplainSummary(Record):
    """``explain.json``: what ``explain_run`` computed and where (each part's files and parameters)."""

    target: str
    target_unit: str
    importance: dict[str, Any] | None = None
    selection: dict[str, Any] | None = None
    map: dict[str, Any] | None = None
    curve: CurveSummary | None = None
    timings_s: dict[str, float] = {}


def read_explain_summary(folder: str | Path) -> dict[str, Any]:
    """The run folder's ``explain.json``, checked against ``ExplainSummary``.

    Parameters
    ----------
    folder : str or Path

    Returns
    -------
    dict
        {} when explain has not run.
    """
    path = Path(folder) / EXPLAIN_FILE
    if not path.exists():
        return {}
    return read_checked_json(path, ExplainSummary, "rerun `atomlearn explain` on the run folder")


@dataclass
class RunFeatures:
    """The feature matrix of a run's used structures, with ids, targets and their part (train/test)."""

    X: np.ndarray
    y: np.ndarray
    ids: np.ndarray
    part: np.ndarray
    names: list[str]

    @classmethod
    def load(cls, folder: Path) -> RunFeatures:
        """Read ``features.npz`` of a run folder (no pickle); ``FileNotFoundError`` when it has none."""
        path = folder / "features.npz"
        if not path.exists():
            raise FileNotFoundError(
                f"{folder} has no features.npz: it is not a run folder of `atomlearn fit --out`, "
                "or it was written by an older atomlearn; rerun the fit"
            )
        remedy = "rerun `atomlearn fit --out` into the folder"
        data = load_arrays(
            path, {"X": (None, None), "y": (None,), "ids": (None,), "set": (None,), "names": (None,)}, remedy
        )
        n, width = data["X"].shape
        if not (len(data["y"]) == len(data["ids"]) == len(data["set"]) == n and len(data["names"]) == width):
            raise FileFormatError(
                f"{path}: X is {n}x{width} but y, ids, set and names have {len(data['y'])}, "
                f"{len(data['ids'])}, {len(data['set'])} and {len(data['names'])} entries; {remedy}"
            )
        return cls(data["X"], data["y"], data["ids"], data["set"], [str(n) for n in data["names"]])

    def rows(self, part: str) -> np.ndarray:
        """Row positions of one part of the run: ``"train"`` or ``"test"``."""
        return np.flatnonzero(self.part == part)


@dataclass
class ExplainResult:
    importance: pd.DataFrame | None = None
    importance_grouped: pd.DataFrame | None = None
    selected: list[str] | None = None
    selector: str | None = None
    lasso_path: pd.DataFrame | None = None
    map: pd.DataFrame | None = None
    map_params: dict[str, Any] = field(default_factory=dict)
    sisso: pd.DataFrame | None = None
    curve: pd.DataFrame | None = None
    curve_slope: float | None = None
    timings_s: dict[str, float] = field(default_factory=dict)


def explain_run(
    folder: str | Path,
    *,
    importance: bool = True,
    group_threshold: float = 0.8,
    n_repeats: int = 5,
    max_samples: int | None = 1000,
    select: str | None = None,
    projection: str | None = None,
    perplexity: float = 30.0,
    sisso_primaries: int = 8,
    curve_sizes: list[int] | str | None = None,
    curve_repeats: int = 3,
    random_state: int = 0,
    n_jobs: int = 1,
) -> ExplainResult:
    """Explain a finished run and write each part into its folder.

    Importance (single features and correlated groups, on the test set), selection (on the training
    set; "sisso" builds formulas from the ``sisso_primaries`` features most correlated with the target),
    a map (all structures) and a learning curve of the run's model (same test set).

    Parameters
    ----------
    folder : str or Path
        A complete run folder (``atomlearn fit``, ``write_run``).
    importance : bool
    group_threshold : float
        |Spearman ρ| above which features are shuffled together.
    n_repeats : int
        Shuffles per feature.
    max_samples : int or None
        Test rows used for importance.
    select : {"variance", "correlation", "rfe", "forward", "lasso", "sisso"}, optional
    projection : {"pca", "tsne", "umap", "lda"}, optional
    perplexity : float
        t-SNE.
    sisso_primaries : int
    curve_sizes : list of int or "auto", optional
        Training sizes of the learning curve ("auto": 1/16 to all of the training set).
    curve_repeats : int
    random_state : int
    n_jobs : int

    Returns
    -------
    ExplainResult
        What was computed, also in ``folder`` (``explain.json`` and tables).
    """
    from atomlearn.runs.bundle import load_bundle

    folder = Path(folder)
    if not (folder / "results.json").exists():
        raise FileNotFoundError(f"{folder} has no results.json: give the folder written by `atomlearn fit --out`")
    require_complete_run(folder)
    fitted_model = cache(lambda: load_bundle(folder / "bundle").model)  # read and checked once, when first needed
    results = HoldoutResult.from_json(folder / "results.json").to_dict()
    features = RunFeatures.load(folder)
    model_name = results.get("model", {}).get("name")
    if results.get("model", {}).get("input") == "structures" and (importance or curve_sizes is not None):
        raise ValueError(
            f"{folder}: the model {model_name} learns from the structures, not from the features, so "
            "permutation importance and a learning curve on features do not apply; --select and --map "
            f"still work on the run's features, and `atomlearn curve --model {model_name}` draws the "
            "network's learning curve"
        )
    out = ExplainResult()
    if importance:
        clock = time.perf_counter()
        model = fitted_model()
        test = features.rows("test")
        X_test, y_test = features.X[test], features.y[test]
        common = {
            "feature_names": features.names,
            "n_repeats": n_repeats,
            "max_samples": max_samples,
            "random_state": random_state,
            "n_jobs": n_jobs,
        }
        out.importance = permutation_importance(model, X_test, y_test, **common)
        train = features.rows("train")
        groups = correlated_groups(features.X[train], threshold=group_threshold)  # correlations from training data
        out.importance_grouped = permutation_importance(model, X_test, y_test, groups=groups, **common)
        for frame, name in ((out.importance, "importance.csv"), (out.importance_grouped, "importance_grouped.csv")):
            write_csv_atomic(frame.drop(columns=["repeats"]), folder / name)
        out.timings_s["importance"] = time.perf_counter() - clock
    if select == "sisso":
        clock = time.perf_counter()
        out.selector = select
        out.sisso, out.selected = _sisso(features, sisso_primaries, random_state)
        write_csv_atomic(out.sisso, folder / "sisso.csv")
        write_csv_atomic(pd.DataFrame({"feature": out.selected}), folder / "selected_features.csv")
        out.timings_s["selection"] = time.perf_counter() - clock
    elif select:
        clock = time.perf_counter()
        train = features.rows("train")
        selector = make_selector(select, random_state=random_state).fit(features.X[train], features.y[train])
        out.selector, out.selected = select, selected_features(selector, features.names)
        write_csv_atomic(pd.DataFrame({"feature": out.selected}), folder / "selected_features.csv")
        if select == "lasso":
            out.lasso_path = lasso_path_frame(features.X[train], features.y[train], features.names)
            write_csv_atomic(out.lasso_path, folder / "lasso_path.csv")
        out.timings_s["selection"] = time.perf_counter() - clock
    if projection:
        result = project(
            features.X,
            projection,
            ids=list(features.ids),
            perplexity=perplexity,
            random_state=random_state,
            n_jobs=n_jobs,
        )
        out.map = result.coordinates.assign(set=features.part, y=features.y)
        out.map_params = {
            "method": projection,
            **result.params,
            "explained_variance_ratio": result.explained_variance_ratio,
        }
        write_csv_atomic(out.map, folder / "map.csv")
        out.timings_s["map"] = result.seconds
    if curve_sizes is not None:
        clock = time.perf_counter()
        out.curve, out.curve_slope = _learning_curve(fitted_model(), features, curve_sizes, curve_repeats, random_state)
        write_csv_atomic(out.curve, folder / "curve.csv")
        out.timings_s["curve"] = time.perf_counter() - clock
    _write_summary(folder, out, results["target"], results.get("target_unit", ""))
    return out


def _sisso(features: RunFeatures, n_primaries: int, random_state: int) -> tuple[pd.DataFrame, list[str]]:
    """SISSO formulas (complexity 2, up to 2 terms) from the training features most |Spearman|-correlated
    with the target; each model's test MAE beside its training RMSE."""
    from scipy.stats import spearmanr

    from atomlearn.explain.sisso import SISSORegressor

    train, test = features.rows("train"), features.rows("test")
    X, y = features.X[train], features.y[train]
    varying = np.flatnonzero(X.std(axis=0) > 0)
    rho = np.array([abs(spearmanr(X[:, j], y).statistic) for j in varying])
    primaries = varying[np.argsort(-np.nan_to_num(rho), kind="stable")[:n_primaries]]
    names = [features.names[j] for j in primaries]
    model = SISSORegressor(complexity=2, n_terms=2, feature_names=names).fit(X[:, primaries], y)
    table = model.models_frame()
    table["test_mae"] = [
        float(np.mean(np.abs(model.predict(features.X[test][:, primaries], n_terms=d) - features.y[test])))
        for d in table["n_terms"]
    ]
    table["candidates"] = int(sum(model.n_candidates_))
    return table, names


def _learning_curve(
    model: Any, features: RunFeatures, sizes: list[int] | str, repeats: int, random_state: int
) -> tuple[pd.DataFrame, float]:
    """Test and train MAE of fresh clones of ``model`` trained on random subsets of the run's training rows."""
    from sklearn.base import clone

    train, test = features.rows("train"), features.rows("test")
    if sizes == "auto":
        sizes = sorted({max(10, int(len(train) / 2**k)) for k in range(5)})
    curve = learning_curve(
        clone(model),
        features.X[train],
        features.y[train],
        features.X[test],
        features.y[test],
        list(sizes),
        repeats=repeats,
        random_state=random_state,
    )
    return curve, summarize_curve(curve)[1]


def _write_summary(folder: Path, out: ExplainResult, target: str, unit: str) -> None:
    """explain.json: what was computed and where, merged with an earlier summary of the same run."""
    path = folder / "explain.json"
    summary = read_explain_summary(folder)
    summary.update({"target": target, "target_unit": unit})
    if out.importance is not None:
        summary["importance"] = {
            "file": "importance.csv",
            "grouped_file": "importance_grouped.csv",
            **out.importance.attrs,
        }
    if out.selected is not None:
        summary["selection"] = {
            "selector": out.selector,
            "n_selected": len(out.selected),
            "file": "selected_features.csv",
            "lasso_path_file": "lasso_path.csv" if out.lasso_path is not None else None,
            "sisso_file": "sisso.csv" if out.sisso is not None else None,
        }
    if out.map is not None:
        summary["map"] = {"file": "map.csv", **out.map_params}
    if out.curve is not None:
        summary["curve"] = {"file": "curve.csv", "log_log_slope": out.curve_slope}
    summary.setdefault("timings_s", {}).update(out.timings_s)
    write_text_atomic(path, json.dumps(summary, indent=2))
