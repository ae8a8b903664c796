"""The ARD Gaussian process: it is the active screen's BoTorch GP, kept as arrays."""

import numpy as np

from atomlearn.models import ARDGaussianProcess
from atomlearn.workflows.screen_acquisition import fit_surrogate, predict


def test_the_ard_gp_predicts_what_botorch_predicts_and_ignores_an_irrelevant_feature():
    rng = np.random.default_rng(0)
    X = rng.random((40, 3)) * [1.0, 10.0, 0.0]  # the third feature is constant
    X[:, 1] = rng.random(40) * 10.0  # the second is noise the target ignores
    y = np.sin(3 * X[:, 0]) + rng.normal(0, 0.05, 40)
    model = ARDGaussianProcess().fit(X, y)
    X_new = rng.random((10, 3)) * [1.0, 10.0, 0.0]
    mean, std = model.predict(X_new, return_std=True)
    unit = (X[:, :2] - X[:, :2].min(axis=0)) / np.ptp(X[:, :2], axis=0)
    reference = fit_surrogate(unit, y[:, None])
    ref_mean, ref_std = predict(
        reference, (X_new[:, :2] - X[:, :2].min(axis=0)) / np.ptp(X[:, :2], axis=0), observation_noise=True
    )
    np.testing.assert_allclose(mean, ref_mean[:, 0], atol=1e-10)
    np.testing.assert_allclose(std, ref_std[:, 0], atol=1e-10)
    assert model.lengthscale_[1] > 5 * model.lengthscale_[0] and np.isinf(model.lengthscale_[2])
    assert np.abs(mean - np.sin(3 * X_new[:, 0])).mean() < 0.1


def test_a_linear_trend_keeps_extrapolating_where_a_constant_mean_reverts():
    rng = np.random.default_rng(1)
    X = rng.random((30, 2))
    y = 2.0 * X[:, 0] + 0.1 * np.sin(6 * X[:, 1])
    far = np.array([[3.0, 0.5]])  # three training ranges away: the GP's kernel has forgotten it
    linear = ARDGaussianProcess(trend="linear").fit(X, y)
    constant = ARDGaussianProcess().fit(X, y)
    assert abs(linear.predict(far)[0] - 6.0) < 0.3
    assert abs(constant.predict(far)[0] - y.mean()) < abs(constant.predict(far)[0] - 6.0)
    np.testing.assert_allclose(linear.predict(X), y, atol=0.05)
