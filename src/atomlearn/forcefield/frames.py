"""Training frames of a force field: one molecule (or crystal) in many geometries, each with its
energy (eV) and forces (eV/Å), read from an extended XYZ file (``atomlearn simulate xtb-md``
writes them) and checked frame by frame."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from ase import Atoms

from atomlearn.structures import read_frames


@dataclass(frozen=True)
class Frames:
    """Checked training frames of one molecule.

    Attributes
    ----------
    path : Path
    structures : list of ase.Atoms
    energies_eV : ndarray, shape (n_frames,)
    forces_eV_A : list of ndarray, each of shape (n_atoms, 3)
    """

    path: Path
    structures: list[Atoms]
    energies_eV: np.ndarray
    forces_eV_A: list[np.ndarray]

    def __len__(self) -> int:
        return len(self.structures)

    def take(self, rows: np.ndarray) -> Frames:
        """The frames at ``rows`` (positions), with their energies and forces."""
        return Frames(
            self.path, [self.structures[i] for i in rows], self.energies_eV[rows], [self.forces_eV_A[i] for i in rows]
        )


def read_training_frames(path: str | Path) -> Frames:
    """Frames with energies and forces, each checked.

    Parameters
    ----------
    path : str or Path
        Extended XYZ (or any ``ase.io`` format with energies and forces).

    Returns
    -------
    Frames

    Raises
    ------
    ValueError
        For a frame without energy or forces, with a non-finite value, or of another molecule than frame
        0, naming the frame (numbered from 0).
    """
    path = Path(path)
    structures = read_frames(path)
    energies, forces = [], []
    first = structures[0]
    for index, atoms in enumerate(structures):
        where = f"{path}, frame {index}"
        if atoms.calc is None or "energy" not in atoms.calc.results:
            raise ValueError(f"{where}: no energy; every training frame needs energy= in its comment line")
        if "forces" not in atoms.calc.results:
            raise ValueError(
                f"{where}: no forces; every training frame needs a forces column "
                "(Properties=...:forces:R:3), e.g. from `atomlearn simulate xtb-md`"
            )
        if not np.array_equal(atoms.numbers, first.numbers):
            raise ValueError(
                f"{where}: holds {atoms.get_chemical_formula()} (in this atom order), frame 0 holds "
                f"{first.get_chemical_formula()}; a force-field file must hold one molecule, split the file"
            )
        energy, force = float(atoms.calc.results["energy"]), np.asarray(atoms.calc.results["forces"], dtype=float)
        if not np.isfinite(energy):
            raise ValueError(f"{where}: the energy is {energy}; remove the frame or recompute it")
        if not np.isfinite(force).all():
            raise ValueError(f"{where}: the forces contain NaN or inf; remove the frame or recompute it")
        atoms.info["id"] = f"{path.name} frame {index}"
        energies.append(energy)
        forces.append(force)
    return Frames(path, structures, np.array(energies), forces)
