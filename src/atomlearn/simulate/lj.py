"""Lennard-Jones pair energies: the lecture's toy data for regression and the bias-variance trade-off."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class LennardJones:
    """The Lennard-Jones pair potential V(r) = 4ε[(σ/r)¹² - (σ/r)⁶], minimum -ε at r = 2^(1/6) σ.

    Parameters
    ----------
    epsilon_eV : float
    sigma_A : float
    """

    epsilon_eV: float
    sigma_A: float

    def energy(self, r_A: np.ndarray) -> np.ndarray:
        """Pair energy (eV) at separations ``r_A`` (Å)."""
        ratio6 = (self.sigma_A / np.asarray(r_A, dtype=float)) ** 6
        return 4.0 * self.epsilon_eV * (ratio6 * ratio6 - ratio6)

    @property
    def r_min_A(self) -> float:
        """Separation of the potential minimum, 2^(1/6) σ, in Å."""
        return 2.0 ** (1.0 / 6.0) * self.sigma_A


ARGON = LennardJones(epsilon_eV=0.010318, sigma_A=3.405)  # ε/k_B = 119.8 K (Rowley, Nicholson & Parsonage 1975)


def lj_dataset(
    n: int,
    *,
    noise_eV: float = 0.002,
    r_range_A: tuple[float, float] | None = None,
    potential: LennardJones = ARGON,
    random_state: int | None = 0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Noisy Lennard-Jones energies of random separations: the lecture's regression toy.

    Parameters
    ----------
    n : int
    noise_eV : float
        Standard deviation of the Gaussian noise (eV).
    r_range_A : tuple of float, optional
        Separations drawn uniformly here (default 0.95σ–2.5σ).
    potential : LennardJones
        Argon by default.
    random_state : int or None

    Returns
    -------
    r : ndarray, shape (n, 1)
        Separations (Å).
    y : ndarray, shape (n,)
        V(r) + noise (eV).
    f : ndarray, shape (n,)
        V(r), exact (eV).
    """
    if n < 1:
        raise ValueError(f"n must be positive, got {n}")
    low, high = r_range_A or (0.95 * potential.sigma_A, 2.5 * potential.sigma_A)
    if not 0 < low < high:
        raise ValueError(f"r_range_A must be two increasing positive separations in Å, got {(low, high)}")
    rng = np.random.default_rng(random_state)
    r = rng.uniform(low, high, size=n)
    exact = potential.energy(r)
    return r[:, None], exact + rng.normal(0.0, noise_eV, size=n), exact
