"""Metrics in the units of the target, with bootstrap confidence intervals.

Every regression metric here is written for a batch of resamples at once: it takes
arrays of shape (..., n) and reduces the last axis, so a bootstrap of 1,000 resamples is
one vectorised call, not a Python loop.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy.stats import rankdata
from sklearn.metrics import accuracy_score, balanced_accuracy_score, roc_auc_score

TOP_FRACTION = 0.1  # top-k recall looks at the top 10 % unless told otherwise


def mae(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    """Mean absolute error (target units).

    Parameters
    ----------
    y_true, y_pred : ndarray, shape (n,)

    Returns
    -------
    float
    """
    return np.mean(np.abs(y_true - y_pred), axis=-1)


def rmse(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    """Root-mean-square error (target units).

    Parameters
    ----------
    y_true, y_pred : ndarray, shape (n,)

    Returns
    -------
    float
    """
    return np.sqrt(np.mean((y_true - y_pred) ** 2, axis=-1))


def r2(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    """Coefficient of determination, 1 - SS_res / SS_tot (NaN when the target is constant).

    Parameters
    ----------
    y_true, y_pred : ndarray, shape (n,)

    Returns
    -------
    float
    """
    ss_res = np.sum((y_true - y_pred) ** 2, axis=-1)
    ss_tot = np.sum((y_true - y_true.mean(axis=-1, keepdims=True)) ** 2, axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(ss_tot > 0, 1.0 - ss_res / np.where(ss_tot > 0, ss_tot, 1.0), np.nan)


def max_error(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    """Largest absolute error (target units): the worst prediction."""
    return np.max(np.abs(y_true - y_pred), axis=-1)


def spearman(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    """Spearman rank correlation: does the model order the structures right?"""
    a = rankdata(y_true, axis=-1)
    b = rankdata(y_pred, axis=-1)
    a = a - a.mean(axis=-1, keepdims=True)
    b = b - b.mean(axis=-1, keepdims=True)
    norm = np.sqrt(np.sum(a * a, axis=-1) * np.sum(b * b, axis=-1))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(norm > 0, np.sum(a * b, axis=-1) / np.where(norm > 0, norm, 1.0), np.nan)


def top_k_recall(
    y_true: np.ndarray, y_pred: np.ndarray, fraction: float = TOP_FRACTION, higher_is_better: bool = True
) -> np.ndarray:
    """Fraction of the true top ``fraction`` found in the predicted top.

    The screening question: of the best 10 % materials, how many would the model have put in its own best
    10 %? Random ranking scores ``fraction`` on average. Ties at the boundary of either top share its
    remaining places equally (the expectation over ways of breaking them), so a constant prediction
    scores ``k/n`` on any sample, including the bootstrap resamples that give its interval.

    Parameters
    ----------
    y_true, y_pred : ndarray, shape (n,)
    fraction : float
        Share of the samples that counts as the top.
    higher_is_better : bool
        The top is the highest values (else the lowest).

    Returns
    -------
    float
    """
    n = y_true.shape[-1]
    k = max(1, int(round(fraction * n)))
    sign = 1.0 if higher_is_better else -1.0
    return (_top_weights(sign * y_true, k) * _top_weights(sign * y_pred, k)).sum(axis=-1) / k


def _top_weights(values: np.ndarray, k: int) -> np.ndarray:
    """Membership of each item in the top ``k`` along the last axis: 1 above the k-th largest value,
    the remaining places shared among the items tied with it, 0 below."""
    kth = np.partition(values, -k, axis=-1)[..., -k][..., None]
    above, tied = values > kth, values == kth
    remaining = k - above.sum(axis=-1, keepdims=True)
    return above + tied * (remaining / tied.sum(axis=-1, keepdims=True))


REGRESSION_METRICS: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    "mae": mae,
    "rmse": rmse,
    "r2": r2,
    "max_error": max_error,
    "spearman": spearman,
    "top_k_recall": top_k_recall,
}


def _checked(y_true: np.ndarray, y_pred: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    y_true = np.asarray(y_true, dtype=float)
    y_pred = np.asarray(y_pred, dtype=float)
    if y_true.shape != y_pred.shape or y_true.ndim != 1:
        raise ValueError(f"y_true has shape {y_true.shape} but y_pred {y_pred.shape}; both must be 1-D and equal")
    if not (np.isfinite(y_true).all() and np.isfinite(y_pred).all()):
        raise ValueError("metrics need finite values; remove or report NaN rows first")
    if len(y_true) == 0:
        raise ValueError("metrics need at least one sample")
    return y_true, y_pred


def regression_metrics(y_true: np.ndarray, y_pred: np.ndarray) -> dict[str, float]:
    """MAE, RMSE, max error (target units), R², Spearman ρ, top-10 % recall, and n.

    Parameters
    ----------
    y_true, y_pred : ndarray, shape (n,)

    Returns
    -------
    dict of str to float
    """
    y_true, y_pred = _checked(y_true, y_pred)
    found = {name: float(metric(y_true, y_pred)) for name, metric in REGRESSION_METRICS.items()}
    return found | {"n": int(len(y_true))}


def bootstrap_indices(n: int, n_resamples: int, random_state: int | None = 0) -> np.ndarray:
    """Indices of ``n_resamples`` resamples with replacement, shape (n_resamples, n)."""
    return np.random.default_rng(random_state).integers(0, n, size=(n_resamples, n))


def regression_metrics_ci(
    y_true: np.ndarray,
    y_pred: np.ndarray,
    *,
    confidence: float = 0.95,
    n_resamples: int = 1000,
    random_state: int | None = 0,
) -> dict[str, dict[str, float]]:
    """Each regression metric with a percentile bootstrap confidence interval.

    The interval says how much the number would move with another test set of the same size.

    Parameters
    ----------
    y_true, y_pred : ndarray, shape (n,)
    confidence : float
    n_resamples : int
        Bootstrap resamples of the test set.
    random_state : int or None

    Returns
    -------
    dict of str to dict
        ``{metric: {"value", "low", "high"}}`` (plus ``{"n": ...}``): the value on the whole test set
        and the ``confidence`` interval over resampled test sets.
    """
    y_true, y_pred = _checked(y_true, y_pred)
    rows = bootstrap_indices(len(y_true), n_resamples, random_state)
    tail = (1.0 - confidence) / 2 * 100
    found: dict[str, dict[str, float]] = {}
    for name, metric in REGRESSION_METRICS.items():
        resampled = metric(y_true[rows], y_pred[rows])
        low, high = (
            np.nanpercentile(resampled, [tail, 100 - tail]) if np.isfinite(resampled).any() else (np.nan, np.nan)
        )
        found[name] = {"value": float(metric(y_true, y_pred)), "low": float(low), "high": float(high)}
    return found | {"n": {"value": len(y_true), "low": len(y_true), "high": len(y_true)}}


def classification_metrics_ci(
    y_true: np.ndarray,
    y_pred: np.ndarray,
    y_score: np.ndarray | None = None,
    *,
    confidence: float = 0.95,
    n_resamples: int = 1000,
    random_state: int | None = 0,
) -> dict[str, dict[str, float]]:
    """Accuracy, balanced accuracy and (given scores of the positive class) ROC-AUC, with bootstrap
    intervals.

    Parameters
    ----------
    y_true, y_pred : ndarray, shape (n,)
        Class labels.
    y_score : ndarray, shape (n,), optional
        Score or probability of the positive class (for ROC-AUC).
    confidence : float
    n_resamples : int
    random_state : int or None

    Returns
    -------
    dict of str to dict
        ``{metric: {"value", "low", "high"}}``.
    """
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    metrics: dict[str, Callable[[np.ndarray], float]] = {
        "accuracy": lambda r: accuracy_score(y_true[r], y_pred[r]),
        "balanced_accuracy": lambda r: balanced_accuracy_score(y_true[r], y_pred[r]),
    }
    if y_score is not None:
        y_score = np.asarray(y_score, dtype=float)
        metrics["roc_auc"] = lambda r: roc_auc_score(y_true[r], y_score[r]) if len(np.unique(y_true[r])) > 1 else np.nan
    everything = np.arange(len(y_true))
    rows = bootstrap_indices(len(y_true), n_resamples, random_state)
    tail = (1.0 - confidence) / 2 * 100
    found = {}
    for name, metric in metrics.items():
        resampled = np.array([metric(r) for r in rows], dtype=float)
        low, high = np.nanpercentile(resampled, [tail, 100 - tail])
        found[name] = {"value": float(metric(everything)), "low": float(low), "high": float(high)}
    return found


def point_values(metrics_ci: dict[str, dict[str, float]]) -> dict[str, float]:
    """``{metric: value}`` from a table with intervals.

    Parameters
    ----------
    metrics_ci : dict of str to dict
        ``{metric: {"value", "low", "high"}}``.

    Returns
    -------
    dict of str to float
    """
    return {name: entry["value"] for name, entry in metrics_ci.items()}
