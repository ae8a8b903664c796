"""Datasets: bundled (QM9, CoRE MOF) and the user's own (folder + labels CSV, ASE database).

``load(name_or_path)`` returns a ``Dataset``; ``available()`` lists the bundled ones.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd

from atomlearn.datasets.base import Dataset, DatasetMeta, LazyItems
from atomlearn.datasets.coremof import load_coremof, property_table
from atomlearn.datasets.export import export_dataset
from atomlearn.datasets.folder import is_structure_file, load_asedb, load_folder
from atomlearn.datasets.qm9 import load_qm9
from atomlearn.structures import LazyStructures

#: name -> (loader, number of structures, description)
BUNDLED: dict[str, tuple[Callable[[], Dataset], int, str]] = {
    "qm9": (load_qm9, 130_831, "QM9 organic molecules, B3LYP/6-31G(2df,p) properties (qm9pack)"),
    "coremof2019": (
        lambda: load_coremof("2019-ASR"),
        12_020,
        "CoRE MOF 2019 all-solvent-removed, Zeo++ pore geometry (core-mof)",
    ),
    "coremof2019-fsr": (
        lambda: load_coremof("2019-FSR"),
        7_061,
        "CoRE MOF 2019 free-solvent-removed, Zeo++ pore geometry (core-mof)",
    ),
    "coremof2014": (lambda: load_coremof("2014"), 4_764, "CoRE MOF 2014 structures, no labels (core-mof)"),
}


def available() -> pd.DataFrame:
    """The bundled datasets: name, number of structures, description."""
    return pd.DataFrame(
        [(name, n, text) for name, (_, n, text) in BUNDLED.items()],
        columns=["name", "structures", "description"],
    )


def load(name: str, **kwargs: object) -> Dataset:
    """Load a bundled dataset by name, a folder of structure files, or an ASE database file.

    For a folder, ``kwargs`` go to ``load_folder`` (``labels``, ``id_column``, ``n_jobs``).
    """
    if name in BUNDLED:
        return BUNDLED[name][0]()
    path = Path(name)
    if path.is_dir():
        return load_folder(path, **kwargs)
    if path.is_file() and path.suffix.lower() in (".db", ".json"):
        return load_asedb(path, **kwargs)
    raise KeyError(
        f"unknown dataset {name!r}: not one of {', '.join(BUNDLED)}, nor a folder or an "
        "ASE database file. Run `atomlearn datasets list` to see the bundled ones."
    )


__all__ = [
    "BUNDLED",
    "Dataset",
    "DatasetMeta",
    "LazyItems",
    "LazyStructures",
    "available",
    "export_dataset",
    "is_structure_file",
    "load",
    "load_asedb",
    "load_coremof",
    "load_folder",
    "load_qm9",
    "property_table",
]
