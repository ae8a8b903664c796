"""Datasets: bundled (QM9, CoRE MOF) and the user's own (folder + labels CSV, ASE database).

``load(name_or_path)`` returns a ``Dataset``; ``available()`` lists the bundled ones.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from atomlearn.datasets.base import Dataset, DatasetMeta, LazyItems
from atomlearn.datasets.coremof import CITATIONS as COREMOF_CITATIONS
from atomlearn.datasets.coremof import load_coremof, property_table
from atomlearn.datasets.export import export_dataset
from atomlearn.datasets.folder import is_structure_file, load_asedb, load_folder
from atomlearn.datasets.qm9 import CITATION as QM9_CITATION
from atomlearn.datasets.qm9 import load_qm9
from atomlearn.registry import Entry, Registry
from atomlearn.structures import LazyStructures

#: bundled dataset name -> its loader; ``info["structures"]``: how many structures it holds
DATASETS = Registry(
    "dataset",
    [
        Entry(
            "qm9",
            load_qm9,
            "QM9 organic molecules, B3LYP/6-31G(2df,p) properties (qm9pack)",
            QM9_CITATION,
            info={"structures": 130_831},
        ),
        Entry(
            "coremof2019",
            load_coremof,
            "CoRE MOF 2019 all-solvent-removed, Zeo++ pore geometry (core-mof)",
            COREMOF_CITATIONS["2019"],
            params={"subset": "2019-ASR"},
            info={"structures": 12_020},
        ),
        Entry(
            "coremof2019-fsr",
            load_coremof,
            "CoRE MOF 2019 free-solvent-removed, Zeo++ pore geometry (core-mof)",
            COREMOF_CITATIONS["2019"],
            params={"subset": "2019-FSR"},
            info={"structures": 7_061},
        ),
        Entry(
            "coremof2014",
            load_coremof,
            "CoRE MOF 2014 structures, no labels (core-mof)",
            COREMOF_CITATIONS["2014"],
            params={"subset": "2014"},
            info={"structures": 4_764},
        ),
    ],
)


def available() -> pd.DataFrame:
    """The bundled datasets: name, number of structures, description."""
    return pd.DataFrame(
        [(entry.name, entry.info["structures"], entry.description) for entry in DATASETS.values()],
        columns=["name", "structures", "description"],
    )


def load(name: str, **kwargs: object) -> Dataset:
    """Load a bundled dataset by name, a folder of structure files, or an ASE database file.

    For a folder, ``kwargs`` go to ``load_folder`` (``labels``, ``id_column``, ``n_jobs``).
    """
    if name in DATASETS:
        return DATASETS.create(name)
    path = Path(name)
    if path.is_dir():
        return load_folder(path, **kwargs)
    if path.is_file() and path.suffix.lower() in (".db", ".json"):
        return load_asedb(path, **kwargs)
    raise KeyError(
        f"unknown dataset {name!r}: not one of {', '.join(DATASETS)}, nor a folder or an "
        "ASE database file. Run `atomlearn datasets list` to see the bundled ones."
    )


__all__ = [
    "DATASETS",
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
