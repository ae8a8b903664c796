"""Widom insertion against physics: empty box, one LJ sphere (analytic integral), unit-cell invariance,
grid against direct sums, blocking of a closed cage, bad input."""

import math

import numpy as np
import pytest
from ase import Atoms
from scipy.integrate import quad

from atomlearn.physics.guests import get_guest
from atomlearn.physics.lj_parameters import load_forcefield
from atomlearn.simulate.widom import framework_density, widom_henry
from atomlearn.units import GAS_CONSTANT

T = 298.0
EPS_X, SIG_X = 200.0, 3.4  # K, Å: a made-up framework element "X" (here on an Ar atom)


def box(side: float, positions=(), symbol: str = "Ar") -> Atoms:
    return Atoms(symbol * len(positions), positions=positions, cell=np.eye(3) * side, pbc=True)


def sphere_average(side: float, cutoff: float, guest_eps: float, guest_sig: float) -> tuple[float, float]:
    """⟨exp(-βU)⟩ and ⟨U exp(-βU)⟩ (K) for one truncated LJ sphere in a cube of ``side`` (> 2 cutoff)."""
    eps, sig = math.sqrt(EPS_X * guest_eps), 0.5 * (SIG_X + guest_sig)

    def u(r):
        s6 = (sig / r) ** 6
        return 4 * eps * (s6 * s6 - s6)

    volume = side**3
    missing = quad(lambda r: (1 - math.exp(-u(r) / T)) * 4 * math.pi * r * r, 1e-6, cutoff, limit=200)[0]
    weighted = quad(lambda r: u(r) * math.exp(-u(r) / T) * 4 * math.pi * r * r, 1e-6, cutoff, limit=200)[0]
    return 1 - missing / volume, weighted / volume


@pytest.mark.parametrize("method", ["grid", "direct"])
def test_one_lj_sphere_matches_the_radial_integral(method):
    side, cutoff = 26.0, 12.0
    atoms = box(side, [(3.0, 5.0, 7.0)])
    ff = load_forcefield("uff", overrides={"Ar": (EPS_X, SIG_X)})
    guest = get_guest("CH4")
    result = widom_henry(
        atoms,
        guest,
        T,
        forcefield=ff,
        cutoff_A=cutoff,
        method=method,
        block_pockets=False,
        grid_spacing_A=0.2,
        target_relative_error=0.0005,
        max_insertions=3_000_000,
        random_state=1,
    )
    boltzmann, weighted = sphere_average(side, cutoff, 148.0, 3.73)
    assert result.boltzmann_average == pytest.approx(boltzmann, abs=4 * result.boltzmann_average * 0.0005 + 2e-4)
    expected_henry = boltzmann / (GAS_CONSTANT * T * framework_density(atoms))
    assert abs(result.henry_mol_kg_Pa - expected_henry) < 4 * result.henry_se_mol_kg_Pa + 2e-4 * expected_henry
    qst = GAS_CONSTANT * (T - weighted / boltzmann) / 1000
    assert result.qst_kJ_mol == pytest.approx(qst, abs=4 * result.qst_se_kJ_mol + 0.002)


def test_empty_box_gives_the_ideal_gas_limit():
    atoms = box(20.0, [(1.0, 1.0, 1.0)])
    ghost = load_forcefield("uff", overrides={"Ar": (0.0, 3.0)})  # a mass without interactions
    result = widom_henry(atoms, "Xe", T, forcefield=ghost, block_pockets=False, max_insertions=40_000)
    assert result.boltzmann_average == 1.0
    assert result.henry_se_mol_kg_Pa == 0.0
    assert result.henry_mol_kg_Pa == pytest.approx(1.0 / (GAS_CONSTANT * T * framework_density(atoms)), rel=1e-12)
    assert result.qst_kJ_mol == pytest.approx(GAS_CONSTANT * T / 1000, rel=1e-9)  # Q_st = RT


def test_henry_coefficient_does_not_depend_on_the_choice_of_unit_cell(mof):
    reference = widom_henry(mof, "CH4", T, block_pockets=False, target_relative_error=0.01, random_state=0)
    supercell = mof.repeat((2, 1, 1))
    shifted = mof.copy()
    shifted.positions += mof.cell[:].sum(axis=0) * 0.37
    shifted.wrap()
    for other in (supercell, shifted):
        result = widom_henry(other, "CH4", T, block_pockets=False, target_relative_error=0.01, random_state=5)
        combined = math.hypot(reference.henry_se_mol_kg_Pa, result.henry_se_mol_kg_Pa)
        assert abs(result.henry_mol_kg_Pa - reference.henry_mol_kg_Pa) < 3 * combined
        assert (
            abs(result.qst_kJ_mol - reference.qst_kJ_mol)
            < 3 * math.hypot(reference.qst_se_kJ_mol, result.qst_se_kJ_mol) + 0.05
        )


def test_a_large_supercell_is_simulated_in_its_unit_cell_not_on_a_coarse_grid(mof):
    # a 6x6x6 supercell needs a grid 216 times larger: before, it was coarsened to 0.3 Å and K_H came out
    # several times too low with a small error bar; now it is reduced to the unit cell
    reference = widom_henry(mof, "CH4", T, target_relative_error=0.02, random_state=0)
    big = mof.repeat((6, 6, 6))
    result = widom_henry(big, "CH4", T, target_relative_error=0.02, random_state=0)
    assert any("6x6x6 supercell" in note for note in result.notes)
    assert result.grid_spacing_A <= 0.2
    assert abs(result.henry_mol_kg_Pa - reference.henry_mol_kg_Pa) < 3 * math.hypot(
        reference.henry_se_mol_kg_Pa, result.henry_se_mol_kg_Pa
    )


def test_a_grid_that_would_be_too_coarse_is_refused_or_replaced_by_direct_sums(mof):
    small_grid = dict(max_grid_points=20_000, target_relative_error=0.02, random_state=0)
    with pytest.raises(ValueError, match="bias K_H by more than its error bar"):
        widom_henry(mof, "CH4", T, **small_grid)  # pockets are blocked on a grid: no silent coarse grid
    direct = widom_henry(mof, "CH4", T, block_pockets=False, **small_grid)
    assert direct.method == "direct" and any("direct pair sums" in note for note in direct.notes)
    reference = widom_henry(mof, "CH4", T, block_pockets=False, target_relative_error=0.02, random_state=1)
    assert abs(direct.henry_mol_kg_Pa - reference.henry_mol_kg_Pa) < 3 * math.hypot(
        reference.henry_se_mol_kg_Pa, direct.henry_se_mol_kg_Pa
    )


def test_grid_interpolation_agrees_with_direct_pair_sums_on_the_same_insertions(mof):
    common = dict(
        block_pockets=False, target_relative_error=0.01, max_insertions=200_000, random_state=3, charges="cif"
    )
    grid = widom_henry(mof, "CO2", T, method="grid", **common)
    direct = widom_henry(mof, "CO2", T, method="direct", **common)
    assert grid.insertions == direct.insertions
    assert grid.henry_mol_kg_Pa == pytest.approx(direct.henry_mol_kg_Pa, rel=0.01)
    assert grid.qst_kJ_mol == pytest.approx(direct.qst_kJ_mol, abs=0.05)
    assert grid.electrostatics.startswith("none (framework has no charges)")
    assert any("Lennard-Jones only" in note for note in grid.notes)


def test_a_closed_cage_is_blocked_and_reported():
    # a dense shell of atoms (radius 6 Å) closes a cavity; the space outside percolates
    golden = np.pi * (3.0 - np.sqrt(5.0))
    n = 400
    z = 1 - 2 * (np.arange(n) + 0.5) / n
    shell = np.stack(
        [np.sqrt(1 - z * z) * np.cos(golden * np.arange(n)), np.sqrt(1 - z * z) * np.sin(golden * np.arange(n)), z], 1
    )
    atoms = box(24.0, 12.0 + 6.0 * shell)
    ff = load_forcefield("uff", overrides={"Ar": (30.0, 2.8)})
    blocked = widom_henry(
        atoms, "CH4", T, forcefield=ff, grid_spacing_A=0.3, allow_coarse_grid=True, target_relative_error=0.01
    )
    open_ = widom_henry(
        atoms,
        "CH4",
        T,
        forcefield=ff,
        grid_spacing_A=0.3,
        allow_coarse_grid=True,
        target_relative_error=0.01,
        block_pockets=False,
    )
    assert blocked.blocked_pockets == 1
    cavity = 4 / 3 * np.pi * (6.0 - 2.8) ** 3 / 24.0**3  # rough share of the cavity in the open volume
    assert 0.3 * cavity < blocked.blocked_fraction < 2 * cavity
    assert blocked.henry_mol_kg_Pa < open_.henry_mol_kg_Pa - 3 * open_.henry_se_mol_kg_Pa


def test_a_structure_without_room_for_the_guest_gives_exactly_zero():
    dense = box(3.0, [(0, 0, 0), (1.5, 1.5, 1.5)])
    result = widom_henry(dense, "Xe", T)
    assert result.henry_mol_kg_Pa == 0.0 and result.henry_se_mol_kg_Pa == 0.0
    assert "no room" in result.notes[0]


def test_bad_input_is_refused_with_a_message():
    with pytest.raises(ValueError, match="periodic framework"):
        widom_henry(Atoms("Ar", positions=[(0, 0, 0)]), "CH4", T)
    with pytest.raises(ValueError, match="unknown guest"):
        widom_henry(box(20.0, [(0, 0, 0)]), "H2O", T)
    broken = box(20.0, [(0, 0, 0), (1, 1, 1)])
    broken.positions[1, 0] = np.nan
    with pytest.raises(ValueError, match="non-finite"):
        widom_henry(broken, "CH4", T)
    with pytest.raises(ValueError, match="temperature"):
        widom_henry(box(20.0, [(0, 0, 0)]), "CH4", -5)
    with pytest.raises(ValueError, match="no uff Lennard-Jones parameters for X"):
        load_forcefield("uff").parameters(["C", "X"])
