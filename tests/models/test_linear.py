import numpy as np
import pytest
from sklearn.datasets import make_circles
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.pipeline import make_pipeline

from atomlearn.models import (
    AutogradLinearRegression,
    ClosedFormLinearRegression,
    QuadraticFeatureMap,
)


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 4))
    y = 3.0 + X @ np.array([1.0, -2.0, 0.5, 0.0]) + 0.1 * rng.normal(size=200)
    return X, y


def test_closed_form_matches_sklearn_both_solvers(data):
    X, y = data
    reference = LinearRegression().fit(X, y)
    for solver in ("lstsq", "normal"):
        model = ClosedFormLinearRegression(solver=solver).fit(X, y)
        assert model.intercept_ == pytest.approx(reference.intercept_, abs=1e-10)
        np.testing.assert_allclose(model.coef_, reference.coef_, atol=1e-10)
        assert model.weights_[0] == model.intercept_  # the explicit intercept column comes first


def test_autograd_gradient_descent_agrees_with_closed_form_to_1e6(data):
    X, y = data
    closed = ClosedFormLinearRegression().fit(X, y)
    descent = AutogradLinearRegression().fit(X, y)
    np.testing.assert_allclose(descent.weights_, closed.weights_, atol=1e-6)
    np.testing.assert_allclose(descent.predict(X), closed.predict(X), atol=1e-6)
    # the loss went downhill all the way
    assert np.all(np.diff(descent.loss_history_) <= 1e-12) and descent.n_steps_ < 100_000


def test_gradient_descent_with_too_large_a_step_says_so(data):
    X, y = data
    with pytest.raises(FloatingPointError, match="diverged"):
        AutogradLinearRegression(learning_rate=10.0, max_steps=500).fit(X, y)


def test_quadratic_map_separates_circles_and_is_the_polynomial_kernel():
    X, labels = make_circles(400, noise=0.05, factor=0.4, random_state=0)
    flat = LogisticRegression().fit(X, labels).score(X, labels)
    mapped = make_pipeline(QuadraticFeatureMap(), LogisticRegression()).fit(X, labels).score(X, labels)
    assert flat < 0.7 and mapped > 0.98
    phi = QuadraticFeatureMap().fit_transform(X)
    np.testing.assert_allclose(phi @ phi.T, (X @ X.T) ** 2, atol=1e-12)
    assert list(QuadraticFeatureMap().fit(X).get_feature_names_out(["x1", "x2"])) == ["x1^2", "x2^2", "sqrt2*x1*x2"]
