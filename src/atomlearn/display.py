"""How a result shows itself: a compact table in Jupyter (``_repr_html_``) and a readable summary in a
terminal (``repr``), from the same few lines the result chooses (``_display``).

A result class mixes in ``Displayed`` and returns its title and rows: ``(label, value)`` pairs, a value
being text, a number (shown to 4 significant digits) or a small DataFrame (shown as a nested table, its
first ``MAX_ROWS`` rows).
"""

from __future__ import annotations

import html
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["Displayed", "format_value"]

#: rows of a nested table shown (the rest are counted)
MAX_ROWS = 8


def format_value(value: Any) -> str:
    """A number to 4 significant digits (scientific beyond 1e5 or below 1e-3), anything else as text."""
    if isinstance(value, bool | np.bool_):
        return str(bool(value))
    if isinstance(value, int | np.integer):
        return f"{int(value):,}"
    if isinstance(value, float | np.floating):
        value = float(value)
        if not np.isfinite(value):
            return str(value)
        if value != 0 and not 1e-3 <= abs(value) < 1e5:
            return f"{value:.3e}"
        return f"{value:.4g}"
    return str(value)


def _frame_text(frame: pd.DataFrame) -> str:
    shown = frame.head(MAX_ROWS).map(format_value)
    more = f"\n    ... {len(frame) - MAX_ROWS} more rows" if len(frame) > MAX_ROWS else ""
    return "\n".join("    " + line for line in shown.to_string(index=False).splitlines()) + more


def _frame_html(frame: pd.DataFrame) -> str:
    shown = frame.head(MAX_ROWS).map(format_value)
    more = f"<p>… {len(frame) - MAX_ROWS} more rows</p>" if len(frame) > MAX_ROWS else ""
    return shown.to_html(index=False, border=0, escape=True) + more


class Displayed:
    """Mixin: ``repr`` and ``_repr_html_`` from ``_display() -> (title, [(label, value), ...])``."""

    def _display(self) -> tuple[str, list[tuple[str, Any]]]:  # pragma: no cover - every subclass has one
        raise NotImplementedError

    def __repr__(self) -> str:
        title, rows = self._display()
        lines = [title]
        for label, value in rows:
            if isinstance(value, pd.DataFrame):
                lines += [f"  {label}:", _frame_text(value)]
            else:
                lines.append(f"  {label}: {format_value(value)}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        title, rows = self._display()
        cells = []
        for label, value in rows:
            shown = _frame_html(value) if isinstance(value, pd.DataFrame) else html.escape(format_value(value))
            cells.append(f"<tr><th style='text-align:left'>{html.escape(label)}</th><td>{shown}</td></tr>")
        return (
            f"<div><strong>{html.escape(title)}</strong>"
            f"<table style='border-collapse:collapse'>{''.join(cells)}</table></div>"
        )
