"""From flow samples to equilibrium estimates: importance weights w ∝ exp(−u(x))/q(x), the Kish
effective sample size, free-energy differences between states with bootstrap error bars, and
reweighted profiles along a collective variable.

Everything works on log-weights (no overflow); a sample with an infinite or NaN energy has
log-weight −inf (weight zero) and is counted, not dropped silently.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from scipy.special import logsumexp

LOW_ESS_PERCENT = 1.0


def log_importance_weights(reduced_energies: np.ndarray, log_q: np.ndarray) -> np.ndarray:
    """log w = −u(x) − log q(x) of flow samples.

    Parameters
    ----------
    reduced_energies : ndarray, shape (n,)
        u = U/kT.
    log_q : ndarray, shape (n,)
        The flow's log density.

    Returns
    -------
    ndarray, shape (n,)
        −inf where the energy is not finite.
    """
    u, log_q = np.asarray(reduced_energies, dtype=float), np.asarray(log_q, dtype=float)
    log_w = -u - log_q
    return np.where(np.isfinite(u) & np.isfinite(log_q), log_w, -np.inf)


def kish_ess(log_w: np.ndarray) -> float:
    """Kish effective sample size as a percentage of the samples: 100 (Σw)²/(n Σw²).

    Parameters
    ----------
    log_w : ndarray, shape (n,)
        Log importance weights (−inf for weight 0).

    Returns
    -------
    float
        Percent (0-100).
    """
    log_w = np.asarray(log_w, dtype=float)
    if len(log_w) == 0 or not np.any(np.isfinite(log_w)):
        return 0.0
    return float(100.0 * np.exp(2 * logsumexp(log_w) - logsumexp(2 * log_w)) / len(log_w))


def warn_if_unreliable(ess_percent: float) -> None:
    """Warn when the ESS is below 1 %: a handful of samples carry the estimate.

    Parameters
    ----------
    ess_percent : float
    """
    if ess_percent < LOW_ESS_PERCENT:
        warnings.warn(
            f"effective sample size {ess_percent:.2g} % is below {LOW_ESS_PERCENT:g} %: a few samples carry "
            "all the weight, so reweighted estimates are unreliable; train longer or with more samples",
            stacklevel=2,
        )


@dataclass(frozen=True)
class FreeEnergyDifference:
    """ΔF = F_b − F_a in kT with its bootstrap standard error and the samples each state holds."""

    state_a: str
    state_b: str
    delta_f: float
    error: float
    n_a: int
    n_b: int

    def as_dict(self) -> dict:
        """The fields as a plain dict (for JSON)."""
        return dict(self.__dict__)


def _delta_f(log_w: np.ndarray, in_a: np.ndarray, in_b: np.ndarray) -> float:
    return float(-(logsumexp(log_w[in_b]) - logsumexp(log_w[in_a])))


def free_energy_difference(
    log_w: np.ndarray,
    in_a: np.ndarray,
    in_b: np.ndarray,
    state_a: str = "a",
    state_b: str = "b",
    n_bootstrap: int = 200,
    random_state: int | None = 0,
) -> FreeEnergyDifference:
    """ΔF = −ln(Σ_{x∈b} w / Σ_{x∈a} w) in kT; its error is the standard deviation over bootstrap resamples.

    Parameters
    ----------
    log_w : ndarray, shape (n,)
        Log importance weights (all zeros for equilibrium samples, e.g. from MCMC).
    in_a, in_b : ndarray of bool, shape (n,)
        Which samples belong to each state.

    Returns
    -------
    FreeEnergyDifference
        ΔF = F_b − F_a (kT), its bootstrap standard error and the samples each state holds.
    """
    log_w, in_a, in_b = np.asarray(log_w, dtype=float), np.asarray(in_a, bool), np.asarray(in_b, bool)
    for name, mask in ((state_a, in_a), (state_b, in_b)):
        if not np.any(mask & np.isfinite(log_w)):
            raise ValueError(
                f"state {name!r} selects none of the {len(log_w)} samples (with finite weight); "
                "check its definition or draw more samples"
            )
    rng = np.random.default_rng(random_state)
    resampled = []
    for _ in range(n_bootstrap):
        rows = rng.integers(0, len(log_w), len(log_w))
        w, a, b = log_w[rows], in_a[rows], in_b[rows]
        if np.any(a & np.isfinite(w)) and np.any(b & np.isfinite(w)):
            resampled.append(_delta_f(w, a, b))
    error = float(np.std(resampled, ddof=1)) if len(resampled) > 1 else float("inf")
    return FreeEnergyDifference(state_a, state_b, _delta_f(log_w, in_a, in_b), error, int(in_a.sum()), int(in_b.sum()))


def reweighted_histogram(
    cv: np.ndarray, log_w: np.ndarray, bins: int | np.ndarray = 50, range_: tuple[float, float] | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Reweighted probability density and free-energy profile along a collective variable.

    Parameters
    ----------
    cv : ndarray, shape (n,)
    log_w : ndarray, shape (n,)
        Log importance weights.
    bins : int or ndarray
    range_ : tuple of float, optional

    Returns
    -------
    edges : ndarray, shape (n_bins + 1,)
    density : ndarray, shape (n_bins,)
        Normalized probability density.
    free_energy : ndarray, shape (n_bins,)
        −ln density in kT, shifted to minimum 0; +inf in empty bins.
    """
    cv, log_w = np.asarray(cv, dtype=float), np.asarray(log_w, dtype=float)
    used = np.isfinite(log_w) & np.isfinite(cv)
    weights = np.exp(log_w[used] - logsumexp(log_w[used]))
    density, edges = np.histogram(cv[used], bins=bins, range=range_, weights=weights, density=True)
    with np.errstate(divide="ignore"):
        free_energy = -np.log(density)
    free_energy -= np.min(free_energy[np.isfinite(free_energy)]) if np.any(np.isfinite(free_energy)) else 0.0
    return edges, density, free_energy
