import numpy as np
import pytest
from sklearn.linear_model import LinearRegression, Ridge

from atomlearn.explain import correlated_groups, permutation_importance


def _data(n=400, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 5))
    return X, rng


def test_the_only_informative_feature_ranks_first_by_a_wide_margin():
    X, rng = _data()
    y = 3.0 * X[:, 0] + 0.1 * rng.normal(size=len(X))
    model = LinearRegression().fit(X[:200], y[:200])
    table = permutation_importance(model, X[200:], y[200:], n_repeats=20, random_state=0)
    assert table.loc[0, "feature"] == "x0"
    assert table.loc[0, "importance_mean"] > 20 * table.loc[1:, "importance_mean"].abs().max()
    # shuffling a standard normal feature with slope 3 raises the MAE to about E|3(x - x')| = 3·2/√π
    assert table.loc[0, "importance_mean"] + table.loc[0, "baseline"] == pytest.approx(6 / np.sqrt(np.pi), rel=0.1)
    assert table.loc[0, "importance_std"] > 0 and len(table.loc[0, "repeats"]) == 20


def test_copies_share_importance_alone_and_regain_it_as_a_group():
    X, rng = _data()
    X[:, 1] = X[:, 0] + 1e-3 * rng.normal(size=len(X))  # a near copy of feature 0
    y = X[:, 0] + X[:, 1] + 0.1 * rng.normal(size=len(X)) + 0.3 * X[:, 2]
    model = Ridge(alpha=1.0).fit(X[:200], y[:200])  # spreads the weight evenly over the copies
    single = permutation_importance(model, X[200:], y[200:], random_state=0).set_index("feature")
    groups = correlated_groups(X[:200], threshold=0.9)
    assert [g.tolist() for g in groups] == [[0, 1], [2], [3], [4]]
    grouped = permutation_importance(model, X[200:], y[200:], groups=groups, random_state=0).set_index("feature")
    pair = grouped.loc["x0+x1", "importance_mean"]
    # alone, each copy carries about half of what the pair carries together
    assert single.loc["x0", "importance_mean"] < 0.7 * pair and single.loc["x1", "importance_mean"] < 0.7 * pair
    assert pair > 3 * grouped.loc["x2", "importance_mean"] > 0


def test_importance_is_reproducible_and_runs_in_worker_processes():
    X, _ = _data(200)
    y = X[:, 0] - X[:, 3]
    model = LinearRegression().fit(X, y)
    serial = permutation_importance(model, X, y, n_repeats=3, metric="r2", random_state=1)
    parallel = permutation_importance(model, X, y, n_repeats=3, metric="r2", random_state=1, n_jobs=2)
    assert serial["importance_mean"].tolist() == parallel["importance_mean"].tolist()
    assert set(serial.loc[:1, "feature"]) == {"x0", "x3"} and serial.loc[0, "baseline"] == pytest.approx(1.0)


def test_bad_input_is_refused_with_a_reason():
    X, _ = _data(50)
    model = LinearRegression().fit(X, X[:, 0])
    with pytest.raises(ValueError, match="finite"):
        permutation_importance(model, np.where(X > 2, np.nan, X), X[:, 0])
    with pytest.raises(ValueError, match="metric"):
        permutation_importance(model, X, X[:, 0], metric="accuracy")
    with pytest.raises(ValueError, match="at least 2 rows"):
        permutation_importance(model, X[:0], X[:0, 0])
    with pytest.raises(ValueError, match="feature names"):
        permutation_importance(model, X, X[:, 0], feature_names=["a"])
