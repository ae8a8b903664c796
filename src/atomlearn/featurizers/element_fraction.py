"""Element-fraction composition features: how much of each element a structure holds."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from ase import Atoms
from ase.data import chemical_symbols

from atomlearn.featurizers.base import Featurizer


class ElementFraction(Featurizer):
    """Fraction of atoms of each element (and, with ``counts=True``, atom counts and size).

    A structure with an element outside the learnt list gives a NaN row and an error record,
    since its fractions would not sum to one. Fractions respect all four symmetries; counts are
    extensive and change under supercell expansion. Features: ``frac_<El>`` for each element,
    then (``counts=True``) ``count_<El>`` and ``n_atoms``.

    Parameters
    ----------
    species : sequence of str, optional
        Element symbols; default: every element of the structures given to ``fit``.
    counts : bool
        Also give the atom count of each element and the number of atoms.
    on_error, n_jobs, scheduler, cache
        Runtime settings of every featurizer (see :class:`~atomlearn.featurizers.base.Featurizer`).

    Attributes
    ----------
    species_ : list of str
        The elements, in order of atomic number.
    feature_names_out_ : ndarray of str, shape (n_features,)
        Column names, fixed by ``fit``.
    n_features_out_ : int
    errors_ : list of ErrorRecord
        Structures the last ``transform`` could not featurize (id, stage, reason).
    """

    name = "element_fraction"
    citation_list = (
        "L. Ward, A. Agrawal, A. Choudhary, C. Wolverton, A general-purpose machine learning "
        "framework for predicting properties of inorganic materials, npj Comput. Mater. 2, 16028 (2016).",
    )

    def __init__(
        self,
        species: Sequence[str] | None = None,
        counts: bool = True,
        on_error: str = "nan",
        n_jobs: int = 1,
        scheduler: str | None = None,
        cache: bool = False,
    ) -> None:
        self.species = species
        self.counts = counts
        self._set_runtime(on_error, n_jobs, scheduler, cache)

    @property
    def symmetries(self) -> frozenset[str]:  # type: ignore[override]
        base = {"translation", "rotation", "permutation"}
        return frozenset(base if self.counts else base | {"supercell"})

    def _fit(self, structures: Sequence[Atoms]) -> None:
        if self.species is not None:
            numbers = {chemical_symbols.index(s) for s in self.species}
        else:
            numbers = set()
            for atoms in structures:
                numbers.update(int(z) for z in np.unique(atoms.numbers))
        self.species_ = [chemical_symbols[z] for z in sorted(numbers)]
        self._numbers = np.array(sorted(numbers), dtype=int)

    def _fitted_state(self) -> dict[str, list[str]]:
        return {"species": self.species_}

    def featurize(self, atoms: Atoms) -> np.ndarray:
        numbers = atoms.numbers
        counts = np.array([(numbers == z).sum() for z in self._numbers], dtype=float)
        unknown = set(np.unique(numbers)) - set(self._numbers.tolist())
        if unknown:
            names = ", ".join(chemical_symbols[z] for z in sorted(unknown))
            raise ValueError(f"element(s) {names} not seen in fit (species: {', '.join(self.species_)})")
        fractions = counts / len(numbers)
        if not self.counts:
            return fractions
        return np.concatenate([fractions, counts, [len(numbers)]])

    def _feature_names(self) -> list[str]:
        names = [f"frac_{s}" for s in self.species_]
        if self.counts:
            names += [f"count_{s}" for s in self.species_] + ["n_atoms"]
        return names
