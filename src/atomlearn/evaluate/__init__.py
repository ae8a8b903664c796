"""Evaluation: metrics with confidence intervals, calibration, nested CV, learning curves, bias-variance.

Functions of models and splits; nothing here writes files (the run and its folder are ``atomlearn.runs``).
"""

from atomlearn.evaluate.bias_variance_decomposition import bias_variance, bias_variance_sweep, bootstrap_sets
from atomlearn.evaluate.learning_curves import learning_curve, summarize_curve
from atomlearn.evaluate.metrics import (
    classification_metrics_ci,
    mae,
    point_values,
    r2,
    regression_metrics,
    regression_metrics_ci,
    rmse,
    top_k_recall,
)
from atomlearn.evaluate.nested import NestedCVResult, chosen_params, nested_cv
from atomlearn.evaluate.pareto_fronts import pareto_layers
from atomlearn.evaluate.uncertainty_calibration import calibration

__all__ = [
    "NestedCVResult",
    "bias_variance",
    "bias_variance_sweep",
    "bootstrap_sets",
    "calibration",
    "chosen_params",
    "classification_metrics_ci",
    "learning_curve",
    "mae",
    "nested_cv",
    "pareto_layers",
    "point_values",
    "r2",
    "regression_metrics",
    "regression_metrics_ci",
    "rmse",
    "summarize_curve",
    "top_k_recall",
]
