"""Explicit non-linear feature maps: a linear model on mapped features is a non-linear model."""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted, validate_data


class QuadraticFeatureMap(TransformerMixin, BaseEstimator):
    """φ(x) = [x_i² for all i] + [√2 x_i x_j for i < j]: the feature map of the kernel (x·x')².

    For two features this is the lecture's [x1², x2², √2·x1·x2]: points inside and outside
    a circle, not separable by a line in (x1, x2), are separated by a plane in φ-space,
    and φ(x)·φ(x') = (x·x')² exactly.
    """

    def fit(self, X: np.ndarray, y: np.ndarray | None = None) -> QuadraticFeatureMap:
        """Record the feature pairs of the map.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : ignored

        Returns
        -------
        self
        """
        X = validate_data(self, X)
        self.pairs_ = [(i, j) for i in range(X.shape[1]) for j in range(i + 1, X.shape[1])]
        return self

    def transform(self, X: np.ndarray) -> np.ndarray:
        """The explicit degree-2 map: squares, then √2 times every product of two features.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, n_features * (n_features + 1) / 2)
        """
        check_is_fitted(self, "pairs_")
        X = validate_data(self, X, reset=False)
        cross = [np.sqrt(2.0) * X[:, i] * X[:, j] for i, j in self.pairs_]
        return np.column_stack([X**2, *cross]) if cross else X**2

    def get_feature_names_out(self, input_features: list[str] | None = None) -> np.ndarray:
        """Names of the mapped columns (``x0^2``, ..., ``sqrt2*x0*x1``, ...)."""
        check_is_fitted(self, "pairs_")
        names = input_features if input_features is not None else [f"x{i}" for i in range(self.n_features_in_)]
        return np.array([f"{n}^2" for n in names] + [f"sqrt2*{names[i]}*{names[j]}" for i, j in self.pairs_])


class InversePowerFeatures(TransformerMixin, BaseEstimator):
    """[r^-p for p in powers] of a single separation column (Å): with powers (12, 6) a linear model on these
    features is exactly the Lennard-Jones form, the right inductive bias.

    Parameters
    ----------
    powers : tuple of int
    """

    def __init__(self, powers: tuple[int, ...] = (12, 6)) -> None:
        self.powers = powers

    def fit(self, X: np.ndarray, y: np.ndarray | None = None) -> InversePowerFeatures:
        """Check that ``X`` is one column of separations (Å).

        Returns
        -------
        self
        """
        X = validate_data(self, X)
        if X.shape[1] != 1:
            raise ValueError(f"InversePowerFeatures takes one column of separations, got {X.shape[1]}")
        return self

    def transform(self, X: np.ndarray) -> np.ndarray:
        """r^-p for each power p of ``powers``.

        Parameters
        ----------
        X : array-like of shape (n_samples, 1)
            Positive separations r in Å.

        Returns
        -------
        ndarray of shape (n_samples, len(powers))
        """
        check_is_fitted(self, "n_features_in_")
        X = validate_data(self, X, reset=False)
        if (X <= 0).any():
            raise ValueError("separations must be positive (Å)")
        return np.column_stack([X[:, 0] ** (-float(p)) for p in self.powers])
