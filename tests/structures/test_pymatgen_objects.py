"""pymatgen objects at the edge (structures/pymatgen_objects.py)."""

import numpy as np
from ase.build import bulk, molecule

from atomlearn.structures import from_pymatgen, to_pymatgen


def test_pymatgen_round_trip():
    crystal = bulk("Cu", "fcc", a=3.61, cubic=True)
    back = from_pymatgen(to_pymatgen(crystal))
    np.testing.assert_allclose(back.positions, crystal.positions, atol=1e-10)
    np.testing.assert_allclose(np.array(back.cell), np.array(crystal.cell), atol=1e-10)
    mol = molecule("CH4")
    back = from_pymatgen(to_pymatgen(mol))
    assert not back.pbc.any() and back.get_chemical_formula() == "CH4"
    np.testing.assert_allclose(back.positions, mol.positions, atol=1e-10)
