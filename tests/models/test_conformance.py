"""Every estimator of our own in the model registry that learns from a feature matrix passes
scikit-learn's estimator checks, so it composes with Pipeline, GridSearchCV and cross_validate.

Each registry model is checked as the estimator it is built from (a registry ``Pipeline`` is
StandardScaler + our estimator; scikit-learn's checks flag every Pipeline for holding fitted steps
in its parameters, a known property of Pipeline, not of the models). Exclusions: scikit-learn's
own estimators in the registry (RidgeCV, LassoCV, ElasticNetCV, HistGradientBoostingRegressor,
DummyRegressor, StandardScaler) are checked upstream; the structure networks (bond_graph, schnet,
painn) take lists of ``ase.Atoms``, not arrays, and have their own contract tests in
``tests/runs/test_network_runs.py``."""

from __future__ import annotations

import warnings

from sklearn.pipeline import Pipeline
from sklearn.utils.estimator_checks import parametrize_with_checks

from atomlearn.models import MODELS, make_model, takes_structures

#: smaller settings where the defaults make the checks slow (the same code runs)
QUICK = {"linear_autograd": {"max_steps": 2000}, "mlp": {"hidden_layers": (16,), "max_epochs": 30, "patience": 10}}


def _our_parts(name: str) -> list:
    model = make_model(name, QUICK.get(name))
    parts = [step for _, step in model.steps] if isinstance(model, Pipeline) else [model]
    return [part for part in parts if type(part).__module__.startswith("atomlearn.")]


ESTIMATORS = [part for name in MODELS if not takes_structures(make_model(name)) for part in _our_parts(name)]


@parametrize_with_checks(ESTIMATORS)
def test_scikit_learn_estimator_checks(estimator, check):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check(estimator)


def test_every_estimator_class_of_ours_is_checked():
    checked = {type(estimator).__name__ for estimator in ESTIMATORS}
    assert checked == {
        "ClosedFormLinearRegression",
        "AutogradLinearRegression",
        "QuadraticFeatureMap",
        "FastKernelRidge",
        "NystroemKernelRidge",
        "MLPRegressor",
        "GaussianProcess",
        "ARDGaussianProcess",
    }
