"""Equivariant flow matching on the particle systems: symmetries of the velocity field, the exact
log-density of the ODE, the particle potentials, and learning on DW-4."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from scipy.stats import wasserstein_distance

from atomlearn.sampling import BoltzmannGenerator, get_system
from atomlearn.sampling.flow_matching import FlowMatchingFlow, align_prior
from atomlearn.sampling.flows import FlowSpec
from atomlearn.sampling.particles import remove_mean


def _rotation_3d(seed: int) -> torch.Tensor:
    q, _ = torch.linalg.qr(torch.randn(3, 3, generator=torch.Generator().manual_seed(seed), dtype=torch.float64))
    return q * torch.sign(torch.linalg.det(q))


def test_the_velocity_field_is_equivariant_and_keeps_the_centre():
    torch.manual_seed(0)
    flow = FlowMatchingFlow(FlowSpec("flow-matching", dim=15, n_particles=5, spatial_dim=3)).double()
    x, t = torch.randn(6, 15, dtype=torch.float64), torch.rand(6, dtype=torch.float64)
    v = flow.velocity(x, t).reshape(6, 5, 3)
    rotation = _rotation_3d(1)
    rotated = flow.velocity((x.reshape(6, 5, 3) @ rotation.T).reshape(6, -1), t).reshape(6, 5, 3)
    assert torch.allclose(rotated, v @ rotation.T, atol=1e-10)
    order = [3, 0, 4, 1, 2]
    permuted = flow.velocity(x.reshape(6, 5, 3)[:, order].reshape(6, -1), t).reshape(6, 5, 3)
    assert torch.allclose(permuted, v[:, order], atol=1e-10)
    shifted = flow.velocity(
        (x.reshape(6, 5, 3) + torch.tensor([1.0, -2.0, 0.5], dtype=torch.float64)).reshape(6, -1), t
    )
    assert torch.allclose(shifted.reshape(6, 5, 3), v, atol=1e-10)
    assert torch.allclose(v.sum(1), torch.zeros(6, 3, dtype=torch.float64), atol=1e-12)


def test_the_ode_log_density_is_exact_and_invertible():
    torch.manual_seed(0)
    flow = FlowMatchingFlow(FlowSpec("flow-matching", dim=8, n_particles=4, spatial_dim=2, ode_steps=20)).double()
    for layer in flow.velocity.coordinate:  # a field far from zero, so the test has something to check
        torch.nn.init.normal_(layer[-1].weight, std=0.3)
    x, log_q = flow.sample_and_log_prob(20)
    assert torch.allclose(x.reshape(20, 4, 2).sum(1), torch.zeros(20, 2, dtype=torch.float64), atol=1e-10)
    assert torch.allclose(flow.log_prob(x), log_q, atol=1e-5)  # back to the prior along the same path
    # the divergence is the trace of the Jacobian, checked against finite differences
    point, eps = x[:1].clone(), 1e-6
    _, divergence = flow._velocity_and_divergence(point, 0.4)
    with torch.no_grad():
        trace = sum(
            float(
                (
                    flow.velocity(
                        point + eps * torch.eye(8, dtype=torch.float64)[i], torch.tensor([0.4], dtype=torch.float64)
                    )
                    - flow.velocity(
                        point - eps * torch.eye(8, dtype=torch.float64)[i], torch.tensor([0.4], dtype=torch.float64)
                    )
                )[0, i]
            )
            / (2 * eps)
            for i in range(8)
        )
    assert float(divergence[0]) == pytest.approx(trace, rel=1e-6)
    # the prior is the standard Gaussian on the centred (N-1)d subspace: E[|x|²] = (N-1)d
    prior = remove_mean(torch.randn(100_000, 8, dtype=torch.float64), 4, 2)
    assert float((prior**2).sum(1).mean()) == pytest.approx(6.0, rel=0.01)


def test_alignment_permutes_and_rotates_without_changing_the_prior_sample():
    rng = np.random.default_rng(0)
    x0, x1 = remove_mean(rng.normal(size=(50, 39)), 13, 3), remove_mean(rng.normal(size=(50, 39)), 13, 3)
    aligned = align_prior(x0, x1, 13, 3)
    assert np.allclose(np.linalg.norm(aligned, axis=1), np.linalg.norm(x0, axis=1))  # an isometry
    assert np.all(np.linalg.norm(aligned - x1, axis=1) <= np.linalg.norm(x0 - x1, axis=1) + 1e-12)
    assert np.allclose(
        np.sort(np.linalg.norm(aligned.reshape(50, 13, 3), axis=2), 1),
        np.sort(np.linalg.norm(x0.reshape(50, 13, 3), axis=2), 1),
    )  # same particles, moved rigidly


def test_particle_potentials_match_their_definitions():
    dw4, lj13 = get_system("dw4"), get_system("lj13")
    square = torch.tensor([[0.0, 0, 4, 0, 4, 4, 0, 4]], dtype=torch.float64)  # 4 sides of 4, 2 diagonals of 4√2
    d = 4 * np.sqrt(2) - 4
    assert float(dw4.energy(square)) == pytest.approx(2 * (-4 * d**2 + 0.9 * d**4))
    positions = torch.zeros(13, 3, dtype=torch.float64)
    positions[1, 0] = 1.0  # particle 1 at the pair minimum r_m from particle 0
    positions[2:, 0] = 100.0 * torch.arange(2, 13)  # the others far apart on a line
    pair = positions.reshape(1, -1)
    lj = float(lj13.energy(pair)) - 0.5 * float((remove_mean(pair, 13, 3) ** 2).sum())
    assert lj == pytest.approx(2 * -1.0, abs=1e-6)  # the EFM convention: both orders of the pair, depth ε each
    icosahedron = torch.as_tensor(lj13.starting_points())
    assert float(lj13.energy(icosahedron)) < -75  # a bound cluster


def test_flow_matching_learns_dw4():
    torch.manual_seed(0)
    system = get_system("dw4")
    samples, reference = system.training_samples(4000), system.reference_samples(4000)
    reference_u = system.reduced(torch.as_tensor(reference), 1.0).numpy()
    prior = remove_mean(torch.randn(4000, 8, dtype=torch.float64), 4, 2)
    prior_w1 = wasserstein_distance(system.reduced(prior, 1.0).numpy(), reference_u)  # ~140 kT
    small = FlowSpec("flow-matching", dim=8, n_particles=4, spatial_dim=2, hidden=32, n_layers=3, ode_steps=10)
    trained = BoltzmannGenerator(system, flow=small, random_state=0, device="cpu").fit(samples, iterations=600)
    trained.sample(400, random_state=1)
    assert trained.samples_.n_invalid == 0
    assert wasserstein_distance(trained.samples_.reduced_energies, reference_u) < 0.05 * prior_w1
    # the ESS floor of this small run (26-29 % over three draws; the full size in docs/guide/sampling.md)
    assert trained.ess() > 10.0
    with pytest.raises(ValueError, match="learns from samples only"):
        BoltzmannGenerator(system, flow="flow-matching", device="cpu").fit(samples, energy_steps=10)
    with pytest.raises(ValueError, match="systems of identical particles"):
        BoltzmannGenerator(get_system("double-well"), flow="flow-matching", device="cpu")
