"""Error bars of correlated series (simulate/equilibration.py) against what is known exactly: an AR(1) series
has statistical inefficiency g = (1 + φ)/(1 − φ), a relaxing start is cut, and a series too short, constant
or drifting is flagged rather than given a confident error bar."""

import numpy as np
import pytest

from atomlearn.simulate.equilibration import MIN_EFFECTIVE_SAMPLES, estimate_mean


def ar1(n, phi, rng, start=0.0):
    x = np.empty(n)
    x[0] = start
    noise = rng.normal(size=n) * np.sqrt(1 - phi**2)
    for i in range(1, n):
        x[i] = phi * x[i - 1] + noise[i]
    return x


def test_the_statistical_inefficiency_of_an_ar1_series_is_the_exact_one():
    rng = np.random.default_rng(0)
    phi = 0.9  # g = 19, so 40,000 samples hold about 2,100 independent ones
    estimate = estimate_mean(ar1(40_000, phi, rng))
    assert estimate.statistical_inefficiency[0] == pytest.approx((1 + phi) / (1 - phi), rel=0.15)
    assert estimate.converged and estimate.equilibrated_from < 2_000


def test_the_standard_error_covers_the_spread_of_independent_runs():
    rng = np.random.default_rng(1)
    runs = [estimate_mean(ar1(5_000, 0.8, rng)) for _ in range(200)]
    means = np.array([r.mean[0] for r in runs])
    stated = np.median([r.standard_error[0] for r in runs])
    assert stated == pytest.approx(means.std(), rel=0.2)  # the naive σ/√n would be 3x too small
    assert np.mean(np.abs(means) < 2 * np.array([r.standard_error[0] for r in runs])) > 0.9


def test_a_relaxing_start_is_cut_and_the_mean_is_that_of_the_equilibrium():
    rng = np.random.default_rng(2)
    series = ar1(6_000, 0.5, rng) + 3.0
    series[:500] += np.linspace(-3.0, 0.0, 500)  # the loading rising from an empty framework
    estimate = estimate_mean(series)
    assert 300 <= estimate.equilibrated_from <= 1_200
    assert abs(estimate.mean[0] - 3.0) < 3 * estimate.standard_error[0]
    assert abs(series.mean() - 3.0) > 3 * estimate.standard_error[0]  # the plain mean would be biased


def test_short_constant_and_drifting_series_are_flagged():
    rng = np.random.default_rng(3)
    short = estimate_mean(ar1(60, 0.95, rng))
    assert not short.converged and "independent samples" in " ".join(short.problems)
    assert short.effective_samples < MIN_EFFECTIVE_SAMPLES
    constant = estimate_mean(np.full((500, 2), 4.0))
    assert not constant.converged and "never changed" in constant.problems[0]
    drifting = estimate_mean(np.linspace(0.0, 5.0, 4_000) + rng.normal(scale=0.1, size=4_000), what="the loading")
    assert not drifting.converged and "the loading" in drifting.problems[0]


def test_components_share_one_equilibration_point():
    rng = np.random.default_rng(4)
    a, b = ar1(4_000, 0.3, rng), ar1(4_000, 0.3, rng)
    b[:800] += np.linspace(-5.0, 0.0, 800)  # only the second gas still relaxes
    estimate = estimate_mean(np.column_stack([a, b]))
    assert estimate.equilibrated_from >= 400 and estimate.mean.shape == (2,)
