"""Atom-centred symmetry functions (Behler-Parrinello), vectorised over neighbour lists.

For a centre i with neighbours j, k within the cutoff r_c (periodic images included) and
the cosine cutoff f_c(r) = ½ (cos(π r / r_c) + 1):

* G1_X   = Σ_j f_c(r_ij)                                      (neighbours j of species X)
* G2_X   = Σ_j exp(-η (r_ij - R_s)²) f_c(r_ij)
* G3_X   = Σ_j cos(κ r_ij) f_c(r_ij)
* G4_XY  = Σ_{j<k} 2^(1-ζ) (1 + λ cos θ_ijk)^ζ exp(-η (r_ij² + r_ik² + r_jk²)) f_c(r_ij) f_c(r_ik) f_c(r_jk)
* G5_XY  = Σ_{j<k} 2^(1-ζ) (1 + λ cos θ_ijk)^ζ exp(-η (r_ij² + r_ik²)) f_c(r_ij) f_c(r_ik)

Each unordered neighbour pair counts once and G4 needs r_jk < r_c, as in DScribe, whose
feature layout this follows (per neighbour species: G1, G2s, G3s; then per species pair:
G4s, G5s), so the two agree number for number. Distances in Å, η in Å⁻², κ in Å⁻¹.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from ase import Atoms
from ase.data import chemical_symbols
from ase.neighborlist import neighbor_list

from atomlearn.featurizers.base import Featurizer
from atomlearn.featurizers.checks import refuse_close_pairs, require_size
from atomlearn.structures import MIN_DISTANCE_A

BEHLER = (
    "J. Behler, Atom-centered symmetry functions for constructing high-dimensional neural network "
    "potentials, J. Chem. Phys. 134, 074106 (2011). doi:10.1063/1.3553717"
)
DEFAULT_G2 = (
    (0.003214, 0.0),
    (0.035711, 0.0),
    (0.071421, 0.0),
    (0.124987, 0.0),
    (0.214264, 0.0),
    (0.357106, 0.0),
    (0.714213, 0.0),
    (1.428426, 0.0),
)
DEFAULT_G4 = (
    (0.000357, 1.0, -1.0),
    (0.028569, 1.0, -1.0),
    (0.089277, 1.0, -1.0),
    (0.000357, 2.0, 1.0),
    (0.028569, 2.0, 1.0),
    (0.089277, 2.0, 1.0),
)
POOLINGS = ("species_sum", "sum", "mean", "none")
#: largest number of neighbour pairs (triplets) processed at once, to bound memory
TRIPLET_CHUNK = 2_000_000


def cosine_cutoff(distance: np.ndarray, r_cut: float) -> np.ndarray:
    """½ (cos(π r / r_c) + 1) for r < r_c, else 0."""
    return np.where(distance < r_cut, 0.5 * (np.cos(np.pi * distance / r_cut) + 1.0), 0.0)


def neighbour_pairs(centre: np.ndarray, n_atoms: int) -> tuple[np.ndarray, np.ndarray]:
    """All unordered pairs (e1, e2), e2 < e1, of neighbour-list entries sharing a centre.

    ``centre`` must be sorted (as ``ase.neighborlist.neighbor_list`` returns it).
    """
    counts = np.bincount(centre, minlength=n_atoms)
    starts = np.cumsum(counts) - counts
    position = np.arange(len(centre)) - starts[centre]
    first = np.repeat(np.arange(len(centre)), position)
    within = np.arange(len(first)) - np.repeat(np.cumsum(position) - position, position)
    second = starts[centre[first]] + within
    return first, second


def neighbours_within(atoms: Atoms, r_cut: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(i, j, d_ij, r_j - r_i) for every ordered pair closer than ``r_cut`` Å, sorted by i.

    Molecules use all pairs directly (faster below a few hundred atoms); periodic
    structures use ``ase.neighborlist`` (images included).
    """
    if atoms.pbc.any() or len(atoms) > 500:
        return neighbor_list("ijdD", atoms, r_cut)
    vectors = atoms.positions[None, :, :] - atoms.positions[:, None, :]
    distances = np.sqrt(np.einsum("ijk,ijk->ij", vectors, vectors))
    np.fill_diagonal(distances, np.inf)
    centre, neighbour = np.nonzero(distances < r_cut)
    return centre, neighbour, distances[centre, neighbour], vectors[centre, neighbour]


class ACSF(Featurizer):
    """Behler-Parrinello symmetry functions per atom, pooled to one row per structure.

    Molecules and periodic crystals are both handled through ``ase.neighborlist`` (images within
    the cutoff included); ``per_atom(atoms)`` gives the unpooled (n_atoms, n_features) array.
    Mean pooling respects supercell expansion; sums are extensive and do not. The layout follows
    DScribe's, number for number.

    Parameters
    ----------
    r_cut : float
        Cutoff radius in Å.
    g2_params : sequence of (η, R_s)
        Radial functions G2, η in Å⁻², R_s in Å.
    g3_params : sequence of κ
        Cosine functions G3, κ in Å⁻¹.
    g4_params, g5_params : sequence of (η, ζ, λ)
        Angular functions G4 (all three distances within the cutoff) and G5.
    species : sequence of str, optional
        Neighbour species, as symbols; default: learnt in ``fit``.
    pooling : {"species_sum", "sum", "mean"}
        Sum over the atoms of each centre species (blocks in species order), over all atoms, or the mean.
    max_atoms : int
        Refuse (NaN row) structures with more atoms than this.
    on_error, n_jobs, scheduler, cache
        Runtime settings of every featurizer (see :class:`~atomlearn.featurizers.base.Featurizer`).

    Attributes
    ----------
    species_ : list of str
    feature_names_out_ : ndarray of str, shape (n_features,)
        Column names, fixed by ``fit``.
    n_features_out_ : int
    errors_ : list of ErrorRecord
        Structures the last ``transform`` could not featurize (id, stage, reason).
    """

    name = "acsf"
    isolated = True  # native code (vesin, zeo++, DScribe): a pathological cell must not kill the batch
    citation_list = (BEHLER,)

    def __init__(
        self,
        r_cut: float = 6.0,
        g2_params: Sequence[Sequence[float]] = DEFAULT_G2,
        g3_params: Sequence[float] = (),
        g4_params: Sequence[Sequence[float]] = DEFAULT_G4,
        g5_params: Sequence[Sequence[float]] = (),
        species: Sequence[str] | None = None,
        pooling: str = "species_sum",
        max_atoms: int = 5000,
        on_error: str = "nan",
        n_jobs: int = 1,
        scheduler: str | None = None,
        cache: bool = False,
    ) -> None:
        self.r_cut = r_cut
        self.g2_params = g2_params
        self.g3_params = g3_params
        self.g4_params = g4_params
        self.g5_params = g5_params
        self.species = species
        self.pooling = pooling
        self.max_atoms = max_atoms
        self._set_runtime(on_error, n_jobs, scheduler, cache)

    @property
    def symmetries(self) -> frozenset[str]:  # type: ignore[override]
        base = {"translation", "rotation", "permutation"}
        return frozenset(base | {"supercell"} if self.pooling == "mean" else base)

    def _fit(self, structures: Sequence[Atoms]) -> None:
        if self.pooling not in POOLINGS[:3]:
            raise ValueError(f"pooling must be one of {', '.join(POOLINGS[:3])}, not {self.pooling!r}")
        if self.r_cut <= MIN_DISTANCE_A:
            raise ValueError(f"r_cut must be above {MIN_DISTANCE_A} Å")
        if self.species is not None:
            numbers = sorted({chemical_symbols.index(s) for s in self.species})
        else:
            numbers = sorted({int(z) for atoms in structures for z in np.unique(atoms.numbers)})
        self.species_ = [chemical_symbols[z] for z in numbers]
        self._numbers = np.array(numbers)
        self._g2 = np.asarray(self.g2_params, dtype=float).reshape(-1, 2)
        self._g3 = np.asarray(self.g3_params, dtype=float).ravel()
        self._g4 = np.asarray(self.g4_params, dtype=float).reshape(-1, 3)
        self._g5 = np.asarray(self.g5_params, dtype=float).reshape(-1, 3)

    def _fitted_state(self) -> dict[str, list[str]]:
        return {"species": self.species_}

    # ---- per-atom values
    def per_atom(self, atoms: Atoms) -> np.ndarray:
        """Symmetry functions of each atom, shape (n_atoms, n_atom_features), DScribe's layout."""
        require_size(atoms, self.max_atoms, self.name)
        index_of = np.full(max(int(atoms.numbers.max()), int(self._numbers.max())) + 1, -1)
        index_of[self._numbers] = np.arange(len(self._numbers))
        kinds = index_of[atoms.numbers]
        if (kinds < 0).any():
            unknown = sorted({chemical_symbols[z] for z in atoms.numbers[kinds < 0]})
            raise ValueError(f"element(s) {', '.join(unknown)} not seen in fit (species: {', '.join(self.species_)})")
        n_types = len(self._numbers)
        n_radial = 1 + len(self._g2) + len(self._g3)
        n_angular = len(self._g4) + len(self._g5)
        out = np.zeros((len(atoms), n_types * n_radial + n_types * (n_types + 1) // 2 * n_angular))
        centre, neighbour, distance, vector = neighbours_within(atoms, self.r_cut)
        refuse_close_pairs(atoms, centre, neighbour, distance)  # r_cut > 0.5 Å: the list holds any overlap
        if len(centre) == 0:
            return out
        cutoff = cosine_cutoff(distance, self.r_cut)
        radial = [cutoff[:, None]]
        if len(self._g2):
            radial.append(np.exp(-self._g2[:, 0] * (distance[:, None] - self._g2[:, 1]) ** 2) * cutoff[:, None])
        if len(self._g3):
            radial.append(np.cos(distance[:, None] * self._g3) * cutoff[:, None])
        radial_values = np.concatenate(radial, axis=1)
        columns = kinds[neighbour][:, None] * n_radial + np.arange(n_radial)
        np.add.at(out, (np.repeat(centre, n_radial), columns.ravel()), radial_values.ravel())
        if n_angular:
            self._add_angular(out, atoms, kinds, centre, neighbour, distance, vector, cutoff, n_types * n_radial)
        return out

    def _add_angular(self, out, atoms, kinds, centre, neighbour, distance, vector, cutoff, offset) -> None:
        first, second = neighbour_pairs(centre, len(atoms))
        n_angular = len(self._g4) + len(self._g5)
        for start in range(0, len(first), TRIPLET_CHUNK):
            e1, e2 = first[start : start + TRIPLET_CHUNK], second[start : start + TRIPLET_CHUNK]
            r_ij, r_ik = distance[e1], distance[e2]
            r_jk = np.linalg.norm(vector[e1] - vector[e2], axis=1)
            cos_theta = np.einsum("ij,ij->i", vector[e1], vector[e2]) / (r_ij * r_ik)
            fc = cutoff[e1] * cutoff[e2]
            values = []
            for params, with_jk in ((self._g4, True), (self._g5, False)):
                if not len(params):
                    continue
                eta, zeta, lam = params[:, 0], params[:, 1], params[:, 2]
                squares = r_ij**2 + r_ik**2 + (r_jk**2 if with_jk else 0.0)
                weight = fc * (cosine_cutoff(r_jk, self.r_cut) if with_jk else 1.0)
                angular = 2.0 * (0.5 * (1.0 + lam * cos_theta[:, None])) ** zeta
                values.append(angular * np.exp(-eta * squares[:, None]) * weight[:, None])
            values = np.concatenate(values, axis=1)
            kj, kk = kinds[neighbour[e1]], kinds[neighbour[e2]]
            high, low = np.maximum(kj, kk), np.minimum(kj, kk)
            pair = high * (high + 1) // 2 + low
            columns = offset + pair[:, None] * n_angular + np.arange(n_angular)
            np.add.at(out, (np.repeat(centre[e1], n_angular), columns.ravel()), values.ravel())

    def _atom_feature_names(self) -> list[str]:
        names = []
        for s in self.species_:
            names.append(f"G1_{s}")
            names += [f"G2_{s}_eta{eta:g}_rs{rs:g}" for eta, rs in self._g2]
            names += [f"G3_{s}_kappa{k:g}" for k in self._g3]
        for a in range(len(self.species_)):
            for b in range(a + 1):
                pair = f"{self.species_[b]}{self.species_[a]}"
                names += [f"G4_{pair}_eta{e:g}_zeta{z:g}_lambda{lam:g}" for e, z, lam in self._g4]
                names += [f"G5_{pair}_eta{e:g}_zeta{z:g}_lambda{lam:g}" for e, z, lam in self._g5]
        return names

    # ---- pooled row
    def featurize(self, atoms: Atoms) -> np.ndarray:
        values = self.per_atom(atoms)
        if self.pooling == "sum":
            return values.sum(axis=0)
        if self.pooling == "mean":
            return values.mean(axis=0)
        return np.concatenate([values[atoms.numbers == z].sum(axis=0) for z in self._numbers])

    def _feature_names(self) -> list[str]:
        atom_names = self._atom_feature_names()
        if self.pooling == "species_sum":
            return [f"acsf_{centre}_{name}" for centre in self.species_ for name in atom_names]
        return [f"acsf_{self.pooling}_{name}" for name in atom_names]
