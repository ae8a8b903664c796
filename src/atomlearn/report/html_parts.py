"""Small HTML pieces the report is made of: tables, figures, notes, sections."""

from __future__ import annotations

import html

import numpy as np
import pandas as pd
import plotly.graph_objects as go


def table(frame: pd.DataFrame, float_format: str = "{:.4g}") -> str:
    """An HTML table: numbers right-aligned, text left-aligned and wrapped, so that a long reason or
    parameter list never pushes the page wider than the screen.

    Parameters
    ----------
    frame : pandas.DataFrame
    float_format : str
        Format of the numbers.

    Returns
    -------
    str
    """
    numeric = [
        pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(frame[c]) for c in frame.columns
    ]

    def cell(value: object, is_number: bool) -> str:
        if value is None or (isinstance(value, float) and np.isnan(value)):
            text = ""
        elif is_number and isinstance(value, (float, np.floating)):
            text = float_format.format(value)
        else:
            text = str(value)
        return f"<td class='{'num' if is_number else 'text'}'>{html.escape(text)}</td>"

    head = "".join(
        f"<th class='{'num' if n else 'text'}'>{html.escape(str(c))}</th>" for c, n in zip(frame.columns, numeric)
    )
    rows = "".join(
        "<tr>" + "".join(cell(v, n) for v, n in zip(row, numeric)) + "</tr>" for row in frame.itertuples(index=False)
    )
    return f"<div class='table'><table class='data'><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table></div>"


def figure(fig: go.Figure, name: str) -> str:
    """A plotly figure as an HTML fragment (plotly's JavaScript is included once per page, by ``html_page``).

    Parameters
    ----------
    fig : plotly.graph_objects.Figure
    name : str
        The figure's name in the page's self-check.

    Returns
    -------
    str
    """
    body = fig.to_html(
        full_html=False,
        include_plotlyjs=False,
        div_id=f"figure-{name}",
        config={"displaylogo": False, "responsive": False},
    )
    return f'<div class="figure" data-figure="{name}">{body}</div>'


def section(title: str, *parts: str) -> str:
    """A report section: an escaped title and the given HTML parts.

    Parameters
    ----------
    title : str
    *parts : str
        HTML fragments (:func:`note`, :func:`table`, :func:`figure`).

    Returns
    -------
    str
    """
    return f"<section><h2>{html.escape(title)}</h2>{''.join(parts)}</section>"


def note(text: str) -> str:
    """A paragraph of escaped explanatory text.

    Parameters
    ----------
    text : str

    Returns
    -------
    str
    """
    return f'<p class="note">{html.escape(text)}</p>'
