"""Coulomb-matrix descriptors for molecules: the sorted eigenvalue spectrum and Bag of Bonds.

M_ii = 0.5 Z_i^2.4 and M_ij = Z_i Z_j / |r_i - r_j| with distances in Å (the convention
of Rupp et al. and DScribe). Both are for finite molecules: a periodic structure gives a
NaN row and an error record.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import combinations_with_replacement

import numpy as np
from ase import Atoms
from ase.data import chemical_symbols

from atomlearn.featurizers.base import Featurizer
from atomlearn.featurizers.checks import require_no_overlap, require_size

RUPP = (
    "M. Rupp, A. Tkatchenko, K.-R. Müller, O. A. von Lilienfeld, Fast and Accurate Modeling of "
    "Molecular Atomization Energies with Machine Learning, Phys. Rev. Lett. 108, 058301 (2012)."
)
HANSEN = (
    "K. Hansen et al., Machine Learning Predictions of Molecular Properties: Accurate Many-Body "
    "Potentials and Nonlocality in Chemical Space, J. Phys. Chem. Lett. 6, 2326-2331 (2015)."
)


def coulomb_matrix(atoms: Atoms) -> np.ndarray:
    """The Coulomb matrix of a molecule (e·e/Å-style units, distances in Å)."""
    z = atoms.numbers.astype(float)
    distances = np.linalg.norm(atoms.positions[:, None, :] - atoms.positions[None, :, :], axis=-1)
    np.fill_diagonal(distances, 1.0)
    matrix = np.outer(z, z) / distances
    np.fill_diagonal(matrix, 0.5 * z**2.4)
    return matrix


def _check_molecule(atoms: Atoms, max_atoms: int, name: str) -> None:
    if atoms.pbc.any():
        raise ValueError(f"{name} is for molecules; this structure is periodic (use soap, acsf or racs for crystals)")
    require_size(atoms, max_atoms, name)
    require_no_overlap(atoms)


class _MoleculeFeaturizer(Featurizer):
    symmetries = frozenset({"translation", "rotation", "permutation"})

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


class CoulombMatrix(_MoleculeFeaturizer):
    """Eigenvalues of the Coulomb matrix, sorted by decreasing absolute value and zero-padded.

    M_ii = 0.5 Z_i^2.4, M_ij = Z_i Z_j / r_ij (r in Å). Invariant to translation, rotation and
    atom order; for molecules. Features: ``cm_eig_<i>``.

    Parameters
    ----------
    max_atoms : int, optional
        Length of the row; default: the largest molecule given to ``fit`` (a larger one gives a NaN row).
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

    name = "coulomb_matrix"
    citation_list = (RUPP,)

    def _fit(self, structures: Sequence[Atoms]) -> None:
        self.max_atoms_ = self.max_atoms or max(len(atoms) for atoms in structures)

    def _fitted_state(self) -> dict[str, int]:
        return {"max_atoms": self.max_atoms_}

    def featurize(self, atoms: Atoms) -> np.ndarray:
        _check_molecule(atoms, self.max_atoms_, self.name)
        eigenvalues = np.linalg.eigvalsh(coulomb_matrix(atoms))
        eigenvalues = eigenvalues[np.argsort(-np.abs(eigenvalues), kind="stable")]
        row = np.zeros(self.max_atoms_)
        row[: len(eigenvalues)] = eigenvalues
        return row

    def _feature_names(self) -> list[str]:
        return [f"cm_eig_{i}" for i in range(self.max_atoms_)]


class BagOfBonds(_MoleculeFeaturizer):
    """Coulomb-matrix entries grouped into bags by element pair, each bag sorted in
    decreasing order and zero-padded to the largest bag seen in ``fit``.

    The bag ``X`` holds the diagonal terms 0.5 Z^2.4 of element X, the bag ``X-Y`` the
    terms Z_X Z_Y / r for each X-Y atom pair. Invariant to translation, rotation and atom
    order. A molecule with an element or a bag larger than seen in ``fit`` gives a NaN
    row. Features: ``bob_<bag>_<i>``.

    Parameters
    ----------
    max_atoms : int, optional
        Refuse (NaN row) molecules with more atoms than this; default 10,000.
    on_error, n_jobs, scheduler, cache
        Runtime settings of every featurizer (see :class:`~atomlearn.featurizers.base.Featurizer`).

    Attributes
    ----------
    species_ : list of str
        Elements seen in ``fit``.
    bag_sizes_ : dict of str to int
        Length of each bag.
    feature_names_out_ : ndarray of str, shape (n_features,)
        Column names, fixed by ``fit``.
    n_features_out_ : int
    errors_ : list of ErrorRecord
        Structures the last ``transform`` could not featurize (id, stage, reason).
    """

    name = "bag_of_bonds"
    citation_list = (HANSEN, RUPP)

    def _fit(self, structures: Sequence[Atoms]) -> None:
        """Bag sizes from element counts alone (n_X for X, n_X(n_X-1)/2 for X-X, n_X n_Y for X-Y)."""
        sizes: dict[tuple[int, ...], int] = {}
        for atoms in structures:
            elements, counts = np.unique(atoms.numbers, return_counts=True)
            count = dict(zip(elements.tolist(), counts.tolist()))
            for a, b in combinations_with_replacement(sorted(count), 2):
                pairs = count[a] * (count[a] - 1) // 2 if a == b else count[a] * count[b]
                sizes[(a, b)] = max(sizes.get((a, b), 0), pairs)
            for z, n in count.items():
                sizes[(z,)] = max(sizes.get((z,), 0), n)
        self.species_ = [chemical_symbols[z] for z in sorted({bag[0] for bag in sizes})]
        # keyed by bag name ("C", "C-H"): string keys, so the fitted state saves in a bundle
        self.bag_sizes_ = {self._bag_name(bag): size for bag, size in sorted(sizes.items()) if size}

    def _fitted_state(self) -> dict[str, object]:
        return {"bags": [[bag, size] for bag, size in self.bag_sizes_.items()]}

    @staticmethod
    def _bags(atoms: Atoms, species: list[int]) -> dict[tuple[int, ...], np.ndarray]:
        matrix = coulomb_matrix(atoms)
        numbers = atoms.numbers
        bags: dict[tuple[int, ...], np.ndarray] = {}
        for z in species:
            (index,) = np.nonzero(numbers == z)
            bags[(z,)] = matrix[index, index]
        upper_i, upper_j = np.triu_indices(len(atoms), k=1)
        for a, b in combinations_with_replacement(species, 2):
            mask = ((numbers[upper_i] == a) & (numbers[upper_j] == b)) | (
                (numbers[upper_i] == b) & (numbers[upper_j] == a)
            )
            bags[(a, b)] = matrix[upper_i[mask], upper_j[mask]]
        return bags

    def featurize(self, atoms: Atoms) -> np.ndarray:
        _check_molecule(atoms, self.max_atoms or 10**4, self.name)
        known = {chemical_symbols.index(s) for s in self.species_}
        unknown = set(np.unique(atoms.numbers).tolist()) - known
        if unknown:
            raise ValueError(f"element(s) {', '.join(chemical_symbols[z] for z in sorted(unknown))} not seen in fit")
        bags = {self._bag_name(bag): values for bag, values in self._bags(atoms, sorted(known)).items()}
        unseen = [bag for bag, values in bags.items() if len(values) and bag not in self.bag_sizes_]
        if unseen:
            raise ValueError(f"bag(s) {', '.join(unseen)} never seen in fit")
        parts = []
        for bag, size in self.bag_sizes_.items():
            values = np.sort(bags[bag])[::-1]
            if len(values) > size:
                raise ValueError(f"bag {bag} holds {len(values)} terms, more than the {size} seen in fit")
            parts.append(np.pad(values, (0, size - len(values))))
        return np.concatenate(parts)

    @staticmethod
    def _bag_name(bag: tuple[int, ...]) -> str:
        return "-".join(chemical_symbols[z] for z in bag)

    def _feature_names(self) -> list[str]:
        return [f"bob_{bag}_{i}" for bag, size in self.bag_sizes_.items() for i in range(size)]
