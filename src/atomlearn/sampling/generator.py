"""The Boltzmann generator (Noé, Olsson, Köhler, Wu, Science 365, eaaw1147, 2019): a normalizing
flow q(x) trained towards the Boltzmann distribution p(x) ∝ exp(−U(x)/kT), whose samples are made
exact by importance weights w = exp(−u(x))/q(x).

Training combines
* maximum likelihood on samples (from MD/MCMC; they need not be in equilibrium proportion), and
* the energy, by the reverse Kullback-Leibler divergence E_{x~q}[u(x) + log q(x)],
through the loop the networks share (``models.nn.training``: Adam, early stopping on a validation
loss, checkpoints from which an interrupted fit resumes).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import torch

from atomlearn.models.nn.training import LoopSettings, resolve_device, seed_torch, train_network, validation_split
from atomlearn.sampling.flows import FlowSpec, build_flow, whitening
from atomlearn.sampling.potentials import Potential
from atomlearn.sampling.reweighting import (
    FreeEnergyDifference,
    free_energy_difference,
    kish_ess,
    log_importance_weights,
    reweighted_histogram,
    warn_if_unreliable,
)

#: a training batch whose energies are mostly not finite, this many batches in a row, stops the fit
BAD_BATCHES_TO_STOP = 20
#: gradients are clipped to this norm: one sample near a steep wall must not throw the flow away
MAX_GRADIENT_NORM = 100.0
#: the moving average of the weights a flow-matching flow is validated and returned with (per step)
FLOW_MATCHING_EMA = 0.999
StateDefinition = str | Callable[[np.ndarray], np.ndarray]


@dataclass(frozen=True)
class SampleSet:
    """Flow samples with their energies and weights.

    Attributes
    ----------
    x : ndarray, shape (n, dim)
    reduced_energies : ndarray, shape (n,)
        u(x) = U(x)/kT; +inf where the potential gave no finite energy.
    log_q : ndarray, shape (n,)
        Flow log-density.
    log_w : ndarray, shape (n,)
        Log importance weights (−inf for the non-finite energies).
    """

    x: np.ndarray
    reduced_energies: np.ndarray
    log_q: np.ndarray
    log_w: np.ndarray

    @property
    def n_invalid(self) -> int:
        """Samples whose energy was not finite (weight zero)."""
        return int(np.sum(~np.isfinite(self.reduced_energies)))


def linlog(u: torch.Tensor, cutoff: float) -> torch.Tensor:
    """u below ``cutoff``; above it cutoff + log(1 + u − cutoff): tames the gradients of overlapping samples."""
    excess = torch.clamp(u - cutoff, min=0.0)
    return torch.where(u > cutoff, cutoff + torch.log1p(excess), u)


class BoltzmannGenerator:
    """A flow trained to sample exp(−U(x)/kT), with exact estimates by reweighting.

    Parameters
    ----------
    potential : Potential
        The energy (a system of ``sampling.systems`` or ``sampling.particles``, an ``ASEPotential`` or a
        ``TorchPotential``).
    flow : {"realnvp", "spline", "flow-matching"} or FlowSpec
        Coupling flow kind, or an equivariant continuous flow trained by flow matching (particle
        systems; samples needed, no energy training); a ``FlowSpec`` sets every architecture choice.
    temperature : float
        K for physical potentials; 1 for the reduced model systems.
    n_couplings, hidden, bins : int
        Flow architecture (``FlowSpec``; hidden is the EGNN width for flow matching).
    learning_rate : float
        Adam step of the maximum-likelihood phase; the energy phase uses ``energy_learning_rate``.
    batch_size : int
        Samples per maximum-likelihood step and flow samples per energy step.
    energy_weight : float
        Weight of the reverse KL against the likelihood (1 − energy_weight) in the energy phase,
        when samples are given.
    energy_cutoff : float
        Reduced energies above this are damped logarithmically in the training loss (not in the weights).
    patience : int
        Epochs without validation improvement before a phase stops.
    steps_per_epoch : int
        Energy steps between validations.
    random_state : int or None
    checkpoint_dir : path, optional
        Where each phase saves its checkpoint; a rerun resumes from them.
    device : str
        ``"auto"`` (GPU when present), ``"cpu"`` or ``"cuda"``.
    """

    def __init__(
        self,
        potential: Potential,
        flow: str | FlowSpec = "realnvp",
        temperature: float = 1.0,
        n_couplings: int = 8,
        hidden: int = 64,
        bins: int = 8,
        learning_rate: float = 1e-3,
        energy_learning_rate: float = 5e-4,
        batch_size: int = 256,
        energy_weight: float = 0.9,
        energy_cutoff: float = 1e3,
        patience: int = 50,
        steps_per_epoch: int = 50,
        random_state: int | None = 0,
        checkpoint_dir: str | Path | None = None,
        device: str = "auto",
        verbose: bool = False,
    ) -> None:
        self.potential, self.temperature = potential, float(temperature)
        if isinstance(flow, FlowSpec):
            self.spec = flow
        else:
            particles = {
                "n_particles": getattr(potential, "n_particles", 0),
                "spatial_dim": getattr(potential, "spatial_dim", 0),
            }
            self.spec = FlowSpec(
                kind=flow,
                dim=potential.dim,
                n_couplings=n_couplings,
                hidden=hidden,
                bins=bins,
                **(particles if flow == "flow-matching" else {}),
            )
        self.learning_rate, self.energy_learning_rate = learning_rate, energy_learning_rate
        self.batch_size, self.energy_weight, self.energy_cutoff = batch_size, energy_weight, energy_cutoff
        self.patience, self.steps_per_epoch, self.random_state = patience, steps_per_epoch, random_state
        self.checkpoint_dir = Path(checkpoint_dir) if checkpoint_dir is not None else None
        self.device, self.verbose = resolve_device(device), verbose
        self.flow_: torch.nn.Module | None = None
        self.history_: dict[str, dict[str, np.ndarray]] = {}
        self.samples_: SampleSet | None = None

    # ---- training
    def fit(
        self, samples: np.ndarray | None = None, iterations: int = 2000, energy_steps: int | None = None
    ) -> BoltzmannGenerator:
        """Train by maximum likelihood on ``samples`` for up to ``iterations`` steps, then on the energy
        (mixed with the likelihood when samples are given) for up to ``energy_steps`` steps. A
        flow-matching flow is trained by its regression loss on the samples for ``iterations`` steps.

        Parameters
        ----------
        samples : ndarray, shape (n, dim), optional
            Configurations from MD or MCMC. Without them the flow learns from the energy alone.
        iterations : int
            Most maximum-likelihood steps (early stopping may end sooner).
        energy_steps : int, optional
            Most energy steps; 0 trains by likelihood alone (default 1000 for coupling flows, 0 for flow matching).
        """
        matching = self.spec.kind == "flow-matching"
        if energy_steps is None:
            energy_steps = 0 if matching else 1000
        if matching and (samples is None or energy_steps > 0):
            raise ValueError(
                "a flow-matching flow learns from samples only: give samples and energy_steps=0 "
                "(the energy enters through the importance weights)"
            )
        seed_torch(self.random_state)
        train = validation = None
        if samples is not None:
            samples = np.asarray(samples, dtype=np.float32)
            if samples.ndim != 2 or samples.shape[1] != self.spec.dim:
                raise ValueError(f"samples have shape {samples.shape}; the potential needs (n, {self.spec.dim})")
            if not np.all(np.isfinite(samples)):
                raise ValueError(
                    f"{int(np.sum(~np.isfinite(samples).all(1)))} training samples hold NaN or inf coordinates"
                )
            rows_train, rows_val = validation_split(len(samples), 0.1, self.random_state)
            train, validation = (torch.as_tensor(samples[r], device=self.device) for r in (rows_train, rows_val))
            loc, scale = whitening(samples)
        elif self.flow_ is None:
            loc, scale = None, None
        if self.flow_ is None:
            self.flow_ = build_flow(self.spec, loc, scale).to(self.device)
        if matching:
            self.history_["flow-matching"] = self._matching_phase(train, validation, iterations)
        elif train is not None and iterations > 0:
            self.history_["likelihood"] = self._likelihood_phase(train, validation, iterations)
        if energy_steps > 0:
            self.history_["energy"] = self._energy_phase(train, validation, energy_steps)
        self.samples_ = None
        return self

    def _settings(self, phase: str, learning_rate: float, max_epochs: int, batch_size: int, **loop) -> LoopSettings:
        checkpoint = self.checkpoint_dir / f"checkpoint-{phase}.pt" if self.checkpoint_dir is not None else None
        settings = LoopSettings(
            learning_rate=learning_rate,
            batch_size=batch_size,
            max_epochs=max(1, max_epochs),
            patience=self.patience,
            random_state=self.random_state,
            checkpoint=checkpoint,
            verbose=self.verbose,
            max_grad_norm=MAX_GRADIENT_NORM,
        )
        return replace(settings, **loop)

    def _likelihood_phase(
        self, train: torch.Tensor, validation: torch.Tensor, iterations: int
    ) -> dict[str, np.ndarray]:
        flow = self.flow_
        steps_per_epoch = math.ceil(len(train) / self.batch_size)
        settings = self._settings(
            "likelihood", self.learning_rate, math.ceil(iterations / steps_per_epoch), self.batch_size
        )

        def batch_loss(rows: np.ndarray) -> torch.Tensor:
            return -flow.log_prob(train[torch.as_tensor(rows, device=self.device)]).mean()

        def validation_loss() -> float:
            with torch.no_grad():
                return float(-flow.log_prob(validation).mean())

        return train_network(flow, batch_loss, validation_loss, len(train), settings)

    def _matching_phase(self, train: torch.Tensor, validation: torch.Tensor, iterations: int) -> dict[str, np.ndarray]:
        flow = self.flow_
        steps_per_epoch = math.ceil(len(train) / self.batch_size)
        epochs = math.ceil(iterations / steps_per_epoch)
        # the regression loss is noisy (random times and prior draws): no early stopping on it, and the weights'
        # moving average is validated and kept
        settings = self._settings(
            "flow-matching",
            self.learning_rate,
            epochs,
            self.batch_size,
            patience=epochs,
            ema_decay=FLOW_MATCHING_EMA,
        )

        def batch_loss(rows: np.ndarray) -> torch.Tensor:
            return flow.loss(train[torch.as_tensor(rows, device=self.device)])

        def validation_loss() -> float:
            with torch.no_grad(), torch.random.fork_rng(devices=[]):
                torch.manual_seed(12345)  # the same prior draws and times at every epoch
                return float(flow.loss(validation))

        return train_network(flow, batch_loss, validation_loss, len(train), settings)

    def _reverse_kl(self, n: int) -> tuple[torch.Tensor, float]:
        """The reverse-KL loss on n flow samples and the fraction whose energy was not finite. Those
        count with a constant energy above the cutoff (left out, the loss would let the flow drift
        outside the potential's domain for free). A potential may train on a smoother energy than it
        weights with (``training_reduced``: e.g. a wall where ``reduced`` jumps to +inf)."""
        energy = getattr(self.potential, "training_reduced", self.potential.reduced)
        x, log_q = self.flow_.sample_and_log_prob(n)
        u = energy(x, self.temperature)
        finite = torch.isfinite(u)
        if not finite.all():  # again on the finite ones alone: a NaN energy's gradient is NaN, even times zero
            u = torch.full_like(u, 2.0 * self.energy_cutoff)
            if finite.any():
                u = u.index_put((finite,), energy(x[finite], self.temperature))
        return (linlog(u, self.energy_cutoff) + log_q).mean(), 1.0 - float(finite.float().mean())

    def _energy_phase(
        self, train: torch.Tensor | None, validation: torch.Tensor | None, energy_steps: int
    ) -> dict[str, np.ndarray]:
        flow, weight = self.flow_, (self.energy_weight if train is not None else 1.0)
        n_virtual = self.steps_per_epoch * self.batch_size
        settings = self._settings(
            "energy", self.energy_learning_rate, math.ceil(energy_steps / self.steps_per_epoch), self.batch_size
        )
        bad = {"in_a_row": 0}

        def batch_loss(rows: np.ndarray) -> torch.Tensor:
            kl, invalid = self._reverse_kl(len(rows))
            bad["in_a_row"] = bad["in_a_row"] + 1 if invalid > 0.5 else 0
            if bad["in_a_row"] >= BAD_BATCHES_TO_STOP:
                raise ValueError(
                    f"the potential gave no finite energy for most flow samples in {BAD_BATCHES_TO_STOP} "
                    "training batches in a row; check the potential (units, atom order) or train longer "
                    "by likelihood on samples first"
                )
            if train is None:
                return kl
            nll = -flow.log_prob(train[torch.as_tensor(rows % len(train), device=self.device)]).mean()
            return weight * kl + (1.0 - weight) * nll

        def validation_loss() -> float:
            with torch.no_grad(), torch.random.fork_rng(devices=[]):
                torch.manual_seed(12345)
                kl, _ = self._reverse_kl(2048)
                nll = float(-flow.log_prob(validation).mean()) if validation is not None else 0.0
            return weight * float(kl) + (1.0 - weight) * nll

        return train_network(flow, batch_loss, validation_loss, n_virtual, settings)

    # ---- sampling and estimates
    def _require_fitted(self) -> torch.nn.Module:
        if self.flow_ is None:
            raise ValueError("this Boltzmann generator is not trained yet; call fit() first")
        return self.flow_

    @torch.no_grad()
    def sample(self, n: int, batch: int = 20_000, random_state: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Draw n samples and their log importance weights.

        Returns
        -------
        x : ndarray, shape (n, dim)
        log_w : ndarray, shape (n,)
            log w = −u(x) − log q(x) (unnormalized; −inf where the energy is not finite). The full set,
            with energies, is kept as ``samples_`` for ``ess``, ``free_energy_difference`` and the report.
        """
        flow = self._require_fitted()
        if random_state is not None:
            torch.manual_seed(int(random_state))
        parts = []
        for start in range(0, n, batch):
            x, log_q = flow.sample_and_log_prob(min(batch, n - start))
            u = self.potential.reduced(x, self.temperature)
            parts.append((x.cpu().double().numpy(), u.cpu().double().numpy(), log_q.cpu().double().numpy()))
        x, u, log_q = (np.concatenate(p) for p in zip(*parts))
        self.samples_ = SampleSet(x, u, log_q, log_importance_weights(u, log_q))
        if self.samples_.n_invalid > n / 2:
            raise ValueError(
                f"{self.samples_.n_invalid} of {n} flow samples have no finite energy: the flow is not "
                "trained for this potential; train it longer or on samples"
            )
        return x, self.samples_.log_w

    def _current_samples(self) -> SampleSet:
        if self.samples_ is None:
            self.sample(10_000)
        return self.samples_

    def ess(self) -> float:
        """Kish effective sample size of the last drawn samples, % (draws 10,000 when none were drawn)."""
        return kish_ess(self._current_samples().log_w)

    def _mask(self, state: StateDefinition, x: np.ndarray) -> np.ndarray:
        if callable(state):
            return np.asarray(state(x), dtype=bool)
        states = getattr(self.potential, "states", {})
        if state not in states:
            raise ValueError(
                f"unknown state {state!r}; this potential defines {', '.join(states) or 'no states'}: "
                "give a function of the samples (n, dim) returning a boolean mask"
            )
        return np.asarray(states[state](x), dtype=bool)

    def free_energy_difference(
        self, state_a: StateDefinition, state_b: StateDefinition, n_bootstrap: int = 200, random_state: int | None = 0
    ) -> FreeEnergyDifference:
        """ΔF = F_b − F_a (kT) from the reweighted samples, with a bootstrap standard error.

        States are names the potential defines (``potential.states``) or functions of samples
        (n, dim) returning a boolean mask (e.g. a range of a collective variable).
        """
        samples = self._current_samples()
        warn_if_unreliable(kish_ess(samples.log_w))
        name = lambda s: s if isinstance(s, str) else getattr(s, "__name__", "state")  # noqa: E731
        return free_energy_difference(
            samples.log_w,
            self._mask(state_a, samples.x),
            self._mask(state_b, samples.x),
            name(state_a),
            name(state_b),
            n_bootstrap,
            random_state,
        )

    def reweighted_histogram(
        self, cv: Callable[[np.ndarray], np.ndarray] | None = None, bins: int | np.ndarray = 50
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Reweighted density and free-energy profile (kT) along ``cv`` (default: the system's collective variable);
        returns (edges, density, free_energy) as ``reweighting.reweighted_histogram``."""
        samples = self._current_samples()
        cv = cv or self.potential.collective_variable
        return reweighted_histogram(cv(samples.x), samples.log_w, bins)
