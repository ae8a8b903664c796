"""Metropolis Monte Carlo on a potential: the training samples of the model systems, their long
reference runs, and the 'MCMC alone' side of the benchmarks."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from atomlearn.sampling.potentials import Potential


@dataclass(frozen=True)
class Chain:
    """Samples of independent walkers.

    Attributes
    ----------
    samples : ndarray, shape (n_saved, n_walkers, dim)
        Every ``thin``-th configuration of each walker.
    reduced_energies : ndarray, shape (n_saved, n_walkers)
        u = U/kT of the saved configurations.
    acceptance : float
        Fraction of accepted moves.
    """

    samples: np.ndarray
    reduced_energies: np.ndarray
    acceptance: float

    def flat(self, burn_in: int = 0) -> np.ndarray:
        """The saved samples after ``burn_in`` saved steps, walkers stacked: shape (n, dim)."""
        return self.samples[burn_in:].reshape(-1, self.samples.shape[-1])


@torch.no_grad()
def metropolis(
    potential: Potential,
    start: np.ndarray,
    n_steps: int,
    step_size: float,
    temperature: float = 1.0,
    thin: int = 1,
    random_state: int | None = 0,
) -> Chain:
    """Random-walk Metropolis of many walkers at once (Gaussian moves of all coordinates).

    Parameters
    ----------
    potential : Potential
        The energy sampled at ``temperature``.
    start : ndarray, shape (n_walkers, dim)
        Where each walker begins.
    n_steps : int
        Moves per walker.
    step_size : float
        Standard deviation of a move, in the coordinates' unit.
    thin : int
        Keep every ``thin``-th configuration.

    Returns
    -------
    Chain
        The saved configurations of every walker, their reduced energies and the acceptance rate.
    """
    generator = torch.Generator().manual_seed(0 if random_state is None else int(random_state))
    x = torch.as_tensor(np.asarray(start, dtype=float), dtype=torch.float64).clone()
    u = potential.reduced(x, temperature)
    if not torch.all(torch.isfinite(u)):
        raise ValueError("a starting point of the MCMC has an infinite or NaN energy; start from valid configurations")
    saved, energies, accepted = [], [], 0
    for step in range(1, n_steps + 1):
        trial = x + step_size * torch.randn(x.shape, generator=generator, dtype=x.dtype)
        u_trial = potential.reduced(trial, temperature)
        accept = torch.rand(len(x), generator=generator, dtype=x.dtype) < torch.exp(torch.clamp(u - u_trial, max=0.0))
        x = torch.where(accept[:, None], trial, x)
        u = torch.where(accept, u_trial, u)
        accepted += int(accept.sum())
        if step % thin == 0:
            saved.append(x.numpy().copy())
            energies.append(u.numpy().copy())
    return Chain(np.array(saved), np.array(energies), accepted / (n_steps * len(x)))
