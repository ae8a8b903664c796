"""``report.html`` of an active screen (``atomlearn screen``): hits against labels spent beside random selection,
the best label found by round, the surrogate's calibration per round, and the Pareto front of what was labelled.
It reads only the screen folder's files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from atomlearn import __version__
from atomlearn.files import write_text_atomic
from atomlearn.report.build import html_page
from atomlearn.report.figures import styled_figure
from atomlearn.report.html_parts import figure, note, section, table
from atomlearn.schema import Record, read_checked_json, read_table

__all__ = ["ActiveScreenSettings", "ActiveScreenSummary", "active_screen_report"]

ACTIVE, RANDOM, FRONT = "#d9480f", "#1c7ed6", "#2b8a3e"
_REMEDY = "rerun the screen with the same --out to rewrite it"


class ActiveScreenSettings(Record):
    """``settings.json`` of an active screen: what was asked (a resume must ask the same, the budget aside).

    Attributes
    ----------
    version : str
        atomlearn version that started the screen.
    pool : str
        The pool as given (a folder or a bundled dataset's name).
    n_pool : int
        Structures in the pool, refused ones included.
    label : str
        The label specification (``gcmc:…``, ``henry:…`` or ``table:…``).
    featurizers : list of dict
        Each featurizer's registry name and parameters.
    batch : int
        Labels asked per round.
    n_seed : int
        Random labels of the seed round.
    acquisition : str
        ``ei``, ``ucb``, ``thompson``, ``greedy`` or ``random``.
    objective : str
        ``uptake``, ``selectivity`` or ``pareto``.
    top_fraction : float
        Fraction of the pool counted as a hit, in (0, 1).
    random_state : int
        Seed of the seed batch and of the acquisition.
    budget : int
        Labels to spend in all; the one setting a resume may raise.
    seed_ids : list of str or None
        The seed round's ids when its labels were given (``seed_labels``); None for a random seed batch.
    """

    version: str
    pool: str
    n_pool: int
    label: str
    featurizers: list[dict[str, Any]]
    batch: int
    n_seed: int
    acquisition: str
    objective: str
    top_fraction: float
    random_state: int
    budget: int
    seed_ids: list[str] | None = None


class ActiveScreenSummary(Record):
    """``screen.json`` of an active screen: its settings, counts, best labels, hits and calibration.

    Attributes
    ----------
    settings : ActiveScreenSettings
        What was asked.
    counts : dict of str to int
        Structures in the ``pool``, ``usable`` and ``refused`` ones, ``labelled`` and ``label_failed`` ones,
        and ``rounds``.
    best : list of dict
        The ten best labelled structures, best first: ``id``, ``round`` and their labels.
    hits : dict or None
        ``n_top``, ``found``, ``random_expected`` and ``ratio_to_random``: hits among the pool's top
        fraction against random selection (table labels only, where the whole pool's labels are known);
        None otherwise.
    calibration : dict of str to float or None
        ``coverage_68`` and ``coverage_95``: mean fraction of each round's new labels inside the 68 % and
        95 % predictive intervals; None before any model was fitted.
    """

    settings: ActiveScreenSettings
    counts: dict[str, int]
    best: list[dict[str, Any]]
    hits: dict[str, int | float] | None
    calibration: dict[str, float | None]


def active_screen_report(folder: str | Path) -> Path:
    """Write ``folder/report.html`` from the screen's files.

    Parameters
    ----------
    folder : path
        An ``atomlearn screen`` folder (``screen.json``, ``rounds.csv``, ``labels.csv``).

    Returns
    -------
    Path
        The page.
    """
    folder = Path(folder)
    summary = read_checked_json(folder / "screen.json", ActiveScreenSummary, _REMEDY)
    settings = summary["settings"]
    objectives = ("uptake", "selectivity") if settings["objective"] == "pareto" else (settings["objective"],)
    rounds = read_table(
        folder / "rounds.csv", {"round": "number", "n_labelled": "number"}, "a screen's rounds", _REMEDY
    )
    labels = read_table(
        folder / "labels.csv",
        {"round": "number", "id": "text", **{o: "number" for o in objectives}},
        "a screen's labels",
        _REMEDY,
    )
    counts = summary["counts"]
    parts = [
        note(
            f"{counts['labelled']} labels from {settings['label']} ({counts['label_failed']} failed) among "
            f"{counts['usable']} usable structures of {settings['pool']} ({counts['refused']} refused: pool.csv), "
            f"in {counts['rounds']} rounds: a random seed of {settings['n_seed']}, then batches of "
            f"{settings['batch']} chosen by {settings['acquisition']} on {settings['objective']}."
        )
    ]
    if summary.get("hits"):
        hits = summary["hits"]
        parts.append(
            note(
                f"Found {hits['found']} of the true top {hits['n_top']} ({settings['top_fraction']:.0%} of the pool); "
                f"random selection of as many is expected to find {hits['random_expected']:.2f}."
            )
        )
        parts.append(figure(_hits_figure(rounds), "hits"))
    parts.append(figure(_best_figure(rounds, objectives), "best"))
    sections = [section("Screen", *parts)]
    if rounds["coverage_68"].notna().any() if "coverage_68" in rounds else False:
        sections.append(
            section(
                "Calibration of the surrogate",
                note(
                    "Each round's batch against the predictive distribution it was chosen with: the share of labels "
                    "within 1 and 1.96 predictive sd (0.68 and 0.95 when the error bars are honest). Batches are "
                    "chosen where the model is optimistic, so a mean z below 0 is expected."
                ),
                figure(_calibration_figure(rounds), "calibration"),
            )
        )
    good = labels.dropna(subset=list(objectives))
    if len(objectives) == 2:
        sections.append(section("Pareto front of the labelled", figure(_front_figure(good), "front")))
    best = good.sort_values(objectives[0], ascending=False).head(15)
    sections.append(section("Best labelled", table(best[["id", "round", *objectives]])))
    path = folder / "report.html"
    write_text_atomic(path, html_page("Active screen", f"atomlearn {__version__} · {folder.name}", sections))
    return path


def _hits_figure(rounds: pd.DataFrame) -> go.Figure:
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=rounds["n_labelled"], y=rounds["hits"], mode="lines+markers", name="this screen", line={"color": ACTIVE}
        )
    )
    fig.add_trace(
        go.Scatter(
            x=rounds["n_labelled"],
            y=rounds["random_expected_hits"],
            mode="lines",
            name="random selection (expected)",
            line={"color": RANDOM, "dash": "dash"},
        )
    )
    return styled_figure(fig, "Hits of the true top against labels spent", "labels spent", "hits found")


def _best_figure(rounds: pd.DataFrame, objectives: tuple[str, ...]) -> go.Figure:
    fig = go.Figure()
    for name in objectives:
        fig.add_trace(go.Scatter(x=rounds["n_labelled"], y=rounds[f"best_{name}"], mode="lines+markers", name=name))
    return styled_figure(fig, "Best label so far", "labels spent", "best label")


def _calibration_figure(rounds: pd.DataFrame) -> go.Figure:
    chosen = rounds.dropna(subset=["coverage_68"])
    fig = go.Figure()
    for column, level, colour in (("coverage_68", 0.68, ACTIVE), ("coverage_95", 0.95, RANDOM)):
        fig.add_trace(
            go.Bar(
                x=chosen["round"], y=chosen[column], name=f"within {column[-2:]} % interval", marker={"color": colour}
            )
        )
        fig.add_hline(y=level, line={"color": colour, "dash": "dot"})
    fig.update_layout(barmode="group", yaxis_range=[0, 1.05])
    return styled_figure(fig, "Labels inside the predictive intervals, by round", "round", "share of the batch")


def _front_figure(labels: pd.DataFrame) -> go.Figure:
    from atomlearn.evaluate import pareto_layers

    x, y = labels["uptake"].to_numpy(dtype=float), labels["selectivity"].to_numpy(dtype=float)
    front = pareto_layers(x, y, 1) == 0
    order = np.argsort(-x[front])
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=x,
            y=y,
            mode="markers",
            name="labelled",
            text=labels["id"],
            marker={
                "color": labels["round"],
                "colorscale": "Viridis",
                "showscale": True,
                "colorbar": {"title": "round"},
            },
        )
    )
    fig.add_trace(
        go.Scatter(
            x=x[front][order],
            y=y[front][order],
            mode="lines+markers",
            name="Pareto front",
            line={"color": FRONT, "shape": "hv"},
        )
    )
    return styled_figure(fig, "Uptake and selectivity of the labelled", "uptake", "selectivity")
