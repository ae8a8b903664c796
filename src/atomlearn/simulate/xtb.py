"""GFN2-xTB energies and forces (``tblite``) and a Langevin MD sampler that writes labelled frames.

The frames are the training data of a machine-learned force field: extended XYZ with the
energy (eV) and the forces (eV/Å) of each frame, and the sampling settings in its comment
line, so a file says how it was made. A run appends one frame at a time and resumes from the
last complete frame (positions and momenta are stored with it), so Ctrl-C or a killed job
loses at most one sampling interval.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from ase import Atoms, units

from atomlearn.structures import append_frame, read_md_frames

XTB_METHODS = ("GFN2-xTB", "GFN1-xTB", "IPEA1-xTB")
# settings written to each frame; a resumed run must match them
RUN_KEYS = ("xtb_method", "temperature_K", "timestep_fs", "friction_per_fs", "interval_steps", "seed")


def xtb_calculator(method: str = "GFN2-xTB", charge: int = 0, multiplicity: int = 1):
    """An ASE calculator for an xTB method through tblite.

    Parameters
    ----------
    method : {"GFN2-xTB", "GFN1-xTB"}
    charge : int
    multiplicity : int

    Returns
    -------
    ase calculator
        Energies in eV, forces in eV/Å.
    """
    from tblite.ase import TBLite

    _check_method(method)
    return TBLite(method=method, charge=float(charge), multiplicity=int(multiplicity), verbosity=0)


def xtb_single_points(structures: Sequence[Atoms], method: str = "GFN2-xTB", charge: int = 0) -> list[Atoms]:
    """Copies of ``structures`` labelled with xTB energies and forces.

    Parameters
    ----------
    structures : sequence of ase.Atoms
    method : {"GFN2-xTB", "GFN1-xTB"}
    charge : int

    Returns
    -------
    list of ase.Atoms
        With a calculator holding the energy (eV) and forces (eV/Å): ``atoms.get_forces()``.
    """
    from ase.calculators.singlepoint import SinglePointCalculator

    labelled = []
    for index, atoms in enumerate(structures):
        frame = atoms.copy()
        frame.calc = xtb_calculator(method, charge)
        try:
            energy, forces = frame.get_potential_energy(), frame.get_forces()
        except Exception as exc:  # tblite raises a bare exception when the SCF fails
            raise RuntimeError(f"structure {index}: xTB failed ({exc}); check the geometry and the charge") from None
        frame.calc = SinglePointCalculator(frame, energy=energy, forces=forces)
        labelled.append(frame)
    return labelled


def _check_method(method: str) -> None:
    if method not in XTB_METHODS:
        raise ValueError(f"unknown xTB method {method!r}; choose one of {', '.join(XTB_METHODS)}")


@dataclass(frozen=True)
class MDSettings:
    """Langevin MD settings of ``xtb_md`` (written into every frame: a resumed run must match them).

    Attributes
    ----------
    temperature_K : float
    timestep_fs : float
    friction_per_fs : float
        Langevin friction (1/fs).
    interval_steps : int
        MD steps between written frames.
    equilibration_steps : int
        Steps run before the first frame.
    xtb_method : str
        ``GFN2-xTB`` or ``GFN1-xTB``.
    charge : int
    seed : int
    """

    temperature_K: float = 500.0
    timestep_fs: float = 0.5
    friction_per_fs: float = 0.01
    interval_steps: int = 10
    equilibration_steps: int = 1000
    xtb_method: str = "GFN2-xTB"
    charge: int = 0
    seed: int = 0

    def check(self) -> None:
        """``ValueError`` naming a setting outside its physical or practical range."""
        if not self.temperature_K > 0:
            raise ValueError(f"temperature must be positive (K), got {self.temperature_K}")
        if not 0 < self.timestep_fs <= 2.0:
            raise ValueError(f"time step {self.timestep_fs} fs is outside (0, 2] fs; with hydrogens use 0.5 fs")
        if self.interval_steps < 1 or self.equilibration_steps < 0:
            raise ValueError("interval_steps must be >= 1 and equilibration_steps >= 0")
        _check_method(self.xtb_method)

    def frame_info(self) -> dict:
        """The settings written into every frame's info (method, temperature, time step, friction, interval, seed)."""
        return {
            "xtb_method": self.xtb_method,
            "temperature_K": self.temperature_K,
            "timestep_fs": self.timestep_fs,
            "friction_per_fs": self.friction_per_fs,
            "interval_steps": self.interval_steps,
            "seed": self.seed,
        }


@dataclass(frozen=True)
class MDRun:
    """What ``xtb_md`` did: the file, frames already there, frames added, and the seconds per MD step."""

    path: Path
    n_resumed: int
    n_added: int
    seconds_per_step: float

    @property
    def n_frames(self) -> int:
        """Frames the file holds now: resumed plus added."""
        return self.n_resumed + self.n_added


def xtb_md(
    start: Atoms,
    out: str | Path,
    n_frames: int,
    settings: MDSettings = MDSettings(),
    progress: Callable[[int, int], None] | None = None,
) -> MDRun:
    """Langevin MD with xTB forces, appending a labelled frame every ``interval_steps`` to ``out`` until it
    holds ``n_frames``.

    An existing ``out`` is resumed from its last complete frame; it must hold the same molecule and the
    same settings.

    Parameters
    ----------
    start : ase.Atoms
        A molecule (``from_smiles``, a file).
    out : str or Path
        Extended XYZ trajectory: positions (Å), energy (eV), forces (eV/Å), momenta, settings.
    n_frames : int
    settings : MDSettings
    progress : callable, optional
        ``progress(done, total)`` after each frame.

    Returns
    -------
    MDRun
        The file, frames already there, frames added, seconds per MD step.
    """
    from ase.constraints import FixCom
    from ase.md.langevin import Langevin
    from ase.md.velocitydistribution import (
        MaxwellBoltzmannDistribution,
        Stationary,
        ZeroRotation,
    )

    settings.check()
    if start.pbc.any():
        raise ValueError("xtb_md samples molecules (pbc=False); periodic xTB MD is not supported here")
    out = Path(out)
    frames = read_md_frames(out) if out.exists() and out.stat().st_size else []
    if frames:
        _check_resumable(out, frames[-1], start, settings)
        atoms = frames[-1].copy()
        atoms.set_momenta(frames[-1].arrays["md_momenta"])
    else:
        atoms = Atoms(numbers=start.numbers, positions=start.positions, pbc=False)
    atoms.set_constraint(FixCom())
    atoms.calc = xtb_calculator(settings.xtb_method, settings.charge)
    rng = np.random.default_rng([settings.seed, len(frames)])
    dynamics = Langevin(
        atoms,
        settings.timestep_fs * units.fs,
        temperature_K=settings.temperature_K,
        friction=settings.friction_per_fs / units.fs,
        rng=rng,
        fixcm=False,
    )
    step = int(frames[-1].info["step"]) if frames else 0
    if not frames:
        MaxwellBoltzmannDistribution(atoms, temperature_K=settings.temperature_K, rng=rng)
        Stationary(atoms)
        ZeroRotation(atoms)
        dynamics.run(settings.equilibration_steps)

    started, n_added = time.perf_counter(), 0
    with out.open("a") as handle:
        while len(frames) + n_added < n_frames:
            dynamics.run(settings.interval_steps)
            step += settings.interval_steps
            smiles = {"smiles": start.info["smiles"]} if start.info.get("smiles") else {}
            append_frame(
                handle, atoms, {**settings.frame_info(), "step": step, "time_fs": step * settings.timestep_fs, **smiles}
            )
            n_added += 1
            if progress:
                progress(len(frames) + n_added, n_frames)
    n_steps = n_added * settings.interval_steps
    return MDRun(out, len(frames), n_added, (time.perf_counter() - started) / n_steps if n_steps else float("nan"))


def _check_resumable(path: Path, last: Atoms, start: Atoms, settings: MDSettings) -> None:
    if not np.array_equal(last.numbers, start.numbers):
        raise ValueError(
            f"{path} holds {last.get_chemical_formula()}, not {start.get_chemical_formula()}; "
            "choose another --out to sample a different molecule"
        )
    wanted = settings.frame_info()
    for key in RUN_KEYS:
        found = last.info.get(key)
        found = found.item() if isinstance(found, np.generic) else found
        if found != wanted[key]:
            raise ValueError(
                f"{path} was sampled with {key} = {found!r}, this run asks for {wanted[key]!r}; "
                "use the same settings to resume or another --out"
            )
    if "md_momenta" not in last.arrays:
        raise ValueError(f"{path} has no momenta in its last frame, so it cannot be resumed; choose another --out")
