"""The report's carbon-capture section: read from ``screening.json``, ``screened.csv``, ``confirmed.csv``
and ``henry_vs_gcmc.csv`` (written by ``atomlearn.workflows.screen_coremof_co2``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from atomlearn.report import figures
from atomlearn.report.html_parts import figure, note, section, table

# short headers: the tables fit the page (the CSV files keep the full names)
HENRY_COLUMNS = {
    "id": "id",
    "henry_co2_mol_kg_Pa": "K_H CO2",
    "henry_n2_mol_kg_Pa": "K_H N2",
    "henry_uptake_mol_kg": "uptake, Henry",
    "gcmc_uptake_mol_kg": "uptake, GCMC",
    "uptake_ratio": "ratio",
    "henry_selectivity": "S, Henry",
    "gcmc_selectivity": "S, GCMC",
    "selectivity_ratio": "ratio S",
}
TOP_COLUMNS = {
    "id": "id",
    "predicted_uptake_mol_kg": "uptake (mol/kg)",
    "predicted_uptake_sd": "sd (log10)",
    "predicted_selectivity_value": "S",
    "simulated": "simulated",
    "members": "members",
}
CONFIRMED_COLUMNS = {
    "id": "id",
    "predicted_uptake": "pred. log10 uptake",
    "simulated_uptake": "sim.",
    "simulated_uptake_se": "SE",
    "predicted_selectivity": "pred. log10 S",
    "simulated_selectivity": "sim. ",
    "simulated_selectivity_se": "SE ",
    "co2_uptake_mol_kg": "uptake (mol/kg)",
    "co2_n2_selectivity": "S",
    "uptake_percentile_in_sample": "percentile in random sample",
    "on_simulated_front": "on front",
    "members": "members",
    "note": "note",
}


def co2_screening_section(folder: Path, summary: dict[str, Any]) -> str:
    """Which label is which, how Widom compares with GCMC, the funnel, the surrogates' test scores, the
    uptake–selectivity plot, the predicted top, the confirmed against the random sample and the time split."""
    counts, tests, check, funnel = summary["counts"], summary["test"], summary["confirm"], summary["funnel"]
    screened = pd.read_csv(folder / "screened.csv")
    confirmed = pd.read_csv(folder / "confirmed.csv")
    henry = pd.read_csv(folder / "henry_vs_gcmc.csv")
    options, saving, screen = summary["gcmc_options"], summary["saving"], summary["screen"]
    parts = [
        note(
            f"Flue gas, 15 % CO2 / 85 % N2 at {summary['pressure_bar']:g} bar and {summary['temperature_K']:g} K. "
            "Labels: GCMC of the "
            f"mixture (UFF + TraPPE, EQeq framework charges, {options['init_cycles']} + at most {options['cycles']} "
            f"cycles, stopping at {options['target_relative_error']} relative error): uptake = CO2 loading (mol/kg) "
            "at its 0.15 bar partial pressure, selectivity = (x_CO2/x_N2)/(0.15/0.85). "
            f"A random sample of {counts['simulated']} MOFs: {counts['charges_failed']} refused by EQeq, "
            f"{counts['simulation_failed']} GCMC failures, {counts.get('labels_unconverged', 0)} labels not "
            f"converged within the cycles (error bars not to be trusted), {counts['simulated_closed']} closed to CO2; "
            f"{counts['train_random']} train, {counts['test_random']} are the test set, kept aside from every fit."
        ),
        note(
            f"The funnel: {counts['screened_predicted']} of {counts['screened_requested']} MOFs described by "
            f"{', '.join(funnel['cheap'])} ({counts['screened_failed']} failed, reasons in screened.csv); a GP on "
            f"them shortlisted the {counts['shortlist']} most promising (mean + 3 sd), which got EQeq charges and "
            f"{', '.join(funnel['charged'])} ({counts['shortlist_charged']} usable); an active screen "
            f"({screen['acquisition']}, {screen['rounds']} rounds of {screen['batch']}) labelled "
            f"{counts['screen_labels']} of them by GCMC ({counts['screen_label_failed']} failed): screen/report.html."
        ),
    ]
    parts += _henry_part(summary["henry_vs_gcmc"], henry)
    rows = [
        {
            "target": target,
            "train": t["n_train"],
            "test MOFs (random)": t["n_test"],
            "MAE (log10)": t["mae"],
            "R²": t["r2"],
            "MAE dummy (random train mean)": t["dummy_random_mae"],
            **{f"MAE {name}": value for name, value in t["baselines"].items()},
        }
        for target, t in tests.items()
    ]
    parts += [
        note(
            f"Test scores of the two surrogates ({funnel['model']}, trained on the random training half and the "
            "active screen's labels) on the random test half, never trained on; the uptake model's full report "
            "follows, the selectivity model's is selectivity/report.html:"
        ),
        table(pd.DataFrame(rows)),
        figure(figures.uptake_selectivity(screened, confirmed), "uptake-selectivity"),
    ]
    top = pd.DataFrame(summary["top"])
    if len(top):
        parts += [
            note(
                f"Predicted top {len(top)} frameworks of the shortlist by uptake, one row each; members: its CSD "
                "entries among the ranked."
            ),
            table(top[list(TOP_COLUMNS)].rename(columns=TOP_COLUMNS), "{:.3g}"),
        ]
    if len(confirmed):
        verdict = ""
        if check.get("uptake_mae") is not None:
            verdict = (
                f"{check['above_sample_p90']} of {check['n']} above the random sample's 90th percentile "
                f"({check['sample_p90_uptake']:.3g} mol/kg); best confirmed uptake "
                f"{check['best_confirmed_uptake']:.3g} mol/kg against {check['best_in_sample_uptake']:.3g} for the "
                f"best of the random sample; MAE {check['uptake_mae']:.3f} (uptake) log10 units."
            )
        parts += [
            note(
                "The predicted best frameworks none of whose entries was simulated, now simulated by GCMC of the "
                f"mixture (error = simulated − predicted, log10). {verdict}"
            ),
            table(confirmed[list(CONFIRMED_COLUMNS)].rename(columns=CONFIRMED_COLUMNS), "{:.3g}"),
        ]
    timings = pd.DataFrame([{"step": k, "seconds": v} for k, v in summary["timings_s"].items()])
    parts += [
        note(
            f"Time split. GCMC of all {saving['n_screened']} screened MOFs would take about "
            f"{saving['simulate_all_s'] / 3600:.1f} h with the same workers "
            f"({saving['gcmc_s_per_structure']:.1f} s per "
            f"MOF, charges not counted); the cheap end of the funnel described and ranked them in "
            f"{saving['surrogate_s']:.0f} s."
        ),
        table(timings, "{:.1f}"),
    ]
    return section("Carbon capture: a funnel from cheap descriptors to GCMC, confirmed against random", *parts)


def _henry_part(summary: dict[str, Any], henry: pd.DataFrame) -> list[str]:
    """The cheap label (Widom, Henry regime) against the GCMC label on part of the sample."""
    if summary.get("n", 0) < 3:
        return [note("Too few MOFs with both Widom and GCMC results to compare the Henry regime with GCMC.")]
    low, high = summary["uptake_ratio_range"]
    return [
        note(
            f"Which label is right? On the {summary['n']} MOFs of the sample with the smallest cells, Widom K_H of CO2 "
            "and N2 "
            "(the cheapest label) gives "
            f"a Henry-regime uptake K_H(CO2) f_CO2 that is {summary['uptake_ratio_median']:.2g} times the GCMC uptake "
            "(median; "
            f"{low:.2g} to {high:.2g}; {summary['uptake_within_20pct']} within 20 %; Spearman "
            f"{summary['uptake_spearman']:.2f}), "
            f"and a selectivity K_H(CO2)/K_H(N2) {summary['selectivity_ratio_median']:.2g} times the mixture's "
            "(Spearman "
            f"{summary['selectivity_spearman']:.2f}). At 0.15 bar the strong CO2 sites fill, so the Henry regime does "
            "not hold "
            "and the labels come from GCMC."
        ),
        table(henry[list(HENRY_COLUMNS)].rename(columns=HENRY_COLUMNS), "{:.3g}"),
    ]
