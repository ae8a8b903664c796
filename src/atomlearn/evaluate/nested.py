"""Nested cross-validation: hyperparameters tuned on inner folds only, the error estimated on outer folds.

The outer score is an honest estimate of how the *whole procedure* (search included)
does on new data; the inner search never sees the outer test fold. A test set put aside
before everything is scored exactly once, at the end, by the model tuned on all the rest.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from functools import partial
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, clone
from sklearn.model_selection import GridSearchCV, KFold

from atomlearn.evaluate.metrics import regression_metrics, regression_metrics_ci
from atomlearn.parallel import parallel_map

SELF_TUNED_ATTRIBUTES = (
    "alpha_",
    "gamma_",
    "sigma_",
    "l1_ratio_",
    "n_epochs_",
    "best_epoch_",
)  # epochs: early stopping


@dataclass
class NestedCVResult:
    """What nested cross-validation measured.

    Attributes
    ----------
    folds : list of dict
        Per outer fold: metrics (target units), chosen hyperparameters, sizes.
    summary : dict of str to dict
        Mean and standard deviation of each metric over the outer folds.
    oof_predictions : list of float
        Out-of-fold prediction of each training row.
    test : dict, optional
        Metrics with intervals on the test set put aside, scored once after refitting on all rows.
    test_scored_once : bool
    final_params : dict
        Hyperparameters of the final refit.
    timings_s : dict of str to float
    """

    folds: list[dict[str, Any]]
    summary: dict[str, dict[str, float]]
    oof_predictions: list[float]
    test: dict[str, Any] | None = None
    test_scored_once: bool = False
    final_params: dict[str, Any] = field(default_factory=dict)
    timings_s: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The result as plain JSON-ready data (folds, summary, out-of-fold predictions)."""
        return asdict(self)


def _as_splitter(cv: int | Any, random_state: int | None) -> Any:
    return KFold(int(cv), shuffle=True, random_state=random_state) if isinstance(cv, (int, np.integer)) else cv


def tuned(
    estimator: BaseEstimator,
    search_space: dict[str, list[Any]] | None,
    inner: Any,
    scoring: str = "neg_mean_absolute_error",
    n_jobs: int | None = None,
) -> BaseEstimator:
    """The estimator with its hyperparameter search on ``inner`` folds built in.

    With a ``search_space``: a ``GridSearchCV`` (parameter names as in the estimator, pipeline
    step prefixes added when missing). Without one, a self-tuning estimator (``RidgeCV``,
    ``FastKernelRidge``, ...) gets ``inner`` as its ``cv``.
    """
    estimator = clone(estimator)
    if search_space:
        names = estimator.get_params()
        grid = {}
        for key, values in search_space.items():
            full = key if key in names else next((n for n in names if n.endswith("__" + key)), None)
            if full is None:
                raise ValueError(f"search space names {key!r}, which is not a parameter of {type(estimator).__name__}")
            grid[full] = list(values)
        return GridSearchCV(estimator, grid, cv=inner, scoring=scoring, n_jobs=n_jobs)
    cv_params = {name: inner for name in estimator.get_params() if name == "cv" or name.endswith("__cv")}
    return estimator.set_params(**cv_params)


def chosen_params(fitted: BaseEstimator) -> dict[str, Any]:
    """Hyperparameters a fitted (searched or self-tuned) estimator ended up with.

    Parameters
    ----------
    fitted : estimator
        A fitted ``GridSearchCV``, or a model that tunes itself (λ, widths by leave-one-out).

    Returns
    -------
    dict
    """
    if isinstance(fitted, GridSearchCV):
        return {k: (v.item() if isinstance(v, np.generic) else v) for k, v in fitted.best_params_.items()}
    final = fitted.steps[-1][1] if hasattr(fitted, "steps") else fitted
    found = {}
    for name in SELF_TUNED_ATTRIBUTES:
        value = getattr(final, name, None)
        if isinstance(value, (int, float, np.number)):
            found[name.rstrip("_")] = float(value)
    return found


def _outer_fold(
    split: tuple[np.ndarray, np.ndarray], model: BaseEstimator, X: np.ndarray, y: np.ndarray
) -> dict[str, Any]:
    train, test = split
    clock = time.perf_counter()
    fitted = clone(model).fit(X[train], y[train])
    predicted = fitted.predict(X[test])
    return {
        "test_index": test,
        "predicted": predicted,
        "params": chosen_params(fitted),
        "n_train": int(len(train)),
        "fit_s": time.perf_counter() - clock,
    }


def nested_cv(
    estimator: BaseEstimator,
    search_space: dict[str, list[Any]] | None,
    X: np.ndarray,
    y: np.ndarray,
    outer: int | Any = 5,
    inner: int | Any = 5,
    *,
    groups: np.ndarray | None = None,
    X_test: np.ndarray | None = None,
    y_test: np.ndarray | None = None,
    scoring: str = "neg_mean_absolute_error",
    random_state: int | None = 0,
    n_jobs: int = 1,
) -> NestedCVResult:
    """Nested cross-validation: hyperparameters tuned on inner folds, the error estimated on outer folds.

    When ``X_test``/``y_test`` (put aside before anything) are given, the procedure is refitted on all of
    ``X`` and scored on them once, with bootstrap confidence intervals; ``test_scored_once`` records that
    it was. Outer folds run through ``atomlearn.parallel`` with ``n_jobs`` workers.

    Parameters
    ----------
    estimator : estimator
    search_space : dict of str to list, or None
        The grid searched on the inner folds (parameter names as in the estimator, pipeline steps
        included); None for a model that tunes itself.
    X : ndarray, shape (n_samples, n_features)
    y : ndarray, shape (n_samples,)
    outer, inner : int or splitter
        Folds (shuffled k-fold for an int).
    groups : ndarray, shape (n_samples,), optional
    X_test, y_test : ndarray, optional
    scoring : str
        scikit-learn scorer of the inner search.
    random_state : int or None
    n_jobs : int

    Returns
    -------
    NestedCVResult
    """
    X, y = np.asarray(X), np.asarray(y, dtype=float)
    if len(X) != len(y):
        raise ValueError(f"X has {len(X)} rows but y has {len(y)} values")
    model = tuned(estimator, search_space, _as_splitter(inner, random_state), scoring)
    splits = list(_as_splitter(outer, random_state).split(X, y, groups))
    clock = time.perf_counter()
    mapped = parallel_map(
        partial(_outer_fold, model=model, X=X, y=y),
        splits,
        n_jobs=n_jobs,
        chunk_size=1,
        description=f"nested CV: {len(splits)} outer folds",
    )
    if mapped.errors:
        raise RuntimeError(f"outer fold {mapped.errors[0].item_id} failed: {mapped.errors[0].reason}")
    oof = np.full(len(y), np.nan)
    folds = []
    for number, outcome in enumerate(mapped.results):
        test = outcome["test_index"]
        oof[test] = outcome["predicted"]
        folds.append(
            {
                "fold": number,
                "n_train": outcome["n_train"],
                "n_test": int(len(test)),
                "params": outcome["params"],
                "fit_s": outcome["fit_s"],
                "metrics": regression_metrics(y[test], outcome["predicted"]),
            }
        )
    timings = {"outer_cv": time.perf_counter() - clock}
    summary = {}
    for name in folds[0]["metrics"]:
        values = np.array([f["metrics"][name] for f in folds], dtype=float)
        summary[name] = {
            "mean": float(np.mean(values)),
            "std": float(np.std(values, ddof=1)) if len(values) > 1 else 0.0,
        }
    result = NestedCVResult(folds=folds, summary=summary, oof_predictions=oof.tolist(), timings_s=timings)
    if X_test is not None and y_test is not None:
        clock = time.perf_counter()
        final = clone(model).fit(X, y)
        result.test = regression_metrics_ci(np.asarray(y_test, dtype=float), final.predict(np.asarray(X_test)))
        result.test_scored_once = True
        result.final_params = chosen_params(final)
        result.timings_s["final_fit_and_test"] = time.perf_counter() - clock
        result.final_estimator = final  # not serialised: the fitted model for a bundle
    return result
