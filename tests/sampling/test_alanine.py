"""Alanine dipeptide in internal coordinates: the Z-matrix and its Jacobian, the OpenMM energy and
its gradient through the internal coordinates, the Ramachandran states, and the command line."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch.autograd.functional import jacobian

from atomlearn.cli import main
from atomlearn.sampling import get_system


@pytest.fixture(scope="module")
def alanine(tmp_path_factory):
    system = get_system("alanine-dipeptide", reference_ns=0.02)
    system.samples = system.training_samples(100, random_state=0)
    return system


def test_internal_coordinates_round_trip_and_their_jacobian_is_r2_sin_theta(alanine):
    zmatrix = alanine.zmatrix
    z = torch.as_tensor(alanine.samples[:3])
    x = zmatrix.to_cartesian(z)
    assert np.allclose(
        alanine._potential.wrap(zmatrix.to_internal(x).numpy()), z.numpy(), atol=1e-10
    )  # torsions mod 2π

    def full_log_det(point: torch.Tensor) -> float:  # (z, translation, rotation) -> x, at the identity motion
        columns = jacobian(lambda q: zmatrix.to_cartesian(q[None])[0], point)
        positions = zmatrix.to_cartesian(point[None])[0].reshape(-1, 3)
        motions = []
        for axis in torch.eye(3, dtype=torch.float64):
            motions += [axis.repeat(22), torch.cross(axis.expand_as(positions), positions, dim=-1).reshape(-1)]
        return float(torch.linalg.slogdet(torch.cat([columns, torch.stack(motions, 1)], 1))[1])

    numeric = np.array([full_log_det(point) for point in z])
    analytic = zmatrix.log_jacobian(z).numpy()
    assert np.allclose(numeric - numeric[0], analytic - analytic[0], atol=1e-8)


def test_the_energy_is_openmm_s_and_its_gradient_reaches_the_internal_coordinates(alanine):
    import openmm

    z = torch.as_tensor(alanine.samples[:2]).clone().requires_grad_(True)
    u = alanine.reduced(z, 300.0)
    positions = alanine.zmatrix.to_cartesian(z.detach()).reshape(2, 22, 3).numpy()
    context = openmm.Context(
        alanine.openmm_system, openmm.VerletIntegrator(0.001), openmm.Platform.getPlatformByName("Reference")
    )
    context.setPositions(positions[0])
    energy = context.getState(getEnergy=True).getPotentialEnergy()._value
    expected = energy / (0.0083144626 * 300.0) - float(alanine.zmatrix.log_jacobian(z.detach()[:1])[0])
    assert float(u[0].detach()) == pytest.approx(expected, abs=1e-3)
    u.sum().backward()
    eps, column = 1e-5, 17
    plus, minus = z.detach()[:1].clone(), z.detach()[:1].clone()
    plus[0, column] += eps
    minus[0, column] -= eps
    numeric = float(alanine.reduced(plus, 300.0) - alanine.reduced(minus, 300.0)) / (2 * eps)
    assert float(z.grad[0, column]) == pytest.approx(numeric, rel=1e-4)


def test_samples_outside_the_torsion_periods_have_zero_weight(alanine):
    z = torch.as_tensor(alanine.samples[:2]).clone()
    column = alanine.zmatrix.torsion_columns[0]
    z[1, column] += 2 * np.pi  # the same molecule, outside the period the flow's density is defined on
    u = alanine.reduced(z, 300.0)
    assert np.isfinite(float(u[0])) and float(u[1]) == float("inf")


def test_the_states_split_the_phi_below_zero_half_of_the_ramachandran_plot(alanine):
    phi, psi = alanine.ramachandran(alanine.samples)
    assert np.all(phi < 0)  # L-alanine at 300 K: φ > 0 (C7ax, αL) is rare
    in_beta, in_alpha = alanine.states["beta"](alanine.samples), alanine.states["alpha_R"](alanine.samples)
    assert not np.any(in_beta & in_alpha) and np.all(in_beta | in_alpha)
    assert np.array_equal(in_alpha, (psi >= -120) & (psi < 50))


def test_the_command_line_trains_and_reports_with_a_ramachandran_plot(tmp_path, capsys, render_page):
    out = tmp_path / "bg"
    assert (
        main(
            [
                "sample",
                "train",
                "alanine-dipeptide",
                "--samples",
                "300",
                "--iterations",
                "30",
                "--energy-steps",
                "5",
                "--n-eval",
                "300",
                "--reference-ns",
                "0.02",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    printed = " ".join(capsys.readouterr().out.split())
    assert "ΔF(alpha_R − beta)" in printed
    assert main(["sample", "report", str(out), "-o", str(tmp_path / "report.html")]) == 0
    errors, sizes = render_page(tmp_path / "report.html")
    assert errors is None, errors
    assert {"profile", "energies", "ramachandran", "history"} <= set(sizes)
