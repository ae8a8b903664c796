"""GFN2-xTB labels and the Langevin MD sampler: units, forces, temperature, resuming, bad requests."""

import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
from ase import units

from atomlearn.simulate.xtb import MDSettings, xtb_md, xtb_single_points
from atomlearn.structures import from_smiles, read_md_frames

FAST = MDSettings(interval_steps=5, equilibration_steps=50)


def test_energies_are_in_eV_and_forces_are_minus_the_gradient():
    water = from_smiles("O")
    (labelled,) = xtb_single_points([water])
    energy = labelled.get_potential_energy()
    assert energy / units.Hartree == pytest.approx(-5.07, abs=0.01)  # GFN2-xTB total energy of water, Eh
    forces = labelled.get_forces()
    step = 1e-4
    for atom, axis in [(0, 0), (1, 2)]:
        plus, minus = water.copy(), water.copy()
        plus.positions[atom, axis] += step
        minus.positions[atom, axis] -= step
        e_plus, e_minus = (a.get_potential_energy() for a in xtb_single_points([plus, minus]))
        assert forces[atom, axis] == pytest.approx(-(e_plus - e_minus) / (2 * step), rel=1e-4, abs=1e-5)


def test_md_frames_hold_labels_and_the_thermostat_temperature(tmp_path):
    path = tmp_path / "ethanol.extxyz"
    run = xtb_md(
        from_smiles("CCO"), path, 120, MDSettings(temperature_K=500, interval_steps=5, equilibration_steps=400)
    )
    frames = read_md_frames(path)
    assert run.n_added == len(frames) == 120
    assert [f.info["step"] for f in frames] == list(range(5, 605, 5))
    assert frames[0].get_forces().shape == (9, 3) and np.isfinite(frames[-1].get_potential_energy())
    kinetic = np.mean([f.info["kinetic_temperature_K"] for f in frames])
    assert kinetic == pytest.approx(500 * (3 * 9 - 3) / (3 * 9), rel=0.2)  # ASE counts 3N degrees, the centre is fixed
    assert (frames[-1].get_forces().sum(axis=0) ** 2).sum() ** 0.5 < 1e-3  # no net force on a molecule


def test_resume_appends_and_a_torn_last_frame_is_cut(tmp_path):
    path = tmp_path / "water.extxyz"
    water = from_smiles("O")
    xtb_md(water, path, 4, FAST)
    intact = path.read_text()
    with path.open("a") as handle:  # what a kill during a write leaves behind
        handle.write("3\nProperties=species:S:1:pos:R:3 step=25\nO 0.0 0.0")
    run = xtb_md(water, path, 6, FAST)
    frames = read_md_frames(path)
    assert (run.n_resumed, run.n_added, len(frames)) == (4, 2, 6)
    assert path.read_text().startswith(intact)
    assert [f.info["step"] for f in frames] == [5, 10, 15, 20, 25, 30]


def test_a_killed_run_resumes(tmp_path):
    path = tmp_path / "ethanol.extxyz"
    command = [
        sys.executable,
        "-m",
        "atomlearn.cli",
        "simulate",
        "xtb-md",
        "--smiles",
        "CCO",
        "--frames",
        "400",
        "--interval",
        "5",
        "--equilibration",
        "10",
        "--out",
        str(path),
    ]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while time.time() < deadline and (not path.exists() or path.read_text().count("Properties") < 5):
        time.sleep(0.2)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    kept = len(read_md_frames(path))
    assert 5 <= kept < 400
    subprocess.run(command[:8] + [str(kept + 5)] + command[9:], check=True, capture_output=True)
    frames = read_md_frames(path)
    assert len(frames) == kept + 5
    assert np.all(np.diff([f.info["step"] for f in frames]) == 5)


def test_bad_requests_are_refused(tmp_path):
    path = tmp_path / "water.extxyz"
    xtb_md(from_smiles("O"), path, 2, FAST)
    with pytest.raises(ValueError, match="holds H2O, not"):
        xtb_md(from_smiles("CCO"), path, 4, FAST)
    with pytest.raises(ValueError, match="temperature_K = 500.0, this run asks for 300"):
        xtb_md(from_smiles("O"), path, 4, MDSettings(temperature_K=300, interval_steps=5, equilibration_steps=50))
    with pytest.raises(ValueError, match="time step"):
        xtb_md(from_smiles("O"), tmp_path / "other.extxyz", 2, MDSettings(timestep_fs=5.0))
    with pytest.raises(ValueError, match="unknown xTB method"):
        xtb_md(from_smiles("O"), tmp_path / "other.extxyz", 2, MDSettings(xtb_method="GFN3"))
    not_xyz = tmp_path / "notes.extxyz"
    not_xyz.write_text("these are my notes\n")
    with pytest.raises(ValueError, match="not an extended XYZ"):
        xtb_md(from_smiles("O"), not_xyz, 2, FAST)
