"""Molecules as Boltzmann-generator systems: a Cartesian potential seen through internal
coordinates (``sampling.internal``), states and a collective variable along torsions, and a
reference from long MD whose error bar comes from blocks of it.

``MoleculeSystem`` holds what every molecule shares; ``FramesMolecule`` is a user's molecule: the
frames of an MD run (extended XYZ, e.g. from ``atomlearn simulate xtb-md``) and a potential, either an
atomlearn force field (``FF_DIR``) or GFN2-xTB. Its collective variable is a torsion (by default
the one about the first rotatable bond that is not a symmetric rotor such as a methyl group) and
its states are that torsion's basins, split where the frames' torsion density has its minima.
"""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np
import torch

from atomlearn.sampling.internal import InternalCoordinatePotential, ZMatrix, _torsion, torsion_periods
from atomlearn.sampling.potentials import ASEPotential, ForceFieldPotential, Potential
from atomlearn.sampling.systems import System

#: consecutive blocks of the reference MD whose spread gives the reference's error bar
REFERENCE_BLOCKS = 32  # a multiple of the runs (4 for alanine dipeptide, 16 replicas here)


class MoleculeSystem(System):
    """A molecule in internal coordinates (3N − 6) with a Cartesian ``cartesian`` potential.

    Subclasses set ``cartesian``, ``zmatrix``, ``states``, ``torsion_low``/``typical`` (fields) and
    provide ``reference_frames`` (n, N, 3) in the potential's length unit and ``collective_variable``.
    """

    torsion_low: list[float] | None
    typical: list[float] | None
    cartesian: Potential
    zmatrix: ZMatrix
    atomic_numbers: np.ndarray
    #: Å per length unit of the Cartesian potential
    ANGSTROM_PER_UNIT = 1.0

    @property
    def reference_frames(self) -> np.ndarray:
        """Frames (n, N, 3) of the reference MD, in the potential's length unit."""
        raise NotImplementedError

    def torsions(self, z: np.ndarray, *atom_sets: tuple[int, int, int, int]) -> list[np.ndarray]:
        """The torsion of each set of four atoms in degrees, (−180, 180], for internal coordinates
        (n, dim); the Cartesian positions are built once for all of them."""
        with torch.no_grad():
            x = self.zmatrix.to_cartesian(torch.as_tensor(np.asarray(z, dtype=float))).reshape(len(z), -1, 3)
            return [np.degrees(_torsion(*(x[:, i] for i in atoms)).numpy()) for atoms in atom_sets]

    def torsion(self, z: np.ndarray, atoms: tuple[int, int, int, int]) -> np.ndarray:
        """The torsion of four atoms in degrees, (−180, 180], for internal coordinates (n, dim)."""
        return self.torsions(z, atoms)[0]

    def to_atoms(self, z: np.ndarray) -> list:
        """The molecules (``ase.Atoms``, positions in Å) of internal coordinates (n, dim)."""
        from ase import Atoms

        with torch.no_grad():
            x = self.zmatrix.to_cartesian(torch.as_tensor(np.asarray(z, dtype=float))).numpy()
        return [Atoms(numbers=self.atomic_numbers, positions=row.reshape(-1, 3) * self.ANGSTROM_PER_UNIT) for row in x]

    def internal(self, frames: np.ndarray) -> np.ndarray:
        """Internal coordinates (n, dim) of Cartesian frames (n, N, 3), torsions in their periods
        (which the first frames given fix when none are set yet)."""
        z = self.zmatrix.to_internal(torch.as_tensor(np.asarray(frames, dtype=float).reshape(len(frames), -1))).numpy()
        if self.torsion_low is None:
            self.torsion_low = torsion_periods(z[:, self.zmatrix.torsion_columns]).tolist()
            self.typical = z[0].tolist()
        return self._potential.wrap(z)

    @cached_property
    def _potential(self) -> InternalCoordinatePotential:
        if self.torsion_low is None:
            raise ValueError(f"{self.name}: draw training samples first (they fix the torsions' periods)")
        return InternalCoordinatePotential(
            self.cartesian, self.zmatrix, np.array(self.torsion_low), np.array(self.typical)
        )

    def thermal_energy(self, temperature: float) -> float:
        return self.cartesian.thermal_energy(temperature)

    def reduced(self, z: torch.Tensor, temperature: float) -> torch.Tensor:
        return self._potential.reduced(z, temperature)

    def training_reduced(self, z: torch.Tensor, temperature: float) -> torch.Tensor:
        """The energy the reverse KL trains on: a smooth wall outside the torsions' periods
        (``InternalCoordinatePotential``)."""
        return self._potential.reduced(z, temperature, training=True)

    # ---- the reference
    @cached_property
    def _reference_internal(self) -> np.ndarray:
        return self.internal(self.reference_frames)

    def reference_samples(self, n: int, random_state: int | None = 0) -> np.ndarray:
        z = self._reference_internal
        rows = np.random.default_rng(random_state).permutation(len(z))[:n]
        return z[np.sort(rows)]

    @cached_property
    def _reference_masks(self) -> dict[str, np.ndarray]:
        """Which reference frames lie in each state (each state evaluated once on the whole reference)."""
        return {}

    def _state_fractions(self, state_a: str, state_b: str) -> np.ndarray:
        """Fractions of the reference frames in each state per block, shape (REFERENCE_BLOCKS, 2)."""
        masks = self._reference_masks
        for state in (state_a, state_b):
            if state not in masks:
                masks[state] = self.states[state](self._reference_internal)
        inside = np.stack([masks[state_a], masks[state_b]], axis=1)
        return np.array([block.mean(axis=0) for block in np.array_split(inside, REFERENCE_BLOCKS)])

    def reference_free_energy(self, state_a: str, state_b: str) -> float:
        fractions = self._state_fractions(state_a, state_b).mean(axis=0)
        for state, fraction in zip((state_a, state_b), fractions):
            if fraction == 0:
                warnings.warn(
                    f"the reference MD never visited {state}: its ΔF is infinite; run a longer reference", stacklevel=2
                )
                return float("inf") if state == state_b else float("-inf")
        return float(-np.log(fractions[1] / fractions[0]))

    def reference_error(self, state_a: str, state_b: str) -> float:
        """Standard error (kT) of the reference ΔF = -ln(p_b/p_a) from the spread of the state fractions over
        ``REFERENCE_BLOCKS`` consecutive blocks of the MD (blocks of independent runs do not straddle two runs
        when the run count divides it), propagated to ΔF to first order. Every block counts, those that never
        visited a state included: dropping them would hide the rare transitions that make the error large."""
        return log_ratio_error(self._state_fractions(state_a, state_b))

    def reference_profile(self, edges: np.ndarray) -> np.ndarray:
        density, _ = np.histogram(self.collective_variable(self._reference_internal), bins=edges, density=True)
        with np.errstate(divide="ignore"):
            profile = -np.log(density)
        return profile - np.min(profile[np.isfinite(profile)])


def log_ratio_error(fractions: np.ndarray) -> float:
    """Standard error of -ln(p_b/p_a) from block fractions of shape (n_blocks, 2) (delta method, every block kept);
    inf when a state was never visited or there are fewer than two blocks."""
    means = fractions.mean(axis=0)
    if len(fractions) < 2 or not np.all(means > 0):
        return float("inf")
    gradient = np.array([1.0 / means[0], -1.0 / means[1]])
    covariance = np.cov(fractions.T, ddof=1) / len(fractions)
    return float(np.sqrt(max(gradient @ covariance @ gradient, 0.0)))


def cached_frames(name: str, compute) -> np.ndarray:
    """Frames cached in the atomlearn cache under ``sampling/NAME.npy``: loaded, or computed by
    ``compute()`` and written whole (temporary name, then rename)."""
    from atomlearn import __version__
    from atomlearn.cache import cache_dir
    from atomlearn.files import atomic_file

    path = cache_dir() / "sampling" / f"{name}-{__version__}.npy"
    if path.exists():
        return np.load(path, allow_pickle=False)
    frames = compute()
    with atomic_file(path) as partial, partial.open("wb") as handle:
        np.save(handle, frames)
    return frames


# ---- a user's molecule: MD frames and a potential
def bonds_of(numbers: np.ndarray, positions: np.ndarray) -> list[tuple[int, int]]:
    """Covalent bonds (pairs of atom indices) of one geometry (Å): closer than 1.2 times the sum of covalent radii."""
    from ase import Atoms
    from ase.neighborlist import natural_cutoffs, neighbor_list

    atoms = Atoms(numbers=numbers, positions=positions)
    first, second = neighbor_list("ij", atoms, natural_cutoffs(atoms, mult=1.2))  # 20 % over the covalent radii
    return sorted({(int(i), int(j)) for i, j in zip(first, second) if i < j})


def default_torsion(numbers: np.ndarray, bonds: list[tuple[int, int]]) -> tuple[int, int, int, int]:
    """The torsion a-b-c-d about the first bond b-c between two non-terminal atoms, outside rings,
    neither of whose ends is a symmetric rotor (other neighbours all terminal atoms of one element,
    like a methyl's hydrogens), preferring one whose four atoms are heavy; a and d are the heaviest
    other neighbours (lowest index on ties)."""
    import networkx as nx

    graph = nx.Graph(bonds)
    in_ring = {frozenset(edge) for cycle in nx.cycle_basis(graph) for edge in zip(cycle, cycle[1:] + cycle[:1])}

    def others(atom: int, partner: int) -> list[int]:
        return sorted((n for n in graph[atom] if n != partner), key=lambda n: (-numbers[n], n))

    def symmetric_rotor(atom: int, partner: int) -> bool:
        rest = others(atom, partner)
        return len(rest) > 1 and len({numbers[n] for n in rest}) == 1 and all(graph.degree[n] == 1 for n in rest)

    candidates = [
        (others(b, c)[0], b, c, others(c, b)[0])
        for b, c in bonds
        if graph.degree[b] > 1
        and graph.degree[c] > 1
        and frozenset((b, c)) not in in_ring
        and not symmetric_rotor(b, c)
        and not symmetric_rotor(c, b)
    ]
    if candidates:  # a torsion of four heavy atoms first (a backbone), then one that moves a hydrogen
        return min(candidates, key=lambda t: numbers[t[0]] == 1 or numbers[t[3]] == 1)
    raise ValueError(
        "the molecule has no rotatable bond that is not a symmetric rotor; give the torsion "
        "(--torsion A,B,C,D, atom indices from 0)"
    )


def basin_boundaries(angles: np.ndarray, bins: int = 36) -> list[float]:
    """Where a periodic angle's density (degrees) has its minima: the centres of the bins that are
    local minima of the histogram smoothed twice by [1, 2, 1]/4, in degrees, ascending."""
    counts, edges = np.histogram(np.asarray(angles), bins=bins, range=(-180.0, 180.0))
    smooth = counts.astype(float)
    for _ in range(2):
        smooth = 0.25 * np.roll(smooth, 1) + 0.5 * smooth + 0.25 * np.roll(smooth, -1)
    minima = (smooth < np.roll(smooth, 1)) & (smooth <= np.roll(smooth, -1))
    centres = 0.5 * (edges[:-1] + edges[1:])
    return [float(c) for c in centres[minima]]


def state_name(low: float, high: float) -> str:
    """The name of the torsion arc [low, high) in degrees (``high`` may pass 180: the arc wraps)."""
    wrap = lambda a: (a + 180.0) % 360.0 - 180.0  # noqa: E731
    return f"[{wrap(low):.0f}°, {wrap(high):.0f}°)"


def _in_arc(angles: np.ndarray, low: float, high: float) -> np.ndarray:
    return np.mod(np.asarray(angles) - low, 360.0) < (high - low)


@dataclass
class FramesMolecule(MoleculeSystem):
    """A molecule from MD frames (extended XYZ) under an atomlearn force field or GFN2-xTB.

    Parameters
    ----------
    potential_source : str
        ``FF_DIR`` (a folder written by ``atomlearn forcefield train``) or ``"xtb"`` (GFN2-xTB).
    frames : str, optional
        The MD frames (training samples and the starting structure); not needed once ``numbers``
        and ``start`` are known (a saved generator).
    numbers : list of int, optional
        Atomic numbers (from the frames).
    start : list, optional
        A starting structure (N, 3) in Å (the first frame), for the reference MD.
    cv_torsion : list of 4 int, optional
        The torsion of the collective variable and the states (default: ``default_torsion``).
    boundaries : list of float, optional
        Degrees where one state ends and the next begins along the torsion (default: the minima of
        the frames' torsion density, ``basin_boundaries``).
    temperature : float
        K (default 300).
    reference_ns : float
        Total length of the reference MD with the same potential (ns, over ``REPLICAS`` replicas;
        default 0.2; cached).
    """

    potential_source: str = ""
    frames: str | None = None
    numbers: list[int] | None = None
    start: list | None = None
    cv_torsion: list[int] | None = None
    boundaries: list[float] | None = None
    torsion_low: list[float] | None = None
    typical: list[float] | None = None
    temperature: float = 300.0
    reference_ns: float = 0.2
    name: str = "molecule"
    default_flow: str = "spline"
    default_energy_weight: float = 0.5
    energy_unit: str = "eV"
    states: dict = field(default_factory=dict)

    SPEC_FIELDS = (
        "potential_source",
        "frames",
        "numbers",
        "start",
        "cv_torsion",
        "boundaries",
        "torsion_low",
        "typical",
        "temperature",
        "reference_ns",
    )
    #: the reference MD: replicas in one batch, Langevin time step (fs), frame interval (steps), equilibration (steps)
    REPLICAS, TIMESTEP_FS, INTERVAL, EQUILIBRATION = 16, 0.5, 20, 2000

    def __post_init__(self) -> None:
        if not self.potential_source:
            raise ValueError("a molecule needs a potential: --potential FF_DIR (atomlearn forcefield train) or xtb")
        if self.numbers is None:
            if self.frames is None:
                raise ValueError("a molecule needs its MD frames (an extended XYZ file)")
            self._frames = _read_frames(self.frames)
            self.numbers = [int(z) for z in self._frames[0].numbers]
            self.start = self._frames[0].positions.tolist()
        numbers, start = np.array(self.numbers), np.array(self.start, dtype=float)
        self.atomic_numbers = numbers
        bonds = bonds_of(numbers, start)
        heavy = numbers > 1
        degree = np.bincount(np.array(bonds).ravel(), minlength=len(numbers))
        self.zmatrix = ZMatrix.from_bonds(len(numbers), bonds, root=int(np.argmax(degree * heavy)), heavy=heavy)
        self.dim = 3 * len(numbers) - 6
        self.cv_torsion = [int(a) for a in (self.cv_torsion or default_torsion(numbers, bonds))]
        if len(self.cv_torsion) != 4 or not all(0 <= a < len(numbers) for a in self.cv_torsion):
            raise ValueError(
                f"the torsion needs 4 atom indices between 0 and {len(numbers) - 1}, got {self.cv_torsion}"
            )
        self.cartesian = self._build_potential(numbers)
        self.cv_label = "torsion {} (degrees)".format("-".join(str(a) for a in self.cv_torsion))
        self.reference_description = (
            f"Langevin MD at {self.temperature:g} K with the same potential, "
            f"{self.reference_ns * 1000:g} ps over {self.REPLICAS} replicas"
        )
        if self.boundaries is not None:
            self._set_states(self.boundaries)

    def _build_potential(self, numbers: np.ndarray) -> Potential:
        if self.potential_source == "xtb":
            from ase import Atoms

            from atomlearn.simulate.xtb import xtb_calculator

            return ASEPotential(Atoms(numbers=numbers, positions=np.array(self.start)), xtb_calculator())
        if not Path(self.potential_source).is_dir():
            raise ValueError(
                f"--potential {self.potential_source}: not a force-field folder (FF_DIR written by "
                "`atomlearn forcefield train`) nor xtb"
            )
        return ForceFieldPotential(self.potential_source, numbers)

    def _set_states(self, boundaries: list[float]) -> None:
        cuts = sorted(float(b) for b in boundaries)
        if len(cuts) < 2:
            raise ValueError(
                f"the torsion {self.cv_torsion} has {len(cuts)} basin(s) in the frames; give two or more "
                "state boundaries (--boundaries, degrees)"
            )
        self.boundaries = cuts
        self.__dict__.pop("_reference_masks", None)  # masks of earlier states
        arcs = list(zip(cuts, cuts[1:] + [cuts[0] + 360.0]))
        self.states = {
            state_name(low, high): (lambda z, low=low, high=high: _in_arc(self.collective_variable(z), low, high))
            for low, high in arcs
        }

    def collective_variable(self, z: np.ndarray) -> np.ndarray:
        return self.torsion(z, tuple(self.cv_torsion))

    def training_samples(self, n: int, random_state: int | None = 0) -> np.ndarray:
        """The first n frames (all of them if fewer) in internal coordinates; they also fix the states."""
        if not hasattr(self, "_frames"):
            raise ValueError("training needs the MD frames (frames=PATH)")
        z = self.internal(np.array([atoms.positions for atoms in self._frames[:n]]))
        if self.boundaries is None:
            self._set_states(basin_boundaries(self.collective_variable(z)))
        return z

    @cached_property
    def reference_frames(self) -> np.ndarray:
        steps = int(np.ceil(self.reference_ns * 1e6 / self.TIMESTEP_FS / self.REPLICAS))
        key = "|".join(
            map(
                str,
                (
                    self.potential_source,
                    _source_stamp(self.potential_source),
                    self.numbers,
                    np.round(self.start, 6).tolist(),
                    self.temperature,
                    steps,
                ),
            )
        )
        digest = __import__("hashlib").sha256(key.encode()).hexdigest()[:16]
        return cached_frames(f"molecule-md-{digest}", lambda: self._run_reference(steps))

    def _run_reference(self, steps: int) -> np.ndarray:
        """Langevin MD of ``REPLICAS`` copies (``steps`` each) at the temperature, the first fifth (at
        most ``EQUILIBRATION`` steps) dropped; frames replica after replica."""
        replicas = self.REPLICAS if self.potential_source != "xtb" else 1  # xTB evaluates one molecule at a time
        steps = steps * self.REPLICAS // replicas
        equilibration = min(self.EQUILIBRATION, steps // 5)
        stream = self._md_stream(replicas, equilibration, random_state=0)
        frames = list(itertools.islice(stream, (steps - equilibration) // self.INTERVAL))
        return np.concatenate(np.stack(frames, axis=1))

    def md_frames(self, random_state: int = 0) -> Iterator[np.ndarray]:
        """Langevin MD of one molecule with the potential after ``EQUILIBRATION`` steps: an endless
        stream of frames (N, 3) in Å, one per ``INTERVAL`` steps."""
        for frame in self._md_stream(1, self.EQUILIBRATION, random_state=random_state + 1):
            yield frame[0]

    def _md_stream(self, replicas: int, equilibration: int, random_state: int) -> Iterator[np.ndarray]:
        """Positions (replicas, N, 3) every ``INTERVAL`` steps of Langevin MD (``TIMESTEP_FS``, friction
        0.01/fs) after ``equilibration`` steps. A replica that falls apart (an atom without a
        neighbour, a non-finite position) stops it with a message."""
        from ase import Atoms, units
        from ase.md.langevin import Langevin
        from ase.md.velocitydistribution import MaxwellBoltzmannDistribution

        start = np.array(self.start, dtype=float)
        system = Atoms(
            numbers=np.tile(self.numbers, replicas),
            positions=np.concatenate([start + [0.0, 0.0, 100.0 * r] for r in range(replicas)]),
        )
        system.calc = _replica_calculator(self.potential_source, replicas)
        rng = np.random.default_rng(random_state)
        MaxwellBoltzmannDistribution(system, temperature_K=self.temperature, rng=rng)
        dynamics = Langevin(
            system,
            self.TIMESTEP_FS * units.fs,
            temperature_K=self.temperature,
            friction=0.01 / units.fs,
            rng=rng,
            fixcm=False,
        )
        done = 0
        while True:
            try:
                dynamics.run(self.INTERVAL)
            except ValueError as exc:
                raise ValueError(
                    f"the MD with {self.potential_source} at {self.temperature:g} K fell apart after "
                    f"{done * self.TIMESTEP_FS / 1000:.3f} ps ({exc}); the potential is not stable there: "
                    "train the force field on more frames, or lower the temperature"
                ) from None
            done += self.INTERVAL
            if not np.isfinite(system.positions).all():
                raise ValueError(
                    f"the MD with {self.potential_source} gave non-finite positions after "
                    f"{done * self.TIMESTEP_FS / 1000:.3f} ps; the potential is not stable at "
                    f"{self.temperature:g} K"
                )
            if done > equilibration:
                yield system.positions.reshape(replicas, -1, 3).copy()


def _replica_calculator(source: str, replicas: int):
    if source == "xtb":
        from atomlearn.simulate.xtb import xtb_calculator

        return xtb_calculator()
    from atomlearn.forcefield import Calculator

    return Calculator(source, n_replicas=replicas)


def _source_stamp(source: str) -> str:
    """What identifies a potential's version: the SHA-256 of the force field's model file, or the xTB method."""
    from atomlearn.files import file_sha256
    from atomlearn.runs.bundle import MODEL_FILE

    model = Path(source) / MODEL_FILE
    return file_sha256(model) if model.is_file() else source


def _read_frames(path: str) -> list:
    """The frames of ``path`` (``read_frames`` refuses non-finite coordinates), one molecule throughout
    (an error names the frame that is not)."""
    from atomlearn.structures import read_frames

    frames = read_frames(path)
    for index, atoms in enumerate(frames):
        if not np.array_equal(atoms.numbers, frames[0].numbers):
            raise ValueError(
                f"{path}, frame {index}: holds {atoms.get_chemical_formula()} (in this atom order), frame 0 "
                f"holds {frames[0].get_chemical_formula()}; give the frames of one molecule"
            )
    return frames
