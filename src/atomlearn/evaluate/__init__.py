"""Evaluation: metrics with confidence intervals, calibration, nested CV, learning curves, bias-variance.

Functions of models and splits; nothing here writes files (the run and its folder are ``atomlearn.runs``).
"""

from atomlearn.evaluate.bias_variance import bias_variance, bias_variance_sweep, bootstrap_sets
from atomlearn.evaluate.calibration import calibration
from atomlearn.evaluate.learning_curve import learning_curve, summarize_curve
from atomlearn.evaluate.metrics import (
    classification_metrics_ci,
    regression_metrics,
    regression_metrics_ci,
    top_k_recall,
)
from atomlearn.evaluate.nested import NestedCVResult, nested_cv

__all__ = [
    "NestedCVResult",
    "bias_variance",
    "bias_variance_sweep",
    "bootstrap_sets",
    "calibration",
    "classification_metrics_ci",
    "learning_curve",
    "nested_cv",
    "regression_metrics",
    "regression_metrics_ci",
    "summarize_curve",
    "top_k_recall",
]
