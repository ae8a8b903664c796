"""Learning curves: error against training-set size on a fixed test set, with the spread over repeats.

For kernel models and good representations the test error falls as a power law,
MAE ∝ N^(-slope); the log–log slope says how much more data is worth.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, clone

from atomlearn.evaluate.metrics import mae


def learning_curve(
    estimator: BaseEstimator,
    X_train: np.ndarray,
    y_train: np.ndarray,
    X_test: np.ndarray,
    y_test: np.ndarray,
    sizes: Sequence[int],
    *,
    repeats: int = 3,
    random_state: int | None = 0,
) -> pd.DataFrame:
    """Train and test MAE for each training size, each repeat a different random subset.

    The test set stays the same throughout, so the curves differ only by the training data.

    Parameters
    ----------
    estimator : estimator
    X_train : ndarray, shape (n_train, n_features)
    y_train : ndarray, shape (n_train,)
    X_test : ndarray, shape (n_test, n_features)
    y_test : ndarray, shape (n_test,)
    sizes : sequence of int
        Training-set sizes (each at most n_train).
    repeats : int
    random_state : int or None

    Returns
    -------
    pandas.DataFrame
        One row per (size, repeat): ``train_mae`` and ``test_mae`` (target units); :func:`summarize_curve`
        gives means, spreads and the slope.
    """
    X_train, y_train = np.asarray(X_train), np.asarray(y_train, dtype=float)
    sizes = sorted({int(s) for s in sizes})
    if not sizes or sizes[0] < 2 or sizes[-1] > len(y_train):
        raise ValueError(f"training sizes must lie between 2 and the {len(y_train)} training samples, got {sizes}")
    rng = np.random.default_rng(random_state)
    rows = []
    for repeat in range(repeats):
        order = rng.permutation(len(y_train))
        for size in sizes:
            rows_used = order[:size]
            fitted = clone(estimator).fit(X_train[rows_used], y_train[rows_used])
            rows.append(
                {
                    "size": size,
                    "repeat": repeat,
                    "train_mae": float(mae(y_train[rows_used], fitted.predict(X_train[rows_used]))),
                    "test_mae": float(mae(np.asarray(y_test, dtype=float), fitted.predict(X_test))),
                }
            )
    return pd.DataFrame(rows)


def summarize_curve(curve: pd.DataFrame) -> tuple[pd.DataFrame, float]:
    """Mean and standard deviation of the errors per size, and the log–log slope of the test MAE.

    Parameters
    ----------
    curve : pandas.DataFrame
        The table of :func:`learning_curve`.

    Returns
    -------
    summary : pandas.DataFrame
        One row per size.
    slope : float
        Least squares of log(mean test MAE) on log(size): negative (-0.5: four times the data halves
        the error).
    """
    table = curve.groupby("size").agg(
        train_mae=("train_mae", "mean"),
        train_mae_std=("train_mae", "std"),
        test_mae=("test_mae", "mean"),
        test_mae_std=("test_mae", "std"),
    )
    table = table.fillna(0.0)
    if len(table) < 2 or (table["test_mae"] <= 0).any():
        return table, float("nan")
    slope = float(np.polyfit(np.log(table.index.to_numpy(float)), np.log(table["test_mae"].to_numpy()), 1)[0])
    return table, slope
