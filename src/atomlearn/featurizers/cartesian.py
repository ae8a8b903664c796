"""Raw Cartesian coordinates: the naive input the lecture warns about (no symmetry kept)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from ase import Atoms

from atomlearn.featurizers.base import Featurizer


class CartesianCoordinates(Featurizer):
    """Atomic numbers and x, y, z (Å) of each atom in file order, zero-padded.

    It respects no symmetry: translating, rotating or re-ordering the atoms changes the
    row. It exists to show why invariant descriptors are needed, and as input for models
    trained on augmented data (``invariance.augment``). Features: ``atom<i>_{Z,x,y,z}``.

    Parameters
    ----------
    max_atoms : int, optional
        Atoms per row; default: the largest structure given to ``fit`` (a larger one gives a NaN row).
    on_error, n_jobs, scheduler, cache
        Runtime settings of every featurizer (see :class:`~atomlearn.featurizers.base.Featurizer`).

    Attributes
    ----------
    max_atoms_ : int
    feature_names_out_ : ndarray of str, shape (n_features,)
        Column names, fixed by ``fit``.
    n_features_out_ : int
    errors_ : list of ErrorRecord
        Structures the last ``transform`` could not featurize (id, stage, reason).
    """

    name = "cartesian"
    symmetries = frozenset()

    def __init__(
        self,
        max_atoms: int | None = None,
        on_error: str = "nan",
        n_jobs: int = 1,
        scheduler: str | None = None,
        cache: bool = False,
    ) -> None:
        self.max_atoms = max_atoms
        self._set_runtime(on_error, n_jobs, scheduler, cache)

    def _fit(self, structures: Sequence[Atoms]) -> None:
        self.max_atoms_ = self.max_atoms or max(len(atoms) for atoms in structures)

    def _fitted_state(self) -> dict[str, int]:
        return {"max_atoms": self.max_atoms_}

    def featurize(self, atoms: Atoms) -> np.ndarray:
        if len(atoms) > self.max_atoms_:
            raise ValueError(f"{len(atoms)} atoms, more than the {self.max_atoms_} seen in fit")
        row = np.zeros((self.max_atoms_, 4))
        row[: len(atoms), 0] = atoms.numbers
        row[: len(atoms), 1:] = atoms.positions
        return row.ravel()

    def _feature_names(self) -> list[str]:
        return [f"atom{i}_{c}" for i in range(self.max_atoms_) for c in ("Z", "x", "y", "z")]
