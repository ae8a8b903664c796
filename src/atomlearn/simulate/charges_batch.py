"""EQeq charges of many frameworks: parallel, resumable, written as a folder dataset.

Each framework is written as a P1 CIF with ``_atom_site_charge`` (whole or not at all) and gets a
row in ``charges.csv`` at once; a rerun skips the frameworks already there. Failures go to
``errors.csv``; the dataset's labels of the structures written go to ``labels.csv``, so the folder
is a dataset ``atomlearn simulate henry`` and ``atomlearn fit`` read directly.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from atomlearn.datasets.base import Dataset, LazyItems
from atomlearn.files import append_csv_row, read_appended_csv, write_csv_atomic
from atomlearn.parallel import parallel_map
from atomlearn.physics.charges import eqeq_charges
from atomlearn.simulate.batch import (
    SETTINGS_COLUMN,
    BatchResult,
    refuse_other_settings,
    require_structures,
    settings_label,
)
from atomlearn.structures import write_cif
from atomlearn.validation import check_finite

SUMMARY_FILE = "charges.csv"
CHARGE_ERRORS_FILE = "errors.csv"
LABELS_FILE = "labels.csv"


@dataclass
class _ChargeTask:
    """Picklable worker: one (id, structure) in, its summary row and charges (e, shape (n_atoms,)) out. The
    CIF is written by the caller, on its machine: a cluster's workers need not see the output folder."""

    total_charge: float

    def __call__(self, item: tuple[str, Any]) -> tuple[dict[str, Any], np.ndarray]:
        item_id, atoms = item
        if isinstance(atoms, Exception):  # the structure did not load
            raise atoms
        clock = time.perf_counter()
        charges = eqeq_charges(atoms, total_charge=self.total_charge, source=item_id)
        seconds = time.perf_counter() - clock
        row = {
            "id": item_id,
            "formula": atoms.get_chemical_formula(),
            "n_atoms": len(atoms),
            "method": "EQeq",
            "total_charge_e": round(float(charges.sum()), 10),
            "min_charge_e": float(charges.min()),
            "max_charge_e": float(charges.max()),
            "mean_abs_charge_e": float(np.abs(charges).mean()),
            "time_s": seconds,
            SETTINGS_COLUMN: settings_label({"total_charge": self.total_charge}),
        }
        return row, charges


def charge_dataset(
    dataset: Dataset,
    out: str | Path,
    *,
    total_charge: float = 0.0,
    n_jobs: int = 1,
    scheduler: str | None = None,
    progress: bool | None = None,
) -> BatchResult:
    """EQeq charges of every structure of ``dataset``, written into the folder ``out`` (see the module).

    Parameters
    ----------
    dataset : Dataset
        Periodic frameworks (molecules are charged too, but written only as CIFs of crystals: they fail).
    out : path
        Folder; created, and reused by a rerun (finished structures are skipped).
    total_charge : float
        Net charge of each cell, e.
    n_jobs, scheduler
        Worker processes, or a Dask scheduler address (``atomlearn.parallel``).

    Returns
    -------
    BatchResult
        ``results`` holds one row per structure in the folder (id, formula, atoms, charge range, time).
    """
    require_structures(dataset, "charge")
    check_finite(total_charge, "total charge", "e")
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    summary_path = folder / SUMMARY_FILE
    done = _finished(summary_path, total_charge)
    todo = [i for i, item_id in enumerate(dataset.ids) if str(item_id) not in done]
    subset = dataset.take(todo)
    items = LazyItems(subset)
    computed: list[dict[str, Any]] = []

    def keep(index: int, ok: bool, value: Any) -> None:
        if ok:  # the CIF first: a row without its CIF is charged again by a rerun
            row, charges = value
            atoms = subset.structures[index].copy()  # the dataset keeps its structure as it was
            atoms.set_initial_charges(charges)
            write_cif(atoms, folder / f"{row['id']}.cif", name=row["id"])
            computed.append(row)
            append_csv_row(summary_path, row)

    mapped = parallel_map(
        _ChargeTask(total_charge),
        items,
        ids=[str(i) for i in subset.ids],
        n_jobs=n_jobs,
        scheduler=scheduler,
        chunk_size=1,
        stage="charges",
        progress=progress,
        description="EQeq charges",
        on_done=keep,
    )
    errors = pd.concat([dataset.errors, mapped.errors_frame()], ignore_index=True)
    write_csv_atomic(errors, folder / CHARGE_ERRORS_FILE)
    results = pd.read_csv(summary_path, dtype={"id": str}) if summary_path.exists() else pd.DataFrame(computed)
    written = [i for i in dataset.ids if i in set(results.get("id", []))]
    if len(dataset.labels.columns):
        write_csv_atomic(dataset.labels.loc[written].rename_axis("id").reset_index(), folder / LABELS_FILE)
    n_requested = len(dataset) + dataset.errors["item_id"].nunique()
    return BatchResult(results, errors, n_requested, len(dataset) - len(todo), len(computed))


def _finished(summary_path: Path, total_charge: float) -> set[str]:
    """Ids already in the folder's summary whose CIF is there too; refuses a folder charged to another total."""
    previous = read_appended_csv(summary_path)
    if previous is None:
        return set()
    refuse_other_settings(previous, summary_path, {"total_charge": float(total_charge)})
    return {i for i in previous["id"] if (summary_path.parent / f"{i}.cif").exists()}
