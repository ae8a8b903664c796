"""Kernel ridge regression beyond memory: Nyström features + ridge with efficient leave-one-out λ.

With m landmark points the kernel is approximated by ``Φ Φᵀ`` where ``Φ = K_nm K_mm^{-1/2}``
(n × m), so memory is O(n·m) instead of O(n²) and fitting O(n·m²).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.kernel_approximation import Nystroem
from sklearn.linear_model import RidgeCV
from sklearn.utils.validation import check_is_fitted, validate_data

from atomlearn.models.kernels import median_gamma
from atomlearn.models.krr import AUTO_GAMMA_FACTORS, DEFAULT_ALPHAS, _as_grid

SKLEARN_KERNEL = {"rbf": "rbf", "laplacian": "laplacian", "linear": "linear"}


class NystroemKernelRidge(RegressorMixin, BaseEstimator):
    """Approximate KRR with ``n_components`` random landmarks; width and λ chosen by leave-one-out.

    For each width the Nyström features are built and scikit-learn's ``RidgeCV`` finds λ by
    its closed-form leave-one-out error; the width with the lowest error is kept.

    Parameters
    ----------
    kernel : {"linear", "rbf", "laplacian", "matern12", "matern32", "matern52"}
    gamma : float, sequence of float or "auto"
        Kernel width (see ``atomlearn.models.kernels``); a list is searched; "auto" searches
        4^k times the median heuristic, k = -4..1.
    alpha : float or sequence of float
        Regularisation λ, in units of the kernel (k(x, x) = 1); a list is searched.
    n_components : int
        Landmarks (at most the number of training rows).
    random_state : int or None
        Seed of the landmarks and the median heuristic's sample.

    Attributes
    ----------
    gamma_, alpha_ : float
    features_ : sklearn.kernel_approximation.Nystroem
    ridge_ : sklearn.linear_model.RidgeCV
    best_score_ : float
        Leave-one-out MSE of the chosen width (target units²).
    cv_results_ : dict of lists
        The leave-one-out MSE of each width.
    """

    def __init__(
        self,
        kernel: str = "rbf",
        gamma: float | Sequence[float] | str = "auto",
        alpha: float | Sequence[float] = DEFAULT_ALPHAS,
        n_components: int = 2000,
        random_state: int | None = 0,
    ) -> None:
        self.kernel = kernel
        self.gamma = gamma
        self.alpha = alpha
        self.n_components = n_components
        self.random_state = random_state

    def fit(self, X: np.ndarray, y: np.ndarray) -> NystroemKernelRidge:
        """Fit ridge on Nyström features for each kernel width (λ by leave-one-out); keep the best width.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)

        Returns
        -------
        self
        """
        if self.kernel not in SKLEARN_KERNEL:
            raise ValueError(f"the Nyström model supports kernels {', '.join(SKLEARN_KERNEL)}, got {self.kernel!r}")
        X, y = validate_data(self, X, y, y_numeric=True)
        gammas = (
            [median_gamma(X, self.kernel, random_state=self.random_state) * f for f in AUTO_GAMMA_FACTORS]
            if isinstance(self.gamma, str)
            else _as_grid(self.gamma)
        )
        alphas = _as_grid(self.alpha)
        best, rows = None, []
        for gamma in gammas:
            features = Nystroem(
                kernel=SKLEARN_KERNEL[self.kernel],
                gamma=gamma,
                random_state=self.random_state,
                n_components=min(self.n_components, len(X)),
            )
            Phi = features.fit_transform(X)
            ridge = RidgeCV(alphas=alphas).fit(Phi, y)
            mse = -float(ridge.best_score_)
            rows.append({"gamma": gamma, "alpha": float(ridge.alpha_), "score": mse})
            if best is None or mse < best[0]:
                best = (mse, gamma, features, ridge)
        self.best_score_, self.gamma_, self.features_, self.ridge_ = best
        self.alpha_ = float(self.ridge_.alpha_)
        self.cv_results_ = pd.DataFrame(rows).to_dict(orient="list")
        return self

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Predict the target for each row.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,)
        """
        check_is_fitted(self, "ridge_")
        X = validate_data(self, X, reset=False)
        return self.ridge_.predict(self.features_.transform(X))
