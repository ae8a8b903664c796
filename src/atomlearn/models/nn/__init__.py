"""Neural networks (PyTorch) as scikit-learn-style estimators; weights stored as numpy arrays."""

from __future__ import annotations

from atomlearn.models.nn.mlp import MLPRegressor

__all__ = ["MLPRegressor"]
