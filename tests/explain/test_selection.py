import numpy as np
import pytest
from sklearn.linear_model import LinearRegression, RidgeCV
from sklearn.model_selection import KFold, cross_val_score
from sklearn.pipeline import make_pipeline

from atomlearn.explain.selection import CorrelationThreshold, lasso_path_frame, make_selector, selected_features

NAMES = [f"f{j}" for j in range(8)]


@pytest.fixture
def data():
    """y depends on f0, f1, f2; f3 is a near copy of f0; f4 is constant; f5..f7 are noise."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(150, 8))
    X[:, 3] = X[:, 0] + 0.01 * rng.normal(size=150)
    X[:, 4] = 2.0
    y = 2 * X[:, 0] - X[:, 1] + 0.5 * X[:, 2] + 0.1 * rng.normal(size=150)
    return X, y


def test_filters_drop_constants_and_duplicates(data):
    X, y = data
    assert selected_features(make_selector("variance").fit(X), NAMES) == [n for n in NAMES if n != "f4"]
    by_order = CorrelationThreshold(threshold=0.95).fit(X)
    assert selected_features(by_order, NAMES) == ["f0", "f1", "f2", "f5", "f6", "f7"]
    assert by_order.dropped_for_ == {3: 0, 4: -1}
    # with y, the copy more correlated with the target is kept; its twin is dropped
    by_relevance = CorrelationThreshold(threshold=0.95, method="spearman").fit(X, y)
    assert by_relevance.support_[[1, 2]].all() and by_relevance.support_[[0, 3]].sum() == 1


def test_wrappers_and_lasso_find_the_informative_features(data):
    X, y = data
    informative = {"f0", "f1", "f2"}
    for name in ("rfe", "forward", "lasso"):
        kept = set(selected_features(make_selector(name, cv=KFold(5, shuffle=True, random_state=0)).fit(X, y), NAMES))
        assert informative - {"f0"} <= kept, name  # f1, f2 always; f0 or its copy f3
        assert kept & {"f0", "f3"}, name
        assert not kept & {"f4"}, name
    rfe = make_selector("rfe", cv=5).fit(X[:, [0, 1, 2, 5, 6, 7]], y)
    assert rfe.n_features_ == 3 and rfe.support_[:3].all()


def test_lasso_path_grows_from_empty_to_least_squares(data):
    X, y = data
    path = lasso_path_frame(X[:, [0, 1, 2, 5]], y, ["a", "b", "c", "d"])
    assert path["alpha"].is_monotonic_decreasing and path["n_nonzero"].iloc[0] == 0 and path["n_nonzero"].iloc[-1] == 4
    assert path["n_nonzero"].is_monotonic_increasing
    from sklearn.preprocessing import StandardScaler

    ols = LinearRegression().fit(StandardScaler().fit_transform(X[:, [0, 1, 2, 5]]), y).coef_
    np.testing.assert_allclose(path[["a", "b", "c", "d"]].iloc[-1], ols, atol=0.02)
    assert path[["a", "b"]].abs().iloc[-1].tolist() == sorted(path[["a", "b"]].abs().iloc[-1], reverse=True)


@pytest.mark.parametrize("name", ["variance", "correlation", "rfe", "forward", "lasso"])
def test_every_selector_runs_inside_cross_validation(data, name):
    """In a pipeline, each fold fits its own selector on its training part (clone-safe)."""
    X, y = data
    scores = cross_val_score(
        make_pipeline(make_selector(name, cv=3), RidgeCV()),
        X,
        y,
        cv=KFold(4, shuffle=True, random_state=0),
        scoring="r2",
    )
    assert scores.min() > 0.95


def test_unknown_selector_is_named():
    with pytest.raises(ValueError, match="choose one of"):
        make_selector("boruta")
