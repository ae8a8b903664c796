"""Henry coefficients of many structures: parallel, with a progress bar, resumable.

Each finished structure is appended to the output CSV at once (failures to
``<out>.errors.csv``); a rerun with the same output skips the structures already
there, so a killed run loses only the structures in flight.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from atomlearn.datasets.base import Dataset, LazyItems
from atomlearn.files import append_csv_row, read_appended_csv, write_csv_atomic
from atomlearn.parallel import compiled_threads, parallel_map
from atomlearn.simulate.batch import (
    SETTINGS_COLUMN,
    BatchResult,
    call_settings,
    refuse_other_condition,
    refuse_other_settings,
    require_structures,
    settings_label,
)
from atomlearn.simulate.widom import widom_henry


@dataclass
class _HenryTask:
    """Picklable worker: one structure in, one result row out."""

    guest: str
    temperature_K: float
    options: dict[str, Any]
    numba_threads: int
    settings: str  # ``settings_label`` of every setting: stored with each row

    def __call__(self, item: tuple[str, Any]) -> dict[str, Any]:
        import numba

        numba.set_num_threads(min(self.numba_threads, numba.config.NUMBA_NUM_THREADS))
        item_id, atoms = item
        if isinstance(atoms, Exception):  # the structure did not load
            raise atoms
        atoms.info["id"] = item_id
        result = widom_henry(atoms, self.guest, self.temperature_K, **self.options)
        if not math.isfinite(result.henry_mol_kg_Pa):  # never a finished row: recorded as this structure's failure
            raise FloatingPointError(
                f"K_H came out as {result.henry_mol_kg_Pa}; check the structure's charges and cell"
            )
        row = {"id": item_id, **result.to_dict()}
        row["log10_henry_mol_kg_Pa"] = math.log10(result.henry_mol_kg_Pa) if result.henry_mol_kg_Pa > 0 else math.nan
        row[SETTINGS_COLUMN] = self.settings
        return row


def henry_labels(
    dataset: Dataset,
    guest: str = "CH4",
    temperature_K: float = 298.0,
    out: str | Path | None = None,
    *,
    n_jobs: int = 1,
    scheduler: str | None = None,
    progress: bool | None = None,
    **options: Any,
) -> BatchResult:
    """Widom K_H and Q_st of a guest for every structure of a dataset, in parallel and resumable.

    With ``out`` finished rows are appended as they come and reused on rerun (with the same settings).
    Structures the dataset could not read (``dataset.errors``) count as requested and failed.

    Parameters
    ----------
    dataset : Dataset
    guest : str
    temperature_K : float
    out : str or Path, optional
        The results CSV.
    n_jobs : int
    scheduler : str, optional
    progress : bool, optional
    **options
        Passed to :func:`~atomlearn.simulate.widom_henry`.

    Returns
    -------
    BatchResult
        One row per structure (K_H in mol/(kg·Pa), Q_st in kJ/mol, with errors and ``converged``), the
        failures, counts.
    """
    require_structures(dataset, "simulate")
    out = Path(out) if out is not None else None
    settings = call_settings(widom_henry, options)
    done = _finished(out, guest, temperature_K, settings)
    todo = [i for i, item_id in enumerate(dataset.ids) if str(item_id) not in done]
    task = _HenryTask(
        guest,
        temperature_K,
        options,
        numba_threads=compiled_threads(n_jobs, scheduler),
        settings=settings_label(settings),
    )
    errors_path = out.with_name(out.stem + ".errors.csv") if out is not None else None
    if errors_path is not None and errors_path.exists():
        errors_path.unlink()  # failures are retried; the file lists this run's

    subset = dataset.take(todo)
    items = LazyItems(subset)
    rows: list[dict] = []

    def write(index: int, ok: bool, value: Any) -> None:
        if ok:
            rows.append(value)
            if out is not None:
                append_csv_row(out, value)

    mapped = parallel_map(
        task,
        items,
        ids=[str(i) for i in subset.ids],
        n_jobs=n_jobs,
        scheduler=scheduler,
        chunk_size=1,
        stage=f"widom {guest}",
        progress=progress,
        description=f"Widom {guest}",
        on_done=write,
    )
    unread = dataset.errors  # files of the dataset that could not be read: requested, and failed
    errors = pd.concat([unread, mapped.errors_frame()], ignore_index=True) if len(unread) else mapped.errors_frame()
    if errors_path is not None and len(errors):
        write_csv_atomic(errors, errors_path)
    results = pd.read_csv(out, dtype={"id": str}) if out is not None and out.exists() else pd.DataFrame(rows)
    n_requested = len(dataset) + unread["item_id"].nunique()
    return BatchResult(results, errors, n_requested, len(dataset) - len(todo), len(rows))


def _finished(out: Path | None, guest: str, temperature_K: float, settings: dict[str, Any]) -> set[str]:
    """Ids an earlier run wrote to ``out``; refuses a file of another guest, temperature or settings."""
    previous = read_appended_csv(out)
    if previous is None:
        return set()
    refuse_other_condition(previous, out, "guest", guest, temperature_K)
    refuse_other_settings(previous, out, settings)
    return set(previous["id"])
