"""Particle systems of the equivariant-flow literature (Köhler, Klein, Noé, ICML 2020; Klein,
Krämer, Noé, NeurIPS 2023), in reduced units (kT = 1):

* ``dw4``: 4 particles in 2D with the double-well pair potential
  u = Σ_{i<j} [a (r_ij − d₀) + b (r_ij − d₀)² + c (r_ij − d₀)⁴], a = 0, b = −4, c = 0.9, d₀ = 4;
* ``lj13``: 13 particles in 3D, Lennard-Jones (ε = 1, r_m = 1)
  u = 2 Σ_{i<j} [(r_m/r)¹² − 2 (r_m/r)⁶] + ½ Σ_i |x_i − x̄|² (a harmonic tether to the centre of mass),
  the LJ-13 of equivariant flow matching (its pair sum runs over ordered pairs; with half of it,
  bgflow's older definition, the cluster evaporates at this temperature).

Both are invariant under rotations, translations and permutations of the particles, so their
flows are equivariant and act on centred coordinates (``remove_mean``). Their reference is long
Metropolis MCMC (no closed form): energy distributions and pair-distance histograms.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from atomlearn.sampling.systems import System


def remove_mean(x: torch.Tensor | np.ndarray, n_particles: int, spatial_dim: int):
    """Coordinates (n, n_particles·spatial_dim) with each sample's centre of mass moved to the origin."""
    shaped = x.reshape(len(x), n_particles, spatial_dim)
    return (shaped - shaped.mean(1, keepdims=True)).reshape(len(x), -1)


def pair_distances(x: torch.Tensor, n_particles: int, spatial_dim: int) -> torch.Tensor:
    """All distances r_ij, i < j, shape (n, n_particles(n_particles−1)/2)."""
    shaped = x.reshape(len(x), n_particles, spatial_dim)
    i, j = torch.triu_indices(n_particles, n_particles, offset=1)
    return torch.linalg.vector_norm(shaped[:, i] - shaped[:, j], dim=-1)


@dataclass
class ParticleSystem(System):
    """Identical particles in ``spatial_dim`` dimensions; samples are flattened (n, n_particles·spatial_dim)."""

    n_particles: int = 0
    spatial_dim: int = 0
    step_size: float = 0.1
    reference_description: str = "long Metropolis MCMC (independent of the flow's training samples)"
    cv_label: str = "pair distance"
    default_flow: str = "flow-matching"

    def __post_init__(self) -> None:
        self.dim = self.n_particles * self.spatial_dim

    def distances(self, x: np.ndarray) -> np.ndarray:
        """Pair distances of samples, shape (n, n_pairs)."""
        return pair_distances(torch.as_tensor(np.asarray(x)), self.n_particles, self.spatial_dim).numpy()

    def collective_variable(self, x: np.ndarray) -> np.ndarray:
        """Every pair distance, pooled (the distance histogram): shape (n · n_pairs,)."""
        return self.distances(x).ravel()

    def mcmc(
        self, n: int, random_state: int | None = 0, walkers: int = 100, burn_in_steps: int = 2000, thin: int = 10
    ) -> np.ndarray:
        """About n centred equilibrium samples from ``walkers`` Metropolis chains after ``burn_in_steps``."""
        from atomlearn.sampling.mcmc import metropolis

        rng = np.random.default_rng(random_state)
        start = self.starting_points()[rng.integers(0, len(self.starting_points()), walkers)]
        per_walker = max(1, -(-n // walkers))
        chain = metropolis(
            self, start, burn_in_steps + per_walker * thin, self.step_size, thin=thin, random_state=random_state
        )
        samples = chain.samples[burn_in_steps // thin :].reshape(-1, self.dim)
        return remove_mean(samples, self.n_particles, self.spatial_dim)[:n]

    def training_samples(self, n: int, random_state: int | None = 0) -> np.ndarray:
        return self.mcmc(n, random_state=random_state)

    def reference_samples(self, n: int, random_state: int | None = 0) -> np.ndarray:
        return self.mcmc(n, random_state=1000 + (random_state or 0))


@dataclass
class DoubleWellParticles(ParticleSystem):
    """DW-4: 4 particles in 2D with a double-well pair potential (Köhler et al. 2020)."""

    a: float = 0.0
    b: float = -4.0
    c: float = 0.9
    d0: float = 4.0
    name: str = "dw4"
    n_particles: int = 4
    spatial_dim: int = 2
    step_size: float = 0.5

    def energy(self, x: torch.Tensor) -> torch.Tensor:
        d = pair_distances(x, self.n_particles, self.spatial_dim) - self.d0
        return (self.a * d + self.b * d**2 + self.c * d**4).sum(-1)

    def starting_points(self) -> np.ndarray:
        square = np.array([[0, 0], [4, 0], [4, 4], [0, 4]], dtype=float)
        return remove_mean(square.reshape(1, -1), 4, 2)


@dataclass
class LennardJonesCluster(ParticleSystem):
    """LJ-13: 13 Lennard-Jones particles in 3D with a harmonic tether to their centre (Köhler et al. 2020)."""

    epsilon: float = 1.0
    r_min: float = 1.0
    tether: float = 1.0
    name: str = "lj13"
    n_particles: int = 13
    spatial_dim: int = 3
    step_size: float = 0.05

    def energy(self, x: torch.Tensor) -> torch.Tensor:
        ratio = (self.r_min / pair_distances(x, self.n_particles, self.spatial_dim)) ** 6
        lj = 2.0 * self.epsilon * (ratio**2 - 2 * ratio).sum(-1)
        centred = remove_mean(x, self.n_particles, self.spatial_dim)
        return lj + 0.5 * self.tether * (centred**2).sum(-1)

    def starting_points(self) -> np.ndarray:
        """The 13-atom icosahedron (its LJ minimum), scaled to the pair minimum r_m."""
        golden = (1 + np.sqrt(5)) / 2
        vertices = np.array([[0, s1, s2 * golden] for s1 in (-1, 1) for s2 in (-1, 1)])
        vertices = np.concatenate([vertices, np.roll(vertices, 1, axis=1), np.roll(vertices, 2, axis=1)])
        vertices *= self.r_min / 2.0  # vertex to centre 0.951 r_m, edge r_m·1.05
        return np.concatenate([np.zeros((1, 3)), vertices]).reshape(1, -1)
