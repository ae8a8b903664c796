"""The structure content hash (structures/hashing.py)."""

from ase import Atoms
from ase.build import molecule

from atomlearn.structures import structure_hash


def test_structure_hash_sees_content_not_metadata():
    atoms = molecule("H2O")
    same = atoms.copy()
    same.info["note"] = "metadata is ignored"
    assert structure_hash(atoms) == structure_hash(same)
    moved = atoms.copy()
    moved.translate([0.01, 0, 0])
    assert structure_hash(moved) != structure_hash(atoms)
    zero = Atoms("H", positions=[[0.0, 0.0, 0.0]])
    negative_zero = Atoms("H", positions=[[-0.0, 0.0, 0.0]])
    assert structure_hash(zero) == structure_hash(negative_zero)
    periodic = atoms.copy()
    periodic.pbc = True
    assert structure_hash(periodic) != structure_hash(atoms)
