"""Neighbour search: every pair of atoms closer than a cutoff, periodic images included (``vesin``,
a compiled cell list)."""

from __future__ import annotations

import numpy as np
from ase import Atoms
from vesin import NeighborList


def pairs_within(atoms: Atoms, cutoff: float, quantities: str = "ijd") -> tuple[np.ndarray, ...]:
    """All ordered pairs closer than ``cutoff`` Å, periodic images included along the periodic axes.

    Parameters
    ----------
    atoms : ase.Atoms
    cutoff : float
        Å.
    quantities : str
        What to return, as ``vesin`` names them: ``i``, ``j`` (indices, ``np.intp``), ``d``
        (distance, Å), ``D`` (vector r_j + shift - r_i, Å), ``S`` (integer image shifts).

    Returns
    -------
    tuple of ndarray
        One array per letter of ``quantities``, one row per ordered pair; an atom's own periodic
        images appear as pairs with i == j.
    """
    periodic = [bool(p) for p in atoms.pbc]
    if not any(periodic):
        return _free_pairs(atoms.positions, cutoff, quantities)
    box = atoms.cell.array
    search = NeighborList(cutoff=float(cutoff), full_list=True)
    found = search.compute(atoms.positions, box, periodic, quantities=quantities)
    return tuple(value.astype(np.intp) if name in "ij" else value for name, value in zip(quantities, found))


def _free_pairs(positions: np.ndarray, cutoff: float, quantities: str) -> tuple[np.ndarray, ...]:
    """``pairs_within`` without periodic axes, by a k-d tree: vesin's cell list fails (a floating-point trap) on
    a molecule whose atoms span hundreds of thousands of cutoffs, as a corrupted file's may."""
    from scipy.spatial import cKDTree

    half = cKDTree(positions).query_pairs(float(cutoff), output_type="ndarray")
    half = half[np.linalg.norm(positions[half[:, 1]] - positions[half[:, 0]], axis=1) < cutoff] if len(half) else half
    first = np.concatenate([half[:, 0], half[:, 1]]).astype(np.intp)
    second = np.concatenate([half[:, 1], half[:, 0]]).astype(np.intp)
    values = {
        "i": lambda: first,
        "j": lambda: second,
        "d": lambda: np.linalg.norm(positions[second] - positions[first], axis=1),
        "D": lambda: positions[second] - positions[first],
        "S": lambda: np.zeros((len(first), 3), dtype=np.int32),
    }
    return tuple(values[name]() for name in quantities)
