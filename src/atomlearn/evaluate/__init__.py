"""Evaluation: splitters, metrics, result records and the hold-out workflow."""

from atomlearn.evaluate.holdout import run_holdout
from atomlearn.evaluate.metrics import regression_metrics
from atomlearn.evaluate.results import HoldoutResult
from atomlearn.evaluate.splitters import RandomHoldout

__all__ = ["HoldoutResult", "RandomHoldout", "regression_metrics", "run_holdout"]
