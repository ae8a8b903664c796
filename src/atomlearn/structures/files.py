"""Structure files of any format: CIF through :mod:`.cif`, everything else through ``ase.io``;
every structure checked for atoms, finite coordinates, elements and a sane cell.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from ase import Atoms

from atomlearn.errors import StructureError
from atomlearn.structures import cif_checks
from atomlearn.structures.cif import CIF_SUFFIXES, read_cif, read_text
from atomlearn.structures.overlaps import check_overlaps

BINARY_FORMAT_SUFFIXES = frozenset({".traj", ".db", ".nc", ".bundle", ".gpw", ".npz"})


def read_structure(path: str | Path, format: str | None = None) -> Atoms:
    """Read one structure from a file: CIF through gemmi, anything else through ``ase.io``.

    Parameters
    ----------
    path : str or Path
    format : str, optional
        An ``ase.io`` format name when the extension does not tell it.

    Returns
    -------
    ase.Atoms

    Raises
    ------
    StructureError
        Naming the file for a missing, empty, binary-but-text, unreadable or multi-structure file,
        unknown elements or non-finite coordinates.
    """
    frames = read_frames(path, format=format)
    if len(frames) != 1:
        raise StructureError(
            f"{path}: holds {len(frames)} structures; one was expected. Use "
            "atomlearn.structures.read_frames() for trajectories or multi-frame files."
        )
    return frames[0]


def read_frames(path: str | Path, format: str | None = None) -> list[Atoms]:
    """Read every structure of a (multi-frame) file through ``ase.io``.

    Parameters
    ----------
    path : str or Path
    format : str, optional
        An ``ase.io`` format name when the extension does not tell it.

    Returns
    -------
    list of ase.Atoms
    """
    import ase.io

    path = Path(path)
    if _is_cif(path, format):
        return [read_cif(path)]
    if not path.is_file():
        raise StructureError(f"{path}: no such file.")
    if path.stat().st_size == 0:
        raise StructureError(f"{path}: the file is empty.")
    if path.suffix.lower() not in BINARY_FORMAT_SUFFIXES:
        read_text(path)  # rejects binary data in a file whose name says text
    try:
        frames = ase.io.read(path, index=":", format=format)
    except KeyError as exc:
        raise StructureError(f"{path}: unknown element symbol {exc}; use chemical symbols (H, C, Cu, ...).") from None
    except Exception as exc:  # ase raises many types for a malformed file
        what = format or f"the format of its extension '{path.suffix}'"
        raise StructureError(
            f"{path}: could not be read as {what} ({type(exc).__name__}: {exc}). "
            "Check the file, or pass format= with the right ase.io format name."
        ) from None
    if not frames:
        raise StructureError(f"{path}: holds no structure.")
    for atoms in frames:
        check_structure(atoms, str(path))
        atoms.info["source"] = str(path)
    return frames


def _is_cif(path: Path, format: str | None) -> bool:
    return format == "cif" or (format is None and path.suffix.lower() in CIF_SUFFIXES)


def check_structure(atoms: Atoms, source: str) -> None:
    """Refuse a structure with no atoms, non-finite coordinates, a dummy element, a bad cell or overlapping
    sites (``overlaps``).

    Parameters
    ----------
    atoms : ase.Atoms
    source : str
        The file or id the error names.

    Raises
    ------
    StructureError
    """
    if len(atoms) == 0:
        raise StructureError(f"{source}: the structure has no atoms.")
    if not np.isfinite(atoms.positions).all():
        raise StructureError(f"{source}: coordinates contain NaN or infinity.")
    if (atoms.numbers <= 0).any():
        index = int(np.flatnonzero(atoms.numbers <= 0)[0])
        raise StructureError(
            f"{source}: atom {index + 1} has no element (symbol X or a dummy atom); "
            "use chemical symbols (H, C, Cu, ...)."
        )
    check_cell(atoms, source)
    check_overlaps(atoms, source)


def check_cell(atoms: Atoms, source: str) -> None:
    """Refuse a periodic structure's impossible cell.

    Finite lengths within 0.1-1000 Å, angles strictly between 0 and 180°, positive volume over the
    periodic directions.

    Parameters
    ----------
    atoms : ase.Atoms
    source : str
        The file or id the error names.

    Raises
    ------
    StructureError
    """
    if not atoms.pbc.any():
        return
    cell = np.asarray(atoms.cell, dtype=float)
    lengths = np.linalg.norm(cell, axis=1)
    periodic = np.flatnonzero(atoms.pbc)
    low, high = cif_checks.MIN_CELL_LENGTH_A, cif_checks.MAX_CELL_LENGTH_A
    if not np.isfinite(cell).all() or not ((lengths[periodic] > low) & (lengths[periodic] <= high)).all():
        raise StructureError(
            f"{source}: the cell vectors along the periodic directions must have finite lengths "
            f"between {low} and {high} Å (got {np.round(lengths, 4).tolist()}); fix the lattice, "
            "or mark the structure non-periodic (pbc F F F) if it is a molecule."
        )
    if atoms.pbc.all() and not abs(np.linalg.det(cell)) > 1e-6:
        raise StructureError(f"{source}: the cell has no volume (its vectors are coplanar); fix the lattice.")
