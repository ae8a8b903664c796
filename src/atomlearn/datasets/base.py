"""The ``Dataset``: ids, structures (possibly lazy), a labels table and metadata."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from ase import Atoms

from atomlearn.errors import (
    ERROR_COLUMNS,
    ErrorRecord,
    LabelsError,
    errors_frame,
)
from atomlearn.structures import load_each, take_structures


@dataclass
class DatasetMeta:
    """What a dataset is.

    Attributes
    ----------
    name, description : str
    units : dict of str to str
        Unit of each label column.
    citation, source : str
    notes : list of str
    """

    name: str
    description: str = ""
    units: dict[str, str] = field(default_factory=dict)
    citation: str = ""
    source: str = ""
    notes: list[str] = field(default_factory=list)


class Dataset:
    """Structures with ids and labels.

    Counts in = ``len(dataset)`` + ``len(errors)``: nothing that went in is dropped without a record.

    Parameters
    ----------
    ids : sequence of str, length n
    structures : sequence of ase.Atoms, length n
        Parallel to ``ids`` (a ``LazyStructures`` reads each when used).
    labels : pandas.DataFrame
        Indexed by id in the same order; units in ``meta.units``.
    meta : DatasetMeta
    errors : pandas.DataFrame, optional
        What went in but could not be used: id, stage, reason.
    """

    def __init__(
        self,
        ids: Sequence[str],
        structures: Sequence[Atoms],
        labels: pd.DataFrame,
        meta: DatasetMeta,
        errors: pd.DataFrame | None = None,
    ) -> None:
        ids = [str(i) for i in ids]
        if len(ids) != len(structures):
            raise ValueError(f"{len(ids)} ids but {len(structures)} structures")
        if len(set(ids)) != len(ids):
            raise LabelsError(f"dataset {meta.name!r} has duplicate ids")
        if list(labels.index.astype(str)) != ids:
            labels = labels.reindex(ids)
        self.ids = ids
        self.structures = structures
        self.labels = labels.rename_axis("id")
        self.meta = meta
        self.errors = errors if errors is not None else pd.DataFrame(columns=ERROR_COLUMNS)

    def __len__(self) -> int:
        return len(self.ids)

    def __repr__(self) -> str:
        return (
            f"Dataset({self.meta.name!r}, {len(self)} structures, "
            f"{self.labels.shape[1]} label columns, {len(self.errors)} errors)"
        )

    def take(self, positions: Sequence[int]) -> Dataset:
        """A dataset of the structures at ``positions`` (errors are carried along)."""
        positions = [int(p) for p in positions]
        return Dataset(
            [self.ids[p] for p in positions],
            take_structures(self.structures, positions),
            self.labels.iloc[positions],
            self.meta,
            self.errors,
        )

    def subset(self, ids: Sequence[str]) -> Dataset:
        """A dataset of the given ids, in that order; unknown ids raise ``KeyError``."""
        where = {item: position for position, item in enumerate(self.ids)}
        missing = [i for i in ids if str(i) not in where]
        if missing:
            raise KeyError(f"{len(missing)} ids not in dataset {self.meta.name!r}: {missing[:5]}")
        return self.take([where[str(i)] for i in ids])

    def __getitem__(self, index: slice | Sequence[int]) -> Dataset:
        if isinstance(index, slice):
            return self.take(range(len(self))[index])
        return self.take(index)

    def sample(self, n: int, random_state: int | None = 0) -> Dataset:
        """A random subset of ``n`` of the structures (in dataset order; the errors of the others do not
        apply to it). With ``n`` at or above ``len``, all of them with their errors, and a warning."""
        if int(n) >= len(self):
            if int(n) > len(self):
                warnings.warn(
                    f"n={n} exceeds the {len(self)} usable structures of {self.meta.name!r}: all are used",
                    UserWarning,
                    stacklevel=2,
                )
            return self
        rng = np.random.default_rng(random_state)
        sampled = self.take(np.sort(rng.choice(len(self), size=int(n), replace=False)))
        sampled.errors = errors_frame([])
        return sampled

    def readable(self) -> Dataset:
        """The structures that read, loaded now; the others (a broken file, overlapping sites) move to the errors
        with their reason: in = out + failed.

        Returns
        -------
        Dataset
            Its structures are a list of ``ase.Atoms``.
        """
        loaded, records = load_each(self.structures)
        keep = [p for p, atoms in enumerate(loaded) if atoms is not None]
        return Dataset(
            [self.ids[p] for p in keep],
            [loaded[p] for p in keep],
            self.labels.iloc[keep],
            self.meta,
            pd.concat([self.errors, errors_frame(records)], ignore_index=True),
        )

    def structure(self, item_id: str) -> Atoms:
        """The structure with id ``item_id``."""
        return self.subset([item_id]).structures[0]

    def with_target(self, target: str) -> tuple[Dataset, np.ndarray]:
        """The structures that have a finite value of ``target``, and those values.

        Rows with a missing or non-numeric value are added to ``errors`` of the
        returned dataset (stage ``"label"``), never dropped silently.
        """
        if target not in self.labels.columns:
            raise LabelsError(
                f"dataset {self.meta.name!r} has no label column {target!r}; "
                f"available: {', '.join(map(str, self.labels.columns))}"
            )
        raw = self.labels[target]
        values = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=float)
        usable = np.isfinite(values)
        if not usable.any() and raw.notna().any():
            numeric = [str(c) for c in self.labels.columns if pd.api.types.is_numeric_dtype(self.labels[c])]
            raise LabelsError(
                f"label column {target!r} of dataset {self.meta.name!r} is not numeric (e.g. "
                f"{raw.dropna().iloc[0]!r}); choose a numeric target: {', '.join(numeric[:12])}"
                + (" ..." if len(numeric) > 12 else "")
            )
        records = [
            ErrorRecord(
                item_id=self.ids[p],
                stage="label",
                reason=f"{target} is missing"
                if pd.isna(raw.iloc[p])
                else f"{target}={raw.iloc[p]!r} is not a finite number",
            )
            for p in np.flatnonzero(~usable)
        ]
        kept = self.take(np.flatnonzero(usable))
        kept.errors = pd.concat([self.errors, errors_frame(records)], ignore_index=True)
        return kept, values[usable]

    def summary(self) -> dict[str, Any]:
        """Counts, label columns with units, and where the data come from."""
        return {
            "name": self.meta.name,
            "description": self.meta.description,
            "structures": len(self),
            "errors": len(self.errors),
            "label_columns": {c: self.meta.units.get(c, "") for c in self.labels.columns},
            "citation": self.meta.citation,
            "source": self.meta.source,
            "notes": self.meta.notes,
        }


class LazyItems:
    """(id, Atoms) pairs of a dataset that load each structure only when a worker asks for it.

    A structure that cannot be loaded comes as (id, the exception), for the worker to record as that
    item's failure.

    Parameters
    ----------
    dataset : Dataset
    """

    def __init__(self, dataset: Dataset) -> None:
        self.dataset = dataset

    def __len__(self) -> int:
        return len(self.dataset)

    def __getitem__(self, index: int) -> tuple[str, Any]:
        try:
            return str(self.dataset.ids[index]), self.dataset.structures[index]
        except Exception as exc:  # recorded as this structure's failure by the worker
            return str(self.dataset.ids[index]), exc
