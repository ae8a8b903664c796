"""Permutation feature importance on held-out data, one feature at a time or by groups of
correlated features.

The importance of a feature (or a group) is how much the held-out error grows when its
values are shuffled across the samples, breaking its link to the target while keeping
its distribution. Correlated features split their importance: with a copy of feature A
present, shuffling A alone costs little because the copy still carries the information.
Shuffling the whole group of correlated features together (``correlated_groups``) gives
the importance of what they share.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

import numpy as np
import pandas as pd
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.spatial.distance import squareform
from scipy.stats import spearmanr

from atomlearn.evaluate.metrics import mae, r2, rmse
from atomlearn.parallel import parallel_map


def _negative_r2(y: np.ndarray, predicted: np.ndarray) -> float:
    return -float(r2(y, predicted))


# each metric as a loss (larger is worse), so importance = permuted loss - baseline loss
LOSSES: dict[str, Callable[[np.ndarray, np.ndarray], float]] = {"mae": mae, "rmse": rmse, "r2": _negative_r2}


def correlated_groups(X: np.ndarray, threshold: float = 0.8) -> list[np.ndarray]:
    """Column indices grouped by hierarchical clustering (average linkage) on 1 - |Spearman ρ|.

    Two columns end in one group when their average |ρ| is above ``threshold``. Constant columns (no ρ
    defined) form groups of their own.

    Parameters
    ----------
    X : ndarray, shape (n_samples, n_features)
    threshold : float

    Returns
    -------
    list of ndarray of int
        The groups, ordered by their first column.
    """
    X = np.asarray(X, dtype=float)
    n_features = X.shape[1]
    if not 0 < threshold <= 1:
        raise ValueError(f"threshold must be in (0, 1], got {threshold}")
    varying = np.flatnonzero(np.nanstd(X, axis=0) > 0)
    groups = [np.array([j]) for j in np.setdiff1d(np.arange(n_features), varying)]
    if len(varying) == 1:
        groups.append(varying)
    elif len(varying) > 1:
        rho = spearmanr(X[:, varying]).statistic
        rho = np.atleast_2d(np.nan_to_num(rho, nan=0.0))
        distance = 1.0 - np.abs(rho)
        np.fill_diagonal(distance, 0.0)
        tree = linkage(squareform(np.clip(distance, 0.0, None), checks=False), method="average")
        labels = fcluster(tree, t=1.0 - threshold, criterion="distance")
        groups += [varying[labels == label] for label in np.unique(labels)]
    return sorted(groups, key=lambda g: int(g[0]))


def _group_losses(
    model: Any, X: np.ndarray, y: np.ndarray, loss: Callable, n_repeats: int, task: tuple[np.ndarray, int]
) -> np.ndarray:
    """Loss after shuffling the columns of a group together, once per repeat (task: group, seed)."""
    group, seed = task
    rng = np.random.default_rng(seed)
    shuffled = X.copy()
    out = np.empty(n_repeats)
    for r in range(n_repeats):
        order = rng.permutation(len(X))
        shuffled[:, group] = X[np.ix_(order, group)]
        out[r] = float(loss(y, model.predict(shuffled)))
    return out


def permutation_importance(
    model: Any,
    X: np.ndarray,
    y: np.ndarray,
    *,
    groups: Sequence[Sequence[int]] | None = None,
    feature_names: Sequence[str] | None = None,
    metric: str = "mae",
    n_repeats: int = 10,
    max_samples: int | None = None,
    random_state: int = 0,
    n_jobs: int = 1,
) -> pd.DataFrame:
    """Drop in held-out performance when each feature (or each group in ``groups``) is shuffled.

    Give held-out data (a test set or a validation fold), never the training data: there a
    flexible model's memorised noise makes every feature look important.

    Parameters
    ----------
    model : a fitted estimator with ``predict``.
    X, y : held-out features and targets.
    groups : lists of column indices shuffled together (see ``correlated_groups``); None:
        one group per feature.
    metric : "mae", "rmse" (target units) or "r2"; importance is the increase of the error
        (for r2, its decrease).
    n_repeats : shuffles per feature; the spread over them is ``importance_std``.
    max_samples : score on a random subset of this many held-out rows (faster for kernel models).

    Returns
    -------
    pandas.DataFrame
        Sorted by importance: ``feature`` (name, or names joined by "+"), ``columns``,
        ``n_columns``, ``importance_mean``, ``importance_std``, ``baseline`` (the unshuffled
        metric) and ``repeats`` (the importance of each shuffle).
    """
    if metric not in LOSSES:
        raise ValueError(f"metric must be one of {', '.join(LOSSES)}, got {metric!r}")
    X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
    if X.ndim != 2 or len(X) != len(y) or len(X) < 2:
        raise ValueError(f"X must be 2-D with one row per target, at least 2 rows: got X {X.shape}, y {y.shape}")
    if not (np.isfinite(X).all() and np.isfinite(y).all()):
        raise ValueError("X and y must be finite: drop the rows whose featurization failed first")
    if n_repeats < 1:
        raise ValueError(f"n_repeats must be at least 1, got {n_repeats}")
    names = list(feature_names) if feature_names is not None else [f"x{j}" for j in range(X.shape[1])]
    if len(names) != X.shape[1]:
        raise ValueError(f"{len(names)} feature names for {X.shape[1]} columns")
    rng = np.random.default_rng(random_state)
    if max_samples is not None and max_samples < len(X):
        rows = rng.choice(len(X), max_samples, replace=False)
        X, y = X[rows], y[rows]
    column_groups = (
        [np.asarray(g, dtype=int) for g in groups] if groups is not None else [np.array([j]) for j in range(X.shape[1])]
    )
    loss = LOSSES[metric]
    baseline = float(loss(y, model.predict(X)))
    seeds = rng.integers(0, 2**32, size=len(column_groups))
    labels = ["+".join(names[j] for j in g) for g in column_groups]
    tasks = [(g, int(s)) for g, s in zip(column_groups, seeds)]
    mapped = parallel_map(
        partial(_group_losses, model, X, y, loss, n_repeats),
        tasks,
        ids=labels,
        n_jobs=n_jobs,
        stage="importance",
        description="permutation importance",
    )
    if mapped.errors:
        raise RuntimeError(f"permutation importance failed for {mapped.errors[0].item_id}: {mapped.errors[0].reason}")
    rows = []
    for label, group, losses in zip(labels, column_groups, mapped.results):
        drops = losses - baseline
        rows.append(
            {
                "feature": label,
                "columns": group.tolist(),
                "n_columns": len(group),
                "importance_mean": float(drops.mean()),
                "importance_std": float(drops.std(ddof=1)) if n_repeats > 1 else 0.0,
                "baseline": -baseline if metric == "r2" else baseline,
                "repeats": drops.tolist(),
            }
        )
    frame = pd.DataFrame(rows).sort_values("importance_mean", ascending=False, kind="stable")
    frame.attrs.update(metric=metric, n_repeats=n_repeats, n_samples=len(y))
    return frame.reset_index(drop=True)
