"""FCHL19 atomic environments (Christensen et al. 2020) through qmllib, for molecules.

FCHL19 is an atom-centred symmetry-function representation: per atom, a two-body radial
spectrum per neighbour element and a three-body radial-angular spectrum per element pair,
with power-law decays fitted on QM9. It is the representation of the best classical QM9
learner (a local Gaussian kernel on these environments). The representation is qmllib's;
the local kernels that compare the environments are atomlearn's (``models.local_kernels``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from ase import Atoms
from ase.data import chemical_symbols

from atomlearn.featurizers.base import Featurizer
from atomlearn.featurizers.checks import require_finite, require_no_overlap, require_size
from atomlearn.featurizers.elements import species_symbols

POOLINGS = ("sum", "mean")
#: QM9's elements: the default species when ``fit`` sees nothing else
QM9_NUMBERS = (1, 6, 7, 8, 9)


class FCHL19(Featurizer):
    """FCHL19 environment of each atom (``per_atom``), pooled per molecule for a feature row.

    Molecules only (qmllib's FCHL19 has no periodic images): a periodic structure is refused
    by name. The representation of one atom has ``n_elements * n_rs2 + n_elements *
    (n_elements + 1) * n_rs3`` entries for the species list fixed by ``fit``. The defaults
    are the published hyperparameters (qmllib's).

    Parameters
    ----------
    species : sequence of str, optional
        Elements of the two- and three-body channels; default: learnt in ``fit`` (at least QM9's H, C, N, O, F).
    n_rs2, n_rs3 : int
        Radial Gaussians of the two- and three-body terms.
    cutoff_A : float
        Cutoff of the two- and three-body terms, Å.
    pooling : {"sum", "mean"}
        How ``transform`` pools the atoms into one row (the local kernels use ``per_atom``).
    max_atoms : int
        Refuse (NaN row) molecules with more atoms than this.
    on_error, n_jobs, scheduler, cache
        Runtime settings of every featurizer (see :class:`~atomlearn.featurizers.base.Featurizer`).

    Attributes
    ----------
    species_ : list of str
    n_atom_features_ : int
        Length of one atom's environment vector.
    """

    name = "fchl19"
    isolated = True  # compiled Fortran: a pathological molecule must not kill the batch
    symmetries = frozenset({"translation", "rotation", "permutation"})
    citation_list = (
        "A. S. Christensen, L. A. Bratholm, F. A. Faber, O. A. von Lilienfeld, FCHL revisited: Faster and more "
        "accurate quantum machine learning, J. Chem. Phys. 152, 044107 (2020).",
    )

    def __init__(
        self,
        species: Sequence[str] | None = None,
        n_rs2: int = 24,
        n_rs3: int = 20,
        cutoff_A: float = 8.0,
        pooling: str = "sum",
        max_atoms: int = 500,
        on_error: str = "nan",
        n_jobs: int = 1,
        scheduler: str | None = None,
        cache: bool = False,
    ) -> None:
        self.species = species
        self.n_rs2 = n_rs2
        self.n_rs3 = n_rs3
        self.cutoff_A = cutoff_A
        self.pooling = pooling
        self.max_atoms = max_atoms
        self._set_runtime(on_error, n_jobs, scheduler, cache)

    def _fit(self, structures: Sequence[Atoms]) -> None:
        if self.pooling not in POOLINGS:
            raise ValueError(f"pooling must be one of {', '.join(POOLINGS)}, not {self.pooling!r}")
        self.species_ = species_symbols(self.species, structures, always=QM9_NUMBERS)
        n = len(self.species_)
        self.n_atom_features_ = n * int(self.n_rs2) + n * (n + 1) * int(self.n_rs3)

    def _fitted_state(self) -> dict[str, list[str]]:
        return {"species": self.species_}

    def per_atom(self, atoms: Atoms) -> np.ndarray:
        """FCHL19 environment of each atom, shape (n_atoms, n_atom_features_), in the atom order."""
        from qmllib.representations import generate_fchl19

        self._check(atoms)
        numbers = [chemical_symbols.index(s) for s in self.species_]
        return np.asarray(
            generate_fchl19(
                atoms.numbers,
                atoms.positions,
                elements=numbers,
                nRs2=int(self.n_rs2),
                nRs3=int(self.n_rs3),
                rcut=float(self.cutoff_A),
                acut=float(self.cutoff_A),
            ),
            dtype=float,
        ).reshape(len(atoms), self.n_atom_features_)

    def _check(self, atoms: Atoms) -> None:
        """Refuse what FCHL19 cannot describe: NaN positions, too many atoms, a periodic cell, overlaps, unseen
        elements."""
        require_finite(atoms)
        require_size(atoms, self.max_atoms, self.name)
        if atoms.pbc.any():
            raise ValueError(
                "FCHL19 (qmllib) describes molecules only; use SOAP or ACSF environments for a periodic structure"
            )
        require_no_overlap(atoms)
        unknown = sorted(set(atoms.get_chemical_symbols()) - set(self.species_))
        if unknown:
            raise ValueError(f"element(s) {', '.join(unknown)} not seen in fit (species: {', '.join(self.species_)})")

    def per_atom_gradients(self, atoms: Atoms) -> tuple[np.ndarray, np.ndarray]:
        """Environments and their derivatives with respect to the positions (qmllib's analytic ones).

        Returns
        -------
        environments : ndarray of shape (n_atoms, n_atom_features)
        gradients : ndarray of shape (n_atoms, n_atom_features, n_atoms, 3)
            ∂x_i/∂r_j, per Å.
        """
        from qmllib.representations import generate_fchl19

        self._check(atoms)
        numbers = [chemical_symbols.index(s) for s in self.species_]
        values, gradients = generate_fchl19(
            atoms.numbers,
            atoms.positions,
            elements=numbers,
            nRs2=int(self.n_rs2),
            nRs3=int(self.n_rs3),
            rcut=float(self.cutoff_A),
            acut=float(self.cutoff_A),
            gradients=True,
        )
        n = len(atoms)
        return (
            np.asarray(values, dtype=float).reshape(n, self.n_atom_features_),
            np.asarray(gradients, dtype=float).reshape(n, self.n_atom_features_, n, 3),
        )

    def featurize(self, atoms: Atoms) -> np.ndarray:
        values = self.per_atom(atoms)
        return values.sum(axis=0) if self.pooling == "sum" else values.mean(axis=0)

    def _feature_names(self) -> list[str]:
        return [f"fchl19_{self.pooling}_{i}" for i in range(self.n_atom_features_)]
