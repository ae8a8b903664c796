"""What a resumable batch over a dataset did (Widom labels, EQeq charges): in = done before + computed + failed;
and what a resumed batch must match: the condition and every setting that changes a number."""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from atomlearn.display import Displayed

#: the results column that records, as JSON, the settings a row was computed with
SETTINGS_COLUMN = "settings"


@dataclass(repr=False)
class BatchResult(Displayed):
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

    def unconverged(self) -> pd.DataFrame:
        """The result rows whose error bars cannot be trusted (``converged`` False; their ``notes`` say why)."""
        if "converged" not in self.results:
            return self.results.iloc[:0]
        return self.results[self.results["converged"].astype(str) == "False"]

    def _display(self) -> tuple[str, list[tuple[str, Any]]]:
        numbers = [
            c
            for c in self.results.columns
            if c.startswith(("loading_", "henry_", "log10_", "qst", "pressure_bar")) or c == "converged"
        ]
        rows: list[tuple[str, Any]] = [("unconverged", len(self.unconverged()))]
        if len(self.results):
            rows.append(("results", self.results[["id", *numbers]]))
        if len(self.errors):
            rows.append(("failures", self.errors))
        return f"BatchResult: {self.summary()}", rows

    def summary(self) -> str:
        """One line: items requested, already in the output, computed, failed."""
        failed = self.n_requested - self.n_skipped - self.n_computed
        return (
            f"{self.n_requested} {self.unit} requested: {self.n_skipped} already in the output, "
            f"{self.n_computed} computed, {failed} failed"
        )


def refuse_other_condition(previous: pd.DataFrame, out: object, column: str, wanted: str, temperature_K: float) -> None:
    """A results file is resumed only for the same guest (``column`` equal to ``wanted``, case aside) and
    temperature."""
    mismatch = previous[
        (previous[column].astype(str).str.lower() != wanted.lower())
        | ((previous["temperature_K"] - temperature_K).abs() > 1e-9)
    ]
    if len(mismatch):
        raise ValueError(
            f"{out} holds results for {mismatch[column].iloc[0]} at {mismatch['temperature_K'].iloc[0]} K; "
            f"give another --out for {wanted} at {temperature_K} K"
        )


def require_structures(dataset: Any, what: str) -> None:
    """Refuse a dataset with nothing in it (no structure, not even an unreadable one): an empty input is an error."""
    if len(dataset) == 0 and len(dataset.errors) == 0:
        raise ValueError(f"{dataset.meta.name}: no structures to {what}; check the folder or the --ids/--n choice")


def call_settings(function: Callable[..., Any], options: Mapping[str, Any]) -> dict[str, Any]:
    """Every keyword-only setting of ``function``: its defaults, overridden by ``options`` (so a default left out
    and the same value given compare equal)."""
    defaults = {
        name: parameter.default
        for name, parameter in inspect.signature(function).parameters.items()
        if parameter.kind is inspect.Parameter.KEYWORD_ONLY
    }
    return defaults | dict(options)


def settings_label(settings: Mapping[str, Any]) -> str:
    """The settings that change a row's numbers, as one canonical JSON text (sorted keys) for the results table."""
    return json.dumps({key: _plain(value) for key, value in settings.items()}, sort_keys=True)


def refuse_other_settings(previous: pd.DataFrame, out: object, settings: Mapping[str, Any]) -> None:
    """A results file is resumed only with the settings its rows were computed with (``SETTINGS_COLUMN``).

    Raises
    ------
    ValueError
        Naming the first setting that differs, its old and new value, and what to do.
    """
    wanted = json.loads(settings_label(settings))
    if SETTINGS_COLUMN not in previous:
        raise ValueError(
            f"{out} holds rows without the settings they were computed with (an older atomlearn); "
            "give another --out, or delete the file to recompute"
        )
    for text in previous[SETTINGS_COLUMN].astype(str).unique():
        try:
            stored = json.loads(text)
        except json.JSONDecodeError:
            raise ValueError(
                f"{out}: a row's settings are not valid JSON ({text[:60]!r}); the file was altered: "
                "give another --out, or delete the file to recompute"
            ) from None
        if not isinstance(stored, dict):
            raise ValueError(f"{out}: a row's settings are not a JSON object; give another --out")
        changed = sorted(key for key in set(stored) | set(wanted) if stored.get(key) != wanted.get(key))
        if changed:
            key = changed[0]
            raise ValueError(
                f"{out} holds results computed with {key}={stored.get(key)!r}; this run asks for "
                f"{key}={wanted.get(key)!r}. Give another --out for the new settings, or the old ones to resume"
            )


def _plain(value: Any) -> Any:
    """A setting as JSON can hold it (a force field or guest object by its name)."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    return getattr(value, "name", str(value))
