"""Feature selection as scikit-learn selectors, so that selection runs inside each CV fold.

Put a selector in a ``Pipeline`` before the model: it is then fitted on the training
part of every fold only, and the held-out part never influences which features are kept
(selecting on all the data first and cross-validating afterwards leaks the test set).

- Filters: ``VarianceThreshold`` (scikit-learn) and ``CorrelationThreshold`` (drop one of
  each pair of features correlated above a threshold).
- Wrappers: recursive feature elimination with CV (``RFECV``) and forward addition with CV
  (``SequentialFeatureSelector``), both from scikit-learn.
- LASSO: ``lasso_path_frame`` (coefficients along the regularisation path) and
  ``SelectFromModel(LassoCV)``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import rankdata
from sklearn.base import BaseEstimator
from sklearn.feature_selection import (
    RFECV,
    SelectFromModel,
    SelectorMixin,
    SequentialFeatureSelector,
    VarianceThreshold,
)
from sklearn.linear_model import LassoCV, RidgeCV, lasso_path
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.validation import check_is_fitted, validate_data

SELECTORS = ("variance", "correlation", "rfe", "forward", "lasso")


class CorrelationThreshold(SelectorMixin, BaseEstimator):
    """Drop one feature of each pair whose |correlation| on the training data exceeds ``threshold``.

    Features are visited in column order or, when ``y`` is given to ``fit``, by decreasing |correlation
    with y|; a feature is kept unless it correlates above ``threshold`` with one already kept. Constant
    features are dropped.

    Parameters
    ----------
    threshold : float
    method : {"pearson", "spearman"}

    Attributes
    ----------
    support_ : ndarray of bool, shape (n_features,)
        Kept columns.
    correlation_ : ndarray, shape (n_features, n_features)
    dropped_for_ : dict of int to int
        Dropped column -> the kept column it duplicates (-1 for constants).
    """

    def __init__(self, threshold: float = 0.95, method: str = "pearson") -> None:
        self.threshold = threshold
        self.method = method

    def fit(self, X: np.ndarray, y: np.ndarray | None = None) -> CorrelationThreshold:
        """Choose the features to keep: scanning them in order (by decreasing |correlation| with ``y``
        when it is given), drop each one correlated above ``threshold`` with one already kept.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,), optional

        Returns
        -------
        self
        """
        if self.method not in ("pearson", "spearman"):
            raise ValueError(f"method must be 'pearson' or 'spearman', got {self.method!r}")
        if not 0 < self.threshold <= 1:
            raise ValueError(f"threshold must be in (0, 1], got {self.threshold}")
        X = validate_data(self, X, dtype=float)
        values = rankdata(X, axis=0) if self.method == "spearman" else X
        constant = values.std(axis=0) == 0
        with np.errstate(invalid="ignore", divide="ignore"):
            corr = np.corrcoef(values, rowvar=False) if X.shape[1] > 1 else np.ones((1, 1))
        corr = np.nan_to_num(np.atleast_2d(corr), nan=0.0)
        order = np.arange(X.shape[1])
        if y is not None:
            target = rankdata(y) if self.method == "spearman" else np.asarray(y, dtype=float)
            with np.errstate(invalid="ignore", divide="ignore"):
                relevance = np.nan_to_num(np.abs([np.corrcoef(values[:, j], target)[0, 1] for j in order]), nan=0.0)
            order = np.argsort(-relevance, kind="stable")
        kept: list[int] = []
        self.dropped_for_ = {}
        for j in order:
            if constant[j]:
                self.dropped_for_[int(j)] = -1
                continue
            duplicates = [k for k in kept if abs(corr[j, k]) > self.threshold]
            if duplicates:
                self.dropped_for_[int(j)] = int(duplicates[0])
            else:
                kept.append(int(j))
        self.support_ = np.zeros(X.shape[1], dtype=bool)
        self.support_[kept] = True
        self.correlation_ = corr
        return self

    def _get_support_mask(self) -> np.ndarray:
        check_is_fitted(self, "support_")
        return self.support_


def lasso_selector(cv: Any = 5, random_state: int = 0) -> BaseEstimator:
    """Standardise, then keep the features with a non-zero LASSO coefficient (λ by CV)."""
    return make_pipeline(
        StandardScaler(), SelectFromModel(LassoCV(cv=cv, random_state=random_state, max_iter=20_000), threshold=1e-10)
    )


def make_selector(
    name: str,
    *,
    estimator: BaseEstimator | None = None,
    cv: Any = 5,
    threshold: float | None = None,
    random_state: int = 0,
) -> BaseEstimator:
    """A feature selector by name, for a ``Pipeline`` (selection then happens within each CV fold).

    Parameters
    ----------
    name : {"variance", "correlation", "rfe", "forward", "lasso"}
    estimator : estimator, optional
        What the wrappers (rfe, forward) judge subsets with (default: standardised ridge with λ by
        leave-one-out; it must expose ``coef_`` or ``feature_importances_`` for rfe).
    cv : int or splitter
    threshold : float, optional
    random_state : int

    Returns
    -------
    estimator
        A scikit-learn selector (``fit``, ``transform``, ``get_support``).
    """
    if name == "variance":
        return VarianceThreshold(threshold=0.0 if threshold is None else threshold)
    if name == "correlation":
        return CorrelationThreshold(threshold=0.95 if threshold is None else threshold)
    if name == "lasso":
        return lasso_selector(cv=cv, random_state=random_state)
    judge = (
        estimator if estimator is not None else make_pipeline(StandardScaler(), RidgeCV(alphas=np.logspace(-6, 3, 19)))
    )
    if name == "rfe":
        return RFECV(judge, cv=cv, scoring="neg_mean_absolute_error", importance_getter=_importance_getter(judge))
    if name == "forward":
        return SequentialFeatureSelector(
            judge,
            direction="forward",
            n_features_to_select="auto",
            tol=1e-4 if threshold is None else threshold,
            cv=cv,
            scoring="neg_mean_absolute_error",
        )
    raise ValueError(f"unknown selector {name!r}; choose one of {', '.join(SELECTORS)}")


def _importance_getter(estimator: BaseEstimator) -> str:
    """Where RFE finds the coefficients: the last step of a pipeline, else the estimator."""
    if hasattr(estimator, "steps"):
        return f"named_steps.{estimator.steps[-1][0]}.coef_"
    return "auto"


def lasso_path_frame(
    X: np.ndarray, y: np.ndarray, feature_names: list[str] | None = None, n_alphas: int = 100, eps: float = 1e-4
) -> pd.DataFrame:
    """LASSO coefficients (on standardised features, target centred) along the regularisation path: the
    data of the path plot.

    Parameters
    ----------
    X : ndarray, shape (n_samples, n_features)
    y : ndarray, shape (n_samples,)
    feature_names : list of str, optional
    n_alphas : int
    eps : float
        The path runs from the smallest λ that zeroes every coefficient to ``eps`` times it.

    Returns
    -------
    pandas.DataFrame
        One row per λ (``alpha``, descending), one column per feature, and ``n_nonzero``.
    """
    X = StandardScaler().fit_transform(np.asarray(X, dtype=float))
    y = np.asarray(y, dtype=float)
    alphas, coefs, _ = lasso_path(X, y - y.mean(), eps=eps, alphas=n_alphas, max_iter=20_000)
    names = feature_names or [f"x{j}" for j in range(X.shape[1])]
    frame = pd.DataFrame(coefs.T, columns=names)
    frame.insert(0, "alpha", alphas)
    frame["n_nonzero"] = (np.abs(coefs) > 0).sum(axis=0)
    return frame


def selected_features(selector: BaseEstimator, feature_names: list[str]) -> list[str]:
    """Names of the columns a fitted selector (or a pipeline ending in one) keeps.

    Parameters
    ----------
    selector : estimator
    feature_names : list of str

    Returns
    -------
    list of str
    """
    last = selector.steps[-1][1] if hasattr(selector, "steps") else selector
    return [name for name, keep in zip(feature_names, last.get_support()) if keep]
