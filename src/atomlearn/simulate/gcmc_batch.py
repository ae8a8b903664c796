"""GCMC loadings of many structures at several pressures: parallel, with a progress bar, resumable.

As ``henry_batch``: the points of each finished structure are appended to the output CSV at once
(failures to ``<out>.errors.csv``); a rerun with the same output skips the points already there
(a torn last row is dropped and recomputed) and gives what an uninterrupted run gives: each point has
its own random stream (``gcmc.point_seed``), and every setting that changes a number is stored with
the row (``settings``) and must match. A structure's pressures share one set of energy grids.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from atomlearn.datasets.base import Dataset, LazyItems
from atomlearn.files import append_csv_row, read_appended_csv, write_csv_atomic
from atomlearn.parallel import compiled_threads, parallel_map
from atomlearn.physics.guests import get_guest
from atomlearn.simulate.batch import (
    SETTINGS_COLUMN,
    BatchResult,
    call_settings,
    refuse_other_condition,
    refuse_other_settings,
    require_structures,
    settings_label,
)
from atomlearn.simulate.grand_canonical import composition_label, gcmc_isotherm
from atomlearn.units import BAR_TO_PA


@dataclass
class _GCMCTask:
    """Picklable worker: one structure and its pressures to run in, one result row per pressure out
    (the energy grids are built once for all of them)."""

    composition: dict[str, float]
    temperature_K: float
    options: dict[str, Any]
    numba_threads: int
    settings: str  # ``settings_label`` of every setting: stored with each row

    def __call__(self, item: tuple[tuple[str, Any], list[float]]) -> list[dict[str, Any]]:
        import numba

        numba.set_num_threads(min(self.numba_threads, numba.config.NUMBA_NUM_THREADS))
        (item_id, atoms), pressures_Pa = item
        if isinstance(atoms, Exception):  # the structure did not load
            raise atoms
        atoms.info["id"] = item_id
        results = gcmc_isotherm(atoms, self.composition, self.temperature_K, pressures_Pa, **self.options)
        for result in results:
            if not all(math.isfinite(v) for v in result.loading_mol_kg):
                raise FloatingPointError(
                    f"loading came out as {result.loading_mol_kg} at {result.pressure_Pa / BAR_TO_PA:g} bar; "
                    "check the structure's cell and charges"
                )
        return [{"id": item_id, **result.to_dict(), SETTINGS_COLUMN: self.settings} for result in results]


class _Structures:
    """(structure, its pressures still to run) items: each structure loaded only when a worker needs it."""

    def __init__(self, items: LazyItems, todo: list[tuple[int, list[float]]]) -> None:
        self.items, self.todo = items, todo

    def __len__(self) -> int:
        return len(self.todo)

    def __getitem__(self, index: int) -> tuple[tuple[str, Any], list[float]]:
        position, pressures = self.todo[index]
        return self.items[position], pressures


def gcmc_labels(
    dataset: Dataset,
    guests: str | Mapping[str, float],
    temperature_K: float,
    pressures_Pa: Sequence[float],
    out: str | Path | None = None,
    *,
    n_jobs: int = 1,
    scheduler: str | None = None,
    progress: bool | None = None,
    **options: Any,
) -> BatchResult:
    """GCMC loadings of a gas in every structure of a dataset at each pressure, in parallel and resumable.

    With ``out`` finished points are appended as they come and reused on rerun (with the same settings).
    Structures the dataset could not read count as requested and failed at every pressure.

    Parameters
    ----------
    dataset : Dataset
    guests : str or mapping of str to float
        One gas, or the mole fractions of a mixture.
    temperature_K : float
    pressures_Pa : sequence of float
    out : str or Path, optional
        The results CSV.
    n_jobs : int
    scheduler : str, optional
        A dask scheduler address.
    progress : bool, optional
    **options
        Passed to :func:`~atomlearn.simulate.gcmc_isotherm`.

    Returns
    -------
    BatchResult
        One row per structure and pressure (loadings with errors, ``converged``), the failures, counts.
    """
    require_structures(dataset, "simulate")
    composition = {guests: 1.0} if isinstance(guests, str) else dict(guests)
    label = composition_label([get_guest(name).name for name in composition], list(composition.values()))
    out = Path(out) if out is not None else None
    settings = call_settings(gcmc_isotherm, options)
    done = _finished(out, label, temperature_K, settings)
    todo = [
        (i, remaining)
        for i in range(len(dataset))
        if (
            remaining := [
                float(p) for p in pressures_Pa if (str(dataset.ids[i]), round(float(p) / BAR_TO_PA, 9)) not in done
            ]
        )
    ]
    task = _GCMCTask(
        composition,
        temperature_K,
        options,
        numba_threads=compiled_threads(n_jobs, scheduler),
        settings=settings_label(settings),
    )
    errors_path = out.with_name(out.stem + ".errors.csv") if out is not None else None
    if errors_path is not None and errors_path.exists():
        errors_path.unlink()  # failures are retried; the file lists this run's
    rows: list[dict] = []

    def keep(index: int, ok: bool, value: Any) -> None:
        if ok:
            for row in value:
                rows.append(row)
                if out is not None:
                    append_csv_row(out, row)

    ids = [str(dataset.ids[i]) for i, _ in todo]
    mapped = parallel_map(
        task,
        _Structures(LazyItems(dataset), todo),
        ids=ids,
        n_jobs=n_jobs,
        scheduler=scheduler,
        chunk_size=1,
        stage=f"gcmc {label}",
        progress=progress,
        description=f"GCMC {label}",
        on_done=keep,
    )
    unread = dataset.errors
    errors = pd.concat([unread, mapped.errors_frame()], ignore_index=True) if len(unread) else mapped.errors_frame()
    if errors_path is not None and len(errors):
        write_csv_atomic(errors, errors_path)
    results = pd.read_csv(out, dtype={"id": str}) if out is not None and out.exists() else pd.DataFrame(rows)
    n_requested = (len(dataset) + unread["item_id"].nunique()) * len(pressures_Pa)
    n_skipped = len(dataset) * len(pressures_Pa) - sum(len(remaining) for _, remaining in todo)
    return BatchResult(results, errors, n_requested, n_skipped, len(rows), unit="structure-pressure points")


def _finished(out: Path | None, label: str, temperature_K: float, settings: dict[str, Any]) -> set[tuple[str, float]]:
    """(id, pressure in bar) of the points an earlier run wrote; refuses a file of other guests, temperature or
    settings."""
    previous = read_appended_csv(out)
    if previous is None:
        return set()
    refuse_other_condition(previous, out, "composition", label, temperature_K)
    refuse_other_settings(previous, out, settings)
    return {(row.id, round(float(row.pressure_bar), 9)) for row in previous.itertuples()}
