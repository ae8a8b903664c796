"""Importance weights, ESS, free-energy differences and MCMC against closed forms."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from scipy import integrate

from atomlearn.sampling import (
    DoubleWell2D,
    TorchPotential,
    free_energy_difference,
    kish_ess,
    log_importance_weights,
    metropolis,
)
from atomlearn.sampling.reweighting import reweighted_histogram, warn_if_unreliable


def test_ess_of_a_shifted_gaussian_is_exp_minus_mu_squared():
    # q = N(0, 1), p ∝ exp(-(x - μ)²/2): E_q[w²]/E_q[w]² = exp(μ²), so the ESS fraction is exp(-μ²)
    mu, x = 0.7, np.random.default_rng(0).normal(size=400_000)
    log_w = log_importance_weights(0.5 * (x - mu) ** 2, -0.5 * x**2)
    assert kish_ess(log_w) == pytest.approx(100 * np.exp(-(mu**2)), rel=0.02)
    assert kish_ess(np.zeros(10)) == pytest.approx(100.0)
    assert kish_ess(np.array([0.0, -np.inf, -np.inf, -np.inf])) == pytest.approx(25.0)


def test_free_energy_of_counts_and_its_bootstrap_error():
    in_a = np.r_[np.ones(9000, bool), np.zeros(1000, bool)]
    delta = free_energy_difference(np.zeros(10_000), in_a, ~in_a, "a", "b", n_bootstrap=400)
    assert delta.delta_f == pytest.approx(np.log(9.0), abs=1e-12)
    # binomial: var(ln(n_b/n_a)) ≈ 1/(n p (1-p))
    assert delta.error == pytest.approx(np.sqrt(1 / (10_000 * 0.1 * 0.9)), rel=0.15)
    assert (delta.n_a, delta.n_b) == (9000, 1000)


def test_a_state_that_selects_nothing_says_so():
    with pytest.raises(ValueError, match="state 'product' selects none of the 5 samples"):
        free_energy_difference(np.zeros(5), np.ones(5, bool), np.zeros(5, bool), "reactant", "product")


def test_non_finite_energies_get_zero_weight_and_low_ess_warns():
    log_w = log_importance_weights(np.array([1.0, np.inf, np.nan]), np.zeros(3))
    assert log_w[0] == -1.0 and np.all(np.isneginf(log_w[1:]))
    with pytest.warns(UserWarning, match="below 1 %"):
        warn_if_unreliable(0.5)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warn_if_unreliable(5.0)


def test_reweighting_uniform_samples_recovers_a_boltzmann_profile():
    x = np.random.default_rng(1).uniform(-3, 3, 500_000)
    edges, density, free_energy = reweighted_histogram(x, -0.5 * x**2, np.linspace(-2, 2, 21))
    centres = 0.5 * (edges[1:] + edges[:-1])
    expected = 0.5 * centres**2 - (0.5 * centres**2).min()
    assert np.allclose(free_energy, expected, atol=0.05)


def test_double_well_reference_is_the_two_dimensional_integral():
    system = DoubleWell2D()
    exact = system.reference_free_energy("left", "right")
    assert exact == pytest.approx(4.777, abs=1e-3)  # the value quoted for Noé et al.'s double well
    weight = lambda x2, x1: np.exp(-float(system.energy(torch.tensor([[x1, x2]], dtype=torch.float64))[0]))  # noqa: E731
    left = integrate.dblquad(weight, -6, 0, -8, 8, epsabs=0, epsrel=1e-9)[0]
    right = integrate.dblquad(weight, 0, 6, -8, 8, epsabs=0, epsrel=1e-9)[0]
    assert exact == pytest.approx(-np.log(right / left), abs=1e-6)
    reference = system.reference_samples(400_000, random_state=0)
    counted = -np.log((reference[:, 0] >= 0).mean() / (reference[:, 0] < 0).mean())
    assert counted == pytest.approx(exact, abs=0.05)
    assert reference[:, 1].var() == pytest.approx(1.0, rel=0.01)


def test_metropolis_samples_a_harmonic_well():
    harmonic = TorchPotential(lambda x: 0.5 * (x**2).sum(1), dim=2)
    chain = metropolis(harmonic, np.zeros((200, 2)), 2000, 1.0, thin=10, random_state=0)
    samples = chain.flat(burn_in=20)
    assert samples.var(0) == pytest.approx([1.0, 1.0], rel=0.05)
    assert 0.3 < chain.acceptance < 0.8
    with pytest.raises(ValueError, match="starting point"):
        metropolis(TorchPotential(lambda x: torch.log(x[:, 0]) * 0 + np.inf, dim=2), np.zeros((2, 2)), 5, 1.0)


def test_the_reference_error_keeps_the_blocks_that_missed_a_state():
    """A rare state missing from most of the 32 blocks: dropping those blocks (as before) claimed an error 2x too small;
    the delta method over all blocks matches the spread of ΔF over repeated references."""
    from atomlearn.sampling.molecule import log_ratio_error

    rng = np.random.default_rng(0)

    def reference():
        b = rng.binomial(200, 0.004, size=32) / 200  # the rare state's share per block
        return np.column_stack([1 - b, b])

    repeats = [reference() for _ in range(400)]
    spread = np.std([-np.log(f[:, 1].mean() / f[:, 0].mean()) for f in repeats if f[:, 1].mean() > 0])
    stated = np.median([log_ratio_error(f) for f in repeats])
    assert stated == pytest.approx(spread, rel=0.25)
    assert log_ratio_error(np.column_stack([np.ones(32), np.zeros(32)])) == float("inf")
