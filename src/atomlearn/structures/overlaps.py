"""Overlapping atoms: two sites much closer than any bond, the mark of unresolved disorder or a duplicated atom.

No bond is shorter than about two thirds of the sum of the two atoms' covalent radii (Cordero et al. 2008, as
``ase.data.covalent_radii``): C≡N 1.14 Å is 0.80 of it, a uranyl U=O 1.76 Å 0.67, a Cr–Cr quadruple bond 0.66.
Two sites closer than ``OVERLAP_FACTOR`` = 0.6 of it are not a molecule but two positions of one disordered
group, or one atom written twice; so are any two sites closer than ``MIN_DISTANCE_A`` = 0.5 Å (pymatgen's
``Structure.is_valid`` criterion, which alone would miss a C–C pair at 0.55 Å). Every energy, charge or
descriptor of such a structure is meaningless (a guest next to a doubled atom feels twice its attraction: CoRE
MOF 2019 frameworks with overlapping sites reach a Widom K_H(CH4) of 10^9 mol/(kg·Pa), the best sound ones the
CH4 demo finds about 10^-2), so readers refuse them.
"""

from __future__ import annotations

import numpy as np
from ase import Atoms
from ase.data import covalent_radii

from atomlearn.errors import StructureError
from atomlearn.structures.neighbours import pairs_within

#: sites closer than this fraction of the sum of their covalent radii overlap
OVERLAP_FACTOR = 0.6
#: sites closer than this (Å) overlap whatever their radii (H–H: 0.6 x 0.62 Å would allow 0.37 Å)
MIN_DISTANCE_A = 0.5


def overlapping_pairs(atoms: Atoms, factor: float = OVERLAP_FACTOR) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pairs of sites (periodic images included) closer than ``factor`` x the sum of their covalent radii, or
    than ``MIN_DISTANCE_A``.

    Parameters
    ----------
    atoms : ase.Atoms
    factor : float
        Fraction of the sum of covalent radii below which two sites overlap.

    Returns
    -------
    i, j : numpy.ndarray of int, shape (n_pairs,)
        Atom indices, i <= j (an atom overlapping its own periodic image has i == j).
    distance : numpy.ndarray, shape (n_pairs,)
        Å, closest first.
    """
    if len(atoms) == 0:
        return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.intp), np.zeros(0)
    i, j, distance = pairs_within(atoms, max(MIN_DISTANCE_A, factor * 2.0 * float(covalent_radii[atoms.numbers].max())))
    close = (i <= j) & overlap_mask(atoms.numbers, i, j, distance, factor)
    order = np.argsort(distance[close], kind="stable")
    return i[close][order], j[close][order], distance[close][order]


def overlap_mask(
    numbers: np.ndarray, i: np.ndarray, j: np.ndarray, distance: np.ndarray, factor: float = OVERLAP_FACTOR
) -> np.ndarray:
    """Which of the pairs (i, j) at ``distance`` overlap.

    Parameters
    ----------
    numbers : numpy.ndarray of int, shape (n_atoms,)
        Atomic numbers.
    i, j : numpy.ndarray of int, shape (n_pairs,)
        Atom indices of each pair.
    distance : numpy.ndarray, shape (n_pairs,)
        Å.
    factor : float
        Fraction of the sum of covalent radii below which two sites overlap.

    Returns
    -------
    numpy.ndarray of bool, shape (n_pairs,)
    """
    radii = covalent_radii[np.asarray(numbers)]
    return distance < np.maximum(MIN_DISTANCE_A, factor * (radii[i] + radii[j]))


def check_overlaps(atoms: Atoms, source: str, factor: float = OVERLAP_FACTOR) -> None:
    """Refuse a structure with overlapping sites, naming the closest pair and what to do.

    Parameters
    ----------
    atoms : ase.Atoms
    source : str
        The file or id the error names.
    factor : float

    Raises
    ------
    StructureError
    """
    i, j, distance = overlapping_pairs(atoms, factor)
    if not len(distance):
        return
    a, b = int(i[0]), int(j[0])
    symbols = atoms.get_chemical_symbols()
    limit = max(MIN_DISTANCE_A, factor * (covalent_radii[atoms.numbers[a]] + covalent_radii[atoms.numbers[b]]))
    partial = "occupancy" in atoms.arrays and (atoms.arrays["occupancy"][[a, b]] < 1.0).any()
    cause = (
        "partially occupied: a disordered group written in all its positions"
        if partial
        else "from unresolved disorder or a duplicated atom"
    )
    more = f", and {len(distance) - 1} more such pairs" if len(distance) > 1 else ""
    raise StructureError(
        f"{source}: atoms {a + 1} ({symbols[a]}) and {b + 1} ({symbols[b]}) are {distance[0]:.2f} Å apart, "
        f"closer than {limit:.2f} Å ({factor:g} x the sum of their covalent radii, at least {MIN_DISTANCE_A:g} Å)"
        f"{more}: overlapping sites, {cause}. No energy or descriptor of this structure means anything; keep one "
        "part of each disordered group (e.g. in Mercury or with pymatgen), or leave the structure out."
    )
