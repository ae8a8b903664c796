"""Splitters (scikit-learn CV splitter API): which structures train, which are held out.

Every class here has ``split(X, y, groups)`` and ``get_n_splits``, so it plugs into
``cross_validate``, ``GridSearchCV`` and ``nested_cv``. Index arrays come out sorted.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.model_selection import (
    GroupKFold,
    KFold,
    LeaveOneGroupOut,
    RepeatedKFold,
    ShuffleSplit,
    StratifiedKFold,
    StratifiedShuffleSplit,
)
from sklearn.preprocessing import StandardScaler

from atomlearn.splits.kennard_stone_selection import kennard_stone

Split = Iterator[tuple[np.ndarray, np.ndarray]]


def _n_samples(X: Any) -> int:
    n_samples = len(X)
    if n_samples < 2:
        raise ValueError(f"need at least 2 samples to split, got {n_samples}")
    return n_samples


def _n_test(test_size: float | int, n_samples: int) -> int:
    n_test = (
        int(test_size)
        if isinstance(test_size, (int, np.integer)) and test_size >= 1
        else int(np.ceil(test_size * n_samples))
    )
    if not 1 <= n_test < n_samples:
        raise ValueError(
            f"test_size={test_size} leaves {n_test} of {n_samples} samples for testing; "
            "give a fraction in (0, 1) or a count below the number of samples"
        )
    return n_test


def target_bins(y: Any, n_bins: int) -> np.ndarray:
    """Quantile bin of each target value (0 = lowest), at most ``n_bins`` bins of equal counts."""
    y = np.asarray(y, dtype=float)
    if y.ndim != 1 or not np.isfinite(y).all():
        raise ValueError("stratifying on the target needs one finite target value per sample")
    return pd.qcut(pd.Series(y).rank(method="first"), q=min(n_bins, len(y)), labels=False).to_numpy()


class _Splitter:
    """Shared ``get_n_splits`` and ``repr`` for the one-split hold-out classes."""

    def get_n_splits(self, X: Any = None, y: Any = None, groups: Any = None) -> int:
        return 1

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in vars(self).items())
        return f"{type(self).__name__}({args})"


class RandomHoldout(_Splitter):
    """One random train/test split.

    Parameters
    ----------
    test_size : float or int
        Held-out fraction (float) or count (int).
    random_state : int or None
        Seed (None: unseeded).
    """

    def __init__(self, test_size: float | int = 0.2, random_state: int | None = 0) -> None:
        self.test_size = test_size
        self.random_state = random_state

    def split(self, X: Any, y: Any = None, groups: Any = None) -> Split:
        """Yield one (train, test) pair of row indices."""
        n_samples = _n_samples(X)
        splitter = ShuffleSplit(
            n_splits=1, test_size=_n_test(self.test_size, n_samples), random_state=self.random_state
        )
        for train, test in splitter.split(np.zeros(n_samples)):
            yield np.sort(train), np.sort(test)


class StratifiedHoldout(_Splitter):
    """One train/test split stratified on target quantiles.

    The target is cut into ``n_bins`` bins of equal counts and each bin is split in the same
    proportion, so the test set holds its share of the top performers (a random sample of a skewed
    property may hold none).

    Parameters
    ----------
    test_size : float or int
        Held-out fraction (float) or count (int).
    n_bins : int
    random_state : int or None
        Seed (None: unseeded).
    """

    def __init__(self, test_size: float | int = 0.2, n_bins: int = 10, random_state: int | None = 0) -> None:
        self.test_size = test_size
        self.n_bins = n_bins
        self.random_state = random_state

    def split(self, X: Any, y: Any = None, groups: Any = None) -> Split:
        """Yield one (train, test) pair of row indices, each target quantile bin in proportion."""
        n_samples = _n_samples(X)
        if y is None:
            raise ValueError("StratifiedHoldout needs the target y to stratify on")
        n_test = _n_test(self.test_size, n_samples)
        bins = target_bins(y, min(self.n_bins, n_test, n_samples - n_test))
        splitter = StratifiedShuffleSplit(n_splits=1, test_size=n_test, random_state=self.random_state)
        for train, test in splitter.split(np.zeros(n_samples), bins):
            yield np.sort(train), np.sort(test)


class QuantileStratifiedKFold:
    """K-fold cross-validation with every fold holding each target quantile bin in proportion.

    Parameters
    ----------
    n_splits : int
    n_bins : int
        Target bins of equal counts.
    shuffle : bool
        Shuffle within each bin before dealing.
    random_state : int or None
        Seed (None: unseeded).
    """

    def __init__(self, n_splits: int = 5, n_bins: int = 10, shuffle: bool = True, random_state: int | None = 0) -> None:
        self.n_splits = n_splits
        self.n_bins = n_bins
        self.shuffle = shuffle
        self.random_state = random_state

    def split(self, X: Any, y: Any = None, groups: Any = None) -> Split:
        """Yield ``n_splits`` (train, test) pairs of row indices, folds stratified by target quantile bins."""
        n_samples = _n_samples(X)
        if y is None:
            raise ValueError("QuantileStratifiedKFold needs the target y to stratify on")
        bins = target_bins(y, min(self.n_bins, n_samples // self.n_splits))
        folds = StratifiedKFold(
            self.n_splits, shuffle=self.shuffle, random_state=self.random_state if self.shuffle else None
        )
        for train, test in folds.split(np.zeros(n_samples), bins):
            yield np.sort(train), np.sort(test)

    def get_n_splits(self, X: Any = None, y: Any = None, groups: Any = None) -> int:
        """The number of folds."""
        return self.n_splits

    def __repr__(self) -> str:
        return (
            f"QuantileStratifiedKFold(n_splits={self.n_splits}, n_bins={self.n_bins}, "
            f"shuffle={self.shuffle}, random_state={self.random_state})"
        )


class KennardStoneHoldout(_Splitter):
    """Training set chosen by Kennard–Stone on the features (even coverage); the rest is the test set.

    Deterministic. The test set then lies *inside* the training coverage, so its error is an
    interpolation error: optimistic compared with a random or cluster split.

    Parameters
    ----------
    test_size : float or int
        Held-out fraction (float) or count (int).
    """

    def __init__(self, test_size: float | int = 0.2) -> None:
        self.test_size = test_size

    def split(self, X: Any, y: Any = None, groups: Any = None) -> Split:
        """Yield one (train, test) pair: Kennard-Stone picks the training rows that span feature space; the rest are the
        test rows."""
        X = np.asarray(X, dtype=float)
        n_samples = _n_samples(X)
        train = np.sort(
            kennard_stone(StandardScaler().fit_transform(X), n_samples - _n_test(self.test_size, n_samples))
        )
        yield train, np.setdiff1d(np.arange(n_samples), train)


def feature_clusters(X: Any, n_clusters: int, random_state: int | None = 0) -> np.ndarray:
    """k-means cluster label of each row of standardised features."""
    X = np.asarray(X, dtype=float)
    if not np.isfinite(X).all():
        raise ValueError("clustering needs finite features; drop or impute NaN rows first")
    if not 2 <= n_clusters <= len(X):
        raise ValueError(f"n_clusters={n_clusters} must lie between 2 and the number of samples ({len(X)})")
    model = KMeans(n_clusters=n_clusters, n_init=10, random_state=random_state)
    return model.fit_predict(StandardScaler().fit_transform(X))


class ClusterKFold:
    """K-fold over k-means clusters of the features: a whole cluster is held out at a time.

    Tests extrapolation to unseen regions of feature space (new chemistries), which a random split
    hides.

    Parameters
    ----------
    n_splits : int
        Folds (clusters are dealt to them).
    n_clusters : int
        k of k-means on the standardised features.
    random_state : int or None
        Seed (None: unseeded).
    """

    def __init__(self, n_splits: int = 5, n_clusters: int = 10, random_state: int | None = 0) -> None:
        self.n_splits = n_splits
        self.n_clusters = n_clusters
        self.random_state = random_state

    def split(self, X: Any, y: Any = None, groups: Any = None) -> Split:
        """Yield one (train, test) pair per fold of whole k-means clusters of ``X``."""
        clusters = feature_clusters(X, self.n_clusters, self.random_state)
        for train, test in GroupKFold(self.n_splits).split(np.zeros(len(clusters)), groups=clusters):
            yield np.sort(train), np.sort(test)

    def get_n_splits(self, X: Any = None, y: Any = None, groups: Any = None) -> int:
        """The number of folds."""
        return self.n_splits

    def __repr__(self) -> str:
        return f"ClusterKFold(n_splits={self.n_splits}, n_clusters={self.n_clusters}, random_state={self.random_state})"


class LeaveClusterOut:
    """One split per k-means cluster: train on all other clusters, test on that one.

    Parameters
    ----------
    n_clusters : int
        k of k-means on the standardised features (and the number of splits).
    random_state : int or None
        Seed (None: unseeded).
    """

    def __init__(self, n_clusters: int = 5, random_state: int | None = 0) -> None:
        self.n_clusters = n_clusters
        self.random_state = random_state

    def split(self, X: Any, y: Any = None, groups: Any = None) -> Split:
        """Yield one (train, test) pair per k-means cluster of ``X``, that cluster held out."""
        clusters = feature_clusters(X, self.n_clusters, self.random_state)
        yield from LeaveOneGroupOut().split(np.zeros(len(clusters)), groups=clusters)

    def get_n_splits(self, X: Any = None, y: Any = None, groups: Any = None) -> int:
        """The number of clusters."""
        return self.n_clusters

    def __repr__(self) -> str:
        return f"LeaveClusterOut(n_clusters={self.n_clusters}, random_state={self.random_state})"


class GroupHoldout(_Splitter):
    """One train/test split that never puts one group on both sides.

    Groups are filled into the training set largest first (ties by name) until it is full, so the test
    set gathers the rare groups: with Bemis–Murcko scaffolds as groups this is the usual scaffold split,
    which asks the model about new chemotypes. The groups are given to ``split(X, y, groups)``.

    Parameters
    ----------
    test_size : float or int
        Held-out fraction (float) or count (int).
    """

    def __init__(self, test_size: float | int = 0.2) -> None:
        self.test_size = test_size

    def split(self, X: Any, y: Any = None, groups: Any = None) -> Split:
        """Yield one (train, test) pair in which no group of ``groups`` is on both sides."""
        n_samples = _n_samples(X)
        if groups is None or len(groups) != n_samples:
            raise ValueError("GroupHoldout needs one group label per sample (e.g. scaffold_groups(structures))")
        n_train = n_samples - _n_test(self.test_size, n_samples)
        members = pd.Series(np.arange(n_samples)).groupby(np.asarray(groups, dtype=str)).apply(list)
        order = sorted(members.index, key=lambda g: (-len(members[g]), g))
        train: list[int] = []
        for group in order:
            if len(train) + len(members[group]) > n_train and train:
                continue
            train.extend(members[group])
        train_idx = np.sort(np.array(train))
        test_idx = np.setdiff1d(np.arange(n_samples), train_idx)
        if not len(test_idx):
            raise ValueError("all samples share one group, so no group is left to test on")
        yield train_idx, test_idx


class PredefinedHoldout(_Splitter):
    """The train/test split the user already has: each sample's group is ``"train"`` or ``"test"``.

    For a test set chosen before the labels of the training set were (a random sample kept aside while
    an active screen chose the rest), or a benchmark's published split. The groups are given to
    ``split(X, y, groups)``.
    """

    def split(self, X: Any, y: Any = None, groups: Any = None) -> Split:
        """Yield the one (train, test) pair that ``groups`` (``"train"`` or ``"test"`` per sample) names."""
        n_samples = _n_samples(X)
        if groups is None or len(groups) != n_samples:
            raise ValueError('PredefinedHoldout needs "train" or "test" for every sample')
        groups = np.asarray(groups, dtype=str)
        other = sorted(set(groups) - {"train", "test"})
        if other:
            raise ValueError(f'a predefined split names each sample "train" or "test", not {", ".join(other[:3])}')
        yield np.flatnonzero(groups == "train"), np.flatnonzero(groups == "test")


HOLDOUT_SPLITTERS = {
    "random": RandomHoldout,
    "stratified": StratifiedHoldout,
    "kennard-stone": KennardStoneHoldout,
    "scaffold": GroupHoldout,
    "group": GroupHoldout,
    "predefined": PredefinedHoldout,
}
CV_SPLITTERS = {
    "kfold": KFold,
    "repeated-kfold": RepeatedKFold,
    "stratified": QuantileStratifiedKFold,
    "cluster": ClusterKFold,
    "leave-cluster-out": LeaveClusterOut,
    "group": GroupKFold,
    "scaffold": GroupKFold,
}


def make_cv(name: str, n_splits: int = 5, random_state: int | None = 0) -> Any:
    """A cross-validation splitter by name.

    Parameters
    ----------
    name : str
        ``kfold``, ``repeated-kfold``, ``stratified``, ``cluster``, ``group``, ...
    n_splits : int
    random_state : int or None

    Returns
    -------
    splitter
        A scikit-learn CV splitter (``split(X, y, groups)``, ``get_n_splits``).
    """
    if name not in CV_SPLITTERS:
        raise KeyError(f"unknown cross-validation splitter {name!r}; choose one of {', '.join(CV_SPLITTERS)}")
    if name in ("group", "scaffold"):
        return GroupKFold(n_splits)
    if name == "kfold":
        return KFold(n_splits, shuffle=True, random_state=random_state)
    if name == "repeated-kfold":
        return RepeatedKFold(n_splits=n_splits, n_repeats=3, random_state=random_state)
    if name == "leave-cluster-out":
        return LeaveClusterOut(n_clusters=n_splits, random_state=random_state)
    return CV_SPLITTERS[name](n_splits=n_splits, random_state=random_state)


def make_holdout(name: str, test_size: float | int = 0.2, random_state: int | None = 0) -> Any:
    """A train/test hold-out splitter by name.

    Parameters
    ----------
    name : {"random", "stratified", "kennard-stone", "cluster", "scaffold", "group", "predefined"}
    test_size : float or int
    random_state : int or None

    Returns
    -------
    splitter
        Yields one (train, test) pair of index arrays.
    """
    if name == "cluster":
        return ClusterHoldout(test_size=test_size, random_state=random_state)
    if name not in HOLDOUT_SPLITTERS:
        raise KeyError(f"unknown split {name!r}; choose one of {', '.join([*HOLDOUT_SPLITTERS, 'cluster'])}")
    cls = HOLDOUT_SPLITTERS[name]
    if cls is PredefinedHoldout:
        return cls()
    if cls in (KennardStoneHoldout, GroupHoldout):
        return cls(test_size=test_size)
    return cls(test_size=test_size, random_state=random_state)


class ClusterHoldout(_Splitter):
    """One train/test split that holds out whole k-means clusters of the features.

    About ``test_size`` of the structures, in whole clusters: the test set asks about regions of
    feature space the model has not seen.

    Parameters
    ----------
    test_size : float or int
        Held-out fraction (float) or count (int).
    n_clusters : int
        k of k-means on the standardised features.
    random_state : int or None
        Seed (None: unseeded).
    """

    def __init__(self, test_size: float | int = 0.2, n_clusters: int = 10, random_state: int | None = 0) -> None:
        self.test_size = test_size
        self.n_clusters = n_clusters
        self.random_state = random_state

    def split(self, X: Any, y: Any = None, groups: Any = None) -> Split:
        """Yield one (train, test) pair of whole k-means clusters of ``X`` (the training set filled largest cluster
        first)."""
        clusters = feature_clusters(X, min(self.n_clusters, len(X)), self.random_state)
        yield from GroupHoldout(self.test_size).split(np.zeros(len(clusters)), groups=clusters)
