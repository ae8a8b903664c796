"""Molecular fingerprints through RDKit: Morgan (ECFP) counts and the RDKit 2D descriptors.

Molecules come from ``atoms.info["smiles"]`` when present, otherwise from the 3D geometry
by bond perception (``structures.to_rdkit``). Both describe the bond graph only, so
they respect translation, rotation and atom order.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from ase import Atoms

from atomlearn.featurizers.base import Featurizer
from atomlearn.featurizers.checks import require_no_overlap, require_size
from atomlearn.structures import to_rdkit

RDKIT = "RDKit: Open-source cheminformatics, https://www.rdkit.org"
ROGERS = "D. Rogers, M. Hahn, Extended-Connectivity Fingerprints, J. Chem. Inf. Model. 50, 742-754 (2010)."
MAX_ATOMS = 1000


class _RDKitFeaturizer(Featurizer):
    symmetries = frozenset({"translation", "rotation", "permutation"})

    def _molecule(self, atoms: Atoms):
        require_size(atoms, MAX_ATOMS, self.name)
        if not atoms.info.get("smiles"):
            require_no_overlap(atoms)  # bonds will be perceived from the geometry
        return to_rdkit(atoms)


class MorganFingerprint(_RDKitFeaturizer):
    """Morgan/ECFP fingerprint of a molecule (RDKit), folded to ``n_bits`` bits.

    Parameters
    ----------
    radius : int
        Environment radius in bonds (2 = ECFP4).
    n_bits : int
        Length of the folded fingerprint.
    counts : bool
        How often each hashed environment occurs, instead of 0/1.
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

    name = "morgan"
    citation_list = (ROGERS, RDKIT)

    def __init__(
        self,
        radius: int = 2,
        n_bits: int = 2048,
        counts: bool = True,
        on_error: str = "nan",
        n_jobs: int = 1,
        scheduler: str | None = None,
        cache: bool = False,
    ) -> None:
        self.radius = radius
        self.n_bits = n_bits
        self.counts = counts
        self._set_runtime(on_error, n_jobs, scheduler, cache)

    def featurize(self, atoms: Atoms) -> np.ndarray:
        from rdkit.Chem import rdFingerprintGenerator

        generator = rdFingerprintGenerator.GetMorganGenerator(radius=self.radius, fpSize=self.n_bits)
        molecule = self._molecule(atoms)
        if self.counts:
            return generator.GetCountFingerprintAsNumPy(molecule).astype(float)
        return generator.GetFingerprintAsNumPy(molecule).astype(float)

    def _feature_names(self) -> list[str]:
        return [f"morgan{'_count' if self.counts else ''}_r{self.radius}_{i}" for i in range(self.n_bits)]


class RDKitDescriptors(_RDKitFeaturizer):
    """The RDKit 2D descriptors of a molecule (about 210: weights, logP, TPSA, ring and atom counts, ...).

    A molecule whose descriptor is not finite gives a NaN row and names the descriptor.
    Features: ``rdkit_<name>``.

    Parameters
    ----------
    names : sequence of str, optional
        The descriptors to compute; default: all.
    on_error, n_jobs, scheduler, cache
        Runtime settings of every featurizer (see :class:`~atomlearn.featurizers.base.Featurizer`).

    Attributes
    ----------
    descriptor_names_ : list of str
    feature_names_out_ : ndarray of str, shape (n_features,)
        Column names, fixed by ``fit``.
    n_features_out_ : int
    errors_ : list of ErrorRecord
        Structures the last ``transform`` could not featurize (id, stage, reason).
    """

    name = "rdkit2d"
    citation_list = (RDKIT,)

    def __init__(
        self,
        names: Sequence[str] | None = None,
        on_error: str = "nan",
        n_jobs: int = 1,
        scheduler: str | None = None,
        cache: bool = False,
    ) -> None:
        self.names = names
        self._set_runtime(on_error, n_jobs, scheduler, cache)

    def _fit(self, structures: Sequence[Atoms]) -> None:
        from rdkit.Chem import Descriptors

        available = [name for name, _ in Descriptors.descList]
        if self.names is not None:
            unknown = sorted(set(self.names) - set(available))
            if unknown:
                raise ValueError(f"unknown RDKit descriptor(s) {unknown}; see rdkit.Chem.Descriptors.descList")
        self.descriptor_names_ = list(self.names) if self.names is not None else available

    def _fitted_state(self) -> dict[str, list[str]]:
        return {"names": self.descriptor_names_}

    def featurize(self, atoms: Atoms) -> np.ndarray:
        from rdkit.Chem import Descriptors

        functions = dict(Descriptors.descList)
        molecule = self._molecule(atoms)
        row = np.array([functions[name](molecule) for name in self.descriptor_names_], dtype=float)
        bad = [name for name, value in zip(self.descriptor_names_, row) if not np.isfinite(value)]
        if bad:
            raise ValueError(f"RDKit descriptor(s) {', '.join(bad[:5])} not finite for this molecule")
        return row

    def _feature_names(self) -> list[str]:
        return [f"rdkit_{name}" for name in self.descriptor_names_]
