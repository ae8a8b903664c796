"""Sanity checks a featurizer runs on one structure before the numerical work.

Each raises ``ValueError`` with a reason that ends up in the errors table, so that a bad
structure becomes a NaN row instead of a crash, a meaningless row or an endless loop.
"""

from __future__ import annotations

import numpy as np
from ase import Atoms

from atomlearn.structures import check_overlaps, overlap_mask


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


def require_no_overlap(atoms: Atoms) -> None:
    """Refuse a structure with overlapping sites (``structures.overlaps``: closer than 0.6 x the sum of their
    covalent radii, or than 0.5 Å; periodic images included). Reading a file refuses them already; this checks
    structures built in memory.

    Parameters
    ----------
    atoms : ase.Atoms

    Raises
    ------
    ValueError
    """
    check_overlaps(atoms, "the structure")


def refuse_close_pairs(atoms: Atoms, first: np.ndarray, second: np.ndarray, distance: np.ndarray) -> None:
    """The overlap check on pair distances already computed (a bond or neighbour list whose cutoff reaches
    ``MIN_DISTANCE_A``: it holds the closest overlaps)."""
    if overlap_mask(atoms.numbers, first, second, distance).any():
        check_overlaps(atoms, "the structure")
