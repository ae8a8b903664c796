"""Sanity checks a featurizer runs on one structure before the numerical work.

Each raises ``ValueError`` with a reason that ends up in the errors table, so that a bad
structure becomes a NaN row instead of a crash, a meaningless row or an endless loop.
"""

from __future__ import annotations

import numpy as np
from ase import Atoms
from ase.neighborlist import neighbor_list
from scipy.spatial.distance import pdist

#: closer than this (Å) two atoms overlap: a broken structure, not chemistry
MIN_DISTANCE_A = 0.5


def require_finite(atoms: Atoms) -> None:
    """Refuse a structure whose positions or cell are not finite numbers (NaN, inf).

    Parameters
    ----------
    atoms : ase.Atoms

    Raises
    ------
    ValueError
    """
    bad = np.flatnonzero(~np.isfinite(atoms.positions).all(axis=1))
    if len(bad):
        raise ValueError(f"atom(s) {bad[:5].tolist()} have non-finite coordinates (NaN or inf); fix the structure file")
    if not np.isfinite(np.asarray(atoms.cell)).all():
        raise ValueError("the cell has non-finite entries (NaN or inf); fix the structure file")


def require_periodic(atoms: Atoms, featurizer: str) -> None:
    """Crystal-only featurizers: a periodic cell in all three directions is needed."""
    if not atoms.pbc.all() or atoms.cell.rank < 3:
        raise ValueError(
            f"{featurizer} needs a periodic crystal (pbc in x, y, z and a 3-D cell); got a molecule or slab"
        )


def require_size(atoms: Atoms, max_atoms: int, featurizer: str) -> None:
    """Bound the work per structure: refuse structures above ``max_atoms`` atoms."""
    if len(atoms) == 0:
        raise ValueError("the structure has no atoms")
    if len(atoms) > max_atoms:
        raise ValueError(
            f"{len(atoms)} atoms is above the limit of {max_atoms} for {featurizer}; raise max_atoms if this is "
            "intended"
        )


def require_no_overlap(atoms: Atoms, min_distance: float = MIN_DISTANCE_A) -> None:
    """Refuse a structure with two atoms closer than ``min_distance`` (periodic images included).

    Parameters
    ----------
    atoms : ase.Atoms
    min_distance : float
        Å.

    Raises
    ------
    ValueError
    """
    if not atoms.pbc.any():  # a molecule: all pairs directly (fast for the sizes molecules have)
        if len(atoms) < 2:
            return
        distances = pdist(atoms.positions)
        if distances.min() >= min_distance:
            return
    refuse_close_pairs(atoms, *neighbor_list("ijd", atoms, min_distance), min_distance)


def refuse_close_pairs(
    atoms: Atoms, first: np.ndarray, second: np.ndarray, distance: np.ndarray, min_distance: float = MIN_DISTANCE_A
) -> None:
    """The overlap check on pair distances already computed (e.g. a bond or neighbour list
    whose cutoff is at least ``min_distance``)."""
    if len(distance) and distance.min() < min_distance:
        k = int(np.argmin(distance))
        raise ValueError(
            f"atoms {first[k]} ({atoms[first[k]].symbol}) and {second[k]} ({atoms[second[k]].symbol}) "
            f"are {distance[k]:.3f} Å apart (< {min_distance} Å): overlapping atoms, check the structure"
        )
