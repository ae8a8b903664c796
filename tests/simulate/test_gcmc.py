"""Grand-canonical Monte Carlo (simulate/gcmc.py) against physics that needs no peer: the ideal gas
in an empty box, the Henry regime against Widom insertion, a supercell, a mixture at low loading,
and the running energy against a recomputation."""

import math

import pytest
from ase import Atoms

from atomlearn.simulate.grand_canonical import gcmc
from atomlearn.simulate.widom import widom_henry
from atomlearn.units import BOLTZMANN

T = 298.0


def test_an_empty_box_holds_beta_f_v_molecules():
    box = Atoms(cell=[40.0, 40.0, 40.0], pbc=True)
    result = gcmc(box, "CH4", T, 1e5, init_cycles=100, cycles=20000, random_state=1)
    ideal = result.fugacity_Pa[0] * 40.0**3 * 1e-30 / (BOLTZMANN * T)  # βfV: 1.55 molecules
    assert result.molecules_per_cell[0] == pytest.approx(ideal, abs=3 * result.molecules_per_cell_se[0])
    assert result.molecules_per_cell_se[0] < 0.01 * ideal
    assert result.energy_drift < 1e-9 and math.isnan(result.loading_mol_kg[0])  # no framework: no mass


@pytest.fixture(scope="module")
def framework(coremof):
    return coremof.structure("UZUNAF_clean")  # Cu paddlewheel MOF, 116 atoms


def test_at_low_pressure_the_loading_is_the_widom_henry_coefficient_times_the_fugacity(framework):
    widom = widom_henry(framework, "CH4", T, shifted=True, target_relative_error=0.01, random_state=3)
    result = gcmc(framework, "CH4", T, 1000.0, init_cycles=200, cycles=6000, random_state=3)
    expected = widom.henry_mol_kg_Pa * result.fugacity_Pa[0]
    combined = math.hypot(result.loading_se_mol_kg[0], widom.henry_se_mol_kg_Pa * result.fugacity_Pa[0])
    assert abs(result.loading_mol_kg[0] - expected) < 2.5 * combined, (result.loading_mol_kg[0], expected, combined)
    assert result.energy_drift < 1e-6
    assert result.qst_kJ_mol == pytest.approx(widom.qst_kJ_mol, abs=3.0)  # fluctuations vs the Widom heat at dilution


def test_a_supercell_gives_the_same_loading_per_kilogram(framework):
    one = gcmc(framework, "Ar", T, 5e5, init_cycles=200, cycles=2000, random_state=5)
    two = gcmc(framework.repeat((2, 1, 1)), "Ar", T, 5e5, init_cycles=200, cycles=2000, random_state=6)
    combined = math.hypot(one.loading_se_mol_kg[0], two.loading_se_mol_kg[0])
    assert abs(one.loading_mol_kg[0] - two.loading_mol_kg[0]) < 3 * combined
    assert two.molecules_per_cell[0] == pytest.approx(one.molecules_per_cell[0] * 2, rel=0.15)


def test_a_dilute_mixture_loads_each_gas_as_alone(framework):
    mixed = gcmc(framework, {"CH4": 0.5, "Ar": 0.5}, T, 2000.0, init_cycles=200, cycles=6000, random_state=7)
    assert "identity change" in mixed.acceptance and mixed.acceptance["identity change"] > 0
    for index, guest in enumerate(("CH4", "Ar")):
        alone = widom_henry(framework, guest, T, shifted=True, target_relative_error=0.02, random_state=8)
        expected = alone.henry_mol_kg_Pa * mixed.fugacity_Pa[index]
        combined = math.hypot(mixed.loading_se_mol_kg[index], alone.henry_se_mol_kg_Pa * mixed.fugacity_Pa[index])
        assert abs(mixed.loading_mol_kg[index] - expected) < 3 * combined, guest


def test_refusals():
    with pytest.raises(ValueError, match="periodic"):
        gcmc(Atoms("Ar", positions=[[0, 0, 0]]), "CH4", T, 1e5, cycles=10)
    box = Atoms(cell=[30, 30, 30], pbc=True)
    with pytest.raises(ValueError, match="unknown guest 'H2O'"):
        gcmc(box, {"CH4": 0.5, "H2O": 0.5}, T, 1e5, cycles=10)
    with pytest.raises(ValueError, match="each guest once"):
        gcmc(box, {"CH4": 0.5, "methane": 0.5}, T, 1e5, cycles=10)
    with pytest.raises(ValueError, match="pressure must be above 0"):
        gcmc(box, "CH4", T, -1e5, cycles=10)
    with pytest.raises(ValueError, match="cycles must be at least 10"):
        gcmc(box, "CH4", T, 1e5, cycles=3)


def test_a_batch_of_isotherm_points_resumes_and_refuses_another_gas(coremof, tmp_path):
    from atomlearn.simulate.gcmc_batch import gcmc_labels

    dataset = coremof.subset(["UZUNAF_clean"])
    out = tmp_path / "points.csv"
    options = dict(init_cycles=20, cycles=60, grid_spacing_A=0.3, allow_coarse_grid=True)
    first = gcmc_labels(dataset, "Ar", T, [1e4, 1e5], out, **options)
    assert (first.n_requested, first.n_computed, len(first.errors)) == (2, 2, 0)
    assert list(first.results["pressure_bar"]) == [0.1, 1.0] and "loading_Ar_mol_kg" in first.results
    again = gcmc_labels(dataset, "Ar", T, [1e4, 1e5, 2e5], out, **options)
    assert (again.n_skipped, again.n_computed) == (2, 1) and len(again.results) == 3
    with pytest.raises(ValueError, match="holds results for Ar"):
        gcmc_labels(dataset, {"CO2": 0.15, "N2": 0.85}, T, [1e5], out, **options)


def test_an_isotherm_shares_its_grids_and_rises_with_pressure(framework):
    from atomlearn.simulate.grand_canonical import gcmc_isotherm

    points = gcmc_isotherm(framework, "Ar", T, [1e4, 1e5, 1e6], init_cycles=100, cycles=1000, random_state=4)
    assert [p.pressure_Pa for p in points] == [1e4, 1e5, 1e6]
    loadings = [p.loading_mol_kg[0] for p in points]
    assert loadings[0] < loadings[1] < loadings[2] and all(p.energy_drift < 1e-6 for p in points)


def test_a_broken_framework_is_refused_with_its_name():
    from ase.build import bulk

    from atomlearn.errors import StructureError
    from atomlearn.physics.charges import eqeq_charges

    broken = bulk("NaCl", "rocksalt", a=5.64, cubic=True).repeat(2)
    broken.positions[0, 0] = float("nan")
    broken.info["id"] = "salt"
    for compute in (lambda: eqeq_charges(broken), lambda: gcmc(broken, "CH4", T, 1e5, cycles=10)):
        with pytest.raises(StructureError, match="salt: coordinates contain NaN"):
            compute()


# NIST Standard Reference Simulation Website, Lennard-Jones fluid, "TMMC: vapor-phase equation of
# state at subcritical temperatures, linear-force shifted potential" (r_c = 2.5σ, V = 512σ³;
# https://mmlapps.nist.gov/srs/LJ_PURE/vaporEOStmmc_rc25LFS.htm): (T*, p/psat, ln z*, ρ*)
# (one state point: a second, T* = 0.85 with ln z* = -5.95173 and ρ* = 2.66468e-3, tested the same code again)
NIST_LJ_VAPOUR = [(0.90, 0.05, -5.65393, 3.60697e-3)]


@pytest.mark.parametrize(("reduced_T", "p_ratio", "ln_activity", "density"), NIST_LJ_VAPOUR)
def test_a_lennard_jones_vapour_matches_the_nist_reference(reduced_T, p_ratio, ln_activity, density):
    """GCMC at NIST's activity z* = exp(βμ)σ³/Λ³ gives NIST's density: βf = z for a fugacity f, so f = z* kT/σ³.
    The gas is 3 % denser than ideal (ρ* = z*) here, which the run resolves."""
    from atomlearn.physics.guests import Guest, GuestSite

    epsilon_K, sigma_A = 119.8, 3.405
    fluid = Guest("LJ", (GuestSite("LJ", epsilon_K, sigma_A, 0.0, (0.0, 0.0, 0.0)),), "model fluid")
    temperature = reduced_T * epsilon_K
    activity = math.exp(ln_activity)
    fugacity = activity / (sigma_A * 1e-10) ** 3 * BOLTZMANN * temperature
    box = Atoms(cell=[8 * sigma_A] * 3, pbc=True)  # V = 512 σ³
    result = gcmc(
        box,
        fluid,
        temperature,
        fugacity,
        equation_of_state="ideal",
        cutoff_A=2.5 * sigma_A,
        force_shifted=True,
        init_cycles=2000,
        cycles=120_000,
        random_state=11,
    )
    rho, se = result.molecules_per_cell[0] / 512, result.molecules_per_cell_se[0] / 512
    assert se < 0.006 * density
    assert abs(rho - density) < 3 * se, (rho, density, se)
    assert abs(rho - activity) > 3 * se  # the non-ideality is resolved, not hidden in the error bar
    assert result.energy_drift < 1e-9


def test_force_shifting_is_for_a_bulk_fluid_only(framework):
    with pytest.raises(ValueError, match="bulk fluid"):
        gcmc(framework, "CH4", T, 1e5, force_shifted=True, cycles=10, init_cycles=0)
    with pytest.raises(ValueError, match="equation_of_state"):
        gcmc(Atoms(cell=[30, 30, 30], pbc=True), "CH4", T, 1e5, equation_of_state="vdw", cycles=10)
    from atomlearn.physics.guests import Guest, GuestSite

    fluid = Guest("LJ", (GuestSite("LJ", 100.0, 3.4, 0.0, (0.0, 0.0, 0.0)),), "model fluid")
    with pytest.raises(ValueError, match="no critical constants for LJ.*equation_of_state='ideal'"):
        gcmc(Atoms(cell=[30, 30, 30], pbc=True), fluid, 100.0, 1e3, cycles=10, init_cycles=0)
