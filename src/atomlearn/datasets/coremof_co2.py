"""The bundled CO2/N2 label set: GCMC of flue gas in CoRE MOF 2019 MOFs, computed once by atomlearn.

Nobody ships CO2/N2 mixture labels for CoRE MOF; ``scripts/label_coremof_co2.py`` computes them with the
settings below (those of ``atomlearn demo co2``) and writes ``package_data/coremof_co2_gcmc.csv``: one row per
MOF asked for, its uptake and selectivity with standard errors, or the reason it has none. ``load_label_set``
reads it back against its declared columns; ``load_coremof_co2`` (``datasets.load("coremof2019-co2")``) gives
the labelled MOFs as a dataset.
"""

from __future__ import annotations

from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd

from atomlearn.datasets.base import Dataset, DatasetMeta
from atomlearn.datasets.coremof import CITATIONS, load_coremof
from atomlearn.errors import ErrorRecord, errors_frame
from atomlearn.files import write_csv_atomic
from atomlearn.schema import ColumnKind, read_table

__all__ = [
    "LABEL_SET_COLUMNS",
    "LABEL_SET_SETTINGS",
    "LABEL_SET_VERSION",
    "label_set_path",
    "load_coremof_co2",
    "load_label_set",
    "write_label_set",
]

#: bump when the settings, the engine's numbers or the MOFs change. 2026.12.2: the 66 MOFs with overlapping sites
#: (``structures.overlaps``; their GCMC labels were artefacts, among them all 6 of the former top 1 %) are refused
LABEL_SET_VERSION = "2026.12.2"
#: how every label was computed (stored beside the labels: ``load_label_set().attrs``)
LABEL_SET_SETTINGS: dict[str, Any] = {
    "version": LABEL_SET_VERSION,
    "database": "coremof2019",
    "permutation_seed": 2026,
    "mixture": {"CO2": 0.15, "N2": 0.85},
    "pressure_bar": 1.0,
    "temperature_K": 298.0,
    "charges": "EQeq (atomlearn.physics.charges)",
    "forcefield": "UFF framework, TraPPE CO2 and N2, Lorentz-Berthelot, LJ cut at 12 A and shifted, Ewald",
    "grid_spacing_A": 0.15,
    "block_pockets": True,
    "equation_of_state": "peng-robinson",
    "init_cycles": 150,
    "cycles": 500,
    "target_relative_error": 0.05,
    "random_state": 0,
}
LABEL_SET_COLUMNS: dict[str, ColumnKind] = {
    "id": "text",
    "co2_uptake_mol_kg": "number",
    "co2_uptake_se_mol_kg": "number",
    "n2_uptake_mol_kg": "number",
    "n2_uptake_se_mol_kg": "number",
    "co2_n2_selectivity": "number",
    "co2_n2_selectivity_se": "number",
    "log10_co2_uptake_mol_kg": "number",
    "log10_co2_n2_selectivity": "number",
    "gcmc_time_s": "number",
    "gcmc_notes": "text",
    "error": "text",
}
_FILE = "coremof_co2_gcmc.csv"
_REMEDY = "reinstall atomlearn, or recompute it with scripts/label_coremof_co2.py"
#: units of the label columns
UNITS = {
    "co2_uptake_mol_kg": "mol/kg",
    "co2_uptake_se_mol_kg": "mol/kg",
    "n2_uptake_mol_kg": "mol/kg",
    "n2_uptake_se_mol_kg": "mol/kg",
    "co2_n2_selectivity": "dimensionless",
    "co2_n2_selectivity_se": "dimensionless",
    "log10_co2_uptake_mol_kg": "log10 mol/kg",
    "log10_co2_n2_selectivity": "log10",
    "gcmc_time_s": "s",
}


def label_set_path() -> Path:
    """Where the bundled label set lies (inside the installed package)."""
    return Path(str(resources.files("atomlearn.package_data").joinpath(_FILE)))


def write_label_set(
    ids: Sequence[str], labels: pd.DataFrame, failures: pd.DataFrame, path: str | Path | None = None
) -> Path:
    """Write one row per MOF asked for: its labels, or why it has none (in = labelled + failed).

    Parameters
    ----------
    ids : sequence of str
        Every MOF asked for, in order.
    labels : pandas.DataFrame
        ``co2_labels.gcmc_label_table`` rows by id (missing ids have no label).
    failures : pandas.DataFrame
        Errors with ``item_id``, ``stage`` and ``reason``.
    path : path, optional
        Default: the package's file.

    Returns
    -------
    Path
    """
    path = Path(path) if path is not None else label_set_path()
    frame = labels.reindex(list(ids)).rename_axis("id").reset_index()
    reasons = {str(r.item_id): f"{r.stage}: {r.reason}" for r in failures.itertuples()}
    frame["gcmc_notes"] = frame["gcmc_notes"].fillna("")
    frame["error"] = [
        reasons.get(i, "") or ("" if pd.notna(u) else "no GCMC result")
        for i, u in zip(frame["id"], frame["co2_uptake_mol_kg"])
    ]
    write_csv_atomic(frame[list(LABEL_SET_COLUMNS)], path)
    return path


def load_label_set(path: str | Path | None = None) -> pd.DataFrame:
    """The label set, checked against its declared columns, with its settings in ``.attrs["settings"]``.

    Parameters
    ----------
    path : path, optional
        Default: the package's file.

    Returns
    -------
    pandas.DataFrame
        One row per MOF (``id`` first); labels are NaN where ``error`` says why.
    """
    path = Path(path) if path is not None else label_set_path()
    frame = read_table(path, LABEL_SET_COLUMNS, "the CO2/N2 GCMC label set", _REMEDY)
    frame[["gcmc_notes", "error"]] = frame[["gcmc_notes", "error"]].fillna("")
    frame.attrs["settings"] = dict(LABEL_SET_SETTINGS)
    return frame


def load_coremof_co2() -> Dataset:
    """The MOFs of the label set with their GCMC labels and CoRE MOF's Zeo++ pore geometry.

    A MOF whose charges or simulation failed keeps its row with NaN labels and the reason in ``label_error``.

    Returns
    -------
    Dataset
        Labels: the label set's columns (``log10_co2_uptake_mol_kg``, ``log10_co2_n2_selectivity``, ... with
        standard errors), ``gcmc_notes`` (convergence warnings), ``label_error``, and the pore geometry of
        ``coremof2019``.
    """
    labels = load_label_set().set_index("id")
    database = load_coremof("2019-ASR")
    known = set(database.ids)
    ids = [i for i in labels.index if i in known]
    records = [
        ErrorRecord(i, "load", "in the label set but not in CoRE MOF 2019") for i in labels.index if i not in known
    ]
    subset = database.subset(ids)
    table = labels.loc[ids].rename(columns={"error": "label_error"}).join(subset.labels)
    settings = LABEL_SET_SETTINGS
    labelled = table["co2_uptake_mol_kg"].notna()
    relative_se = (table["co2_uptake_se_mol_kg"] / table["co2_uptake_mol_kg"])[
        labelled & (table["co2_uptake_mol_kg"] > 0)
    ]
    quality = [
        f"labelled: {int(labelled.sum())} of {len(ids)} (why not: label_error)",
        f"median relative standard error of the CO2 uptake: {relative_se.median():.1%}",
        f"flagged by the GCMC convergence checks: {int((table['gcmc_notes'] != '').sum())} (why: gcmc_notes)",
    ]
    meta = DatasetMeta(
        name="coremof2019-co2",
        description=(
            f"{len(ids)} CoRE MOF 2019 MOFs with GCMC uptake and selectivity of flue gas (CO2:N2 15:85, "
            f"{settings['pressure_bar']:g} bar, {settings['temperature_K']:g} K), computed by atomlearn "
            f"(label set {LABEL_SET_VERSION})"
        ),
        units={**subset.meta.units, **UNITS},
        citation=CITATIONS["2019"],
        source=f"atomlearn package data {_FILE} (scripts/label_coremof_co2.py)",
        notes=[*quality, *(f"{key}: {value}" for key, value in settings.items())],
    )
    return Dataset(ids, subset.structures, table, meta, errors_frame(records))
