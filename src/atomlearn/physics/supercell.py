"""Find the unit cell inside a supercell: the framework repeats along a lattice vector with period a/n.

A Henry coefficient per kg of framework is the same for a supercell and its unit cell, but an
energy grid over a 10 × 10 × 10 supercell needs 1000 times the points for the same spacing.
``reduce_supercell`` undoes ``atoms.repeat((na, nb, nc))`` (and any framework periodic along
its own lattice vectors with a shorter period), checking that every atom maps onto an atom of
the same element.
"""

from __future__ import annotations

import numpy as np
from ase import Atoms
from scipy.spatial import cKDTree

#: Å: an atom counts as mapped onto another within this distance
MATCH_TOLERANCE_A = 0.01
MAX_REPEAT = 64


def _period_along(fractional: np.ndarray, numbers: np.ndarray, axis: int, length_A: float) -> int:
    """The largest n such that translating by 1/n along ``axis`` maps the structure onto itself (1: none)."""
    tolerance = MATCH_TOLERANCE_A / length_A
    tree = cKDTree(fractional % 1.0, boxsize=1.0 + 1e-12)
    for n in range(min(MAX_REPEAT, len(numbers)), 1, -1):
        if len(numbers) % n:
            continue
        shifted = fractional.copy()
        shifted[:, axis] += 1.0 / n
        distance, index = tree.query(shifted % 1.0, distance_upper_bound=tolerance)
        if np.isfinite(distance).all() and np.array_equal(numbers[index], numbers):
            return n
    return 1


def _gap_centre(values: np.ndarray) -> float:
    """The middle of the widest gap between ``values`` in [0, 1), on the circle."""
    ordered = np.sort(values)
    gaps = np.diff(np.append(ordered, ordered[0] + 1.0))
    widest = int(np.argmax(gaps))
    return float((ordered[widest] + gaps[widest] / 2) % 1.0)


def reduce_supercell(atoms: Atoms) -> tuple[Atoms, tuple[int, int, int]]:
    """The smallest cell a structure repeats along its own lattice vectors.

    Partial charges (``initial_charges``) travel with the atoms.

    Parameters
    ----------
    atoms : ase.Atoms
        A periodic structure.

    Returns
    -------
    reduced : ase.Atoms
        The unit cell, or ``atoms`` itself when it is no supercell.
    repeats : tuple of int
        (n_a, n_b, n_c): how many unit cells ``atoms`` held.
    """
    cell = np.array(atoms.cell[:], dtype=float)
    fractional = atoms.get_scaled_positions(wrap=True)
    numbers = atoms.numbers
    charges = atoms.get_initial_charges()
    repeats = [1, 1, 1]
    for axis in range(3):
        n = _period_along(fractional, numbers, axis, float(np.linalg.norm(cell[axis])))
        if n == 1:
            continue
        t = fractional[:, axis] * n  # images of one atom differ by whole numbers here
        keep = np.floor(t - _gap_centre(t % 1.0)) % n == 0  # one image of each: cut where no atom sits
        if keep.sum() * n != len(numbers):
            continue
        fractional, numbers, charges = fractional[keep], numbers[keep], charges[keep]
        fractional[:, axis] = t[keep] % 1.0
        cell[axis] /= n
        repeats[axis] = n
    if repeats == [1, 1, 1]:
        return atoms, (1, 1, 1)
    reduced = Atoms(numbers=numbers, scaled_positions=fractional, cell=cell, pbc=True, info=dict(atoms.info))
    if atoms.has("initial_charges"):  # stated charges stay stated, zeros included
        reduced.set_initial_charges(charges)
    return reduced, (repeats[0], repeats[1], repeats[2])
