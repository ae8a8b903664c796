"""Bias–variance decomposition: refit on many training sets, split the test error into bias², variance and noise.

For squared error at a point x:  E[(y - f̂(x))²] = (E f̂(x) - f(x))² + Var f̂(x) + σ²,
the expectation over training sets and noise. Averaged over evaluation points this
gives bias², variance and the irreducible noise σ². Training sets are bootstrap resamples
of one training set, or fresh draws from a simulator (the Lennard-Jones example).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, clone

TrainingSets = Callable[[int], tuple[np.ndarray, np.ndarray]]  # round number -> (X, y)


def bootstrap_sets(X: np.ndarray, y: np.ndarray, random_state: int | None = 0) -> TrainingSets:
    """Training sets drawn with replacement from (X, y), one per round, seeded.

    Parameters
    ----------
    X : ndarray, shape (n_samples, n_features)
    y : ndarray, shape (n_samples,)
    random_state : int or None

    Returns
    -------
    callable
        ``round number -> (X_round, y_round)``, each of n_samples rows.
    """

    def draw(round_number: int) -> tuple[np.ndarray, np.ndarray]:
        seed = None if random_state is None else [random_state, round_number]  # None: not seeded
        rows = np.random.default_rng(seed).integers(0, len(y), size=len(y))
        return X[rows], y[rows]

    return draw


def bias_variance(
    estimator: BaseEstimator,
    training_sets: TrainingSets,
    X_eval: np.ndarray,
    y_eval: np.ndarray,
    *,
    f_eval: np.ndarray | None = None,
    noise_variance: float | None = None,
    n_rounds: int = 100,
) -> dict[str, float]:
    """bias², variance, noise and their sum for ``estimator`` refitted on ``n_rounds`` training sets.

    Without ``f_eval`` the noise cannot be told apart from the bias: the result then holds
    ``bias2_plus_noise`` and ``noise`` is NaN. ``test_mse``, measured directly on ``y_eval``, checks the
    decomposition.

    Parameters
    ----------
    estimator : estimator
    training_sets : callable
        ``round number -> (X, y)`` (:func:`bootstrap_sets`, or fresh draws from a simulator).
    X_eval : ndarray, shape (n_eval, n_features)
    y_eval : ndarray, shape (n_eval,)
        Observed (noisy) targets at ``X_eval``.
    f_eval : ndarray, shape (n_eval,), optional
        The noise-free truth, when known (a simulator).
    noise_variance : float, optional
        The known noise variance.
    n_rounds : int

    Returns
    -------
    dict of str to float
        ``bias2``, ``variance``, ``noise``, ``expected_mse``, ``test_mse`` (squared target units).
    """
    predictions = np.empty((n_rounds, len(X_eval)))
    for round_number in range(n_rounds):
        X_train, y_train = training_sets(round_number)
        predictions[round_number] = clone(estimator).fit(X_train, y_train).predict(X_eval)
    mean_prediction = predictions.mean(axis=0)
    variance = float(predictions.var(axis=0).mean())
    test_mse = float(np.mean((predictions - np.asarray(y_eval)[None, :]) ** 2))
    if f_eval is None:
        bias2_plus_noise = float(np.mean((mean_prediction - y_eval) ** 2))
        return {
            "bias2": np.nan,
            "variance": variance,
            "noise": np.nan,
            "bias2_plus_noise": bias2_plus_noise,
            "expected_mse": bias2_plus_noise + variance,
            "test_mse": test_mse,
        }
    bias2 = float(np.mean((mean_prediction - f_eval) ** 2))
    noise = float(noise_variance) if noise_variance is not None else float(np.mean((np.asarray(y_eval) - f_eval) ** 2))
    return {
        "bias2": bias2,
        "variance": variance,
        "noise": noise,
        "bias2_plus_noise": bias2 + noise,
        "expected_mse": bias2 + variance + noise,
        "test_mse": test_mse,
    }


def bias_variance_sweep(
    models: Mapping[str, BaseEstimator],
    training_sets: TrainingSets,
    X_eval: np.ndarray,
    y_eval: np.ndarray,
    **kwargs: Any,
) -> pd.DataFrame:
    """One :func:`bias_variance` row per model (per polynomial degree, per λ).

    Parameters
    ----------
    models : mapping of str to estimator
    training_sets, X_eval, y_eval
        As in :func:`bias_variance`.
    **kwargs
        Passed on to :func:`bias_variance`.

    Returns
    -------
    pandas.DataFrame
        One row per model, indexed by its name.
    """
    rows = [
        {"model": name, **bias_variance(model, training_sets, X_eval, y_eval, **kwargs)}
        for name, model in models.items()
    ]
    return pd.DataFrame(rows).set_index("model")
