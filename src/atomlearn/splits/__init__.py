"""Splits: the test set put aside first, and CV folds — scikit-learn splitters over structures and targets.

Random, target-stratified (so the test set holds its share of top performers), Kennard–Stone,
k-means clusters of the features, and groups (e.g. Bemis–Murcko scaffolds).
"""

from atomlearn.splits.kennard_stone_selection import kennard_stone
from atomlearn.splits.scaffolds import murcko_scaffold, scaffold_groups
from atomlearn.splits.splitters import (
    ClusterHoldout,
    ClusterKFold,
    GroupHoldout,
    KennardStoneHoldout,
    LeaveClusterOut,
    QuantileStratifiedKFold,
    RandomHoldout,
    StratifiedHoldout,
    make_cv,
    make_holdout,
)
from atomlearn.splits.train_test import describe, train_test_indices, train_test_split

__all__ = [
    "ClusterHoldout",
    "ClusterKFold",
    "GroupHoldout",
    "KennardStoneHoldout",
    "LeaveClusterOut",
    "QuantileStratifiedKFold",
    "RandomHoldout",
    "StratifiedHoldout",
    "describe",
    "kennard_stone",
    "make_cv",
    "make_holdout",
    "murcko_scaffold",
    "scaffold_groups",
    "train_test_indices",
    "train_test_split",
]
