"""Errors for bad user input and the error records that batch runs keep."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

__all__ = [
    "AtomlearnError",
    "ERROR_COLUMNS",
    "ErrorRecord",
    "FeaturizationError",
    "LabelsError",
    "StructureError",
    "errors_frame",
]

if TYPE_CHECKING:
    import pandas as pd


class AtomlearnError(Exception):
    """Base class of the errors atomlearn raises on purpose."""


class StructureError(AtomlearnError, ValueError):
    """A structure file or string could not be turned into an ``ase.Atoms``.

    The message names the source (file, line where known) and what to do.
    """


class LabelsError(AtomlearnError, ValueError):
    """A labels table is unusable (missing id column, duplicate ids, wrong target)."""


class FeaturizationError(AtomlearnError, ValueError):
    """A featurizer could not compute a row for a structure."""


@dataclass(frozen=True)
class ErrorRecord:
    """One item that failed in a batch: which, where in the pipeline, and why."""

    item_id: str
    stage: str
    reason: str

    def to_dict(self) -> dict[str, str]:
        """The record as a plain dict: ``item_id``, ``stage``, ``reason``."""
        return asdict(self)


ERROR_COLUMNS = ["item_id", "stage", "reason"]


def errors_frame(records: list[ErrorRecord]) -> pd.DataFrame:
    """A table of error records (columns ``item_id``, ``stage``, ``reason``)."""
    import pandas as pd

    return pd.DataFrame([r.to_dict() for r in records], columns=ERROR_COLUMNS)
