"""Smooth Overlap of Atomic Positions (SOAP) power spectra through DScribe."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np
from ase import Atoms

from atomlearn.featurizers.base import Featurizer
from atomlearn.featurizers.checks import require_no_overlap, require_size
from atomlearn.featurizers.elements import species_symbols

POOLINGS = ("mean", "species_mean")
COMPRESSIONS = ("off", "crossover", "mu1nu1", "mu2")
#: refuse settings that would give more columns than this (ask for an explicit species list)
MAX_FEATURES = 200_000


@lru_cache(maxsize=8)
def _dscribe_soap(
    species: tuple[str, ...],
    r_cut: float,
    n_max: int,
    l_max: int,
    sigma: float,
    periodic: bool,
    compression: str = "off",
):
    from dscribe.descriptors import SOAP as DScribeSOAP

    return DScribeSOAP(
        species=list(species),
        r_cut=r_cut,
        n_max=n_max,
        l_max=l_max,
        sigma=sigma,
        periodic=periodic,
        average="off",
        compression={"mode": compression},
    )


class SOAP(Featurizer):
    """SOAP power spectrum (GTO radial basis, DScribe) of each atom, pooled per structure.

    Molecules and periodic crystals both work (``pbc`` decides per structure). Means are
    intensive, so all four symmetries hold. Features: ``soap_<pooling>[_<centre>]_<i>`` in
    DScribe's order.

    Parameters
    ----------
    r_cut : float
        Cutoff radius in Å.
    n_max, l_max : int
        Radial and angular basis sizes.
    sigma : float
        Width of the atomic Gaussians in Å.
    species : sequence of str, optional
        Species of the spectrum; default: learnt in ``fit``.
    compression : {"off", "crossover", "mu1nu1", "mu2"}
        DScribe's compression of the species channels: "off" keeps every species pair
        (S(S+1)/2 blocks), "crossover" only same-species pairs (S blocks), "mu1nu1" and "mu2"
        the schemes of Darby et al. (2022); for structures with many elements (MOFs).
    pooling : {"mean", "species_mean"}
        Average over all atoms, or over the atoms of each centre species separately (one block
        per species, zeros where a structure lacks it).
    max_atoms : int
        Refuse (NaN row) structures with more atoms than this.
    on_error, n_jobs, scheduler, cache
        Runtime settings of every featurizer (see :class:`~atomlearn.featurizers.base.Featurizer`).

    Attributes
    ----------
    species_ : list of str
    n_atom_features_ : int
        Length of one atom's spectrum.
    feature_names_out_ : ndarray of str, shape (n_features,)
        Column names, fixed by ``fit``.
    n_features_out_ : int
    errors_ : list of ErrorRecord
        Structures the last ``transform`` could not featurize (id, stage, reason).
    """

    name = "soap"
    isolated = True  # native code (vesin, zeo++, DScribe): a pathological cell must not kill the batch
    symmetries = frozenset({"translation", "rotation", "permutation", "supercell"})
    citation_list = (
        "A. P. Bartók, R. Kondor, G. Csányi, On representing chemical environments, Phys. Rev. B 87, 184115 (2013).",
        "L. Himanen et al., DScribe: Library of descriptors for machine learning in materials science, "
        "Comput. Phys. Commun. 247, 106949 (2020).",
    )

    def __init__(
        self,
        r_cut: float = 5.0,
        n_max: int = 4,
        l_max: int = 3,
        sigma: float = 0.5,
        species: Sequence[str] | None = None,
        pooling: str = "mean",
        compression: str = "off",
        max_atoms: int = 5000,
        on_error: str = "nan",
        n_jobs: int = 1,
        scheduler: str | None = None,
        cache: bool = False,
    ) -> None:
        self.r_cut = r_cut
        self.n_max = n_max
        self.l_max = l_max
        self.sigma = sigma
        self.species = species
        self.pooling = pooling
        self.compression = compression
        self.max_atoms = max_atoms
        self._set_runtime(on_error, n_jobs, scheduler, cache)

    def _fit(self, structures: Sequence[Atoms]) -> None:
        if self.pooling not in POOLINGS:
            raise ValueError(f"pooling must be one of {', '.join(POOLINGS)}, not {self.pooling!r}")
        if self.compression not in COMPRESSIONS:
            raise ValueError(f"compression must be one of {', '.join(COMPRESSIONS)}, not {self.compression!r}")
        self.species_ = species_symbols(self.species, structures)
        n_atom = self._soap(periodic=False).get_number_of_features()
        self.n_atom_features_ = n_atom
        total = n_atom * (len(self.species_) if self.pooling == "species_mean" else 1)
        if total > MAX_FEATURES:
            raise ValueError(
                f"SOAP with {len(self.species_)} species gives {total} features; pass species=[...] with "
                "the elements that matter, or lower n_max / l_max"
            )

    def _fitted_state(self) -> dict[str, list[str]]:
        return {"species": self.species_}

    def _soap(self, periodic: bool):
        return _dscribe_soap(
            tuple(self.species_),
            float(self.r_cut),
            int(self.n_max),
            int(self.l_max),
            float(self.sigma),
            periodic,
            str(self.compression),
        )

    def per_atom(self, atoms: Atoms) -> np.ndarray:
        """SOAP power spectrum of each atom, shape (n_atoms, n_atom_features)."""
        require_size(atoms, self.max_atoms, self.name)
        require_no_overlap(atoms)
        unknown = sorted(set(atoms.get_chemical_symbols()) - set(self.species_))
        if unknown:
            raise ValueError(f"element(s) {', '.join(unknown)} not seen in fit (species: {', '.join(self.species_)})")
        periodic = bool(atoms.pbc.all())
        if atoms.pbc.any() and not periodic:
            raise ValueError(
                "SOAP handles molecules (no pbc) and 3-D crystals; this structure is periodic in only some directions"
            )
        return self._soap(periodic).create(atoms)

    def featurize(self, atoms: Atoms) -> np.ndarray:
        values = self.per_atom(atoms)
        if self.pooling == "mean":
            return values.mean(axis=0)
        blocks = []
        for symbol in self.species_:
            mask = np.asarray(atoms.get_chemical_symbols()) == symbol
            blocks.append(values[mask].mean(axis=0) if mask.any() else np.zeros(values.shape[1]))
        return np.concatenate(blocks)

    def _feature_names(self) -> list[str]:
        if self.pooling == "mean":
            return [f"soap_mean_{i}" for i in range(self.n_atom_features_)]
        return [f"soap_species_mean_{s}_{i}" for s in self.species_ for i in range(self.n_atom_features_)]
