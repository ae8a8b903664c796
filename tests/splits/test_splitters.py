import numpy as np
import pytest
from sklearn.linear_model import Ridge
from sklearn.model_selection import cross_val_score

from atomlearn.splits import (
    ClusterKFold,
    GroupHoldout,
    KennardStoneHoldout,
    LeaveClusterOut,
    QuantileStratifiedKFold,
    RandomHoldout,
    StratifiedHoldout,
    describe,
    kennard_stone,
    make_cv,
    make_holdout,
    murcko_scaffold,
    scaffold_groups,
    train_test_split,
)
from atomlearn.structures import from_smiles


def _partition(train, test, n):
    assert not set(train) & set(test), "an index is in both parts"
    assert sorted([*train, *test]) == list(range(n)), "an index was lost"


def test_every_holdout_is_a_partition():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(120, 3)), rng.lognormal(size=120)
    groups = rng.integers(0, 15, size=120)
    for name in ("random", "stratified", "kennard-stone", "cluster", "scaffold", "group"):
        train, test = next(make_holdout(name, 0.25).split(X, y, groups))
        _partition(train, test, 120)
        assert 20 <= len(test) <= 40, name
    ((a, b),) = list(RandomHoldout(0.25, random_state=3).split(X))
    ((c, d),) = list(RandomHoldout(0.25, random_state=3).split(X))
    np.testing.assert_array_equal(b, d)


def test_stratified_holdout_puts_top_decile_in_test():
    # a skewed property where a random sample of 20 often holds few of the 10 best
    rng = np.random.default_rng(1)
    y = rng.lognormal(sigma=1.5, size=100)
    top = set(np.argsort(y)[-10:])
    for seed in range(20):
        train, test = next(StratifiedHoldout(0.2, random_state=seed).split(np.zeros((100, 1)), y))
        assert len(top & set(test)) == 2  # exactly its 20 % share, every seed
    table = describe(y, {"train": train, "test": test})
    assert table.loc["test", "in_top_10pct"] == 2 and table.loc["all", "n"] == 100


def test_cv_splitters_cover_every_sample_once():
    rng = np.random.default_rng(2)
    X, y = rng.normal(size=(90, 4)), rng.normal(size=90)
    groups = np.repeat(np.arange(9), 10)
    for splitter in (
        QuantileStratifiedKFold(5),
        ClusterKFold(3, n_clusters=6),
        LeaveClusterOut(4),
        make_cv("kfold"),
        make_cv("group", 3),
    ):
        given = groups if "Group" in type(splitter).__name__ else None
        seen = np.concatenate([test for _, test in splitter.split(X, y, given)])
        assert sorted(seen) == list(range(90)), splitter
        assert splitter.get_n_splits() == len(list(splitter.split(X, y, given)))
    for train, test in make_cv("group", 3).split(X, y, groups):
        assert not set(groups[train]) & set(groups[test])
    for train, test in LeaveClusterOut(4).split(X):
        assert len(test) > 0 and len(train) > 0
    # plugs into scikit-learn
    assert len(cross_val_score(Ridge(), X, y, cv=QuantileStratifiedKFold(3))) == 3


def test_kennard_stone_by_hand():
    X = np.array([[0.0], [1.0], [10.0], [4.0], [6.0], [5.0]])
    # farthest pair 0 and 10; then the point farthest from both (5); then 1 or 4/6 ...
    assert list(kennard_stone(X, 3)) == [0, 2, 5]
    train, test = next(KennardStoneHoldout(test_size=2).split(X))
    _partition(train, test, 6)
    with pytest.raises(ValueError, match="between 2"):
        kennard_stone(X, 7)


def test_group_holdout_never_splits_a_group():
    groups = np.array(["a"] * 50 + ["b"] * 30 + ["c"] * 10 + ["d"] * 5 + ["e"] * 5)
    train, test = next(GroupHoldout(0.2).split(np.zeros(100), groups=groups))
    assert set(groups[train]).isdisjoint(groups[test])
    assert set(groups[test]) == {"c", "d", "e"}  # the rare groups are tested
    with pytest.raises(ValueError, match="group label"):
        next(GroupHoldout().split(np.zeros(10)))


def test_scaffolds_of_known_molecules():
    assert murcko_scaffold(from_smiles("Cc1ccccc1")) == "c1ccccc1"  # toluene -> benzene
    assert murcko_scaffold(from_smiles("OCCc1ccc(CC2CC2)cc1")) == "c1ccc(CC2CC2)cc1"
    assert murcko_scaffold(from_smiles("CCO")) == "(acyclic)"


def test_scaffold_split_of_qm9_molecules(qm9_molecules):
    groups = scaffold_groups(qm9_molecules)
    train, test = next(make_holdout("scaffold", 0.25).split(np.zeros(len(groups)), groups=groups))
    _partition(train, test, len(groups))
    assert set(np.array(groups)[train]).isdisjoint(np.array(groups)[test])


def test_train_test_split_keeps_types():
    X = np.arange(20.0).reshape(10, 2)
    y = np.arange(10.0)
    names = [f"m{i}" for i in range(10)]
    X_train, X_test, y_train, y_test, n_train, n_test = train_test_split(
        X, y, names, y=y, split="stratified", test_size=0.3
    )
    assert X_train.shape == (7, 2) and isinstance(n_test, list) and len(n_test) == 3
    np.testing.assert_array_equal(X_test[:, 0] / 2, y_test)
