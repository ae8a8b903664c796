import numpy as np
import pytest
import torch

from atomlearn.models import make_model
from atomlearn.models.nn import MLPRegressor


def _data(n: int = 600, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.uniform(-2, 2, size=(n, 3))
    return X, np.sin(2 * X[:, 0]) + X[:, 1] ** 2 + 0.05 * rng.normal(size=n)


def test_learns_a_nonlinear_function_that_a_linear_model_cannot():
    X, y = _data()
    model = MLPRegressor(max_epochs=300, patience=30).fit(X[:450], y[:450])
    mae = np.abs(model.predict(X[450:]) - y[450:]).mean()
    linear = make_model("ridge").fit(X[:450], y[:450])
    assert mae < 0.15 < 0.5 < np.abs(linear.predict(X[450:]) - y[450:]).mean()
    history = model.history_
    assert history["train_loss"][-1] < 0.1 * history["train_loss"][0]  # training lowers the loss
    assert model.best_epoch_ == int(np.argmin(history["validation_loss"])) + 1


def test_standardisation_inside_makes_units_irrelevant():
    X, y = _data(300)
    plain = MLPRegressor(max_epochs=40).fit(X, y).predict(X)
    scaled = MLPRegressor(max_epochs=40).fit(X * 1e4 + 7, y * 1e3 - 5).predict(X * 1e4 + 7)
    np.testing.assert_allclose((scaled + 5) / 1e3, plain, atol=1e-4)


def test_a_column_constant_in_training_does_not_blow_up_new_values():
    # Bag of Bonds: a carbon self term 0.5·6^2.4 = 36.86 in every training row has std 7e-14 from
    # rounding; a test molecule without that carbon must not be divided by it
    X, y = _data(300)
    carbon = np.full(len(X), 0.5 * 6**2.4)
    carbon[::3] = np.nextafter(carbon[::3], 100.0)  # one unit in the last place, as summation order gives
    X = np.column_stack([X, carbon])
    assert 0 < X[:, -1].std() < 1e-12
    model = MLPRegressor(max_epochs=40).fit(X, y)
    new = X[:5].copy()
    new[:, -1] = 0.0
    np.testing.assert_array_equal(model.predict(new), model.predict(X[:5]))  # nothing was learnt from it


def test_same_seed_same_model_and_a_killed_fit_resumes_from_its_checkpoint(tmp_path):
    X, y = _data(200)
    straight = MLPRegressor(max_epochs=12, patience=100, random_state=3).fit(X, y)
    again = MLPRegressor(max_epochs=12, patience=100, random_state=3).fit(X, y)
    np.testing.assert_array_equal(straight.predict(X), again.predict(X))
    checkpoint = tmp_path / "mlp.pt"
    MLPRegressor(max_epochs=5, patience=100, random_state=3, checkpoint=str(checkpoint)).fit(X, y)  # "killed" after 5
    resumed = MLPRegressor(max_epochs=12, patience=100, random_state=3, checkpoint=str(checkpoint)).fit(X, y)
    np.testing.assert_array_equal(resumed.history_["epoch"], np.arange(1, 13))
    np.testing.assert_allclose(resumed.history_["train_loss"], straight.history_["train_loss"], rtol=1e-6)
    np.testing.assert_allclose(resumed.predict(X), straight.predict(X), rtol=1e-5, atol=1e-6)


def test_bad_settings_are_explained():
    X, y = _data(50)
    with pytest.raises(ValueError, match="unknown activation"):
        MLPRegressor(activation="sigmoidish").fit(X, y)
    with pytest.raises(ValueError, match="validation_fraction"):
        MLPRegressor(validation_fraction=1.5).fit(X, y)
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="no CUDA GPU"):
            MLPRegressor(device="cuda:0").fit(X, y)
