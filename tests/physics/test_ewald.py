"""The Ewald potential grid against pymatgen's Ewald summation, and charges read from CIFs."""

import numpy as np
import pytest
from ase.build import bulk
from pymatgen.analysis.ewald import EwaldSummation
from pymatgen.core import Lattice, Structure

from atomlearn.featurizers.guest_energies import DESCRIPTOR_POTENTIAL_CUTOFF_A
from atomlearn.physics.ewald import POTENTIAL_CUTOFF_A, ewald_alpha, reciprocal_potential
from atomlearn.physics.grid import lj_grids
from atomlearn.simulate.widom import widom_henry
from atomlearn.structures import cif_text_to_atoms
from atomlearn.units import COULOMB_K_A

EV_TO_K = 11604.51812


def _ewald_energy_eV(cell, fractional, charges, species):
    structure = Structure(Lattice(cell), species, fractional)
    structure.add_site_property("charge", list(charges))
    return EwaldSummation(structure, acc_factor=14).total_energy


@pytest.mark.parametrize("coulomb_cutoff", [12.0, POTENTIAL_CUTOFF_A, DESCRIPTOR_POTENTIAL_CUTOFF_A])
def test_potential_difference_equals_pymatgen_dipole_energy(coulomb_cutoff):
    """Whatever the real-space cutoff of the potential grid (its α follows), the Ewald sum is the same: Widom's
    and GCMC's 6 Å, and the descriptors' 4 Å."""
    atoms = bulk("NaCl", "rocksalt", a=5.64, cubic=True)
    atoms.positions += np.random.default_rng(0).normal(0, 0.2, atoms.positions.shape)
    charges = np.where(np.array(atoms.get_chemical_symbols()) == "Na", 0.8, -0.8)
    shape, cutoff = (40, 40, 40), 12.0
    alpha = ewald_alpha(coulomb_cutoff)
    frac = atoms.get_scaled_positions()
    grids = lj_grids(
        atoms.cell[:],
        frac,
        np.ones(len(atoms)),
        np.full(len(atoms), 3.0),
        np.array([1.0]),
        np.array([3.0]),
        shape,
        cutoff,
        charges=charges,
        ewald_alpha=alpha,
        coulomb_cutoff_A=coulomb_cutoff,
    )
    phi = COULOMB_K_A * (grids[-1].astype(float) + reciprocal_potential(atoms.cell[:], frac, charges, shape, alpha))
    i1, i2, q = (5, 7, 9), (22, 31, 13), 0.5
    f1, f2 = np.array(i1) / 40, np.array(i2) / 40
    species = atoms.get_chemical_symbols()
    with_pair = _ewald_energy_eV(atoms.cell[:], [*frac, f1, f2], [*charges, q, -q], [*species, "H", "H"])
    alone = _ewald_energy_eV(atoms.cell[:], frac, charges, species)
    pair = _ewald_energy_eV(atoms.cell[:], [f1, f2], [q, -q], ["H", "H"])
    assert q * (phi[i1] - phi[i2]) == pytest.approx((with_pair - alone - pair) * EV_TO_K, rel=1e-6)


CHARGED_CIF = """data_test
_cell_length_a 12.0
_cell_length_b 12.0
_cell_length_c 12.0
_cell_angle_alpha 90
_cell_angle_beta 90
_cell_angle_gamma 90
_symmetry_space_group_name_H-M 'P 1'
loop_
_atom_site_label
_atom_site_type_symbol
_atom_site_fract_x
_atom_site_fract_y
_atom_site_fract_z
_atom_site_charge
Zn1 Zn 0.0 0.0 0.0 1.2
O1 O 0.5 0.0 0.0 -0.6
O2 O 0.0 0.5 0.0 -0.6
"""


def test_cif_charges_are_read_and_switch_on_ewald_for_a_charged_guest():
    atoms = cif_text_to_atoms(CHARGED_CIF)
    np.testing.assert_allclose(atoms.get_initial_charges(), [1.2, -0.6, -0.6])
    charged = widom_henry(atoms, "CO2", 298.0, block_pockets=False, target_relative_error=0.02)
    lj_only = widom_henry(atoms, "CO2", 298.0, block_pockets=False, target_relative_error=0.02, charges="off")
    assert charged.electrostatics == "ewald (CIF charges)" and lj_only.electrostatics == "off (requested)"
    assert charged.henry_mol_kg_Pa != pytest.approx(lj_only.henry_mol_kg_Pa, rel=0.01)
    methane = widom_henry(atoms, "CH4", 298.0, block_pockets=False, max_insertions=20_000)
    assert methane.electrostatics == "none (guest uncharged)"


def test_a_non_numeric_charge_names_the_site():
    with pytest.raises(ValueError, match="site .O2. has charge .abc.*_atom_site_charge"):
        cif_text_to_atoms(CHARGED_CIF.replace("0.0 0.5 0.0 -0.6", "0.0 0.5 0.0 abc"))


@pytest.mark.parametrize(
    "structure, madelung, nearest_A",
    [
        (bulk("NaCl", "rocksalt", a=5.64, cubic=True), 1.747564594633, 5.64 / 2),  # 4 ion pairs
        (bulk("CsCl", "cesiumchloride", a=4.12), 1.762674773070, 4.12 * np.sqrt(3) / 2),  # 1 ion pair
    ],
)
def test_the_pair_potential_matrix_gives_madelung_constants(structure, madelung, nearest_A):
    from atomlearn.physics.ewald import pair_potential_matrix

    charges = np.where(structure.numbers == structure.numbers[0], 1.0, -1.0)
    pairs = len(structure) // 2
    for cutoff in (8.0, 16.0):  # any real-space cutoff: the same converged sum
        energy = 0.5 * charges @ pair_potential_matrix(structure, cutoff) @ charges  # e²/Å
        assert energy / pairs * nearest_A == pytest.approx(-madelung, rel=1e-7)
    # and pymatgen's Ewald energy of the same charges
    reference = _ewald_energy_eV(
        structure.cell[:], structure.get_scaled_positions(), charges, structure.get_chemical_symbols()
    )
    assert 0.5 * charges @ pair_potential_matrix(structure) @ charges * COULOMB_K_A / EV_TO_K == pytest.approx(
        reference, rel=1e-6
    )


def test_the_potential_cutoff_is_short_on_fine_grids_and_grows_to_fit_coarse_ones():
    from atomlearn.physics.ewald import potential_cutoff

    cell, charges, fractional = np.eye(3) * 20.0, np.array([1.0, -1.0]), np.array([[0, 0, 0], [0.5, 0.5, 0.5]])
    assert potential_cutoff(cell, (134, 134, 134), 12.0) == POTENTIAL_CUTOFF_A
    for points in (25, 30, 40):  # coarse grids: a longer cutoff, whose reciprocal sum the grid holds
        cutoff = potential_cutoff(cell, (points,) * 3, 12.0)
        assert POTENTIAL_CUTOFF_A <= cutoff <= 12.0
        reciprocal_potential(cell, fractional, charges, (points,) * 3, ewald_alpha(cutoff))
    assert potential_cutoff(cell, (25, 25, 25), 12.0) > POTENTIAL_CUTOFF_A
    assert potential_cutoff(cell, (134, 134, 134), 12.0, preferred_A=4.0) == 4.0  # a descriptor's, on its fine grid
    assert potential_cutoff(cell, (25, 25, 25), 12.0, preferred_A=4.0) == potential_cutoff(cell, (25, 25, 25), 12.0)
