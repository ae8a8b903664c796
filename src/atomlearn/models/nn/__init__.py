"""Neural networks (PyTorch) as scikit-learn-style estimators; weights stored as numpy arrays."""

from __future__ import annotations

from atomlearn.models.nn.bond_graph_net import BondGraphRegressor
from atomlearn.models.nn.mlp import MLPRegressor
from atomlearn.models.nn.painn import PaiNNRegressor
from atomlearn.models.nn.schnet import SchNetRegressor

__all__ = ["BondGraphRegressor", "MLPRegressor", "PaiNNRegressor", "SchNetRegressor"]
