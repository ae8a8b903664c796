"""Gaussian-process regression with a predictive standard deviation, on the fast KRR machinery.

The GP ``y ~ N(b, σ²(K + λI))`` has the KRR prediction as its posterior mean. The width
and the noise ratio λ are chosen by maximising the log marginal likelihood over the grid
(one eigendecomposition per width gives every λ); σ² and b take their closed-form optima.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import scipy.linalg as sl
from sklearn.utils.validation import check_is_fitted, validate_data

from atomlearn.models.kernels import kernel_diagonal, lapack_threads
from atomlearn.models.krr import DEFAULT_ALPHAS, FastKernelRidge, _as_grid
from atomlearn.models.krr_path import log_marginal_likelihood_eigh


class GaussianProcess(FastKernelRidge):
    """GP regression; ``predict(X, return_std=True)`` gives the mean and the standard deviation
    of a new observation (target units), noise included.

    The kernel ridge machinery of ``FastKernelRidge``, with the signal variance estimated from the
    data so that the posterior variance is in target units.

    Parameters
    ----------
    kernel : {"linear", "rbf", "laplacian", "matern12", "matern32", "matern52"}
    gamma : float, sequence of float or "auto"
        Kernel width (see ``atomlearn.models.kernels``); a list is searched; "auto" searches
        4^k times the median heuristic, k = -4..1.
    alpha : float or sequence of float
        Regularisation λ, in units of the kernel (k(x, x) = 1); a list is searched.
    cv : None or any ``cv`` of FastKernelRidge
        None (default): width and λ by the log marginal likelihood; otherwise by held-out error.
    scoring, fit_intercept, dtype, solver, random_state
        As in ``FastKernelRidge``.

    Attributes
    ----------
    gamma_, alpha_ : float
    signal_variance_ : float
        σ², target units².
    noise_std_ : float
        √(σ²λ), target units.
    dual_coef_ : ndarray of shape (n_samples,)
    intercept_ : float
    best_score_ : float
        Log marginal likelihood of the chosen pair (``cv=None``), else its held-out error.
    cv_results_ : dict of lists
    """

    def __init__(
        self,
        kernel: str = "rbf",
        gamma: float | Sequence[float] | str = "auto",
        alpha: float | Sequence[float] = DEFAULT_ALPHAS,
        cv: str | int | Any | None = None,
        scoring: str = "mae",
        fit_intercept: bool = True,
        dtype: str = "float64",
        solver: str = "auto",
        random_state: int | None = 0,
    ) -> None:
        super().__init__(
            kernel=kernel,
            gamma=gamma,
            alpha=alpha,
            cv=cv,
            scoring=scoring,
            fit_intercept=fit_intercept,
            dtype=dtype,
            solver=solver,
            random_state=random_state,
        )

    def _select(self, X: np.ndarray, y: np.ndarray, dtype: np.dtype) -> None:
        """By log marginal likelihood (``cv=None``), else by held-out error as kernel ridge does."""
        if self.cv is not None:
            super()._select(X, y, dtype)
            return
        alphas, rows = _as_grid(self.alpha), []
        for gamma, K in self._kernels(X, self._gammas(X), dtype):
            with lapack_threads(len(K)):
                evals, Q = sl.eigh(K, overwrite_a=True, check_finite=False, driver="evd")
            lml = log_marginal_likelihood_eigh(evals, Q, y.astype(dtype), alphas, self.fit_intercept)
            rows += [{"gamma": gamma, "alpha": a, "log_marginal_likelihood": float(v)} for a, v in zip(alphas, lml)]
            del K, Q
        table = pd.DataFrame(rows)
        if not np.isfinite(table["log_marginal_likelihood"]).any():
            raise np.linalg.LinAlgError("K + λI was not positive definite for any grid point; use larger alpha values")
        best = table.loc[table["log_marginal_likelihood"].idxmax()]
        self.gamma_, self.alpha_ = float(best["gamma"]), float(best["alpha"])
        self.best_score_ = float(best["log_marginal_likelihood"])
        self.cv_results_ = table.to_dict(orient="list")

    def _after_fit(self, factor: tuple[np.ndarray, bool], y: np.ndarray) -> None:
        """Keep the factor for the variance; σ² = (y-b)ᵀ(K+λI)⁻¹(y-b) / n at its optimum."""
        self._factor = factor
        self.signal_variance_ = float((y - self.intercept_) @ self.dual_coef_ / len(y))
        self.noise_std_ = float(np.sqrt(self.signal_variance_ * self.alpha_))
        self._ones_solved = sl.cho_solve(factor, np.ones(len(y), dtype=factor[0].dtype)).astype(float)

    def predict(self, X: np.ndarray, return_std: bool = False) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
        """Posterior mean; with ``return_std`` also the standard deviation of a new observation."""
        if not return_std:
            return super().predict(X)
        check_is_fitted(self, "dual_coef_")
        X = validate_data(self, X, reset=False)
        mean, variance = np.empty(len(X)), np.empty(len(X))
        triangle, lower = self._cholesky()
        for start, block in self._kernel_blocks(X):  # one kernel block serves the mean and the variance
            rows = slice(start, start + len(block))
            mean[rows] = block @ self.dual_coef_.astype(block.dtype) + self.intercept_
            # ‖L⁻¹k‖² = kᵀ(K+λI)⁻¹k, with L = Uᵀ for an upper factor
            solved = sl.solve_triangular(
                triangle, block.T, lower=lower, trans="N" if lower else "T", check_finite=False
            )
            explained = np.einsum("ij,ij->j", solved, solved)
            variance[rows] = self._diagonal(X[rows]) - explained + self.alpha_
            if self.fit_intercept:  # uncertainty of the fitted constant mean
                variance[rows] += (1.0 - block @ self._ones_solved.astype(block.dtype)) ** 2 / self._ones_solved.sum()
        return mean, np.sqrt(np.maximum(variance, 0.0) * self.signal_variance_)

    def _cholesky(self) -> tuple[np.ndarray, bool]:
        """Cholesky factor of K + λI, rebuilt after loading (it is not saved: n² numbers)."""
        check_is_fitted(self, "dual_coef_")
        if getattr(self, "_factor", None) is None:
            K = self._kernel(self.X_fit_, None, self.gamma_, self.X_fit_.dtype)
            K.flat[:: len(K) + 1] += self.alpha_
            with lapack_threads(len(K)):
                self._factor = sl.cho_factor(K.T, lower=False, overwrite_a=True, check_finite=False)
        return self._factor

    def _diagonal(self, X: np.ndarray) -> np.ndarray:
        """k(x, x) of each row, shape (n_samples,)."""
        return kernel_diagonal(X, self.kernel)

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state.pop("_factor", None)
        return state


def has_predictive_std(estimator: Any) -> bool:
    """Whether ``estimator`` (or the last step of a pipeline) is a fitted model with
    ``predict(X, return_std=True)``.

    Parameters
    ----------
    estimator : estimator

    Returns
    -------
    bool
    """
    final = estimator.steps[-1][1] if hasattr(estimator, "steps") else estimator
    return hasattr(final, "noise_std_")  # the GPs: GaussianProcess, LocalKernelRidge, ARDGaussianProcess
