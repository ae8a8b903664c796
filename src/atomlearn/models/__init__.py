"""Models by command-line name. Each is a scikit-learn estimator (pipelines included).

A model either tunes itself on its training data (``ridge``, ``lasso``, ``krr``, ``gpr``:
λ and widths by leave-one-out or inner folds) or comes with a ``search_space`` that
``nested_cv`` searches on inner folds. The structure networks (``bond_graph``, ``schnet``,
``painn``) learn from the structures themselves rather than a feature matrix
(``takes_structures``); they stop early on a validation part of their training set.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.dummy import DummyRegressor
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.linear_model import ElasticNetCV, LassoCV, RidgeCV
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

from atomlearn.models.ard_gp import ARDGaussianProcess, fit_single_task_gp, one_torch_thread
from atomlearn.models.feature_maps import InversePowerFeatures, QuadraticFeatureMap
from atomlearn.models.gpr import GaussianProcess, has_predictive_std
from atomlearn.models.krr import FastKernelRidge
from atomlearn.models.linear import AutogradLinearRegression, ClosedFormLinearRegression
from atomlearn.models.local_krr import LocalKernelRidge
from atomlearn.models.nystroem import NystroemKernelRidge
from atomlearn.models.structure_input import structure_array, takes_structures
from atomlearn.registry import Entry, Registry

RIDGE_ALPHAS = np.logspace(-6, 3, 19)
WIDTH_SCREEN = 2000  # kernel models screen widths × λ on this many rows, then score 3 λ on all rows
REFINE_ALPHAS = 3  # (QM9 8k: the same model as the full search, 1.8x faster than the whole λ path)


def ridge() -> BaseEstimator:
    """Standardised features + ridge regression, its penalty chosen by efficient leave-one-out CV on the training
    set."""
    return make_pipeline(StandardScaler(), RidgeCV(alphas=RIDGE_ALPHAS))


def kernel_ridge(kernel: str) -> BaseEstimator:
    """Standardised features + fast kernel ridge; widths × λ screened on a subsample, 3 λ checked on all rows."""
    return make_pipeline(
        StandardScaler(), FastKernelRidge(kernel=kernel, width_subsample=WIDTH_SCREEN, refine_alphas=REFINE_ALPHAS)
    )


def local_kernel_ridge() -> BaseEstimator:
    """Local kernel on atom environments (FCHL19 molecules, SOAP crystals); σ × λ by leave-one-out,
    screened on ``WIDTH_SCREEN`` structures, then the 3 σ around the best scored on all with the
    screened λ (on QM9 the best σ moved between 2,000 and 8,000 molecules, λ did not)."""
    return LocalKernelRidge(width_subsample=WIDTH_SCREEN, refine_widths=3, refine_alphas=1)


def dummy() -> BaseEstimator:
    """The baseline every model must beat: predict the training mean."""
    return DummyRegressor(strategy="mean")


def _model(
    name: str,
    build: Callable[[], BaseEstimator] | str,
    description: str,
    search_space: dict[str, list[Any]] | None = None,
    params: dict[str, Any] | None = None,
) -> Entry:
    """A named model: how to build it (a ``"module:Class"`` for the networks, imported only when built), what
    it is, and the grid ``nested_cv`` searches (None: it tunes itself); the networks and BoTorch's GP need
    PyTorch (the ``nn`` extra)."""
    needs_torch = name in ("linear_autograd", "mlp", "gp_ard", "bond_graph", "schnet", "painn")
    return Entry(
        name,
        build,
        description,
        extra="nn" if needs_torch else None,
        params=params or {},
        info={"search_space": search_space},
    )


#: command-line name -> model
MODELS = Registry(
    "model",
    [
        _model("dummy", dummy, "mean of the training targets (the baseline)"),
        _model(
            "linear",
            lambda: make_pipeline(StandardScaler(), ClosedFormLinearRegression()),
            "ordinary least squares, closed form with an intercept column",
        ),
        _model(
            "linear_autograd",
            lambda: make_pipeline(StandardScaler(), AutogradLinearRegression()),
            "least squares by gradient descent, PyTorch autograd",
        ),
        _model("ridge", ridge, "standardised features + ridge, λ by leave-one-out"),
        _model(
            "lasso",
            lambda: make_pipeline(StandardScaler(), LassoCV(cv=5, random_state=0, max_iter=20_000)),
            "standardised features + LASSO, λ by 5-fold CV",
        ),
        _model(
            "elastic_net",
            lambda: make_pipeline(
                StandardScaler(), ElasticNetCV(l1_ratio=[0.1, 0.5, 0.9, 1.0], cv=5, random_state=0, max_iter=20_000)
            ),
            "standardised features + elastic net, λ and L1 ratio by 5-fold CV",
        ),
        _model(
            "quadratic_ridge",
            lambda: make_pipeline(
                StandardScaler(), QuadraticFeatureMap(), StandardScaler(), RidgeCV(alphas=RIDGE_ALPHAS)
            ),
            "ridge on all squares and √2-scaled pair products of the features",
        ),
        _model(
            "gbr",
            lambda: HistGradientBoostingRegressor(random_state=0),
            "histogram gradient boosting (strong non-kernel baseline)",
            {"learning_rate": [0.05, 0.1, 0.2], "max_leaf_nodes": [15, 31, 63]},
        ),
        _model(
            "krr",
            partial(kernel_ridge, "rbf"),
            "standardised features + Gaussian-kernel ridge, width and λ by closed-form leave-one-out",
        ),
        _model(
            "krr_laplacian",
            partial(kernel_ridge, "laplacian"),
            "standardised features + Laplacian-kernel ridge, width and λ by leave-one-out",
        ),
        _model(
            "krr_nystroem",
            lambda: make_pipeline(StandardScaler(), NystroemKernelRidge(kernel="rbf")),
            "Gaussian-kernel ridge on 2,000 Nyström landmarks (for N beyond memory)",
        ),
        _model(
            "krr_local",
            local_kernel_ridge,
            "local-kernel ridge on atom environments, from the structures (FCHL19 for molecules, SOAP for "
            "crystals; same-element Gaussian kernel summed over atom pairs, per-element baseline, σ and λ by "
            "leave-one-out; predictive std)",
        ),
        _model(
            "mlp",
            "atomlearn.models.nn:MLPRegressor",
            "dense neural network (PyTorch; 2 x 128 SiLU; standardised inside; early stopping "
            "on 10 % of the training rows)",
        ),
        _model(
            "gpr",
            lambda: make_pipeline(StandardScaler(), GaussianProcess(kernel="rbf")),
            "Gaussian process (Gaussian kernel), width and noise by marginal likelihood; predictive std",
        ),
        _model(
            "gp_ard",
            lambda: ARDGaussianProcess(),
            "Gaussian process with one length scale per feature (BoTorch fit by marginal likelihood: RBF ARD, "
            "features in the training set's unit cube; the active screen's surrogate); predictive std",
        ),
        _model(
            "bond_graph",
            "atomlearn.models.nn:BondGraphRegressor",
            "graph network on the covalent bond graph, from the structures (PyTorch; bond-length edges, "
            "sum or mean pooling chosen from the data; molecules and periodic MOFs)",
            params={"verbose": True},
        ),
        _model(
            "schnet",
            "atomlearn.models.nn:SchNetRegressor",
            "SchNet continuous-filter network on distances within 5 Å, from the structures (PyTorch)",
            params={"verbose": True},
        ),
        _model(
            "painn",
            "atomlearn.models.nn:PaiNNRegressor",
            "PaiNN equivariant network (scalar and vector features) within 5 Å, from the structures (PyTorch)",
            params={"verbose": True},
        ),
    ],
)


def make_model(name: str, params: dict[str, Any] | None = None) -> BaseEstimator:
    """A fresh, unfitted model by its command-line name.

    Parameters
    ----------
    name : str
        A name of :data:`MODELS` (``atomlearn models`` lists them with what they tune).
    params : dict, optional
        Parameters to set; for a pipeline, a name without ``step__`` goes to its final estimator
        (``{"max_epochs": 100}``). An unknown one is refused with the ones the model takes.

    Returns
    -------
    estimator
        A scikit-learn regressor (a ``Pipeline`` where the model standardises its features): ``fit(X,
        y)`` with X of shape (n_samples, n_features), or the structures themselves for the structure
        networks and ``krr_local`` (``takes_structures``).

    Examples
    --------
    >>> import numpy as np
    >>> from atomlearn.models import make_model
    >>> X = np.arange(20.0).reshape(10, 2)
    >>> ridge = make_model("ridge").fit(X, X @ [1.0, 2.0])  # λ chosen by leave-one-out
    >>> ridge.predict([[0.0, 1.0]]).round(3)
    array([2.])
    """
    model = MODELS.create(name)
    if not params:
        return model
    final = model.steps[-1][1] if isinstance(model, Pipeline) else model
    unknown = [key for key in params if "__" not in key and key not in final.get_params(deep=False)]
    if unknown:
        raise ValueError(
            f"model {name} has no parameter {', '.join(unknown)}; it takes: "
            f"{', '.join(sorted(final.get_params(deep=False)))}"
        )
    if isinstance(model, Pipeline):
        params = {key if "__" in key else f"{model.steps[-1][0]}__{key}": value for key, value in params.items()}
    return model.set_params(**params)


__all__ = [
    "MODELS",
    "ARDGaussianProcess",
    "AutogradLinearRegression",
    "BondGraphRegressor",
    "ClosedFormLinearRegression",
    "FastKernelRidge",
    "GaussianProcess",
    "InversePowerFeatures",
    "LocalKernelRidge",
    "MLPRegressor",
    "NystroemKernelRidge",
    "PaiNNRegressor",
    "QuadraticFeatureMap",
    "SchNetRegressor",
    "dummy",
    "fit_single_task_gp",
    "has_predictive_std",
    "make_model",
    "one_torch_thread",
    "ridge",
    "structure_array",
    "takes_structures",
]


#: the networks, imported on first use (the core install has no PyTorch)
_NETWORKS = ("BondGraphRegressor", "MLPRegressor", "PaiNNRegressor", "SchNetRegressor")


def __getattr__(name: str):
    if name in _NETWORKS:
        from atomlearn.models import nn

        return getattr(nn, name)
    raise AttributeError(f"module 'atomlearn.models' has no attribute {name!r}")
