"""CoRE MOF: computation-ready experimental metal-organic frameworks (package ``core-mof``).

Subsets: ``2019-ASR`` (12,020 all-solvent-removed structures), ``2019-FSR`` (7,061
free-solvent-removed) and ``2014`` (4,764). The labels are the Zeo++ geometry table
shipped with the package (2014 has none). The package ships each subset as a
``.tar.xz`` archive, which cannot be read by member without decompressing it all; the
first access re-packs it once into a zip in the cache folder (a few seconds), after
which a structure is read by id in about a millisecond.
"""

from __future__ import annotations

import os
import tarfile
import zipfile
from importlib import resources
from pathlib import Path

import pandas as pd
from ase import Atoms
from filelock import FileLock

from atomlearn.cache import cache_dir
from atomlearn.datasets.base import Dataset, DatasetMeta
from atomlearn.errors import ErrorRecord, errors_frame
from atomlearn.structures import LazyStructures, cif_text_to_atoms

#: subset -> dataset name
SUBSETS = {"2019-ASR": "coremof2019", "2019-FSR": "coremof2019-fsr", "2014": "coremof2014"}

#: package column -> (our column, unit). The package's header says "cm3_g" for the
#: density column, but its values are g/cm^3 (they match mass/volume of the CIFs).
COLUMNS = {
    "LCD": ("LCD_A", "Å"),
    "PLD": ("PLD_A", "Å"),
    "LFPD": ("LFPD_A", "Å"),
    "cm3_g": ("density_g_cm3", "g/cm^3"),
    "ASA_m2_cm3": ("ASA_m2_cm3", "m^2/cm^3"),
    "ASA_m2_g": ("ASA_m2_g", "m^2/g"),
    "NASA_m2_cm3": ("NASA_m2_cm3", "m^2/cm^3"),
    "NASA_m2_g": ("NASA_m2_g", "m^2/g"),
    "AV_VF": ("void_fraction", "1"),
    "AV_cm3_g": ("AV_cm3_g", "cm^3/g"),
    "NAV_cm3_g": ("NAV_cm3_g", "cm^3/g"),
    "All_Metals": ("metals", ""),
    "Has_OMS": ("has_open_metal_site", ""),
    "Open_Metal_Sites": ("open_metal_sites", ""),
}

CITATIONS = {
    "2019": "Y. G. Chung et al., Advances, Updates, and Analytics for the Computation-Ready, "
    "Experimental Metal-Organic Framework Database: CoRE MOF 2019, J. Chem. Eng. Data 64, "
    "5985-5998 (2019). doi:10.1021/acs.jced.9b00835",
    "2014": "Y. G. Chung et al., Computation-Ready, Experimental Metal-Organic Frameworks: A Tool "
    "To Enable High-Throughput Screening of Nanoporous Crystals, Chem. Mater. 26, 6185-6192 "
    "(2014). doi:10.1021/cm502594j",
}


def load_coremof(subset: str = "2019-ASR") -> Dataset:
    """A CoRE MOF subset with its Zeo++ label table; structures load lazily by id.

    Parameters
    ----------
    subset : {"2019-ASR", "2019-FSR", "2014"}

    Returns
    -------
    Dataset
    """
    table = property_table(subset)
    archive = converted_archive(subset)
    with zipfile.ZipFile(archive) as bundle:
        in_archive = {Path(name).stem for name in bundle.namelist()}
    missing = [i for i in table.index if i not in in_archive]
    records = [ErrorRecord(i, "load", "listed in the property table but no CIF in the archive") for i in missing]
    table = table.drop(index=missing)
    meta = DatasetMeta(
        name=SUBSETS[subset],
        description=f"CoRE MOF {subset}: {len(table)} experimental MOF crystal structures"
        + (" with Zeo++ pore geometry (probe 1.86 Å)" if subset != "2014" else ""),
        units={ours: unit for ours, unit in COLUMNS.values() if ours in table.columns},
        citation=CITATIONS[subset[:4]],
        source=f"PyPI package core-mof 2019.1, subset {subset}",
        notes=["Column 'cm3_g' of the package is the density in g/cm^3 (renamed density_g_cm3)."],
    )
    structures = LazyStructures(list(table.index), CoreMofLoader(subset, archive))
    return Dataset(list(table.index), structures, table, meta, errors_frame(records))


def property_table(subset: str = "2019-ASR") -> pd.DataFrame:
    """The package's Zeo++ property table of a CoRE MOF subset.

    Parameters
    ----------
    subset : {"2019-ASR", "2019-FSR", "2014"}

    Returns
    -------
    pandas.DataFrame
        Indexed by structure id, with atomlearn's column names (units in them: ``LCD_A``, ...).
    """
    if subset not in SUBSETS:
        raise ValueError(f"unknown CoRE MOF subset {subset!r}; choose one of {', '.join(SUBSETS)}")
    table = pd.read_csv(_package_file(f"{subset}.csv"), dtype={"filename": str})
    table = table.loc[:, ~table.columns.str.startswith("Unnamed")]
    table = table.rename(columns={k: v[0] for k, v in COLUMNS.items()}).set_index("filename")
    if "has_open_metal_site" in table:
        table["has_open_metal_site"] = table["has_open_metal_site"].map({"Yes": True, "No": False})
    return table


class CoreMofLoader:
    """Reads one CoRE MOF CIF by id from the re-packed zip (handle opened once per process)."""

    def __init__(self, subset: str, archive: Path) -> None:
        self.subset = subset
        self.archive = Path(archive)
        self._bundle: zipfile.ZipFile | None = None
        self._pid = -1

    def __getstate__(self) -> dict:
        return {"subset": self.subset, "archive": self.archive}

    def __setstate__(self, state: dict) -> None:
        self.__init__(state["subset"], state["archive"])

    def cif_text(self, item_id: str) -> str:
        """The CIF file of ``item_id`` as text."""
        if self._bundle is None or self._pid != os.getpid():
            self._bundle = zipfile.ZipFile(self.archive)
            self._pid = os.getpid()
        try:
            raw = self._bundle.read(f"{item_id}.cif")
        except KeyError:
            raise KeyError(f"no structure {item_id!r} in CoRE MOF {self.subset}") from None
        return raw.decode("utf-8", errors="replace")

    def __call__(self, item_id: str) -> Atoms:
        atoms = cif_text_to_atoms(self.cif_text(item_id), source=f"CoRE MOF {self.subset}/{item_id}.cif")
        atoms.info["id"] = item_id
        return atoms

    def __repr__(self) -> str:
        return f"CoreMofLoader({self.subset!r})"


def _package_file(name: str) -> Path:
    return Path(str(resources.files("CoRE_MOF") / "data" / name))


def converted_archive(subset: str) -> Path:
    """The zip of a subset's CIFs in the cache folder, re-packed from the .tar.xz once."""
    root = cache_dir() / "coremof"
    root.mkdir(parents=True, exist_ok=True)
    target = root / f"{subset}.zip"
    if target.exists():
        return target
    with FileLock(str(root / f"{subset}.lock")):
        if not target.exists():
            staging = root / f"{subset}.zip.tmp-{os.getpid()}"
            with (
                tarfile.open(_package_file(f"{subset}.tar.xz")) as tar,
                zipfile.ZipFile(staging, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as bundle,
            ):
                for member in tar:
                    name = member.name.rsplit("/", 1)[-1]
                    if member.isfile() and member.size > 0 and name.endswith(".cif") and not name.startswith("."):
                        bundle.writestr(name, tar.extractfile(member).read())
            os.replace(staging, target)
    return target
