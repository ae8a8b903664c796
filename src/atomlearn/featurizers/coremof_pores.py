"""Pore geometry published with CoRE MOF (Zeo++, high accuracy, probe 1.86 Å), looked up by id.

Computing Zeo++ geometry ourselves (``PoreGeometry``) costs about a second per MOF; the
CoRE MOF authors already computed it for every structure of the database, with Zeo++'s
high-accuracy atom network. This featurizer reads that table: a row per CoRE MOF id, in
microseconds, so all 12,020 MOFs can be screened. A structure is matched by its id
(``atoms.info["id"]``, set by the CoRE MOF loader and by ``atomlearn predict``) and must
also have the table's density (mass / cell volume), so a different structure under a
CoRE MOF name is refused rather than given another MOF's pores. Structures outside the
database need ``PoreGeometry`` (the same quantities computed with Zeo++).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from ase import Atoms

from atomlearn.featurizers.base import Featurizer
from atomlearn.units import AMU_PER_A3_TO_G_PER_CM3

#: table column -> what it is
COLUMNS = {
    "LCD_A": "largest cavity diameter, Å",
    "PLD_A": "pore limiting diameter, Å",
    "LFPD_A": "largest included sphere along the free path, Å",
    "density_g_cm3": "framework density, g/cm³",
    "ASA_m2_cm3": "accessible surface area (probe 1.86 Å), m²/cm³",
    "ASA_m2_g": "accessible surface area (probe 1.86 Å), m²/g",
    "NASA_m2_cm3": "non-accessible surface area, m²/cm³",
    "NASA_m2_g": "non-accessible surface area, m²/g",
    "void_fraction": "void fraction (point probe)",
    "AV_cm3_g": "accessible volume, cm³/g",
    "NAV_cm3_g": "non-accessible volume, cm³/g",
}


def framework_density_g_cm3(atoms: Atoms) -> float:
    """Mass over cell volume of a crystal, g/cm³."""
    return float(atoms.get_masses().sum() / atoms.get_volume() * AMU_PER_A3_TO_G_PER_CM3)


class CoreMofPores(Featurizer):
    """Zeo++ pore geometry of a CoRE MOF from the table shipped with the database (see
    ``COLUMNS``). A structure whose density differs from the table's by more than
    ``density_tolerance`` is refused as a different structure. Features: ``coremof_<column>``.

    Parameters
    ----------
    subset : {"2019-ASR", "2019-FSR"}
        The table of the all-solvent-removed or free-solvent-removed structures.
    density_tolerance : float
        Largest relative difference between the structure's density and the table's.
    on_error, n_jobs, scheduler, cache
        Runtime settings of every featurizer (see :class:`~atomlearn.featurizers.base.Featurizer`).

    Attributes
    ----------
    ids_ : list of str
        The table's structure ids.
    values_ : ndarray of shape (n_table, n_features)
    feature_names_out_ : ndarray of str, shape (n_features,)
        Column names, fixed by ``fit``.
    n_features_out_ : int
    errors_ : list of ErrorRecord
        Structures the last ``transform`` could not featurize (id, stage, reason).
    """

    name = "coremof_pores"
    symmetries = frozenset({"translation", "rotation", "permutation", "supercell"})
    citation_list = (
        "Y. G. Chung et al., Advances, Updates, and Analytics for the Computation-Ready, Experimental "
        "Metal-Organic Framework Database: CoRE MOF 2019, J. Chem. Eng. Data 64, 5985-5998 (2019).",
        "T. F. Willems, C. H. Rycroft, M. Kazi, J. C. Meza, M. Haranczyk, Algorithms and tools for "
        "high-throughput geometry-based analysis of crystalline porous materials, Microporous "
        "Mesoporous Mater. 149, 134-141 (2012).",
    )

    def __init__(
        self,
        subset: str = "2019-ASR",
        density_tolerance: float = 0.02,
        on_error: str = "nan",
        n_jobs: int = 1,
        scheduler: str | None = None,
        cache: bool = False,
    ) -> None:
        self.subset = subset
        self.density_tolerance = density_tolerance
        self._set_runtime(on_error, n_jobs, scheduler, cache)

    def _fit(self, structures: Sequence[Atoms]) -> None:
        from atomlearn.datasets.coremof import property_table

        if self.subset not in ("2019-ASR", "2019-FSR"):
            raise ValueError(f"subset {self.subset!r} has no pore table; choose 2019-ASR or 2019-FSR")
        table = property_table(self.subset).sort_index()
        self.ids_ = table.index.to_numpy(dtype=str)
        self.values_ = table[list(COLUMNS)].to_numpy(dtype=float)

    def featurize(self, atoms: Atoms) -> np.ndarray:
        item_id = atoms.info.get("id")
        if item_id is None:
            raise ValueError(
                "the structure has no id: CoRE MOF pore geometry is looked up by the CoRE MOF name "
                "(e.g. ABAVIJ_clean); use the 'pores' featurizer (Zeo++) for other structures"
            )
        position = int(np.searchsorted(self.ids_, str(item_id)))
        if position == len(self.ids_) or self.ids_[position] != str(item_id):
            raise ValueError(
                f"{item_id} is not in CoRE MOF {self.subset}; compute its pore geometry with the "
                "'pores' featurizer (Zeo++)"
            )
        row = self.values_[position]
        density = framework_density_g_cm3(atoms)
        published = row[list(COLUMNS).index("density_g_cm3")]
        if abs(density - published) > self.density_tolerance * published:
            raise ValueError(
                f"{item_id}: the structure's density {density:.4f} g/cm³ differs from the CoRE MOF "
                f"table's {published:.4f} g/cm³: not the published structure; use the 'pores' featurizer"
            )
        return row.copy()

    def _feature_names(self) -> list[str]:
        return [f"coremof_{column}" for column in COLUMNS]
