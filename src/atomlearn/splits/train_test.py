"""``train_test_split``-style helpers on top of the splitters, and ``describe`` of the parts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from atomlearn.splits.splitters import make_holdout


def train_test_indices(
    n_or_X: Any,
    y: Any = None,
    *,
    split: str | Any = "random",
    test_size: float | int = 0.2,
    groups: Any = None,
    random_state: int | None = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """(train, test) index arrays from a hold-out splitter given by name or object.

    Parameters
    ----------
    n_or_X : int or array-like
        The feature matrix (needed by the kennard-stone and cluster splits) or the number of samples.
    y : array-like, optional
        The target (for the stratified split).
    split : str or splitter
        A name of :func:`make_holdout` or a splitter object.
    test_size : float or int
    groups : array-like, optional
        Group labels (group and scaffold splits).
    random_state : int or None

    Returns
    -------
    train, test : ndarray of int
    """
    X = np.zeros((n_or_X, 1)) if isinstance(n_or_X, (int, np.integer)) else n_or_X
    splitter = make_holdout(split, test_size, random_state) if isinstance(split, str) else split
    return next(iter(splitter.split(X, y, groups)))


def train_test_split(
    *arrays: Any,
    y: Any = None,
    split: str | Any = "random",
    test_size: float | int = 0.2,
    groups: Any = None,
    random_state: int | None = 0,
) -> list[Any]:
    """Like scikit-learn's ``train_test_split`` but with any of our splitters.

    ``train_test_split(X, y, split="stratified")`` returns ``[X_train, X_test, y_train, y_test]``;
    the stratified split uses the last array as the target unless ``y`` is given. Lists (e.g. of
    ``ase.Atoms``) stay lists.

    Parameters
    ----------
    *arrays : array-like or list
        Sequences of the same length, split alike.
    y : array-like, optional
    split : str or splitter
    test_size : float or int
    groups : array-like, optional
    random_state : int or None

    Returns
    -------
    list
        Train and test part of each array, in order.
    """
    if not arrays:
        raise ValueError("give at least one array to split")
    target = y if y is not None else (arrays[-1] if len(arrays) > 1 else None)
    train, test = train_test_indices(
        arrays[0] if _is_matrix(arrays[0]) else len(arrays[0]),
        target,
        split=split,
        test_size=test_size,
        groups=groups,
        random_state=random_state,
    )
    return [part for array in arrays for part in (_take(array, train), _take(array, test))]


def _is_matrix(array: Any) -> bool:
    return isinstance(array, np.ndarray) and array.ndim == 2


def _take(array: Any, rows: np.ndarray) -> Any:
    if isinstance(array, (pd.DataFrame, pd.Series)):
        return array.iloc[rows]
    if isinstance(array, np.ndarray):
        return array[rows]
    if hasattr(array, "take") and not isinstance(array, list):
        return array.take(rows)
    return [array[i] for i in rows]


def describe(y: Sequence[float], parts: Mapping[str, np.ndarray], *, top_fraction: float = 0.1) -> pd.DataFrame:
    """Target distribution of each part of a split.

    ``describe(y, {"train": train, "test": test})`` shows at a glance whether the test set covers the
    range the model will be used on.

    Parameters
    ----------
    y : sequence of float, length n
    parts : mapping of str to ndarray of int
        Part name -> row indices.
    top_fraction : float
        What counts as a top performer (highest values).

    Returns
    -------
    pandas.DataFrame
        One row per part: count, mean, std, quantiles, and how many of the overall top ``top_fraction``
        it holds.
    """
    y = np.asarray(y, dtype=float)
    threshold = np.quantile(y, 1.0 - top_fraction)
    rows = {}
    for name, index in {"all": np.arange(len(y)), **parts}.items():
        values = y[np.asarray(index, dtype=int)]
        rows[name] = {
            "n": len(values),
            "mean": values.mean(),
            "std": values.std(ddof=1) if len(values) > 1 else np.nan,
            "min": values.min(),
            "q25": np.quantile(values, 0.25),
            "median": np.median(values),
            "q75": np.quantile(values, 0.75),
            "max": values.max(),
            f"in_top_{round(top_fraction * 100)}pct": int((values >= threshold).sum()),
        }
    return pd.DataFrame(rows).T.rename_axis("part")
