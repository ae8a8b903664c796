"""The Boltzmann generator on Noé's double well (the CI benchmark: exact ΔF by quadrature),
its folder, its command line and what it does with bad energies."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from ase import Atoms
from ase.calculators.lj import LennardJones

from atomlearn.cli import main
from atomlearn.sampling import ASEPotential, BoltzmannGenerator, DoubleWell2D, TorchPotential
from atomlearn.sampling.store import load_generator
from atomlearn.sampling.train import train_generator


@pytest.fixture(scope="module")
def double_well_generator(tmp_path_factory):
    torch.set_num_threads(1)
    out = tmp_path_factory.mktemp("bg") / "double-well"
    result = train_generator(
        "double-well",
        out,
        n_samples=10_000,
        iterations=300,
        energy_steps=300,
        n_eval=400_000,
        random_state=0,
        device="cpu",
    )
    return result


@pytest.mark.slow
def test_double_well_free_energy_within_0_05_kT_of_exact_with_ess_above_90(double_well_generator):
    results = double_well_generator.results
    delta = results["free_energy_differences"][0]
    assert delta["reference"] == pytest.approx(4.7773, abs=1e-4)
    assert abs(delta["delta_f"] - delta["reference"]) < 0.05
    assert abs(delta["delta_f"] - delta["reference"]) < 4 * delta["error"] + 0.01  # the error bar is honest
    assert results["ess_percent"] >= 90
    # the training samples are 55 % / 45 %, far from equilibrium (99.2 % / 0.8 %): only the weights fix that
    assert results["n_invalid"] == 0


def test_the_saved_generator_draws_what_the_trained_one_drew(double_well_generator):
    folder = double_well_generator.folder
    loaded = load_generator(folder, DoubleWell2D())
    loaded.sample(400_000, random_state=1)
    delta = loaded.free_energy_difference("left", "right")
    assert delta.delta_f == pytest.approx(
        double_well_generator.results["free_energy_differences"][0]["delta_f"], abs=1e-9
    )
    assert set(loaded.history_) == {"likelihood", "energy"}
    with pytest.raises(ValueError, match="unknown state 'middle'"):
        loaded.free_energy_difference("left", "middle")
    edges, _, profile = loaded.reweighted_histogram(bins=np.linspace(-3, -2, 6))
    assert np.allclose(profile, DoubleWell2D().reference_profile(edges), atol=0.1)


def test_a_changed_or_incomplete_folder_is_refused(double_well_generator, tmp_path):
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(double_well_generator.folder, copy)
    (copy / "flow.pt").write_bytes((copy / "flow.pt").read_bytes()[:-10])
    with pytest.raises(ValueError, match="flow.pt was changed"):
        load_generator(copy, DoubleWell2D())
    (copy / "complete.json").unlink()
    with pytest.raises(ValueError, match="incomplete Boltzmann generator"):
        load_generator(copy, DoubleWell2D())


def test_energies_that_are_not_finite_get_zero_weight_and_are_counted():
    def partly_broken(x):
        u = DoubleWell2D().energy(x)
        return torch.where(x[:, 0] > 2.8, torch.full_like(u, float("nan")), u)

    generator = BoltzmannGenerator(TorchPotential(partly_broken, dim=2), random_state=0, device="cpu")
    generator.fit(DoubleWell2D().training_samples(2000), iterations=100, energy_steps=100)
    x, log_w = generator.sample(20_000, random_state=0)
    broken = x[:, 0] > 2.8
    assert broken.any() and generator.samples_.n_invalid == broken.sum()
    assert np.all(np.isneginf(log_w[broken])) and np.all(np.isfinite(log_w[~broken]))


def test_a_potential_without_finite_energies_stops_the_fit_with_a_message():
    nowhere = TorchPotential(lambda x: x[:, 0] * float("nan"), dim=2)
    with pytest.raises(ValueError, match="no finite energy for most flow samples"):
        BoltzmannGenerator(nowhere, random_state=0, device="cpu", steps_per_epoch=5).fit(energy_steps=100)


def test_an_ase_calculator_is_a_differentiable_potential():
    atoms = Atoms("Ar3", positions=[[0, 0, 0], [3.8, 0, 0], [0, 3.6, 0.3]])
    potential = ASEPotential(atoms, LennardJones(sigma=3.4, epsilon=0.0104, rc=10.0))
    x = torch.tensor(atoms.positions.reshape(1, -1), dtype=torch.float64, requires_grad=True)
    energy = potential.energy(x)
    energy.sum().backward()
    atoms.calc = LennardJones(sigma=3.4, epsilon=0.0104, rc=10.0)
    assert float(energy[0].detach()) == pytest.approx(atoms.get_potential_energy(), rel=1e-12)
    assert np.allclose(x.grad.numpy().reshape(-1, 3), -atoms.get_forces(), atol=1e-12)
    assert potential.thermal_energy(300.0) == pytest.approx(0.025852, rel=1e-4)  # kT at 300 K in eV


def test_the_command_line_trains_draws_and_reports(tmp_path, capsys, render_page):
    out = tmp_path / "bg"
    args = [
        "sample",
        "train",
        "double-well",
        "--out",
        str(out),
        "--samples",
        "2000",
        "--iterations",
        "100",
        "--energy-steps",
        "100",
        "--n-eval",
        "5000",
    ]
    assert main(args) == 0
    assert "ΔF(right − left)" in capsys.readouterr().out
    assert main(args) == 2 and "already holds a trained Boltzmann generator" in " ".join(
        capsys.readouterr().err.split()
    )
    assert main(["sample", "draw", str(out), "--n", "500", "--out", str(tmp_path / "samples.csv")]) == 0
    import pandas as pd

    samples = pd.read_csv(tmp_path / "samples.csv")
    assert list(samples.columns) == ["x1", "x2", "u", "log_q", "log_w"] and len(samples) == 500
    assert np.allclose(samples["log_w"], -samples["u"] - samples["log_q"], atol=1e-5)
    assert main(["sample", "report", str(out), "--n", "5000", "-o", str(tmp_path / "report.html")]) == 0
    errors, sizes = render_page(tmp_path / "report.html")
    assert errors is None, errors
    assert {"profile", "energies", "history"} <= set(sizes) and all(w > 300 and h > 300 for w, h in sizes.values())
    record = json.loads((out / "generator.json").read_text())
    assert record["potential"] == {"system": "double-well"} and record["flow"]["kind"] == "realnvp"


def test_an_interrupted_training_resumes_only_with_the_same_request(tmp_path, capsys):
    out = tmp_path / "bg"
    (out).mkdir()
    (out / "checkpoint-likelihood.pt").write_bytes(b"")
    (out / "training_settings.json").write_text(json.dumps({"system": "double-well", "n_samples": 1}))
    assert main(["sample", "train", "double-well", "--out", str(out), "--iterations", "10"]) == 2
    assert "checkpoint of another training run" in " ".join(capsys.readouterr().err.split())
    assert main(["sample", "report", str(out)]) == 2
    assert "incomplete Boltzmann generator" in " ".join(capsys.readouterr().err.split())


def test_a_reference_that_cannot_be_made_leaves_the_generator_and_says_why(tmp_path, capsys, monkeypatch, render_page):
    from atomlearn.sampling.systems import DoubleWell2D

    def unstable(self, n, random_state=0):
        raise ValueError("the MD fell apart after 0.1 ps")

    monkeypatch.setattr(DoubleWell2D, "reference_samples", unstable)
    out = tmp_path / "bg"
    assert (
        main(
            [
                "sample",
                "train",
                "double-well",
                "--out",
                str(out),
                "--samples",
                "500",
                "--iterations",
                "20",
                "--energy-steps",
                "5",
                "--n-eval",
                "2000",
            ]
        )
        == 0
    )
    printed = " ".join(capsys.readouterr().out.split())
    assert "no reference to compare with: the MD fell apart after 0.1 ps" in printed and "ΔF(right − left) =" in printed
    record = json.loads((out / "generator.json").read_text())
    assert record["results"]["reference_failure"] == "the MD fell apart after 0.1 ps"
    assert main(["sample", "report", str(out), "-o", str(tmp_path / "report.html")]) == 0
    assert "No reference could be made: the MD fell apart" in (tmp_path / "report.html").read_text()
    errors, sizes = render_page(tmp_path / "report.html")
    assert errors is None, errors
