import numpy as np
import pytest

from atomlearn.evaluate import learning_curve, summarize_curve
from atomlearn.featurizers import BagOfBonds, ElementFraction
from atomlearn.models import make_model
from atomlearn.runs import run_holdout
from atomlearn.workflows.bias_variance_study import lj_bias_variance


def test_bias_variance_of_lennard_jones_fits():
    table = lj_bias_variance(degrees=[1, 3, 6, 10], ridge_lambdas=(1e-6, 1e3), n_rounds=60)
    poly = table[table["family"] == "polynomial"]
    # more flexible polynomials: bias falls, variance grows
    assert poly["bias2"].iloc[0] > 5 * poly["bias2"].iloc[2]
    assert poly["variance"].iloc[-1] > 10 * poly["variance"].iloc[1]
    # the decomposition adds up to the measured test error (to the sampling noise of 60 rounds)
    np.testing.assert_allclose(table["expected_mse"], table["test_mse"], rtol=0.1)
    # the right functional form has (nearly) no bias and beats every polynomial
    lj = table.loc["Lennard-Jones form"]
    assert lj["bias2"] < 0.1 * lj["noise"] and lj["expected_mse"] < poly["expected_mse"].min()
    # a strong ridge penalty trades the degree-10 variance for bias
    weak, strong = table.loc["degree 10 ridge λ=1e-06"], table.loc["degree 10 ridge λ=1000"]
    assert strong["variance"] < weak["variance"] / 10 and strong["bias2"] > weak["bias2"] / 10


def test_learning_curve_falls_on_qm9(qm9):
    data = qm9.sample(700, random_state=1)
    X = BagOfBonds().fit_transform(data.structures)
    y = data.labels["U0_atomization_kcal_mol"].to_numpy()
    curve = learning_curve(make_model("krr_laplacian"), X[:500], y[:500], X[500:], y[500:], [50, 150, 450], repeats=2)
    table, slope = summarize_curve(curve)
    assert table["test_mae"].is_monotonic_decreasing and slope < -0.25  # measured -0.40
    assert (table["train_mae"] <= table["test_mae"]).all()


def test_holdout_with_stratified_split_nested_cv_and_gp(qm9):
    result = run_holdout(
        qm9,
        "U0_atomization_kcal_mol",
        ElementFraction(),
        make_model("gpr"),
        model_name="gpr",
        n=300,
        split="stratified",
        nested=(3, 3),
        n_bootstrap=200,
    )
    assert set(result.metrics) == {"model", "dummy", "ridge", "gbr"}
    assert result.metrics["model"]["test"]["mae"] < result.metrics["dummy"]["test"]["mae"] / 4
    ci = result.metrics_ci["model"]["test"]["mae"]
    assert ci["low"] < ci["value"] < ci["high"]
    assert result.nested["test_scored_once"] and len(result.nested["folds"]) == 3
    assert 0.6 < result.calibration["coverage"]["0.95"] <= 1.0
    described = {row["part"]: row for row in result.split["describe"]}
    assert described["test"]["in_top_10pct"] == 6  # 10 % of the 60 test molecules


def test_nested_cv_searches_the_grid_a_model_is_registered_with(qm9):
    # `atomlearn models` says gbr's learning rate and leaf count are searched by nested CV: they are
    from atomlearn.models import MODELS

    grid = MODELS["gbr"].info["search_space"]
    result = run_holdout(
        qm9, "U0_atomization_kcal_mol", ElementFraction(), make_model("gbr"), model_name="gbr", n=150, nested=(2, 2)
    )
    assert set(result.nested["final_params"]) == set(grid)
    assert all(value in grid[key] for key, value in result.nested["final_params"].items())


def test_bootstrap_variance_of_the_mean_is_sigma2_over_n():
    from sklearn.dummy import DummyRegressor

    from atomlearn.evaluate import bias_variance, bootstrap_sets

    rng = np.random.default_rng(4)
    X, y = np.zeros((50, 1)), rng.normal(size=50)
    found = bias_variance(DummyRegressor(), bootstrap_sets(X, y), np.zeros((5, 1)), np.zeros(5), n_rounds=2000)
    # a bootstrap mean of n values varies with variance var(y) / n (population variance of the sample)
    assert found["variance"] == pytest.approx(y.var() / 50, rel=0.1)
    assert np.isnan(found["bias2"]) and found["bias2_plus_noise"] == pytest.approx(y.mean() ** 2, rel=0.1)
