"""Datasets: bundled (QM9, CoRE MOF) and the user's own (folder + labels CSV, ASE database).

``load(name_or_path)`` returns a ``Dataset``; ``available()`` lists the bundled ones.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from atomlearn.datasets.base import Dataset, DatasetMeta, LazyItems
from atomlearn.datasets.coremof import CITATIONS as COREMOF_CITATIONS
from atomlearn.datasets.coremof import load_coremof, property_table
from atomlearn.datasets.coremof_co2 import load_coremof_co2, load_label_set
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
            "coremof2019-co2",
            load_coremof_co2,
            "CoRE MOF 2019 MOFs with GCMC CO2/N2 (15:85, 1 bar, 298 K) uptake and selectivity, by atomlearn",
            COREMOF_CITATIONS["2019"],
            info={"structures": 600},
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

    Parameters
    ----------
    name : str
        A bundled dataset (:data:`DATASETS`: ``qm9``, ``coremof2019``, ``coremof2019-fsr``,
        ``coremof2014``), a folder of structure files, or an ASE database (``.db``, ``.json``).
    **kwargs
        For a folder or database: ``load_folder`` / ``load_asedb`` options (``labels``, ``id_column``,
        ``n_jobs``).

    Returns
    -------
    Dataset
        ``ids`` (n,), ``structures`` (n ``ase.Atoms``, read lazily when used), ``labels`` (a
        ``pandas.DataFrame`` indexed by id, units in the column names) and ``meta`` (description,
        units, citation).

    Raises
    ------
    KeyError
        For a name that is no bundled dataset, folder or database file.

    Examples
    --------
    >>> from atomlearn.datasets import load
    >>> qm9 = load("qm9")
    >>> len(qm9), qm9.ids[0], qm9.structures[0].get_chemical_formula()
    (130831, 'dsgdb9nsd_000001', 'CH4')
    >>> round(float(qm9.labels["U0_atomization_kcal_mol"].iloc[0]), 2)
    -396.0
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
    "load_coremof_co2",
    "load_label_set",
    "load_asedb",
    "load_coremof",
    "load_folder",
    "load_qm9",
    "property_table",
]
