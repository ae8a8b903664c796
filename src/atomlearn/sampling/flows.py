"""Normalizing flows for Boltzmann generators. A flow is a bijection between a standard normal z
and the coordinates x with a tractable density log q(x).

Coupling flows, built on ``zuko`` (maintained, pure PyTorch, circular splines for torsions; see
``benchmarks/bench_flow_libraries.py`` for the comparison with ``normflows``):

* ``realnvp``: affine couplings (Dinh et al. 2016);
* ``spline``: rational-quadratic spline couplings (Durkan et al. 2019), more expressive per layer.

They work on whitened coordinates L⁻¹(x − loc), with the mean and covariance of the training
samples, so one architecture serves coordinates in Å, nm or reduced units.

``flow-matching``: a continuous flow of identical particles with an equivariant velocity field,
trained by flow matching (``sampling.flow_matching``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import torch
import zuko
from zuko.transforms import MonotonicRQSTransform

FLOW_KINDS = ("realnvp", "spline", "flow-matching")


@dataclass(frozen=True)
class FlowSpec:
    """The architecture of a coupling flow (all that is needed to rebuild it before loading weights).

    Attributes
    ----------
    kind : {"realnvp", "spline"}
    dim : int
        Coordinates per sample.
    n_couplings : int
        Coupling layers; alternate layers transform alternate halves of the coordinates.
    hidden : int
        Units in each of the two hidden layers of every coupling's conditioner network.
    bins : int
        Spline bins (``spline`` only).
    bound : float
        The spline acts on [−bound, bound] of the standardized coordinates, identity outside.
    n_particles, spatial_dim : int
        Particles and their dimension (``flow-matching`` only; dim = n_particles · spatial_dim).
    n_layers : int
        Message-passing layers of the equivariant velocity field (``flow-matching``).
    ode_steps : int
        Runge-Kutta steps of the flow-matching ODE.
    """

    kind: str = "realnvp"
    dim: int = 2
    n_couplings: int = 8
    hidden: int = 64
    bins: int = 8
    bound: float = 5.0
    n_particles: int = 0
    spatial_dim: int = 0
    n_layers: int = 4
    ode_steps: int = 20

    def __post_init__(self) -> None:
        if self.kind not in FLOW_KINDS:
            raise ValueError(f"unknown flow {self.kind!r}; choose one of {', '.join(FLOW_KINDS)}")
        if self.dim < 2:
            raise ValueError(f"a flow needs at least 2 coordinates, got {self.dim}")
        if self.kind == "flow-matching" and (self.n_particles < 2 or self.n_particles * self.spatial_dim != self.dim):
            raise ValueError(
                "flow matching is for systems of identical particles (n_particles x spatial_dim "
                f"coordinates); this potential has {self.dim} coordinates and no particles: use realnvp or spline"
            )

    def to_dict(self) -> dict:
        """The fields as a plain dict (what ``generator.json`` stores)."""
        return asdict(self)


def build_flow(spec: FlowSpec, loc: torch.Tensor | None = None, scale: torch.Tensor | None = None) -> torch.nn.Module:
    """The flow ``spec`` describes: a ``CouplingFlow`` (standardized by loc, scale) or a ``FlowMatchingFlow``."""
    if spec.kind == "flow-matching":
        from atomlearn.sampling.flow_matching import FlowMatchingFlow

        return FlowMatchingFlow(spec)
    return CouplingFlow(spec, loc, scale)


class CouplingFlow(torch.nn.Module):
    """A coupling flow on whitened coordinates: x = loc + L · f⁻¹(z), z ~ N(0, I), with L the
    Cholesky factor of the training samples' covariance (their linear correlations, e.g. between
    the bond angles around one atom, need no coupling layer to learn).

    Parameters
    ----------
    spec : FlowSpec
    loc : Tensor, shape (dim,)
    scale : Tensor, shape (dim, dim)
        Lower-triangular whitening factor L (positive diagonal); default the identity.
    """

    def __init__(self, spec: FlowSpec, loc: torch.Tensor | None = None, scale: torch.Tensor | None = None) -> None:
        super().__init__()
        self.spec = spec
        hidden = (spec.hidden, spec.hidden)
        if spec.kind == "realnvp":
            self.flow = zuko.flows.RealNVP(spec.dim, transforms=spec.n_couplings, hidden_features=hidden)
        else:
            self.flow = zuko.flows.coupling.NICE(
                spec.dim,
                transforms=spec.n_couplings,
                hidden_features=hidden,
                univariate=lambda *phi: MonotonicRQSTransform(*phi, bound=spec.bound),
                shapes=[(spec.bins,), (spec.bins,), (spec.bins - 1,)],
            )
        self.register_buffer("loc", torch.zeros(spec.dim) if loc is None else torch.as_tensor(loc, dtype=torch.float32))
        self.register_buffer(
            "scale", torch.eye(spec.dim) if scale is None else torch.as_tensor(scale, dtype=torch.float32)
        )

    def _log_det_scale(self) -> torch.Tensor:
        return torch.log(torch.diagonal(self.scale)).sum()

    def log_prob(self, x: torch.Tensor) -> torch.Tensor:
        """log q(x), shape (n,), for x of shape (n, dim)."""
        centred = (x.to(self.loc.dtype) - self.loc)[..., None]
        z = torch.linalg.solve_triangular(self.scale, centred, upper=False)[..., 0]
        return self.flow().log_prob(z) - self._log_det_scale()

    def sample_and_log_prob(self, n: int) -> tuple[torch.Tensor, torch.Tensor]:
        """n samples x, shape (n, dim), and their log q(x), shape (n,); differentiable (reparametrized)."""
        z, log_q = self.flow().rsample_and_log_prob((n,))
        return self.loc + z @ self.scale.T, log_q - self._log_det_scale()


def whitening(samples: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean (dim,) and lower Cholesky factor (dim, dim) of the covariance of samples (n, dim), regularized
    by 1e-6 of each variance so that a degenerate set still gives a positive-definite factor."""
    covariance = np.atleast_2d(np.cov(samples, rowvar=False))
    covariance += np.diag(1e-6 * np.diag(covariance) + 1e-12)
    return samples.mean(0), np.linalg.cholesky(covariance)
