"""Models by command-line name. Each is a scikit-learn estimator (pipelines included)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.dummy import DummyRegressor
from sklearn.linear_model import RidgeCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler


def ridge() -> BaseEstimator:
    """Standardised features + ridge regression, its penalty chosen by efficient leave-one-out CV on the training set."""
    return make_pipeline(StandardScaler(), RidgeCV(alphas=np.logspace(-6, 3, 19)))


def dummy() -> BaseEstimator:
    """The baseline every model must beat: predict the training mean."""
    return DummyRegressor(strategy="mean")


MODELS: dict[str, Callable[[], BaseEstimator]] = {"ridge": ridge, "dummy": dummy}


def make_model(name: str) -> BaseEstimator:
    """A fresh, unfitted model by its command-line name."""
    if name not in MODELS:
        raise KeyError(f"unknown model {name!r}; choose one of {', '.join(MODELS)}")
    return MODELS[name]()


__all__ = ["MODELS", "dummy", "make_model", "ridge"]
