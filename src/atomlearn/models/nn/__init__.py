"""Neural networks (PyTorch) as scikit-learn-style estimators; weights stored as numpy arrays."""

from __future__ import annotations

from atomlearn.models.nn.bond_graph_net import BondGraphRegressor
from atomlearn.models.nn.graphs import replica_edges
from atomlearn.models.nn.mlp import MLPRegressor
from atomlearn.models.nn.painn import PaiNNRegressor
from atomlearn.models.nn.potential import checked_graph
from atomlearn.models.nn.schnet import SchNetRegressor
from atomlearn.models.nn.training import (
    LoopSettings,
    check_resume_request,
    resolve_device,
    seed_torch,
    train_network,
    validation_split,
)

__all__ = [
    "BondGraphRegressor",
    "LoopSettings",
    "MLPRegressor",
    "PaiNNRegressor",
    "SchNetRegressor",
    "check_resume_request",
    "checked_graph",
    "replica_edges",
    "resolve_device",
    "seed_torch",
    "train_network",
    "validation_split",
]
