"""Neural networks (PyTorch) as scikit-learn-style estimators; weights stored as numpy arrays.

The names below are imported on first use, so that the torch-free helpers of this package
(``pooling``, ``graphs``) serve the core install, which has no PyTorch (the ``nn`` extra).
"""

from __future__ import annotations

import importlib

#: exported name -> the module that defines it
_LAZY = {
    "BondGraphRegressor": "atomlearn.models.nn.bond_graph_net",
    "replica_edges": "atomlearn.models.nn.graphs",
    "MLPRegressor": "atomlearn.models.nn.mlp",
    "PaiNNRegressor": "atomlearn.models.nn.painn",
    "checked_graph": "atomlearn.models.nn.potential",
    "SchNetRegressor": "atomlearn.models.nn.schnet",
    "LoopSettings": "atomlearn.models.nn.training",
    "resolve_device": "atomlearn.models.nn.training",
    "seed_torch": "atomlearn.models.nn.training",
    "train_network": "atomlearn.models.nn.training",
    "validation_split": "atomlearn.models.nn.training",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str):
    if name in _LAZY:
        from atomlearn.extras import require_extra

        require_extra("nn", f"atomlearn.models.nn.{name}")
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'atomlearn.models.nn' has no attribute {name!r}")
