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
    box = atoms.cell.array if any(periodic) else np.zeros((3, 3))
    search = NeighborList(cutoff=float(cutoff), full_list=True)
    found = search.compute(atoms.positions, box, periodic, quantities=quantities)
    return tuple(value.astype(np.intp) if name in "ij" else value for name, value in zip(quantities, found))
