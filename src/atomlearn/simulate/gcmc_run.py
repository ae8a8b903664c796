"""One GCMC chain across calls of the compiled cycles: its state, move weights, step sizes tuned during
initialisation, acceptance counts, and sampling until a target error is reached."""

from __future__ import annotations

import math

import numpy as np

from atomlearn.physics.guests import Guest
from atomlearn.simulate import gcmc_kernels as kernels
from atomlearn.simulate.equilibration import SeriesEstimate, estimate_mean
from atomlearn.simulate.gcmc_energy import GCMCState, GCMCSystem

#: random positions and orientations per insertion (RASPA's CBMC default: 10 trial positions)
SWAP_TRIALS = 10
#: relative weights of the moves (rotation only for molecules with several sites; identity change only for mixtures)
MOVE_WEIGHTS = {"translation": 1.0, "rotation": 1.0, "reinsertion": 1.0, "swap": 2.0, "identity change": 1.0}
#: fewest sampled cycles: below this no error bar can be estimated at all
MIN_CYCLES = 10


class MonteCarloRun:
    """The Monte Carlo state and its statistics across calls of the compiled cycles."""

    def __init__(
        self,
        system: GCMCSystem,
        species: list[Guest],
        beta_fV: np.ndarray,
        temperature_K: float,
        box: np.ndarray,
        random_state: int | np.random.SeedSequence | None,
        swap_trials: int = 1,
    ) -> None:
        self.system, self.beta_fV, self.temperature_K, self.swap_trials = system, beta_fV, temperature_K, swap_trials
        sequence = (
            random_state if isinstance(random_state, np.random.SeedSequence) else np.random.SeedSequence(random_state)
        )
        kernels.seed(int(sequence.generate_state(1)[0]) % 2**31)
        max_sites, n_k = system.offsets.shape[1], system.hkl.shape[0]
        self.state = GCMCState(
            np.zeros((64, max_sites, 3)),
            np.zeros((64, 3)),
            np.zeros(64, dtype=np.int64),
            np.zeros(1, dtype=np.int64),
            np.zeros(n_k, dtype=np.complex128),
            np.zeros(1),
        )
        weights = dict(MOVE_WEIGHTS)
        if all(len(g.sites) == 1 for g in species):
            weights["rotation"] = 0.0
        if len(species) == 1:
            weights["identity change"] = 0.0
        self.move_weights = np.array(
            [
                weights["translation"],
                weights["rotation"],
                weights["reinsertion"],
                weights["swap"],
                0.0,
                weights["identity change"],
            ]
        )
        self.max_step = np.full(len(species), 1.0)
        self.max_angle = np.full(len(species), 0.5)
        self.max_step_limit = 0.5 * float(np.min(np.linalg.norm(box, axis=1)))
        self.counts = np.zeros((2, 6, len(species)), dtype=np.int64)

    def cycles(self, n: int, tune: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """Run ``n`` cycles (in chunks, tuning the steps when asked); the per-cycle N and U."""
        samples_n = np.zeros((n, len(self.beta_fV)), dtype=np.int64)
        samples_u = np.zeros(n)
        done, chunk = 0, max(1, min(100, n))
        while done < n:
            todo = min(chunk, n - done)
            before = self.counts.copy()
            finished = kernels.run_cycles(
                todo,
                self.system,
                self.state,
                self.beta_fV,
                self.temperature_K,
                self.move_weights,
                self.max_step,
                self.max_angle,
                self.counts,
                samples_n[done : done + todo],
                samples_u[done : done + todo],
                self.swap_trials,
            )
            done += finished
            if finished < todo:
                self._grow()
            if tune:
                self._tune(self.counts - before)
        return samples_n, samples_u

    def sample(self, cycles: int, target: float | None) -> tuple[np.ndarray, np.ndarray, SeriesEstimate]:
        """Sampled N and U per cycle and the loading estimate: all ``cycles``, or fewer once the estimate has
        converged with every loading's standard error below ``target`` (relative)."""
        step = max(MIN_CYCLES, cycles // 10) if target else cycles
        parts_n, parts_u = [], []
        while sum(len(p) for p in parts_u) < cycles:
            samples_n, samples_u = self.cycles(min(step, cycles - sum(len(p) for p in parts_u)))
            parts_n.append(samples_n)
            parts_u.append(samples_u)
            estimate = estimate_mean(np.concatenate(parts_n), what="the loading")
            if (
                target
                and estimate.converged
                and np.all((estimate.mean > 0) & (estimate.standard_error < target * estimate.mean))
            ):
                break
        return np.concatenate(parts_n), np.concatenate(parts_u), estimate

    def acceptance(self) -> dict[str, float]:
        """Accepted share of each move tried."""
        tried, accepted = self.counts[0].sum(axis=1), self.counts[1].sum(axis=1)
        return {name: float(accepted[i] / tried[i]) for i, name in enumerate(kernels.MOVES) if tried[i]}

    def _grow(self) -> None:
        positions, centres, kinds, count, total_sk, energy = self.state
        size = 2 * len(kinds)
        grown = (np.zeros((size, *positions.shape[1:])), np.zeros((size, 3)), np.zeros(size, dtype=np.int64))
        grown[0][: len(kinds)], grown[1][: len(kinds)], grown[2][: len(kinds)] = positions, centres, kinds
        self.state = GCMCState(*grown, count, total_sk, energy)

    def _tune(self, counts: np.ndarray) -> None:
        """Steer translation and rotation towards half of them accepted."""
        for move, values, limit in (
            (kernels.TRANSLATION, self.max_step, self.max_step_limit),
            (kernels.ROTATION, self.max_angle, math.pi),
        ):
            tried, accepted = counts[0, move], counts[1, move]
            ratio = np.divide(accepted, tried, out=np.full(len(values), 0.5), where=tried > 0)
            values *= np.where(ratio > 0.5, 1.1, 0.9)
            np.clip(values, 0.01, limit, out=values)
