"""The lecture's bias-variance example: noisy Lennard-Jones energies (``simulate.lj``) fitted by
polynomials of each degree, by the LJ form itself and by ridge-regularised polynomials, each decomposed
into bias², variance and noise with ``evaluate.bias_variance`` (``atomlearn bias-variance``)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.linear_model import Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import PolynomialFeatures, StandardScaler

from atomlearn.evaluate.bias_variance_decomposition import bias_variance_sweep
from atomlearn.models.feature_maps import InversePowerFeatures
from atomlearn.models.linear import ClosedFormLinearRegression
from atomlearn.simulate.lj import ARGON, LennardJones, lj_dataset


def polynomial_model(degree: int, ridge_lambda: float | None = None) -> BaseEstimator:
    """Polynomial of ``degree`` in the (standardised) separation, least squares or ridge with ``ridge_lambda``."""
    final = ClosedFormLinearRegression() if ridge_lambda is None else Ridge(alpha=ridge_lambda)
    return make_pipeline(StandardScaler(), PolynomialFeatures(degree, include_bias=False), final)


def lennard_jones_model() -> BaseEstimator:
    """Linear regression on [r⁻¹², r⁻⁶]: the Lennard-Jones form itself (no bias when the data is LJ)."""
    return make_pipeline(InversePowerFeatures((12, 6)), StandardScaler(), ClosedFormLinearRegression())


def lj_bias_variance(
    *,
    degrees: range | list[int] = range(1, 11),
    ridge_degree: int = 10,
    ridge_lambdas: tuple[float, ...] = (1e-6, 1e-4, 1e-2, 1.0, 10.0, 100.0, 1000.0),
    n_train: int = 30,
    noise_eV: float = 0.002,
    n_rounds: int = 200,
    n_eval: int = 500,
    potential: LennardJones = ARGON,
    random_state: int | None = 0,
) -> pd.DataFrame:
    """The lecture's bias-variance example on noisy Lennard-Jones energies.

    Each round draws a fresh training set of ``n_train`` separations from the simulator; bias² and
    variance are measured on ``n_eval`` evaluation separations against the exact energy, for polynomials
    of each degree, the LJ form, and a ridge-regularised polynomial of ``ridge_degree`` for each λ.

    Parameters
    ----------
    degrees : range or list of int
    ridge_degree : int
    ridge_lambdas : tuple of float
    n_train : int
    noise_eV : float
    n_rounds : int
    n_eval : int
    potential : LennardJones
    random_state : int or None

    Returns
    -------
    pandas.DataFrame
        One row per model with its complexity, bias², variance, noise and expected MSE (eV²).
    """
    X_eval, y_eval, f_eval = lj_dataset(n_eval, noise_eV=noise_eV, potential=potential, random_state=random_state)
    seeds = np.random.default_rng(random_state).integers(1, 2**31 - 1, size=n_rounds)

    def fresh(round_number: int) -> tuple[np.ndarray, np.ndarray]:
        X, y, _ = lj_dataset(n_train, noise_eV=noise_eV, potential=potential, random_state=int(seeds[round_number]))
        return X, y

    models: dict[str, BaseEstimator] = {f"polynomial degree {d}": polynomial_model(d) for d in degrees}
    models["Lennard-Jones form"] = lennard_jones_model()
    models |= {f"degree {ridge_degree} ridge λ={lam:g}": polynomial_model(ridge_degree, lam) for lam in ridge_lambdas}
    table = bias_variance_sweep(
        models, fresh, X_eval, y_eval, f_eval=f_eval, noise_variance=noise_eV**2, n_rounds=n_rounds
    )
    table.insert(0, "family", ["polynomial"] * len(degrees) + ["Lennard-Jones"] + ["ridge"] * len(ridge_lambdas))
    table.insert(1, "complexity", [float(d) for d in degrees] + [2.0] + [float(lam) for lam in ridge_lambdas])
    return table
