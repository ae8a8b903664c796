"""``structure_hash``: a content hash of a structure, the key of the feature cache."""

from __future__ import annotations

import hashlib

import numpy as np
from ase import Atoms


def structure_hash(atoms: Atoms, decimals: int = 4) -> str:
    """A content hash of a structure: the cache key of its computed rows.

    Two structures with the same atoms in the same order, the same cell and pbc hash alike; metadata in
    ``atoms.info`` is ignored.

    Parameters
    ----------
    atoms : ase.Atoms
    decimals : int
        Positions and cell are rounded to this many decimals of Å.

    Returns
    -------
    str
        SHA-256 hex digest of species, positions, cell and pbc.
    """
    scale = 10.0**decimals
    digest = hashlib.sha256()
    digest.update(np.asarray(atoms.numbers, dtype="<i2").tobytes())
    digest.update(np.rint(atoms.positions * scale).astype("<i8").tobytes())
    digest.update(np.rint(np.array(atoms.cell) * scale).astype("<i8").tobytes())
    digest.update(np.asarray(atoms.pbc, dtype=bool).tobytes())
    return digest.hexdigest()
