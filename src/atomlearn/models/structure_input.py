"""Models that learn from structures rather than from a feature matrix (the structure networks)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from ase import Atoms
from sklearn.base import BaseEstimator


def takes_structures(model: BaseEstimator) -> bool:
    """Whether ``model`` is fitted on structures (the networks build their own graphs) rather than on
    features.

    Parameters
    ----------
    model : estimator

    Returns
    -------
    bool
    """
    return bool(getattr(model, "takes_structures", False))


def structure_array(structures: Sequence[Atoms]) -> np.ndarray:
    """Structures as a 1-D object array, whose rows are picked like a feature matrix's (``inputs[train]``).

    Parameters
    ----------
    structures : sequence of ase.Atoms

    Returns
    -------
    ndarray of object, shape (n,)
    """
    array = np.empty(len(structures), dtype=object)
    for index, atoms in enumerate(structures):
        array[index] = atoms
    return array
