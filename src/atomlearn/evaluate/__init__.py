"""Evaluation: splitters, metrics with confidence intervals, nested CV, learning curves, bias-variance."""

from atomlearn.evaluate.bias_variance import (
    bias_variance,
    bias_variance_sweep,
    bootstrap_sets,
    lj_bias_variance,
)
from atomlearn.evaluate.calibration import calibration
from atomlearn.evaluate.holdout import run_holdout
from atomlearn.evaluate.kennard_stone import kennard_stone
from atomlearn.evaluate.learning_curve import learning_curve, summarize_curve
from atomlearn.evaluate.metrics import (
    classification_metrics_ci,
    regression_metrics,
    regression_metrics_ci,
    top_k_recall,
)
from atomlearn.evaluate.nested import NestedCVResult, nested_cv
from atomlearn.evaluate.results import HoldoutResult
from atomlearn.evaluate.scaffolds import murcko_scaffold, scaffold_groups
from atomlearn.evaluate.split import describe, train_test_indices, train_test_split
from atomlearn.evaluate.splitters import (
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

__all__ = [
    "ClusterHoldout", "ClusterKFold", "GroupHoldout", "HoldoutResult", "KennardStoneHoldout", "LeaveClusterOut",
    "NestedCVResult", "QuantileStratifiedKFold", "RandomHoldout", "StratifiedHoldout", "bias_variance",
    "bias_variance_sweep", "bootstrap_sets", "calibration", "classification_metrics_ci", "describe", "kennard_stone",
    "learning_curve", "lj_bias_variance", "make_cv", "make_holdout", "murcko_scaffold", "nested_cv",
    "regression_metrics", "regression_metrics_ci", "run_holdout", "scaffold_groups", "summarize_curve",
    "top_k_recall", "train_test_indices", "train_test_split",
]
