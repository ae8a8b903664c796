"""Equivariant flow matching (Klein, Krämer, Noé, NeurIPS 2023; Lipman et al. 2023): a continuous
normalizing flow for identical particles whose velocity field is an E(n)-equivariant graph network
(EGNN, Satorras et al. 2021), trained by regressing straight-line velocities between prior samples
and data samples, then integrated as an ODE with its exact log-density.

* Prior: an isotropic Gaussian on centred coordinates (the centre of mass removed, (N−1)·d degrees
  of freedom). The velocity field is translation invariant, rotation and permutation equivariant,
  and keeps the centre at the origin, so q is invariant under the symmetries of the potential.
* Training: x_t = (1 − t) x₀ + t x₁ with target x₁ − x₀, where each prior sample x₀ is first
  permuted (Hungarian assignment) and rotated (Kabsch) onto its data sample x₁: the prior is
  invariant to both, so the coupling stays valid and the paths are shorter and straighter.
* Sampling: 4th-order Runge-Kutta on [0, 1]; log q(x₁) = log p₀(x₀) − ∫ ∇·v dt with the exact
  divergence (one backward pass per coordinate; cheap for tens of coordinates).
"""

from __future__ import annotations

import math

import numpy as np
import torch
from scipy.optimize import linear_sum_assignment
from torch import nn

from atomlearn.sampling.particles import remove_mean


class EGNNVelocity(nn.Module):
    """An E(n)-equivariant velocity field v(x, t) of N particles in d dimensions, shape (n, N·d) -> (n, N·d)."""

    def __init__(self, n_particles: int, spatial_dim: int, hidden: int = 32, n_layers: int = 3) -> None:
        super().__init__()
        self.n_particles, self.spatial_dim = n_particles, spatial_dim
        self.embed = nn.Sequential(nn.Linear(1, hidden), nn.SiLU(), nn.Linear(hidden, hidden))
        # the edge network's first layer on [h_i, h_j, r_ij², t], split into its parts: W_i h_i + W_j h_j + w r² + b(t)
        # is added by broadcasting, without building the (n, N, N, 2·hidden + 2) concatenation
        self.edge_i = nn.ModuleList(nn.Linear(hidden, hidden) for _ in range(n_layers))
        self.edge_j = nn.ModuleList(nn.Linear(hidden, hidden, bias=False) for _ in range(n_layers))
        self.edge_r = nn.ParameterList(nn.Parameter(0.1 * torch.randn(hidden)) for _ in range(n_layers))
        self.edge = nn.ModuleList(
            nn.Sequential(nn.SiLU(), nn.Linear(hidden, hidden), nn.SiLU()) for _ in range(n_layers)
        )
        self.coordinate = nn.ModuleList(
            nn.Sequential(nn.Linear(hidden, hidden), nn.SiLU(), nn.Linear(hidden, 1)) for _ in range(n_layers)
        )
        self.node = nn.ModuleList(
            nn.Sequential(nn.Linear(2 * hidden, hidden), nn.SiLU(), nn.Linear(hidden, hidden)) for _ in range(n_layers)
        )
        for layer in self.coordinate:  # start near v = 0: small coordinate updates
            nn.init.xavier_uniform_(layer[-1].weight, gain=0.001)
        off_diagonal = ~torch.eye(n_particles, dtype=torch.bool)
        self.register_buffer("mask", off_diagonal[..., None].float())

    def forward(self, x: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        n, N = x.shape[0], self.n_particles
        positions = x.reshape(n, N, self.spatial_dim)
        start = positions
        h = self.embed(t.reshape(-1, 1, 1)).expand(n, N, -1)  # identical particles: the time is their only feature
        for edge_i, edge_j, edge_r, edge, coordinate, node in zip(
            self.edge_i, self.edge_j, self.edge_r, self.edge, self.coordinate, self.node
        ):
            diff = positions[:, :, None] - positions[:, None]  # (n, N, N, d)
            squared = (diff**2).sum(-1, keepdim=True)
            distance = torch.sqrt(squared + (1.0 - self.mask))  # 1 on the diagonal: no sqrt(0) in the gradients
            m = edge(edge_i(h)[:, :, None] + edge_j(h)[:, None] + squared * edge_r) * self.mask
            positions = positions + (diff / (distance + 1.0) * coordinate(m) * self.mask).sum(2) / (N - 1)
            h = h + node(torch.cat([h, m.sum(2)], -1))
        velocity = positions - start
        return (velocity - velocity.mean(1, keepdim=True)).reshape(n, -1)


def align_prior(x0: np.ndarray, x1: np.ndarray, n_particles: int, spatial_dim: int) -> np.ndarray:
    """Each centred prior sample permuted (Hungarian, squared distances) and then rotated (Kabsch, no
    reflection) onto its data sample; shapes (n, N·d)."""
    a = x0.reshape(len(x0), n_particles, spatial_dim).copy()
    b = x1.reshape(len(x1), n_particles, spatial_dim)
    for k in range(len(a)):
        cost = ((a[k][:, None] - b[k][None]) ** 2).sum(-1)
        rows, cols = linear_sum_assignment(cost)
        permuted = np.empty_like(a[k])
        permuted[cols] = a[k][rows]
        a[k] = permuted
    covariance = np.einsum("kni,knj->kij", a, b)
    u, _, vt = np.linalg.svd(covariance)
    sign = np.sign(np.linalg.det(np.einsum("kij,kjl->kil", u, vt)))
    u[:, :, -1] *= sign[:, None]
    rotation = np.einsum("kij,kjl->kil", u, vt)
    return np.einsum("kni,kij->knj", a, rotation).reshape(len(x0), -1)


class FlowMatchingFlow(nn.Module):
    """A continuous normalizing flow of N identical particles with an EGNN velocity field.

    Parameters
    ----------
    spec : FlowSpec
        ``kind="flow-matching"`` with n_particles, spatial_dim, hidden (EGNN width), n_layers and
        ode_steps (Runge-Kutta steps on [0, 1] when sampling and evaluating densities).
    """

    def __init__(self, spec) -> None:
        super().__init__()
        self.spec = spec
        self.n_particles, self.spatial_dim, self.ode_steps = spec.n_particles, spec.spatial_dim, spec.ode_steps
        self.dim = spec.n_particles * spec.spatial_dim
        self.degrees_of_freedom = (spec.n_particles - 1) * spec.spatial_dim
        self.velocity = EGNNVelocity(spec.n_particles, spec.spatial_dim, spec.hidden, spec.n_layers)

    def _centre(self, x):
        return remove_mean(x, self.n_particles, self.spatial_dim)

    def prior_log_prob(self, x: torch.Tensor) -> torch.Tensor:
        """Log-density of the centred standard Gaussian on the (N−1)·d-dimensional subspace."""
        return -0.5 * (x**2).sum(-1) - 0.5 * self.degrees_of_freedom * math.log(2 * math.pi)

    def loss(self, x1: torch.Tensor) -> torch.Tensor:
        """The flow-matching loss on a batch of centred data samples (n, N·d)."""
        x0 = self._centre(torch.randn_like(x1))
        x0 = torch.as_tensor(
            align_prior(x0.cpu().numpy(), x1.detach().cpu().numpy(), self.n_particles, self.spatial_dim),
            dtype=x1.dtype,
            device=x1.device,
        )
        t = torch.rand(len(x1), 1, dtype=x1.dtype, device=x1.device)
        xt = (1 - t) * x0 + t * x1
        return ((self.velocity(xt, t[:, 0]) - (x1 - x0)) ** 2).sum(-1).mean() / self.degrees_of_freedom

    def _velocity_and_divergence(self, x: torch.Tensor, t: float) -> tuple[torch.Tensor, torch.Tensor]:
        """v(x, t) and its exact divergence: one backward pass per coordinate over the whole batch
        (samples are independent, so column i of the summed output's gradient is ∂v_i/∂x_i)."""
        with torch.enable_grad():
            x = x.detach().requires_grad_(True)
            v = self.velocity(x, torch.full((len(x),), t, dtype=x.dtype, device=x.device))
            divergence = torch.zeros(len(x), dtype=x.dtype, device=x.device)
            for i in range(self.dim):
                divergence = divergence + torch.autograd.grad(v[:, i].sum(), x, retain_graph=True)[0][:, i]
        return v.detach(), divergence

    def _integrate(self, x: torch.Tensor, forward: bool) -> tuple[torch.Tensor, torch.Tensor]:
        """RK4 from t = 0 to 1 (or back): the end point and ∫ ∇·v dt along the path (oriented 0 -> 1)."""
        h = 1.0 / self.ode_steps
        sign = 1.0 if forward else -1.0
        divergence_integral = torch.zeros(len(x), dtype=x.dtype, device=x.device)
        for step in range(self.ode_steps):
            t = step * h if forward else 1.0 - step * h
            k1, d1 = self._velocity_and_divergence(x, t)
            k2, d2 = self._velocity_and_divergence(x + sign * 0.5 * h * k1, t + sign * 0.5 * h)
            k3, d3 = self._velocity_and_divergence(x + sign * 0.5 * h * k2, t + sign * 0.5 * h)
            k4, d4 = self._velocity_and_divergence(x + sign * h * k3, t + sign * h)
            x = (x + sign * h / 6 * (k1 + 2 * k2 + 2 * k3 + k4)).detach()
            divergence_integral = divergence_integral + (h / 6 * (d1 + 2 * d2 + 2 * d3 + d4)).detach()
        return x, divergence_integral

    def sample_and_log_prob(self, n: int) -> tuple[torch.Tensor, torch.Tensor]:
        """n centred samples (n, N·d) and their log q (n,); not differentiable (flow matching needs no gradient
        here)."""
        mask = self.velocity.mask
        x0 = self._centre(torch.randn(n, self.dim, device=mask.device, dtype=mask.dtype))
        x1, divergence = self._integrate(x0, forward=True)
        return x1, self.prior_log_prob(x0) - divergence

    def log_prob(self, x: torch.Tensor) -> torch.Tensor:
        """log q of samples (n, N·d), by integrating back to the prior (centred first)."""
        x1 = self._centre(x.to(self.velocity.mask.dtype))
        x0, divergence = self._integrate(x1, forward=False)
        return self.prior_log_prob(x0) - divergence
