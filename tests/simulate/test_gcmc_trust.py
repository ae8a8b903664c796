"""GCMC numbers a scientist can publish: short runs lie within 3 of their stated standard errors of a
20,000-cycle run or are flagged; a point is the same whichever other pressures run with it, so a resumed
isotherm equals an uninterrupted one; settings that change a number must match on resume; a coarse grid
and stated zero charges are never used silently.

The long runs are in ``data/gcmc_long_runs.csv``, written by ``benchmarks/bench_gcmc_error_bars.py``
(CH4, 298 K, 1 and 5 bar, 1,000 + 20,000 cycles, seed 12345), which also measures the coverage over
many seeds and lengths.
"""

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from ase import Atoms

from atomlearn.physics.framework_energy import framework_charges
from atomlearn.simulate.gcmc_batch import gcmc_labels
from atomlearn.simulate.grand_canonical import gcmc, gcmc_isotherm

T = 298.0
LONG_RUNS = pd.read_csv(Path(__file__).parent / "data" / "gcmc_long_runs.csv", dtype={"id": str})
OPEN = ("TORJIV_clean", "UZUNAF_clean", "ANOMUM_clean", "DORFAS_clean", "YIWNAT_clean")


@pytest.mark.slow
def test_short_runs_lie_within_three_standard_errors_of_a_long_run_or_are_flagged(coremof):
    judged = 0
    for name in (*OPEN, "ABAVIJ_clean"):
        atoms = coremof.structure(name)
        atoms.info["id"] = name
        for point in gcmc_isotherm(atoms, "CH4", T, [1e5, 5e5], init_cycles=300, cycles=1500, random_state=0):
            long = LONG_RUNS[(LONG_RUNS["id"] == name) & np.isclose(LONG_RUNS["pressure_bar"], point.pressure_Pa / 1e5)]
            reference, reference_se = float(long["loading_mol_kg"].iloc[0]), float(long["loading_se_mol_kg"].iloc[0])
            combined = math.hypot(point.loading_se_mol_kg[0], reference_se)
            if point.converged:
                judged += 1
                assert abs(point.loading_mol_kg[0] - reference) <= 3 * combined, (name, point.pressure_Pa, point.notes)
            else:
                assert point.notes and point.effective_samples < 50 or "drift" in " ".join(point.notes)
        if name == "ABAVIJ_clean":  # no room for CH4: zero exactly, and that is converged
            assert point.loading_mol_kg[0] == 0 and point.converged and "no room" in " ".join(point.notes)
    assert judged >= 6  # most 1,500-cycle points converge here
    ten_cycles = gcmc(coremof.structure("DORFAS_clean"), "CH4", T, 1e5, init_cycles=10, cycles=30, random_state=0)
    assert not ten_cycles.converged and ten_cycles.effective_samples < 50  # 1.56 against 1.97 mol/kg: flagged
    assert ten_cycles.to_dict()["converged"] is False


def test_a_point_does_not_depend_on_the_other_pressures_of_its_isotherm(coremof):
    atoms = coremof.structure("UZUNAF_clean")
    both = gcmc_isotherm(atoms, "Ar", T, [1e4, 1e5], init_cycles=20, cycles=60, random_state=3)
    alone = gcmc_isotherm(atoms, "Ar", T, [1e5], init_cycles=20, cycles=60, random_state=3)
    assert alone[0].loading_mol_kg == both[1].loading_mol_kg and alone[0].loading_se_mol_kg == both[1].loading_se_mol_kg


def test_a_resumed_batch_equals_an_uninterrupted_one_and_other_settings_are_refused(coremof, tmp_path):
    dataset = coremof.subset(["UZUNAF_clean"])
    options = dict(init_cycles=20, cycles=60, random_state=2)
    whole = gcmc_labels(dataset, "Ar", T, [1e4, 1e5], tmp_path / "whole.csv", **options).results
    torn = tmp_path / "torn.csv"
    gcmc_labels(dataset, "Ar", T, [1e4, 1e5], torn, **options)
    lines = torn.read_text().splitlines(keepends=True)
    torn.write_text("".join(lines[:-1]) + lines[-1][: len(lines[-1]) // 2])  # killed while appending the last row
    resumed = gcmc_labels(dataset, "Ar", T, [1e4, 1e5], torn, **options)
    assert (resumed.n_skipped, resumed.n_computed) == (1, 1)
    columns = ["pressure_bar", "loading_Ar_mol_kg", "loading_se_Ar_mol_kg", "effective_samples", "settings"]
    pd.testing.assert_frame_equal(resumed.results[columns], whole[columns])
    for changed, name in (
        (dict(cycles=80), "cycles"),
        (dict(forcefield="dreiding"), "forcefield"),
        (dict(random_state=5), "random_state"),
    ):
        with pytest.raises(ValueError, match=f"computed with {name}=.*this run asks for {name}="):
            gcmc_labels(dataset, "Ar", T, [1e4, 1e5, 2e5], torn, **{**options, **changed})


def test_a_coarse_grid_is_refused_unless_allowed_and_then_flagged(coremof):
    atoms = coremof.structure("UZUNAF_clean")
    with pytest.raises(ValueError, match="coarser than 0.2 Å"):
        gcmc(atoms, "CH4", T, 1e5, grid_spacing_A=0.5, cycles=20, init_cycles=0)
    rough = gcmc(atoms, "CH4", T, 1e5, grid_spacing_A=0.5, allow_coarse_grid=True, cycles=20, init_cycles=0)
    assert not rough.converged and "coarser than 0.2 Å" in " ".join(rough.notes)


@pytest.mark.parametrize("value", [0.0, -1.0, float("nan"), float("inf")])
def test_nonsense_numbers_are_refused_where_they_are_given(value):
    box = Atoms(cell=[30, 30, 30], pbc=True)
    for call in (
        lambda: gcmc(box, "CH4", value, 1e5, cycles=20),
        lambda: gcmc(box, "CH4", T, value, cycles=20),
        lambda: gcmc(box, "CH4", T, 1e5, cutoff_A=value, cycles=20),
        lambda: gcmc(box, "CH4", T, 1e5, grid_spacing_A=value, cycles=20),
    ):
        with pytest.raises(ValueError, match="must be"):
            call()
    with pytest.raises(ValueError, match="swap_trials must be at least 1"):
        gcmc(box, "CH4", T, 1e5, swap_trials=0, cycles=20)


def test_stated_zero_charges_are_a_neutral_framework_and_missing_ones_get_eqeq(coremof, tmp_path):
    from atomlearn.structures import read_structure, write_cif

    atoms = coremof.structure("UZUNAF_clean")
    atoms.set_initial_charges(np.zeros(len(atoms)))
    write_cif(atoms, tmp_path / "zeros.cif", name="zeros")
    zeros = read_structure(tmp_path / "zeros.cif")
    notes = []
    assert framework_charges(zeros, "CO2", True, "auto", notes) == ("none (stated charges all zero)", None)
    assert "states all its partial charges as zero" in notes[0]
    described, charges = framework_charges(coremof.structure("UZUNAF_clean"), "CO2", True, "auto", [])
    assert described == "ewald (EQeq charges)" and np.any(charges)
