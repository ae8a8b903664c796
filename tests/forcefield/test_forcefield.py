"""The force-field path: frames → train (resumable) → ASE calculator → MD with its checks."""

import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
from ase import Atoms
from ase.calculators.lj import LennardJones
from ase.calculators.singlepoint import SinglePointCalculator
from ase.io import write

from atomlearn.forcefield import Calculator, read_training_frames, train_forcefield
from atomlearn.forcefield.md import compare_distances, run_md
from atomlearn.runs.bundle import load_bundle
from atomlearn.simulate.xtb import MDSettings, xtb_md
from atomlearn.structures import from_smiles

SMALL = {"n_features": 32, "n_interactions": 2, "learning_rate": 2e-3, "batch_size": 8, "patience": 100}


@pytest.fixture(scope="module")
def ethanol_frames(tmp_path_factory):
    """200 xTB frames of ethanol at 500 K (every 10 steps of 0.5 fs)."""
    path = tmp_path_factory.mktemp("xtb") / "ethanol.extxyz"
    xtb_md(from_smiles("CCO"), path, 200, MDSettings(temperature_K=500, equilibration_steps=200))
    return path


@pytest.fixture(scope="module")
def trained(ethanol_frames, tmp_path_factory):
    folder = tmp_path_factory.mktemp("ff") / "painn"
    return train_forcefield(ethanol_frames, folder, model="painn", n_train=150, params={**SMALL, "max_epochs": 40})


def test_training_learns_forces_and_writes_a_bundle(trained):
    metrics = trained.metrics
    assert (metrics["n_train"], metrics["n_test"]) == (150, 50)
    assert trained.history["train_loss"].iloc[-1] < 0.3 * trained.history["train_loss"].iloc[0]
    assert metrics["force_mae_meV_A"] < 0.5 * metrics["force_mae_zero_meV_A"]
    assert metrics["energy_mae_meV"] < 0.5 * metrics["energy_mae_mean_meV"]
    card = load_bundle(trained.folder).card
    assert card["kind"] == "forcefield" and card["species"] == ["C", "H", "O"] and card["energy_unit"] == "eV"
    assert not (trained.folder / "checkpoint.pt").exists()


def test_calculator_matches_the_model_and_its_forces_are_the_gradient(trained, ethanol_frames):
    atoms = read_training_frames(ethanol_frames).structures[7].copy()
    bundle = load_bundle(trained.folder)
    atoms.calc = Calculator(trained.folder)
    assert atoms.get_potential_energy() == pytest.approx(bundle.model.predict([atoms])[0], abs=1e-4)
    atoms.calc = Calculator(trained.folder, dtype="float64")  # the same weights in double precision
    forces, step = atoms.get_forces(), 1e-5
    for atom, axis in [(0, 0), (4, 2)]:
        shifted = []
        for sign in (1, -1):
            moved = atoms.copy()
            moved.positions[atom, axis] += sign * step
            moved.calc = atoms.calc
            shifted.append(moved.get_potential_energy())
        assert forces[atom, axis] == pytest.approx(-(shifted[0] - shifted[1]) / (2 * step), rel=1e-5, abs=1e-6)
    sulfur = Atoms("SH2", positions=[[0, 0, 0], [1.3, 0, 0], [0, 1.3, 0]])
    sulfur.calc = atoms.calc
    with pytest.raises(ValueError, match="cannot describe S"):
        sulfur.get_potential_energy()


def test_nve_md_conserves_energy_and_matches_the_reference_distances(trained, ethanol_frames):
    frames = read_training_frames(ethanol_frames).structures
    report = run_md(
        frames[-1],
        Calculator(trained.folder),
        400,
        timestep_fs=0.25,
        temperature_K=300,
        reference=frames,
        distance=(0, 1),
    )
    assert report.n_steps == 400 and report.stable, report.problem
    assert report.energy_std_meV_atom < 1.0  # conservative forces, small step
    assert report.distance.mean_A == pytest.approx(report.distance.reference_mean_A, abs=0.05)  # the C–C bond


def test_replicas_are_independent_molecules_in_one_batch(trained, ethanol_frames):
    frames = read_training_frames(ethanol_frames).structures[:3]
    together = frames[0].copy()
    for atoms in frames[1:]:
        together += atoms  # three molecules on top of each other: as replicas they must not interact
    together.calc = Calculator(trained.folder, n_replicas=3)
    forces = together.get_forces()
    single = Calculator(trained.folder)
    for k, atoms in enumerate(frames):
        atoms = atoms.copy()
        atoms.calc = single
        assert together.calc.results["replica_energies"][k] == pytest.approx(atoms.get_potential_energy(), abs=1e-4)
        np.testing.assert_allclose(forces[9 * k : 9 * (k + 1)], atoms.get_forces(), atol=1e-4)
    together.positions[9 + 8] += [20.0, 0.0, 0.0]  # replica 1 loses its last hydrogen
    with pytest.raises(ValueError, match=r"replica 1: atom\(s\) \[8\] have no neighbour"):
        together.get_forces()
    with pytest.raises(ValueError, match="3 copies of one molecule"):
        wrong = Atoms("H2O", positions=[[0, 0, 0], [1, 0, 0], [0, 1, 0]])
        wrong.calc = together.calc
        wrong.get_potential_energy()


def test_replica_md_runs_every_copy_and_writes_them_all(trained, ethanol_frames, tmp_path):
    frames = read_training_frames(ethanol_frames).structures
    report = run_md(
        frames[-1],
        Calculator(trained.folder, n_replicas=4),
        200,
        timestep_fs=0.25,
        temperature_K=300,
        interval_steps=50,
        reference=frames,
        distance=(0, 1),
        out=tmp_path / "md.extxyz",
    )
    assert report.stable and report.n_replicas == 4 and report.energy_std_meV_atom < 1.0
    assert report.seconds_per_replica_step == pytest.approx(report.seconds_per_step / 4)
    written = read_training_frames(tmp_path / "md.extxyz").structures
    assert len(written) == 4 * 4 and [a.info["replica"] for a in written[:4]] == [0, 1, 2, 3]
    assert len({round(float(a.positions[0, 0]), 6) for a in written[-4:]}) == 4  # four different trajectories
    assert report.distance.mean_A == pytest.approx(report.distance.reference_mean_A, abs=0.05)  # the C–C bond
    periodic = frames[0].copy()
    periodic.cell, periodic.pbc = [10, 10, 10], True
    with pytest.raises(ValueError, match="periodic structure runs as one system"):
        run_md(periodic, Calculator(trained.folder, n_replicas=2), 10)


class ReplicatedLJ(LennardJones):
    """Lennard-Jones on each of ``n_replicas`` copies alone (what run_md needs of a replica calculator)."""

    n_replicas = 3

    def calculate(self, atoms=None, properties=("energy",), system_changes=()):
        n = len(atoms) // self.n_replicas
        energies, forces = [], []
        for k in range(self.n_replicas):
            copy = atoms[k * n : (k + 1) * n]
            copy.calc = LennardJones(sigma=3.0, epsilon=0.5, rc=6.0)
            energies.append(copy.get_potential_energy())
            forces.append(copy.get_forces())
        self.atoms = atoms.copy()
        self.results = {
            "energy": sum(energies),
            "free_energy": sum(energies),
            "forces": np.concatenate(forces),
            "replica_energies": np.array(energies),
        }


def test_replica_md_names_the_replica_that_falls_apart():
    report = run_md(from_smiles("CCO"), ReplicatedLJ(), 2000, temperature_K=300)
    assert not report.stable and report.problem.startswith("replica ") and "broken" in report.problem


def test_md_detects_a_molecule_falling_apart():
    molecule = from_smiles("CCO")
    repulsive = LennardJones(sigma=3.0, epsilon=0.5, rc=6.0)  # pushes bonded atoms far apart
    report = run_md(molecule, repulsive, 2000, temperature_K=300)
    assert not report.stable and "broken" in report.problem and report.n_steps < 2000


class RefusingLJ(LennardJones):
    """Repulsive Lennard-Jones that, like a network, refuses an atom far from all others."""

    def calculate(self, atoms=None, properties=("energy",), system_changes=()):
        distances = atoms.get_all_distances() + 1e9 * np.eye(len(atoms))
        if (distances.min(axis=1) > 3.0).any():
            raise ValueError("atom(s) have no neighbour within the 3.0 Å cutoff")
        super().calculate(atoms, properties, system_changes)


def test_md_reports_a_geometry_the_model_refuses_mid_run():
    report = run_md(
        from_smiles("CCO"), RefusingLJ(sigma=1.5, epsilon=0.05, rc=6.0), 2000, temperature_K=300, interval_steps=2000
    )  # no stability check before the end: the calculator's refusal ends the run
    assert not report.stable and "no neighbour" in report.problem and 0 < report.n_steps < 2000
    assert report.problem.startswith(f"step {report.n_steps + 1}:")


def test_distance_comparison_of_identical_and_shifted_trajectories():
    rng = np.random.default_rng(0)
    frames = [Atoms("H2", positions=[[0, 0, 0], [0.74 + rng.normal(scale=0.02), 0, 0]]) for _ in range(500)]
    same = compare_distances(frames, frames, (0, 1))
    assert same.wasserstein_A == pytest.approx(0.0, abs=1e-12) and same.histogram_error == pytest.approx(0.0, abs=1e-12)
    longer = [Atoms("H2", positions=a.positions * [1.1, 1, 1]) for a in frames]
    shifted = compare_distances(longer, frames, (0, 1))
    assert shifted.wasserstein_A == pytest.approx(0.074, abs=0.002)  # every distance 10 % longer
    assert shifted.histogram_error > 1.5  # nearly disjoint


def _write_frames(path, energies, forces=True, molecules=None):
    frames = []
    for index, energy in enumerate(energies):
        atoms = (molecules[index] if molecules else from_smiles("O")).copy()
        atoms.calc = SinglePointCalculator(
            atoms, energy=energy, **({"forces": np.zeros((len(atoms), 3))} if forces else {})
        )
        frames.append(atoms)
    write(path, frames, format="extxyz")
    return path


def test_bad_frames_name_the_frame(tmp_path):
    with pytest.raises(ValueError, match="frame 2: the energy is nan"):
        read_training_frames(_write_frames(tmp_path / "nan.extxyz", [1.0, 2.0, np.nan]))
    with pytest.raises(ValueError, match="frame 0: no forces"):
        read_training_frames(_write_frames(tmp_path / "noforces.extxyz", [1.0, 2.0], forces=False))
    mixed = [from_smiles("O"), from_smiles("O"), from_smiles("CCO")]
    with pytest.raises(ValueError, match="frame 2: holds C2H6O .* one molecule"):
        read_training_frames(_write_frames(tmp_path / "mixed.extxyz", [1.0, 2.0, 3.0], molecules=mixed))
    far = from_smiles("O")
    far.positions[2] += [40.0, 0, 0]
    good = _write_frames(tmp_path / "far.extxyz", [1.0, 2.0, 3.0], molecules=[from_smiles("O"), far, from_smiles("O")])
    with pytest.raises(ValueError, match=r"far.extxyz frame 1: atom\(s\) \[2\] have no neighbour"):
        train_forcefield(good, tmp_path / "ff", n_train=2, params={"max_epochs": 1})


def test_a_killed_training_resumes_with_the_same_request(ethanol_frames, tmp_path, capsys):
    from atomlearn.cli import main

    out = tmp_path / "ff"
    arguments = ["forcefield", "train", str(ethanol_frames), "--n-train", "60", "--features", "16"]
    arguments += ["--interactions", "1", "--patience", "500", "--out", str(out)]
    process = subprocess.Popen(
        [sys.executable, "-m", "atomlearn.cli", *arguments, "--epochs", "60"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.time() + 120
    while time.time() < deadline and not (out / "checkpoint.pt").exists():
        time.sleep(0.05)
    time.sleep(0.2)  # a few epochs in (about 0.05 s each on one core), far from the 60th
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert (out / "checkpoint.pt").exists() and not (out / "card.json").exists()
    with pytest.raises(ValueError, match="another training run .*n_train"):
        train_forcefield(ethanol_frames, out, n_train=100)
    assert main([*arguments, "--epochs", "20"]) != 0  # a changed request is refused
    assert "another training run" in capsys.readouterr().err
    assert main([*arguments, "--epochs", "60"]) == 0
    history = json.loads(json.dumps(list(np.loadtxt(out / "history.csv", delimiter=",", skiprows=1)[:, 0])))
    assert history == list(range(1, 61))  # every epoch once: resumed, not restarted or repeated
    capsys.readouterr()
    assert main([*arguments, "--epochs", "20"]) != 0
    assert "already holds a trained force field" in " ".join(capsys.readouterr().err.split())  # kept
    assert main([*arguments, "--epochs", "2", "--overwrite"]) == 0


def test_md_from_the_command_line_writes_the_trajectory_and_numbers(trained, ethanol_frames, tmp_path, capsys):
    from atomlearn.cli import main

    status = main(
        [
            "forcefield",
            "md",
            str(trained.folder),
            str(ethanol_frames),
            "--steps",
            "60",
            "--interval",
            "20",
            "--distance",
            "0,2",
            "--reference",
            str(ethanol_frames),
            "--out",
            str(tmp_path / "md"),
        ]
    )
    numbers = json.loads((tmp_path / "md" / "md.json").read_text())
    assert status == 0 and numbers["stable"] and numbers["n_steps"] == 60
    assert len(read_training_frames(tmp_path / "md" / "md.extxyz")) == 3  # steps 20, 40, 60
    assert numbers["distance"]["name"] == "distance C0–O2" and "Wasserstein" in capsys.readouterr().out
    assert (
        main(
            [
                "forcefield",
                "md",
                str(trained.folder),
                str(ethanol_frames),
                "--distance",
                "0,0",
                "--out",
                str(tmp_path / "bad"),
            ]
        )
        == 2
    )
    assert (
        main(
            [
                "forcefield",
                "md",
                str(trained.folder),
                str(ethanol_frames),
                "--steps",
                "20",
                "--interval",
                "10",
                "--replicas",
                "2",
                "--temperature",
                "300",
                "--out",
                str(tmp_path / "replicas"),
            ]
        )
        == 0
    )
    assert json.loads((tmp_path / "replicas" / "md.json").read_text())["n_replicas"] == 2
    assert len(read_training_frames(tmp_path / "replicas" / "md.extxyz")) == 4  # 2 replicas x steps 10, 20
    assert "of 2 replicas at once" in capsys.readouterr().out


@pytest.mark.parametrize("model", ["soap_krr", "krr_local"])
def test_kernel_force_field_forces_are_the_gradient_of_its_energy(ethanol_frames, tmp_path, model):
    from atomlearn.models.kernel_forcefield import KernelForceField

    result = train_forcefield(ethanol_frames, tmp_path / "krr", model=model, n_train=150)
    metrics = result.metrics
    assert metrics["energy_mae_meV"] < 0.5 * metrics["energy_mae_mean_meV"]
    assert metrics["force_mae_meV_A"] < 0.7 * metrics["force_mae_zero_meV_A"]  # energies only: forces come harder
    atoms = read_training_frames(ethanol_frames).structures[11].copy()
    atoms.calc = Calculator(result.folder)
    forces, step = atoms.get_forces(), 1e-4
    model = load_bundle(result.folder).model
    for atom, axis in [(0, 0), (2, 1), (8, 2)]:  # a carbon, the oxygen, a hydrogen
        plus, minus = atoms.copy(), atoms.copy()
        plus.positions[atom, axis] += step
        minus.positions[atom, axis] -= step
        energy = model.potential()  # float64 throughout (krr_local's predict computes distances in float32)
        numeric = -(energy(plus)[0] - energy(minus)[0]) / (2 * step)
        assert forces[atom, axis] == pytest.approx(numeric, rel=1e-4, abs=1e-5)
    if model == "krr_local":  # the local kernel describes any molecule: the checks below are the SOAP one's
        from atomlearn.cli import main

        assert (
            main(
                [
                    "forcefield",
                    "md",
                    str(result.folder),
                    str(ethanol_frames),
                    "--steps",
                    "40",
                    "--interval",
                    "20",
                    "--out",
                    str(tmp_path / "md"),
                ]
            )
            == 0
        )  # its own 8 Å reach for the lost-atom check
        assert json.loads((tmp_path / "md" / "md.json").read_text())["stable"]
        return
    with pytest.raises(ValueError, match="one molecule"):
        KernelForceField().fit([from_smiles("O"), from_smiles("CCO")], [1.0, 2.0])
    with pytest.raises(ValueError, match="at least 2"):
        KernelForceField().fit([], [])
