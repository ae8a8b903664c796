"""Molecular dynamics with a learnt force field, and the three checks a force field must pass
before its trajectories are trusted (Fu et al., "Forces are not enough", 2023):

- energy conservation in NVE: the drift of the total energy (meV/atom/ps);
- stability: no bond of the starting structure stretched by more than 0.5 Å, no atom left
  without a neighbour within the model's cutoff; the run stops at the first violation;
- structure: the distribution of a distance (one atom pair, or all pairs, h(r)) against a
  reference trajectory, e.g. the xTB MD the force field was trained on.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from ase import Atoms, units

from atomlearn.featurizers.graph import bond_graph
from atomlearn.models.nn.graphs import replica_edges
from atomlearn.structures import append_frame
from atomlearn.structures.neighbours import pairs_within

BOND_STRETCH_LIMIT_A = 0.5
HISTOGRAM_BIN_A = 0.02


@dataclass
class DistanceComparison:
    """A distance's distribution in the MD and in the reference: means and standard deviations (Å),
    the Wasserstein distance (Å) and ∫|h − h_ref| dr (0: identical, 2: disjoint), on common bins."""

    name: str
    mean_A: float
    std_A: float
    reference_mean_A: float
    reference_std_A: float
    wasserstein_A: float
    histogram_error: float
    bins_A: np.ndarray = field(repr=False)
    density: np.ndarray = field(repr=False)
    reference_density: np.ndarray = field(repr=False)


@dataclass
class MDReport:
    """What an MD run did: steps, speed, energy drift (NVE), stability and the distance comparison."""

    ensemble: str
    n_steps: int
    timestep_fs: float
    seconds_per_step: float
    energy_drift_meV_atom_ps: float
    energy_std_meV_atom: float
    stable: bool
    problem: str
    temperature_mean_K: float
    distance: DistanceComparison | None = None
    times_fs: np.ndarray = field(default_factory=lambda: np.zeros(0), repr=False)
    total_energy_eV: np.ndarray = field(default_factory=lambda: np.zeros(0), repr=False)
    n_replicas: int = 1

    @property
    def seconds_per_replica_step(self) -> float:
        """The cost of advancing one copy of the molecule by one step (s): the batched MD's throughput."""
        return self.seconds_per_step / self.n_replicas

    def to_dict(self) -> dict:
        """The numbers (JSON-ready): scalars, the energy series and the distance histograms."""
        numbers = {k: v for k, v in self.__dict__.items() if k not in ("distance", "times_fs", "total_energy_eV")}
        numbers.update(
            seconds_per_replica_step=self.seconds_per_replica_step,
            times_fs=self.times_fs.tolist(),
            total_energy_eV=self.total_energy_eV.tolist(),
        )
        if self.distance is not None:
            numbers["distance"] = {
                k: (v.tolist() if isinstance(v, np.ndarray) else v) for k, v in self.distance.__dict__.items()
            }
        return numbers

    def summary(self) -> str:
        """A few lines for the terminal: speed, temperature, energy drift, stability and the distance comparison."""
        copies = (
            ""
            if self.n_replicas == 1
            else (
                f" of {self.n_replicas} replicas at once ({1000 * self.seconds_per_replica_step:.3f} ms per "
                "replica-step)"
            )
        )
        lines = [
            f"{self.ensemble.upper()} MD: {self.n_steps} steps of {self.timestep_fs:g} fs "
            f"({self.n_steps * self.timestep_fs / 1000:.2f} ps), {1000 * self.seconds_per_step:.2f} ms per step"
            f"{copies}, mean temperature {self.temperature_mean_K:.0f} K"
        ]
        if self.ensemble == "nve":
            lines.append(
                f"total energy drift {self.energy_drift_meV_atom_ps:+.3f} meV/atom/ps, "
                f"fluctuation {self.energy_std_meV_atom:.3f} meV/atom"
            )
        lines.append("stable: no bond broken, no atom lost" if self.stable else f"UNSTABLE: {self.problem}")
        if self.distance is not None:
            d = self.distance
            lines.append(
                f"{d.name}: {d.mean_A:.3f} ± {d.std_A:.3f} Å here, {d.reference_mean_A:.3f} ± "
                f"{d.reference_std_A:.3f} Å in the reference; Wasserstein {d.wasserstein_A:.4f} Å, "
                f"∫|h − h_ref| = {d.histogram_error:.3f}"
            )
        return "\n".join(lines)


def run_md(
    atoms: Atoms,
    calculator,
    n_steps: int,
    timestep_fs: float = 0.5,
    temperature_K: float = 300.0,
    ensemble: str = "nve",
    interval_steps: int = 10,
    cutoff_A: float = 5.0,
    out: str | Path | None = None,
    distance: tuple[int, int] | None = None,
    reference: list[Atoms] | None = None,
    seed: int = 0,
    progress: Callable[[int, int], None] | None = None,
) -> MDReport:
    """Molecular dynamics with a force field, watched for stability.

    Velocity-Verlet (``ensemble="nve"``) or Langevin (``"nvt"``) from ``atoms``, checking stability every
    ``interval_steps`` and writing those frames to ``out``. Momenta stored with the atoms (``md_momenta``,
    as xTB MD writes them) are used; otherwise velocities are drawn at ``temperature_K``. A calculator
    with ``n_replicas`` R > 1 runs R independent copies of the molecule in one batch, each with its own
    velocities: the checks watch every copy, frames (``replica`` in their info) and distances gather them
    all, and the report gives the cost per replica-step.

    Parameters
    ----------
    atoms : ase.Atoms
    calculator : ase calculator
        ``Calculator(FF_DIR)`` (or any ASE calculator).
    n_steps : int
    timestep_fs : float
    temperature_K : float
    ensemble : {"nve", "nvt"}
    interval_steps : int
        Steps between checks and written frames.
    cutoff_A : float
        An atom with no neighbour within it is lost (the run is unstable).
    out : str or Path, optional
        Extended XYZ trajectory.
    distance : tuple of int, optional
        Two atom indices whose distance distribution is compared with ``reference``.
    reference : list of ase.Atoms, optional
        Frames of a reference run (xTB MD).
    seed : int
    progress : callable, optional
        ``progress(step, n_steps)``.

    Returns
    -------
    MDReport
        Steps, speed (ms per step), energy drift (NVE, meV/atom/ps), stability and why not, and the
        distance comparison (Wasserstein distance to the reference, Å).
    """
    from ase.constraints import FixCom
    from ase.md.langevin import Langevin
    from ase.md.verlet import VelocityVerlet

    if ensemble not in ("nve", "nvt"):
        raise ValueError(f"ensemble must be 'nve' or 'nvt', got {ensemble!r}")
    if n_steps < 1 or interval_steps < 1:
        raise ValueError("n_steps and interval_steps must be at least 1")
    _check_distance(distance, len(atoms))
    n_replicas = int(getattr(calculator, "n_replicas", 1))
    rng = np.random.default_rng(seed)
    system = _starting_system(atoms, n_replicas, temperature_K, rng)
    system.calc = calculator
    if ensemble == "nve":
        dynamics = VelocityVerlet(system, timestep_fs * units.fs)
    else:
        if n_replicas == 1:  # replicas each drift freely; they cannot meet
            system.set_constraint(FixCom())
        dynamics = Langevin(
            system, timestep_fs * units.fs, temperature_K=temperature_K, friction=0.01 / units.fs, rng=rng, fixcm=False
        )
    first, second, start_lengths = _bonds(atoms, n_replicas)
    times, energies, temperatures = [0.0], [system.get_total_energy()], [system.get_temperature()]
    frames = _replica_frames(system, n_replicas) if reference else []
    problem, step = "", 0
    started = time.perf_counter()
    with Path(out).open("w") if out else contextlib.nullcontext() as writer:
        while step < n_steps and not problem:
            chunk = min(interval_steps, n_steps - step)
            try:
                dynamics.run(chunk)
            except ValueError as exc:  # the model refuses the geometry it reached, e.g. an atom flew off
                step = dynamics.nsteps
                problem = f"step {step + 1}: {exc}"
                break
            step += chunk
            times.append(step * timestep_fs)
            energies.append(system.get_total_energy())
            temperatures.append(system.get_temperature())
            problem = _instability(system, first, second, start_lengths, cutoff_A, step, len(atoms))
            replicas = _replica_frames(system, n_replicas) if reference or writer else []
            if reference:
                frames.extend(replicas)
            if writer:
                info = {"step": step, "time_fs": step * timestep_fs}
                append_frame(
                    writer, replicas, [info if n_replicas == 1 else {**info, "replica": k} for k in range(n_replicas)]
                )
            if progress:
                progress(step, n_steps)
    seconds = time.perf_counter() - started
    times_fs, total = np.array(times), np.array(energies)
    per_atom_meV = 1000 * total / len(system)
    drift = float(np.polyfit(times_fs / 1000, per_atom_meV, 1)[0]) if len(times_fs) > 2 else float("nan")
    comparison = compare_distances(frames, reference, distance) if reference else None
    return MDReport(
        ensemble,
        step,
        timestep_fs,
        seconds / max(step, 1),
        drift,
        float(np.std(per_atom_meV)),
        not problem,
        problem,
        float(np.mean(temperatures[1:] or temperatures)),
        comparison,
        times_fs,
        total,
        n_replicas,
    )


def _starting_system(atoms: Atoms, n_replicas: int, temperature_K: float, rng: np.random.Generator) -> Atoms:
    """``atoms`` with momenta (stored ones for a single run), or ``n_replicas`` copies end to end,
    each with its own Maxwell–Boltzmann velocities (no net momentum or rotation)."""
    from ase.md.velocitydistribution import (
        MaxwellBoltzmannDistribution,
        Stationary,
        ZeroRotation,
    )

    if n_replicas > 1 and atoms.pbc.any():
        raise ValueError("replicas are copies of a molecule; a periodic structure runs as one system (n_replicas=1)")
    copies = []
    for _ in range(n_replicas):
        copy = Atoms(numbers=atoms.numbers, positions=atoms.positions, cell=atoms.cell, pbc=atoms.pbc)
        if "md_momenta" in atoms.arrays and n_replicas == 1:
            copy.set_momenta(atoms.arrays["md_momenta"])
        else:
            MaxwellBoltzmannDistribution(copy, temperature_K=temperature_K, rng=rng)
            Stationary(copy)
            ZeroRotation(copy)
        copies.append(copy)
    system = copies[0]
    for copy in copies[1:]:
        system += copy
    return system


def _bonds(atoms: Atoms, n_replicas: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The bonds of ``atoms`` (each once) in every replica, and their starting lengths (Å)."""
    bonds = bond_graph(atoms)
    keep = bonds.first < bonds.second
    lengths = atoms.get_distances(bonds.first[keep], bonds.second[keep], mic=True) if keep.any() else np.zeros(0)
    offsets = np.repeat(np.arange(n_replicas) * len(atoms), keep.sum())
    return (
        np.tile(bonds.first[keep], n_replicas) + offsets,
        np.tile(bonds.second[keep], n_replicas) + offsets,
        np.tile(lengths, n_replicas),
    )


def _replica_frames(system: Atoms, n_replicas: int) -> list[Atoms]:
    """Each replica of ``system`` as its own Atoms, with its energy and forces when they are known."""
    from ase.calculators.singlepoint import SinglePointCalculator

    n_atoms = len(system) // n_replicas
    results = system.calc.results if system.calc is not None else {}
    momenta = system.get_momenta()
    frames = []
    for k in range(n_replicas):
        part = slice(k * n_atoms, (k + 1) * n_atoms)
        frame = Atoms(
            numbers=system.numbers[part],
            positions=system.positions[part],
            cell=system.cell,
            pbc=system.pbc,
            momenta=momenta[part],
        )
        if "forces" in results:
            energy = results["replica_energies"][k] if n_replicas > 1 else results["energy"]
            frame.calc = SinglePointCalculator(frame, energy=energy, forces=results["forces"][part])
        frames.append(frame)
    return frames


def compare_distances(frames: list[Atoms], reference: list[Atoms], pair: tuple[int, int] | None) -> DistanceComparison:
    """The distribution of the atom pair's distance (or of all pair distances, h(r)) in ``frames``
    against ``reference`` (same molecule)."""
    from scipy.stats import wasserstein_distance

    if not np.array_equal(reference[0].numbers, frames[0].numbers):
        raise ValueError(
            f"the reference holds {reference[0].get_chemical_formula()}, the MD "
            f"{frames[0].get_chemical_formula()}; compare the same molecule"
        )
    here, there = _distances(frames, pair), _distances(reference, pair)
    edges = np.arange(0.0, max(here.max(), there.max()) + 2 * HISTOGRAM_BIN_A, HISTOGRAM_BIN_A)
    density = np.histogram(here, edges, density=True)[0]
    reference_density = np.histogram(there, edges, density=True)[0]
    symbols = frames[0].get_chemical_symbols()
    name = f"distance {symbols[pair[0]]}{pair[0]}–{symbols[pair[1]]}{pair[1]}" if pair else "all pair distances h(r)"
    return DistanceComparison(
        name,
        float(here.mean()),
        float(here.std()),
        float(there.mean()),
        float(there.std()),
        float(wasserstein_distance(here, there)),
        float(np.abs(density - reference_density).sum() * HISTOGRAM_BIN_A),
        0.5 * (edges[1:] + edges[:-1]),
        density,
        reference_density,
    )


def _distances(frames: list[Atoms], pair: tuple[int, int] | None) -> np.ndarray:
    if pair is not None:
        return np.array([a.get_distance(*pair, mic=True) for a in frames])
    upper = np.triu_indices(len(frames[0]), k=1)
    return np.concatenate([a.get_all_distances(mic=True)[upper] for a in frames])


def _instability(
    system: Atoms,
    first: np.ndarray,
    second: np.ndarray,
    start_lengths: np.ndarray,
    cutoff_A: float,
    step: int,
    n_atoms: int,
) -> str:
    """Why a replica (of ``n_atoms`` each) is no longer the molecule it started as, or ''."""
    n_replicas = len(system) // n_atoms
    where = f"step {step}" if n_replicas == 1 else "replica {replica}, step " + str(step)
    if len(first):
        stretch = system.get_distances(first, second, mic=True) - start_lengths
        worst = int(np.argmax(stretch))
        if stretch[worst] > BOND_STRETCH_LIMIT_A:
            symbols = system.get_chemical_symbols()
            i, j = first[worst] % n_atoms, second[worst] % n_atoms
            return (
                f"{where.format(replica=first[worst] // n_atoms)}: bond {symbols[i]}{i}–{symbols[j]}{j} "
                f"stretched by {stretch[worst]:.2f} Å (broken)"
            )
    if n_atoms > 1:
        if system.pbc.any():
            neighbours = pairs_within(system, cutoff_A, "i")[0]
        else:
            replica, neighbours, _ = replica_edges(system.positions.reshape(n_replicas, n_atoms, 3), cutoff_A)
            neighbours = neighbours + replica * n_atoms
        lost = np.setdiff1d(np.arange(len(system)), neighbours)
        if len(lost):
            replica = lost[0] // n_atoms
            atoms = lost[lost // n_atoms == replica] % n_atoms
            return (
                f"{where.format(replica=replica)}: atom(s) {atoms[:5].tolist()} have no neighbour within "
                f"{cutoff_A} Å (lost)"
            )
    return ""


def _check_distance(pair: tuple[int, int] | None, n_atoms: int) -> None:
    if pair is None:
        return
    if len(pair) != 2 or pair[0] == pair[1] or not all(0 <= i < n_atoms for i in pair):
        raise ValueError(f"distance {pair}: give two different atom indices between 0 and {n_atoms - 1}")
