"""The one plug-in mechanism: Python entry points.

A package (a side package of atomlearn, or anyone's) offers something to the flow by declaring an entry
point in its ``pyproject.toml``, for example::

    [project.entry-points."atomlearn.featurizers"]
    text_embedding = "atomlearn.text.featurizer:TextEmbedding"

The flow reads the group (``plugins("atomlearn.featurizers")``) and imports a plug-in only when it is
used, so a flow package never imports a side package by name (``tests/test_layers.py`` checks both).
"""

from __future__ import annotations

from functools import cache
from importlib.metadata import entry_points

__all__ = ["FEATURIZER_GROUP", "load_plugin", "plugin_type_name", "plugins"]

#: entry-point group of featurizers offered by other packages
FEATURIZER_GROUP = "atomlearn.featurizers"


@cache
def plugins(group: str) -> dict[str, str]:
    """Name -> ``"module:attribute"`` of every entry point of ``group`` installed, sorted by name."""
    return {point.name: point.value for point in sorted(entry_points(group=group), key=lambda point: point.name)}


def load_plugin(group: str, name: str) -> object:
    """Import and return the object the entry point ``name`` of ``group`` names."""
    import importlib

    module, _, attribute = plugins(group)[name].partition(":")
    return getattr(importlib.import_module(module), attribute)


def plugin_type_name(value: str) -> str:
    """The dotted type name (``module.Class``) of an entry point's ``module:Class`` value, without importing it."""
    module, _, attribute = value.partition(":")
    return f"{module}.{attribute}"
