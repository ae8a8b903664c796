"""pymatgen ``Structure`` / ``Molecule`` objects to and from ``ase.Atoms``, at the edge."""

from __future__ import annotations

from typing import Any

import numpy as np
from ase import Atoms

from atomlearn.errors import StructureError


def from_pymatgen(structure: Any) -> Atoms:
    """Convert a pymatgen object to ``ase.Atoms``.

    Parameters
    ----------
    structure : pymatgen Structure or Molecule

    Returns
    -------
    ase.Atoms
        ``pbc=True`` with the lattice for a ``Structure``, ``pbc=False`` for a ``Molecule``.
    """
    from pymatgen.io.ase import AseAtomsAdaptor

    if not structure.is_ordered:
        raise StructureError(
            "the pymatgen structure is disordered (partial occupancies); order it first, "
            "e.g. with OrderDisorderedStructureTransformation."
        )
    atoms = AseAtomsAdaptor.get_atoms(structure)
    for key in [k for k in atoms.arrays if k not in ("numbers", "positions")]:
        del atoms.arrays[key]  # drop pymatgen's site-property bookkeeping
    atoms.info = {}
    return atoms


def to_pymatgen(atoms: Atoms) -> Any:
    """Convert ``ase.Atoms`` to pymatgen.

    Parameters
    ----------
    atoms : ase.Atoms

    Returns
    -------
    pymatgen Structure or Molecule
        A ``Structure`` when any direction is periodic, a ``Molecule`` otherwise.
    """
    from pymatgen.core import Lattice, Molecule, Structure

    if atoms.pbc.any():
        return Structure(
            Lattice(np.array(atoms.cell)),
            atoms.get_chemical_symbols(),
            atoms.positions,
            coords_are_cartesian=True,
        )
    return Molecule(atoms.get_chemical_symbols(), atoms.positions)
