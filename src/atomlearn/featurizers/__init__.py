"""Featurizers: scikit-learn transformers that turn ``ase.Atoms`` into feature rows."""

from __future__ import annotations

from atomlearn.featurizers.base import SYMMETRIES, Featurizer
from atomlearn.featurizers.composition import ElementFraction

#: command-line name -> featurizer class
FEATURIZERS: dict[str, type[Featurizer]] = {
    "composition": ElementFraction,
    "element_fraction": ElementFraction,
}


def make_featurizer(name: str, **params: object) -> Featurizer:
    """A featurizer by its command-line name, with parameters."""
    if name not in FEATURIZERS:
        raise KeyError(f"unknown featurizer {name!r}; choose one of {', '.join(FEATURIZERS)}")
    return FEATURIZERS[name](**params)


__all__ = ["FEATURIZERS", "SYMMETRIES", "ElementFraction", "Featurizer", "make_featurizer"]
