"""Nested cross-validation (evaluate/nested.py): hyperparameters tuned on inner folds only, the
outer folds scored by models that never saw them, the test set scored once; what a fit chose."""

import numpy as np
from sklearn.linear_model import Ridge
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from atomlearn.evaluate import nested_cv
from atomlearn.evaluate.nested import chosen_params
from atomlearn.models import FastKernelRidge


def test_nested_cv_tunes_on_inner_folds_and_scores_the_test_once():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(150, 3))
    y = X @ [1.0, 2.0, 0.0] + 0.1 * rng.normal(size=150)
    result = nested_cv(
        make_pipeline(StandardScaler(), Ridge()),
        {"alpha": [1e-3, 1.0, 100.0]},
        X[:120],
        y[:120],
        outer=4,
        inner=3,
        X_test=X[120:],
        y_test=y[120:],
    )
    assert len(result.folds) == 4 and all(f["n_train"] == 90 for f in result.folds)
    assert all(f["params"]["ridge__alpha"] in (1e-3, 1.0) for f in result.folds)  # never the over-regularised one
    assert result.test_scored_once and result.test["mae"]["value"] < 0.15
    assert np.isfinite(result.oof_predictions).all()
    self_tuned = nested_cv(
        FastKernelRidge(kernel="linear", alpha=[1e-3, 1.0, 1e3]), None, X[:120], y[:120], outer=3, inner=4
    )
    assert {"alpha", "gamma"} <= set(self_tuned.folds[0]["params"]) and self_tuned.test is None


def test_each_outer_fold_equals_a_grid_search_on_its_training_part():
    # the same inner search, run by hand with scikit-learn on each outer training part
    rng = np.random.default_rng(1)
    X = rng.normal(size=(90, 4))
    y = X @ [0.5, -1.0, 2.0, 0.0] + 0.3 * rng.normal(size=90)
    space = {"alpha": [0.01, 1.0, 30.0]}
    result = nested_cv(Ridge(), space, X, y, outer=3, inner=3, random_state=0)
    for fold, (train, test) in zip(result.folds, KFold(3, shuffle=True, random_state=0).split(X)):
        search = GridSearchCV(
            Ridge(), space, cv=KFold(3, shuffle=True, random_state=0), scoring="neg_mean_absolute_error"
        ).fit(X[train], y[train])
        assert fold["params"] == search.best_params_
        assert fold["metrics"]["mae"] == np.mean(np.abs(search.predict(X[test]) - y[test]))


def test_chosen_params_reads_a_search_and_a_self_tuned_model():
    rng = np.random.default_rng(2)
    X, y = rng.normal(size=(40, 2)), rng.normal(size=40)
    search = GridSearchCV(Ridge(), {"alpha": [0.1, 10.0]}, cv=3).fit(X, y)
    assert chosen_params(search) == search.best_params_
    krr = FastKernelRidge(kernel="rbf", gamma=[0.1, 1.0], alpha=[1e-3, 1e-1]).fit(X, y)
    assert chosen_params(krr) == {"alpha": krr.alpha_, "gamma": krr.gamma_}
    assert chosen_params(Ridge().fit(X, y)) == {}
