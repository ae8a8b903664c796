"""``build_report(run_dir)``: one self-contained HTML page from a run folder.

It reads only the folder's files (``results.json``, ``predictions.csv``, ``errors.csv`` and,
when ``atomlearn explain`` wrote them, ``importance*.csv``, ``selected_features.csv``,
``lasso_path.csv``, ``map.csv``, ``curve.csv``, ``explain.json``, and for a screening
``screening.json``, ``screened.csv``, ``confirmed.csv``); plotly's JavaScript is
embedded once, so the page opens without a network and prints.
"""

from __future__ import annotations

import html
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from plotly.offline import get_plotlyjs

from atomlearn.explain.run_explanation import read_explain_summary
from atomlearn.files import write_text_atomic
from atomlearn.report import figures
from atomlearn.report.co2_screening import co2_screening_section
from atomlearn.report.html_parts import figure, note, section, table
from atomlearn.report.screening import screening_section
from atomlearn.runs.results import HoldoutResult
from atomlearn.runs.run_folder import require_complete_run
from atomlearn.schema import Record, read_checked_json

STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0 auto; max-width: 1180px;
       padding: 16px 24px; color: #212529; line-height: 1.45; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
h2 { font-size: 1.25em; border-bottom: 1px solid #dee2e6; margin-top: 1.6em; }
.meta { color: #495057; font-size: 0.92em; } .note { color: #495057; font-size: 0.9em; max-width: 60em; }
table.data { border-collapse: collapse; font-size: 0.88em; margin: 8px 0; max-width: 100%; }
table.data th, table.data td { border: 1px solid #dee2e6; padding: 3px 8px; vertical-align: top; }
table.data .num { text-align: right; white-space: nowrap; }
table.data .text { text-align: left; overflow-wrap: anywhere; }
table.data th { background: #f1f3f5; }
.row { display: flex; flex-wrap: wrap; gap: 12px; } .figure { flex: 0 0 auto; }
.best { font-weight: 600; color: #d9480f; }
@media print { body { max-width: none; padding: 0; } .figure { break-inside: avoid; } h2 { break-after: avoid; } }
"""
METRICS = ("mae", "rmse", "r2", "max_error", "spearman", "top_k_recall")
# Before anything else: record script errors, and after load the drawn size of every figure,
# as attributes of <html> (a headless browser's DOM dump then shows whether the page works).
SELF_CHECK = """
window.addEventListener('error', function (e) {
  var root = document.documentElement;
  root.setAttribute('data-script-errors', (root.getAttribute('data-script-errors') || '') + e.message + ';');
});
window.addEventListener('load', function () {
  var sizes = {};
  document.querySelectorAll('div.figure').forEach(function (figure) {
    var plot = figure.querySelector('.js-plotly-plot');
    var box = plot ? plot.getBoundingClientRect() : {width: 0, height: 0};
    sizes[figure.getAttribute('data-figure')] = [Math.round(box.width), Math.round(box.height)];
  });
  document.documentElement.setAttribute('data-figure-sizes', JSON.stringify(sizes));
  var wide = [];  // sections wider than the window: content a reader would have to scroll sideways to see
  document.querySelectorAll('section').forEach(function (section) {
    var right = section.getBoundingClientRect().right;
    if (section.scrollWidth > section.clientWidth + 1 || right > window.innerWidth + 1) {
      wide.push(section.querySelector('h2').textContent);
    }
  });
  if (document.documentElement.scrollWidth > window.innerWidth + 1) { wide.push('page'); }
  document.documentElement.setAttribute('data-overflow', JSON.stringify(wide));
});
"""


def _read(folder: Path, name: str) -> pd.DataFrame | None:
    path = folder / name
    return pd.read_csv(path) if path.exists() else None


def _metrics_table(results: dict[str, Any]) -> pd.DataFrame:
    unit = results.get("target_unit") or "target units"
    headers = {
        "mae": f"MAE ({unit})",
        "rmse": f"RMSE ({unit})",
        "r2": "R²",
        "max_error": f"max error ({unit})",
        "spearman": "Spearman ρ",
        "top_k_recall": "top-10 % recall",
    }
    rows = []
    for key, parts in results["metrics_ci"].items():
        row: dict[str, Any] = {"model": results["model"]["name"] if key == "model" else key}
        for metric in METRICS:
            cell = parts["test"].get(metric)
            if cell is not None:  # a constant prediction has no rank correlation: shown as —
                row[headers[metric]] = (
                    "—" if pd.isna(cell["value"]) else f"{cell['value']:.4g} [{cell['low']:.3g}, {cell['high']:.3g}]"
                )
        rows.append(row)
    return pd.DataFrame(rows)


class ScreeningSummary(Record):
    """``screening.json`` of a screening workflow's run: its kind, counts and the numbers its section shows."""

    kind: str | None = None
    counts: dict[str, int | float | None]
    timings_s: dict[str, float] = {}


def build_report(folder: str | Path, out: str | Path | None = None) -> Path:
    """Write the self-contained HTML report of a run folder.

    Parameters
    ----------
    folder : str or Path
        A complete run folder (``atomlearn fit``, ``write_run``; a screening folder shows the screen first).
    out : str or Path, optional
        Default ``folder/report.html``.

    Returns
    -------
    Path
    """
    folder = Path(folder)
    if not (folder / "results.json").exists():
        raise FileNotFoundError(f"{folder} has no results.json: give the folder written by `atomlearn fit --out`")
    require_complete_run(folder)
    results = HoldoutResult.from_json(folder / "results.json").to_dict()
    explain = read_explain_summary(folder)
    unit = results.get("target_unit") or ""
    label = f"{results['target']}" + (f" ({unit})" if unit else "")
    predictions = pd.read_csv(folder / "predictions.csv")
    sections = [_summary(results, folder), _split(results), _performance(results, predictions, label)]
    if (folder / "screening.json").exists():  # a screening workflow's run: its answer comes first
        screening = read_checked_json(folder / "screening.json", ScreeningSummary, "rerun the screen into a new folder")
        sections.insert(
            0,
            co2_screening_section(folder, screening)
            if screening.get("kind") == "co2"
            else screening_section(folder, screening, predictions),
        )
    curve = _read(folder, "curve.csv")
    if curve is not None:
        slope = explain.get("curve", {}).get("log_log_slope")
        sections.append(
            section(
                "Learning curve",
                figure(figures.learning_curve(curve, unit or "target units"), "curve"),
                note(
                    f"Each size: {curve['repeat'].nunique()} random training subsets, the same test set. "
                    + (f"Log-log slope of the test MAE: {slope:.2f}." if slope is not None else "")
                ),
            )
        )
    if results.get("nested"):
        sections.append(_nested(results["nested"], unit or "target units"))
    if results.get("calibration"):
        cal = results["calibration"]
        sections.append(
            section(
                "Uncertainty calibration (test set)",
                note(
                    f"The 70 % / 95 % intervals hold {cal['coverage']['0.7']:.0%} / {cal['coverage']['0.95']:.0%} of "
                    "the test "
                    f"structures; RMS of z = (y - ŷ)/σ is {cal['z_rms']:.2f} (1 is calibrated)."
                ),
            )
        )
    sections += _explain_sections(folder, explain, unit or "target units", label)
    timings = pd.DataFrame(
        [{"step": k, "seconds": v} for k, v in {**results["timings_s"], **explain.get("timings_s", {})}.items()]
    )
    sections.append(section("Timings", table(timings, "{:.2f}")))
    title = f"atomlearn: {results['model']['name']} on {results['dataset']} — {results['target']}"
    path = Path(out) if out is not None else folder / "report.html"
    write_text_atomic(
        path,
        html_page(
            title,
            f"atomlearn {results['versions'].get('atomlearn', '?')} · data hash {results['data_hash'][:12]}",
            sections,
        ),
    )
    return path


def html_page(title: str, meta: str, sections: list[str]) -> str:
    """A whole self-contained page: the style, the self-check script, plotly's JavaScript once, the sections.

    Parameters
    ----------
    title : str
    meta : str
        The line under the title (version, source).
    sections : list of str
        HTML fragments (:func:`section`).

    Returns
    -------
    str
    """
    return (
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
        f"<meta name='viewport' content='width=device-width, initial-scale=1'><style>{STYLE}</style>"
        f"<script type='text/javascript'>{SELF_CHECK}</script>"
        f"<script type='text/javascript'>{get_plotlyjs()}</script></head><body>"
        f"<h1>{html.escape(title)}</h1>"
        f"<p class='meta'>written {datetime.now(UTC):%Y-%m-%d %H:%M} UTC · {html.escape(meta)}</p>"
        + "".join(sections)
        + "</body></html>"
    )


def _summary(results: dict[str, Any], folder: Path) -> str:
    counts = results["counts"]
    featurizer = results["featurizer"]
    text = (
        f"{counts['requested']} structures in: {counts['used']} used, {counts['failed']} failed "
        f"(dataset of {counts['dataset']}). Features: {', '.join(featurizer['names'])} ({featurizer['n_features']} "
        "columns). "
        f"Model: {results['model']['name']}, chosen hyperparameters {json.dumps(results['model']['fitted'])}."
    )
    parts = [note(text)]
    errors = _read(folder, "errors.csv")
    if errors is not None and len(errors):
        parts.append(note(f"Failed structures ({len(errors)}; all listed in errors.csv):"))
        parts.append(table(errors.head(20)))
    return section("Data", *parts)


def _split(results: dict[str, Any]) -> str:
    split = results["split"]
    describe = pd.DataFrame(split["describe"])
    text = (
        f"Test set put aside first: {split['kind']} split, {split['n_test']} test and {split['n_train']} training "
        f"structures (seed {split['random_state']}). The model and its hyperparameters never saw the test set; "
        "it was scored once. in_top_10pct: structures of each part among the top 10 % of all targets."
    )
    return section("Split", note(text), table(describe))


def _performance(results: dict[str, Any], predictions: pd.DataFrame, label: str) -> str:
    metrics = _metrics_table(results)
    explanation = note(
        "Test metrics with 95 % bootstrap intervals; the baselines are fitted on the same training set. "
        "top_k_recall: the fraction of the true top 10 % found among the predicted top 10 %."
    )
    figs = (
        f"<div class='row'>{figure(figures.parity(predictions, label), 'parity')}"
        f"{figure(figures.residuals(predictions, label), 'residuals')}</div>"
    )
    return section("Test performance", explanation, table(metrics), figs)


def _nested(nested: dict[str, Any], unit: str) -> str:
    headers = {"mae": f"MAE ({unit})", "rmse": f"RMSE ({unit})", "r2": "R²"}
    folds = pd.DataFrame(
        [
            {
                "fold": f["fold"],
                "train": f["n_train"],
                "test": f["n_test"],
                **{headers[name]: f["metrics"][name] for name in headers if name in f["metrics"]},
                "fit (s)": f["fit_s"],
                "chosen hyperparameters": _compact(f["params"]),
            }
            for f in nested["folds"]
        ]
    )
    summary = pd.DataFrame(nested["summary"]).T.reset_index(names="metric") if nested.get("summary") else None
    parts = [
        note("Hyperparameters tuned on inner folds only; each outer fold scored by a model that never saw it."),
        table(folds),
    ]
    if summary is not None:
        parts.append(table(summary))
    return section("Nested cross-validation (training set)", *parts)


def _compact(params: dict[str, Any]) -> str:
    """'alpha=1e-05, gamma=8.06e-05': hyperparameters short enough for a table cell."""
    return ", ".join(
        f"{k.split('__')[-1]}={v:.3g}" if isinstance(v, float) else f"{k.split('__')[-1]}={v}"
        for k, v in params.items()
    )


def _explain_sections(folder: Path, explain: dict[str, Any], unit: str, label: str) -> list[str]:
    sections = []
    single, grouped = _read(folder, "importance.csv"), _read(folder, "importance_grouped.csv")
    if single is not None:
        figs = [figure(figures.importance(single, "Permutation importance (single features)", unit), "importance")]
        if grouped is not None:
            figs.append(figure(figures.importance(grouped, "Grouped by correlation", unit), "importance-grouped"))
        info = explain.get("importance", {})
        sections.append(
            section(
                "Permutation importance (test set)",
                note(
                    f"Rise of the test {info.get('metric', 'error').upper()} when a feature is shuffled "
                    f"({info.get('n_repeats', '?')} "
                    f"shuffles, {info.get('n_samples', '?')} test structures). Correlated features share their "
                    "importance when "
                    "shuffled alone; the grouped view shuffles each cluster of correlated features together."
                ),
                f"<div class='row'>{''.join(figs)}</div>",
            )
        )
    selected = _read(folder, "selected_features.csv")
    if selected is not None:
        selection = explain.get("selection", {})
        parts = [
            note(
                f"{selection.get('selector', 'selector')} keeps {len(selected)} features (fitted on the training set): "
                + ", ".join(selected["feature"].astype(str).head(60))
                + (" ..." if len(selected) > 60 else "")
            )
        ]
        sisso = _read(folder, "sisso.csv")
        if sisso is not None:
            parts = [
                note(
                    f"SISSO formulas from the {len(selected)} primary features most correlated with the target "
                    f"({int(sisso['candidates'].iloc[0])} candidates; fitted on the training set, MAE on the test set)."
                ),
                table(sisso.drop(columns=["candidates"])),
            ]
        path = _read(folder, "lasso_path.csv")
        if path is not None:
            parts.append(figure(figures.lasso_path(path), "lasso-path"))
        sections.append(section("Feature selection", *parts))
    coordinates = _read(folder, "map.csv")
    if coordinates is not None:
        info = explain.get("map", {})
        detail = ", ".join(f"{k} {v}" for k, v in info.items() if k in ("perplexity", "n_neighbors"))
        if info.get("explained_variance_ratio"):
            detail = "explained variance " + " + ".join(f"{r:.1%}" for r in info["explained_variance_ratio"])
        sections.append(
            section(
                "Map of the structures",
                note(
                    f"{info.get('method', 'projection').upper()} of the standardised "
                    f"features{f' ({detail})' if detail else ''}, "
                    "coloured by the target; test structures ringed; hover for the id."
                ),
                figure(figures.feature_map(coordinates, info.get("method", "map"), label), "map"),
            )
        )
    return sections
