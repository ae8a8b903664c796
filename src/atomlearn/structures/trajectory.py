"""Extended XYZ trajectories written frame by frame: each append is one write + fsync, and a reader
keeps the complete frames and cuts a torn last one (a killed writer), so a run can resume by appending.

Used by the xTB MD of :mod:`atomlearn.simulate.xtb` and the ML-force-field MD of :mod:`atomlearn.forcefield`.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

from ase import Atoms

__all__ = ["append_frame", "read_md_frames"]


def append_frame(handle, atoms: Atoms | list[Atoms], info: dict | list[dict]) -> None:
    """Append frames to an extended XYZ file in a single write + fsync, so a kill leaves at most a torn
    last frame.

    Parameters
    ----------
    handle : file object
        Opened for appending (text).
    atoms : ase.Atoms or list of ase.Atoms
        With a calculator's energy (eV) and forces (eV/Å), and momenta; each is written with them.
    info : dict or list of dict
        Per frame: extra ``info`` keys (step, time, settings); the kinetic temperature (K) is added.
    """
    frames, infos = (atoms, info) if isinstance(atoms, list) else ([atoms], [info])
    handle.write("".join(_frame_text(frame, details) for frame, details in zip(frames, infos)))
    handle.flush()
    os.fsync(handle.fileno())


def _frame_text(atoms: Atoms, info: dict) -> str:
    import ase.io
    from ase.calculators.singlepoint import SinglePointCalculator

    frame = Atoms(numbers=atoms.numbers, positions=atoms.positions, cell=atoms.cell, pbc=atoms.pbc)
    frame.arrays["md_momenta"] = atoms.get_momenta()
    frame.info.update(info, kinetic_temperature_K=float(atoms.get_temperature()))
    frame.calc = SinglePointCalculator(
        frame, energy=atoms.get_potential_energy(), forces=atoms.get_forces(apply_constraint=False)
    )  # the raw xTB forces
    text = io.StringIO()
    ase.io.write(text, frame, format="extxyz")
    return text.getvalue()


def read_md_frames(path: str | Path) -> list[Atoms]:
    """The complete frames of an extended XYZ trajectory; a torn last frame (a killed writer) is cut off
    the file so appending can go on.

    Parameters
    ----------
    path : str or Path

    Returns
    -------
    list of ase.Atoms
        The frames with their energies, forces and ``info``.

    Raises
    ------
    ValueError
        Naming the file and line when it is no extended XYZ trajectory.
    """
    import ase.io

    path = Path(path)
    lines = path.read_text().splitlines(keepends=True)
    position, complete_end = 0, 0
    while position < len(lines):
        header = lines[position].strip()
        if not header:
            position += 1
            continue
        if not header.isdigit():
            raise ValueError(
                f"{path}, line {position + 1}: expected an atom count, found {header[:40]!r}; "
                "this is not an extended XYZ trajectory"
            )
        end = position + 2 + int(header)
        if end > len(lines) or not lines[end - 1].endswith("\n"):
            break
        position = complete_end = end
    text = "".join(lines[:complete_end])
    if complete_end < len(lines):
        with path.open("r+") as handle:
            handle.truncate(len(text.encode()))
    return ase.io.read(io.StringIO(text), index=":", format="extxyz") if text else []
