"""The report's screening section: read from ``screening.json``, ``screened.csv`` and ``confirmed.csv``
(written by ``atomlearn.workflows.screen_coremof``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from atomlearn.report import figures
from atomlearn.report.html_parts import figure, note, section, table


def screening_section(folder: Path, summary: dict[str, Any], predictions: pd.DataFrame) -> str:
    """Counts, the predicted top, the newly simulated best against their prediction, and the time split."""
    label = f"{summary['target']} ({summary['target_unit']})"
    counts, test, check = summary["counts"], summary["test"], summary["confirm"]
    screened = pd.read_csv(folder / "screened.csv", keep_default_na=True)
    confirmed = pd.read_csv(folder / "confirmed.csv")
    saving = summary["saving"]
    parts = [
        note(
            f"{summary['guest']} at {summary['temperature_K']:g} K. Widom insertion for {counts['simulated']} random "
            "MOFs "
            f"({counts['simulated_closed']} closed to the guest, K_H = 0; {counts['simulation_failed']} failed); the "
            "model "
            f"above learnt log10 K_H from the others. {counts['screened_requested']} MOFs screened: "
            f"{counts['screened_predicted']} predicted, {counts['screened_failed']} failed (reasons in screened.csv), "
            f"{counts['predicted_closed']} predicted closed by the open/closed classifier and left out of the ranking. "
            f"Top-{test['top_fraction']:.0%} recall on the test set: {test['top_recall']:.2f} (random: "
            f"{test['top_fraction']:.2f})."
        )
    ]
    classifier = summary.get("open_classifier", {})
    if "test" in classifier:
        rows = [
            {"metric": k, "value": v["value"], "95% low": v["low"], "95% high": v["high"]}
            for k, v in classifier["test"].items()
        ]
        parts += [
            note(
                f"Open-to-the-guest classifier (gradient boosting; {classifier['n_test']} test MOFs, "
                f"{classifier['n_closed_test']} of them closed):"
            ),
            table(pd.DataFrame(rows), "{:.3f}"),
        ]
    top = pd.DataFrame(summary["top"])
    if len(top):
        parts += [
            note(
                f"Predicted top {len(top)} frameworks, one row each (members: its CSD entries among the ranked; "
                "simulated: the value when the MOF was in the random sample):"
            ),
            table(
                top[
                    ["id", "predicted", "predicted_henry_mol_kg_Pa", "p_open", "simulated", "LCD_A", "PLD_A", "members"]
                ]
            ),
        ]
    if len(confirmed):
        verdict = (
            f"MAE {check['mae']:.3f} against a test MAE of {test['mae']:.3f}; {check['in_sample_top_fraction']} of "
            f"{check['n']} lie above the sample's top {test['top_fraction']:.0%} (K_H > "
            f"{check['sample_top_threshold_henry']:.3g} "
            f"mol/(kg·Pa)); {check['closed']} turned out closed."
            if check.get("mae") is not None
            else ""
        )
        parts += [
            note(
                "The predicted best frameworks none of whose entries was simulated, now simulated "
                f"(error = simulated − predicted). {verdict}"
            ),
            table(confirmed.drop(columns=["p_open"])),
        ]
    parts.append(
        f"<div class='row'>{figure(figures.confirmed_parity(predictions, confirmed, label), 'confirmed')}"
        f"{figure(figures.screened_distribution(screened, label, len(top) or 20), 'screened')}</div>"
    )
    timings = pd.DataFrame([{"step": k, "seconds": v} for k, v in summary["timings_s"].items()])
    parts += [
        note(
            f"Time split. Simulating all {saving['n_screened']} screened MOFs would take about "
            f"{saving['simulate_all_s'] / 60:.0f} min with the same workers ({saving['widom_s_per_structure']:.2f} s "
            f"per MOF); the surrogate featurized and predicted them in {saving['surrogate_s']:.0f} s."
        ),
        table(timings, "{:.1f}"),
    ]
    return section("Screening: simulate, learn, predict all, confirm", *parts)
