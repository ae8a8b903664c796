"""What a resumable batch over a dataset did (Widom labels, EQeq charges): in = done before + computed + failed."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd


@dataclass
class BatchResult:
    """Rows of every structure finished (now or by an earlier run), the failures, and the counts.

    Attributes
    ----------
    results : DataFrame
        One row per finished structure, as in the batch's output CSV.
    errors : DataFrame
        ``item_id``, ``stage``, ``reason`` of each failure (unreadable structures included).
    n_requested, n_skipped, n_computed : int
        Items asked for, found finished in the output, computed now.
    unit : str
        What an item is: "structures", or "structure-pressure points" for an isotherm batch.
    """

    results: pd.DataFrame
    errors: pd.DataFrame
    n_requested: int
    n_skipped: int
    n_computed: int
    unit: str = "structures"

    def summary(self) -> str:
        """One line: items requested, already in the output, computed, failed."""
        failed = self.n_requested - self.n_skipped - self.n_computed
        return (f"{self.n_requested} {self.unit} requested: {self.n_skipped} already in the output, "
                f"{self.n_computed} computed, {failed} failed")


def refuse_other_condition(previous: pd.DataFrame, out: object, column: str, wanted: str, temperature_K: float) -> None:
    """A results file is resumed only for the same guest (``column`` equal to ``wanted``, case aside) and temperature."""
    mismatch = previous[(previous[column].astype(str).str.lower() != wanted.lower())
                        | ((previous["temperature_K"] - temperature_K).abs() > 1e-9)]
    if len(mismatch):
        raise ValueError(f"{out} holds results for {mismatch[column].iloc[0]} at {mismatch['temperature_K'].iloc[0]} K; "
                         f"give another --out for {wanted} at {temperature_K} K")
