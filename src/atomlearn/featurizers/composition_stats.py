"""Element-property statistics of a composition (Magpie-style, Ward et al. 2016)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from ase import Atoms

from atomlearn.featurizers import elements
from atomlearn.featurizers.base import Featurizer

DEFAULT_PROPERTIES = tuple(elements.SOURCES)
STATISTICS = ("mean", "wmean", "wstd", "wavgdev", "min", "max", "range")


class CompositionStats(Featurizer):
    """Statistics of element properties over the atoms of a structure.

    For each property p and element fractions f_e: ``mean`` (over distinct elements),
    ``wmean`` = Σ f_e p_e, ``wstd`` (fraction-weighted standard deviation),
    ``wavgdev`` = Σ f_e |p_e - wmean|, ``min``, ``max``, ``range``. Depends on the composition
    only, so it respects all four symmetries. Features: ``comp_<property>_<statistic>``.

    Parameters
    ----------
    properties : sequence of str
        Columns of the shipped element table ``package_data/elements.csv`` (Z = 1-94; sources in
        ``elements.SOURCES``): mass (amu), group, period, valence electrons, Pauling
        electronegativity, covalent and van der Waals radii (Å), polarizability (bohr³),
        ionization energy (eV), Mendeleev number.
    on_error, n_jobs, scheduler, cache
        Runtime settings of every featurizer (see :class:`~atomlearn.featurizers.base.Featurizer`).

    Attributes
    ----------
    feature_names_out_ : ndarray of str, shape (n_features,)
        Column names, fixed by ``fit``.
    n_features_out_ : int
    errors_ : list of ErrorRecord
        Structures the last ``transform`` could not featurize (id, stage, reason).
    """

    name = "composition"
    symmetries = frozenset({"translation", "rotation", "permutation", "supercell"})
    citation_list = (
        "L. Ward, A. Agrawal, A. Choudhary, C. Wolverton, A general-purpose machine learning "
        "framework for predicting properties of inorganic materials, npj Comput. Mater. 2, 16028 (2016).",
        elements.CITATION,
    )

    def __init__(
        self,
        properties: Sequence[str] = DEFAULT_PROPERTIES,
        on_error: str = "nan",
        n_jobs: int = 1,
        scheduler: str | None = None,
        cache: bool = False,
    ) -> None:
        self.properties = properties
        self._set_runtime(on_error, n_jobs, scheduler, cache)

    def _fit(self, structures: Sequence[Atoms]) -> None:
        for name in self.properties:
            elements.property_by_z(name)  # unknown names fail here, before any work

    def featurize(self, atoms: Atoms) -> np.ndarray:
        if len(atoms) == 0:
            raise ValueError("the structure has no atoms")
        numbers, counts = np.unique(atoms.numbers, return_counts=True)
        fractions = counts / counts.sum()
        rows = []
        for name in self.properties:
            values = elements.lookup(name, numbers)
            wmean = fractions @ values
            rows.append(
                [
                    values.mean(),
                    wmean,
                    np.sqrt(fractions @ (values - wmean) ** 2),
                    fractions @ np.abs(values - wmean),
                    values.min(),
                    values.max(),
                    values.max() - values.min(),
                ]
            )
        return np.asarray(rows, dtype=float).ravel()

    def _feature_names(self) -> list[str]:
        return [f"comp_{name}_{stat}" for name in self.properties for stat in STATISTICS]
