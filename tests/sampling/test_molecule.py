"""A user's molecule as a Boltzmann-generator system: the torsion chosen, the basins found, an
atomlearn force field as the potential (batched, its gradient through the internal coordinates),
the reference MD with that force field, and the command line from MD frames to extended XYZ samples."""

from __future__ import annotations

import ase.io
import numpy as np
import pytest
import torch

from atomlearn.cli import main
from atomlearn.forcefield import Calculator, train_forcefield
from atomlearn.sampling import get_system
from atomlearn.sampling.molecule import basin_boundaries, bonds_of, default_torsion
from atomlearn.sampling.potentials import ForceFieldPotential
from atomlearn.simulate.xtb import MDSettings, xtb_md
from atomlearn.structures import from_smiles


@pytest.mark.parametrize(
    "smiles, expected",
    [("CCO", ("C", "C", "O", "H")), ("CCCC", ("C", "C", "C", "C")), ("OCC(C)C", ("O", "C", "C", "C"))],
)
def test_the_default_torsion_turns_about_a_bond_that_is_not_a_symmetric_rotor(smiles, expected):
    molecule = from_smiles(smiles)
    bonds = bonds_of(molecule.numbers, molecule.positions)
    torsion = default_torsion(molecule.numbers, bonds)
    assert tuple(molecule.get_chemical_symbols()[i] for i in torsion) == expected
    assert all(tuple(sorted(pair)) in bonds for pair in zip(torsion, torsion[1:]))


def test_a_molecule_without_a_torsion_worth_following_is_told_to_give_one():
    ethane = from_smiles("CC")
    with pytest.raises(ValueError, match="no rotatable bond .*--torsion"):
        default_torsion(ethane.numbers, bonds_of(ethane.numbers, ethane.positions))


def test_the_basins_of_a_three_fold_torsion_are_split_between_its_wells():
    rng = np.random.default_rng(0)
    angles = np.concatenate([rng.vonmises(np.radians(centre), 8.0, 3000) for centre in (-60, 60, 180)])
    boundaries = basin_boundaries(np.degrees(angles))
    assert len(boundaries) == 3
    assert np.allclose(sorted(boundaries), [-120, 0, 120], atol=15)


@pytest.fixture(scope="module")
def ethanol(tmp_path_factory):
    """40 xTB frames of ethanol at 500 K and a small PaiNN force field trained on them."""
    folder = tmp_path_factory.mktemp("ethanol")
    frames = folder / "ethanol.extxyz"
    xtb_md(from_smiles("CCO"), frames, 40, MDSettings(temperature_K=500, equilibration_steps=200))
    small = {"n_features": 32, "n_interactions": 2, "learning_rate": 2e-3, "batch_size": 8, "max_epochs": 20}
    train_forcefield(frames, folder / "ff", model="painn", n_train=32, params=small)
    return frames, folder / "ff"


def test_the_force_field_energy_and_its_gradient_reach_the_internal_coordinates(ethanol):
    frames, ff = ethanol
    system = get_system("molecule", frames=str(frames), potential_source=str(ff), boundaries=[-120.0, 0.0, 120.0])
    system.cartesian = ForceFieldPotential(ff, system.atomic_numbers, dtype="float64")  # for the finite differences
    z = system.training_samples(4)
    atoms = ase.io.read(frames, index=0)
    atoms.calc = Calculator(ff)
    rebuilt = system.to_atoms(z[:1])[0]  # the same molecule, moved and turned: the same energy
    rebuilt.calc = Calculator(ff)
    assert rebuilt.get_potential_energy() == pytest.approx(atoms.get_potential_energy(), abs=1e-4)
    kT = system.thermal_energy(system.temperature)
    z_tensor = torch.as_tensor(z).clone().requires_grad_(True)
    u = system.reduced(z_tensor, system.temperature)
    expected = atoms.get_potential_energy() / kT - float(system.zmatrix.log_jacobian(z_tensor.detach()[:1])[0])
    assert float(u[0].detach()) == pytest.approx(expected, abs=1e-2)
    u.sum().backward()
    eps, column = 1e-5, 8  # a torsion
    plus, minus = (torch.as_tensor(z[:1]).clone() for _ in range(2))
    plus[0, column] += eps
    minus[0, column] -= eps
    numeric = float(system.reduced(plus, system.temperature) - system.reduced(minus, system.temperature)) / (2 * eps)
    assert float(z_tensor.grad[0, column]) == pytest.approx(numeric, rel=1e-4)
    assert set(system.states) == {"[-120°, 0°)", "[0°, 120°)", "[120°, -120°)"}
    inside = np.stack([state(z) for state in system.states.values()])
    assert (inside.sum(axis=0) == 1).all()  # every sample in exactly one state


def test_xtb_plugs_in_and_gives_the_energies_of_the_md_that_wrote_the_frames(ethanol):
    frames, _ = ethanol
    system = get_system("molecule", frames=str(frames), potential_source="xtb")
    written = ase.io.read(frames, index=":2")
    x = torch.as_tensor(np.array([a.positions.ravel() for a in written]))
    energies = system.cartesian.energy(x).numpy()
    assert np.allclose(energies, [a.get_potential_energy() for a in written], atol=1e-5)


def test_a_broken_sample_has_infinite_energy_and_the_others_keep_theirs(ethanol):
    frames, ff = ethanol
    system = get_system("molecule", frames=str(frames), potential_source=str(ff))
    x = np.array([a.positions.ravel() for a in ase.io.read(frames, index=":3")])
    x[1, :3] += 50.0  # atom 0 flies off: no neighbour within the cutoff
    energies = system.cartesian.energy(torch.as_tensor(x)).numpy()
    assert np.isinf(energies[1]) and np.isfinite(energies[[0, 2]]).all()


def test_frames_and_a_force_field_train_draw_and_report_from_the_command_line(ethanol, tmp_path, capsys):
    frames, ff = ethanol
    out = tmp_path / "bg"
    assert (
        main(
            [
                "sample",
                "train",
                str(frames),
                "--potential",
                str(ff),
                "--out",
                str(out),
                "--boundaries=-120,0,120",
                "--samples",
                "40",
                "--iterations",
                "20",
                "--energy-steps",
                "5",
                "--n-eval",
                "300",
                "--reference-ns",
                "0.002",
            ]
        )
        == 0
    )
    printed = " ".join(capsys.readouterr().out.split())
    assert "ΔF([0°, 120°) − [-120°, 0°))" in printed and "molecule (spline)" in printed
    assert main(["sample", "draw", str(out), "--n", "50", "--out", str(tmp_path / "samples.extxyz")]) == 0
    drawn = ase.io.read(tmp_path / "samples.extxyz", index=":")
    assert len(drawn) == 50 and drawn[0].get_chemical_formula() == "C2H6O"
    assert {"u", "log_q", "log_w"} <= set(drawn[0].info)
    assert main(["sample", "report", str(out), "-o", str(tmp_path / "report.html"), "--n", "200"]) == 0
    assert "torsion" in (tmp_path / "report.html").read_text()


@pytest.mark.parametrize(
    "argv, message",
    [
        (["sample", "train", "nothing.extxyz", "--out", "x"], "need a potential: --potential FF_DIR"),
        (["sample", "train", "double-well", "--potential", "xtb", "--out", "x"], "comes with its own potential"),
        (["sample", "train", "double-well", "--torsion", "0,1,2,3", "--out", "x"], "only for FRAMES"),
        (["sample", "train", "argon", "--out", "x"], "unknown system 'argon'"),
        (["sample", "train", "f.extxyz", "--potential", "openmm:villin", "--out", "x"], "alanine-dipeptide"),
    ],
)
def test_a_wrong_sampling_request_is_refused_with_what_to_do(argv, message, capsys):
    assert main(argv) != 0
    assert message in capsys.readouterr().err


def test_broken_frames_are_refused_by_frame(tmp_path):
    ethanol, water = from_smiles("CCO"), from_smiles("O")
    broken = ethanol.copy()
    broken.positions[3, 1] = np.nan
    for name, frames, message in (
        ("nan.extxyz", [ethanol, broken], "coordinates contain NaN"),
        ("mixed.extxyz", [ethanol, water], "frame 1: holds H2O"),
    ):
        ase.io.write(tmp_path / name, frames, format="extxyz")
        with pytest.raises(ValueError, match=message):
            get_system("molecule", frames=str(tmp_path / name), potential_source="xtb")
