"""Small HTML pieces the report is made of: tables, figures, notes, sections."""

from __future__ import annotations

import html

import pandas as pd
import plotly.graph_objects as go


def table(frame: pd.DataFrame, float_format: str = "{:.4g}") -> str:
    return frame.to_html(index=False, classes="data", border=0, na_rep="",
                         float_format=lambda v: float_format.format(v), escape=True)


def figure(fig: go.Figure, name: str) -> str:
    body = fig.to_html(full_html=False, include_plotlyjs=False, div_id=f"figure-{name}",
                       config={"displaylogo": False, "responsive": False})
    return f'<div class="figure" data-figure="{name}">{body}</div>'


def section(title: str, *parts: str) -> str:
    return f"<section><h2>{html.escape(title)}</h2>{''.join(parts)}</section>"


def note(text: str) -> str:
    return f'<p class="note">{html.escape(text)}</p>'
