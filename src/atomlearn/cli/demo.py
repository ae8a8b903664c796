"""Command line: `atomlearn demo mof` and `atomlearn demo co2` (simulate a sample, learn, screen CoRE MOF, confirm the
best)."""

from __future__ import annotations

import argparse
import time

from rich.markup import escape

from atomlearn.cli.common import (
    COUNT,
    COUNT_OR_ZERO,
    FRACTION,
    N_JOBS,
    TEMPERATURE,
    add_label_simulation_arguments,
    console,
    parse_nested,
    table,
)
from atomlearn.cli.screen import ACQUISITIONS


def register(commands: argparse._SubParsersAction) -> None:
    """Add the ``demo`` command group to ``commands``."""
    demo = commands.add_parser("demo", help="end-to-end demonstrations on the bundled data")
    demo_commands = demo.add_subparsers(title="demo commands", required=True)
    mof = demo_commands.add_parser(
        "mof",
        help="Widom K_H of random CoRE MOFs -> active Widom rounds -> surrogate -> screen all 12,020 -> simulate "
        "the predicted best",
    )
    mof.add_argument("--guest", default="CH4", help="CH4, Ar, Kr, Xe, N2 or CO2 (default CH4)")
    mof.add_argument("--temperature", type=TEMPERATURE, default=298.0, help="temperature in K (default 298)")
    mof.add_argument(
        "--n-simulate", type=COUNT, default=400, help="random MOFs to simulate for training and testing (default 400)"
    )
    mof.add_argument("--n-screen", type=COUNT, help="screen a random subset of this many MOFs instead of all")
    mof.add_argument("--top", type=COUNT, default=20, help="predicted best MOFs to list (default 20)")
    mof.add_argument(
        "--confirm", type=COUNT, default=10, help="predicted best (not yet simulated) to simulate (default 10)"
    )
    _add_active_rounds(mof, "Widom", batch=10)
    mof.add_argument(
        "--featurizer",
        default="racs,coremof_pores,energy_histogram",
        help="the surrogate's featurizers, comma-separated (default racs,coremof_pores,energy_histogram)",
    )
    mof.add_argument("--model", default="krr", help="model (see `atomlearn models`; default krr)")
    mof.add_argument("--nested", default="5x5", help="nested CV on the training set, OUTERxINNER (default 5x5)")
    mof.add_argument(
        "--target-error", type=FRACTION, default=0.05, help="Widom: stop at this relative error of K_H (default 0.05)"
    )
    mof.add_argument(
        "--seed", type=COUNT_OR_ZERO, default=0, help="seed of the samples, split and insertions (default 0)"
    )
    mof.add_argument("--n-jobs", type=N_JOBS, default=2, help="worker processes (-1: all cores; default 2)")
    mof.add_argument(
        "--out", default="demo-run", help="output folder (default demo-run); a rerun reuses its simulations"
    )
    mof.set_defaults(handler=_demo_mof)
    co2 = demo_commands.add_parser(
        "co2",
        help="carbon capture: GCMC of flue gas for random CoRE MOFs -> cheap descriptors of all 12,020 -> "
        "charges for a shortlist -> active GCMC rounds -> surrogate -> GCMC of the predicted best",
    )
    co2.add_argument("--temperature", type=TEMPERATURE, default=298.0, help="temperature in K (default 298)")
    co2.add_argument(
        "--n-simulate",
        type=COUNT,
        default=60,
        help="random MOFs to label by GCMC: half train, half the test set; all the random baseline (default 60)",
    )
    co2.add_argument("--n-screen", type=COUNT, help="screen a random subset of this many MOFs instead of all")
    co2.add_argument(
        "--shortlist", type=COUNT, default=500, help="MOFs the cheap model sends on to charges (default 500)"
    )
    _add_active_rounds(co2, "GCMC", batch=8)
    co2.add_argument(
        "--n-henry",
        type=COUNT_OR_ZERO,
        default=6,
        help="MOFs of the sample whose Widom K_H(CO2), K_H(N2) are compared with GCMC (default 6)",
    )
    co2.add_argument("--top", type=COUNT, default=20, help="predicted best frameworks to list (default 20)")
    co2.add_argument(
        "--confirm", type=COUNT, default=8, help="predicted best frameworks (never simulated) to simulate (default 8)"
    )
    add_label_simulation_arguments(co2)
    co2.add_argument(
        "--seed", type=COUNT_OR_ZERO, default=0, help="seed of the samples, split and simulations (default 0)"
    )
    co2.add_argument("--n-jobs", type=N_JOBS, default=2, help="worker processes (-1: all cores; default 2)")
    co2.add_argument(
        "--out", default="demo-co2", help="output folder (default demo-co2); a rerun reuses its charges and simulations"
    )
    co2.set_defaults(handler=_demo_co2)


def _add_active_rounds(parser: argparse.ArgumentParser, labels: str, batch: int) -> None:
    """--rounds, --batch and --acquisition of a demo's active screen."""
    parser.add_argument("--rounds", type=COUNT, default=2, help=f"active {labels} rounds (default 2)")
    parser.add_argument("--batch", type=COUNT, default=batch, help=f"{labels} labels per round (default {batch})")
    parser.add_argument(
        "--acquisition",
        default="thompson",
        choices=ACQUISITIONS,
        help="how each round is chosen (default thompson; see `atomlearn screen`)",
    )


def _demo_mof(args: argparse.Namespace) -> int:
    from atomlearn.workflows import screen_coremof

    start = time.perf_counter()
    console.print(
        f"[bold]Screening CoRE MOF 2019 for {args.guest} Henry coefficients at {args.temperature:g} K[/]: "
        f"simulate {args.n_simulate} random MOFs, {args.rounds} active rounds of {args.batch}, learn, predict all, "
        f"simulate the predicted best {args.confirm}."
    )
    result = screen_coremof(
        args.out,
        guest=args.guest,
        temperature_K=args.temperature,
        n_simulate=args.n_simulate,
        n_screen=args.n_screen,
        n_top=args.top,
        n_confirm=args.confirm,
        rounds=args.rounds,
        batch=args.batch,
        acquisition=args.acquisition,
        featurizers=[n.strip() for n in args.featurizer.split(",") if n.strip()],
        model=args.model,
        nested=parse_nested(args.nested),
        n_jobs=args.n_jobs,
        random_state=args.seed,
        target_relative_error=args.target_error,
        on_round=_print_henry_round,
    )
    _print_summary(result, args)
    console.print(f"report: {result.report}")
    console.print(f"total {time.perf_counter() - start:.0f} s")
    return 0


def _print_summary(result, args: argparse.Namespace) -> None:
    import pandas as pd

    summary, run = result.summary, result.run
    counts = summary["counts"]
    screen = summary["screen"]
    console.print(
        f"sample: {counts['simulated']} MOFs simulated, {counts['simulated_ok'] - counts['simulated_closed']} "
        f"with K_H > 0, {counts['simulated_closed']} closed to {args.guest} (K_H = 0), "
        f"{counts['simulation_failed']} failed; {counts['test_random']} kept aside as the stratified test set"
    )
    console.print(
        f"active screen: {screen['n']} Widom labels in {screen['rounds']} rounds ({screen['acquisition']}), "
        f"{screen['above_sample_p90']} above the random sample's 90th percentile "
        f"({screen['random_expected_above_p90']:g} expected at random; {counts['screen_closed']} closed, "
        f"{counts['screen_label_failed']} failed); best K_H "
        f"{_number(screen['best_henry'])} vs {_number(screen['best_in_sample_henry'])} mol/(kg·Pa) in the sample"
    )
    console.print(
        f"run: {run.counts['used']} used ({run.split['n_train']} train: random and active, {run.split['n_test']} "
        f"test: random), {run.counts['failed']} excluded"
    )
    rows = []
    for key, metrics in run.metrics_ci.items():
        test = metrics["test"]
        rows.append(
            {
                "model": args.model if key == "model" else key,
                "test MAE (log10)": test["mae"]["value"],
                "95% CI": f"[{test['mae']['low']:.3f}, {test['mae']['high']:.3f}]",
                "test R²": test["r2"]["value"],
            }
        )
    console.print(
        table(pd.DataFrame(rows), f"log10 K_H on the test set ({run.split['n_test']} MOFs never seen in training)")
    )
    test = summary["test"]
    console.print(
        f"{args.model}: top-{test['top_fraction']:.0%} recall on the test set {test['top_recall']:.2f} "
        f"(random ranking: {test['top_fraction']:.2f})"
    )
    if run.nested:
        mae = run.nested["summary"]["mae"]
        console.print(f"nested CV {args.nested} on the training set: MAE {mae['mean']:.3f} ± {mae['std']:.3f}")
    _print_classifier(
        summary["open_classifier"],
        args.guest,
        f"; {counts['predicted_closed']} screened MOFs predicted closed and left out of the ranking",
    )
    console.print(
        f"screened: {counts['screened_requested']} MOFs in, {counts['screened_predicted']} predicted, "
        f"{counts['screened_failed']} failed (reasons in screened.csv)"
    )
    top = pd.DataFrame(summary["top"])[
        ["id", "predicted", "predicted_henry_mol_kg_Pa", "p_open", "simulated", "LCD_A", "PLD_A", "n_members"]
    ]
    console.print(
        table(
            top.fillna(""),
            f"predicted top {len(top)} frameworks (log10 K_H; simulated: in the random sample; "
            "n_members: CSD entries of the framework, in screened.csv's order)",
        )
    )
    confirmed = result.confirmed[
        ["id", "predicted", "simulated", "simulated_se", "error", "percentile_in_sample", "note"]
    ]
    console.print(
        table(confirmed.fillna(""), "the surrogate's claim checked: predicted best, newly simulated (log10 K_H)")
    )
    check = summary["confirm"]
    if check["mae"] is not None:
        console.print(
            f"confirmed: MAE {check['mae']:.3f} log10 units (test MAE {test['mae']:.3f}); "
            f"{check['in_sample_top_fraction']} of {check['n']} beat the sample's top {test['top_fraction']:.0%} "
            f"(K_H > {check['sample_top_threshold_henry']:.3g}); best confirmed K_H "
            f"{check['best_confirmed_henry']:.3g} vs best of the sample {check['best_in_sample_henry']:.3g} mol/(kg·Pa)"
        )
    _print_time_split(summary, "simulating", f"{summary['saving']['simulate_all_s'] / 60:.0f} min")
    _print_notes(result.confirmed)


def _demo_co2(args: argparse.Namespace) -> int:
    from atomlearn.workflows import screen_coremof_co2

    start = time.perf_counter()
    console.print(
        f"[bold]Screening CoRE MOF 2019 for carbon capture[/] (15 % CO2 / 85 % N2, 1 bar, {args.temperature:g} K): "
        f"GCMC of {args.n_simulate} random MOFs, cheap descriptors of all, charges for the {args.shortlist} most "
        f"promising, {args.rounds} active rounds of {args.batch} GCMC, then GCMC of the predicted best {args.confirm}."
    )
    result = screen_coremof_co2(
        args.out,
        temperature_K=args.temperature,
        n_simulate=args.n_simulate,
        n_screen=args.n_screen,
        n_shortlist=args.shortlist,
        rounds=args.rounds,
        batch=args.batch,
        acquisition=args.acquisition,
        n_top=args.top,
        n_confirm=args.confirm,
        n_henry=args.n_henry,
        init_cycles=args.init_cycles,
        cycles=args.cycles,
        target_relative_error=args.target_error,
        grid_spacing_A=args.grid_spacing,
        allow_coarse_grid=args.coarse_grid,
        n_jobs=args.n_jobs,
        random_state=args.seed,
        on_round=_print_round,
    )
    _print_co2_summary(result)
    console.print(f"report: {result.report} (the active screen: {result.folder / 'screen' / 'report.html'})")
    console.print(f"total {time.perf_counter() - start:.0f} s")
    return 0


def _print_round(row: dict) -> None:
    console.print(
        f"  round {int(row['round'])}: {int(row['n_labelled'])} labelled, best log10 uptake so far "
        f"{row['best_uptake']:.3f}",
        highlight=False,
    )


def _print_henry_round(row: dict) -> None:
    console.print(
        f"  round {int(row['round'])}: {int(row['n_labelled'])} labelled, best log10 K_H so far "
        f"{row['best_uptake']:.3f}",
        highlight=False,
    )


def _number(value: float | None) -> str:
    return "-" if value is None else f"{value:.3g}"


def _print_co2_summary(result) -> None:
    import pandas as pd

    summary = result.summary
    counts, henry, check = summary["counts"], summary["henry_vs_gcmc"], summary["confirm"]
    console.print(
        f"random sample: {counts['simulated']} MOFs, {counts['charges_failed']} refused before GCMC (overlapping sites "
        "or EQeq: errors.csv says why), "
        f"{counts['simulation_failed']} GCMC failures, {counts['simulated_closed']} closed to CO2, "
        f"{counts['simulated_ok']} labelled (CO2 uptake at 0.15 bar and CO2/N2 selectivity from GCMC of the "
        f"mixture); {counts['train_random']} train, {counts['test_random']} kept aside as the test set"
    )
    if counts.get("labels_unconverged"):
        console.print(
            f"[yellow]{counts['labels_unconverged']} of the GCMC labels did not converge[/] within --cycles (their "
            "error bars cannot be trusted; gcmc_sample.csv says why): raise --cycles for labels to publish"
        )
    if henry.get("n", 0) >= 3:
        console.print(
            f"Widom (Henry regime) vs GCMC on {henry['n']} MOFs: uptake x{henry['uptake_ratio_median']:.2g} (median), "
            f"selectivity x{henry['selectivity_ratio_median']:.2g}; the labels are GCMC"
        )
    funnel = summary["funnel"]
    console.print(
        f"funnel: {counts['screened_predicted']} of {counts['screened_requested']} MOFs described by "
        f"{', '.join(funnel['cheap'])} ({counts['screened_failed']} failed, reasons in screened.csv); the "
        f"{counts['shortlist']} most promising got EQeq charges and {', '.join(funnel['charged'])} "
        f"({counts['shortlist_charged']} usable); the active screen labelled {counts['screen_labels']} of them "
        f"({counts['screen_label_failed']} failed)"
    )
    rows = [
        {
            "target": target,
            "train": t["n_train"],
            "test (random)": t["n_test"],
            "MAE (log10)": t["mae"],
            "R²": t["r2"],
            "MAE dummy": t["dummy_random_mae"],
            "MAE / dummy": t["mae_to_dummy"],
        }
        for target, t in summary["test"].items()
    ]
    console.print(
        table(pd.DataFrame(rows), f"the surrogates ({funnel['model']}) on the random test set, never trained on")
    )
    top = pd.DataFrame(summary["top"])[["id", "predicted_uptake_mol_kg", "predicted_selectivity_value", "simulated"]]
    console.print(table(top, f"predicted top {len(top)} frameworks of the shortlist (uptake in mol/kg)"))
    confirmed = result.confirmed[
        [
            "id",
            "predicted_uptake",
            "simulated_uptake",
            "simulated_uptake_se",
            "co2_uptake_mol_kg",
            "predicted_selectivity",
            "simulated_selectivity",
            "uptake_percentile_in_sample",
        ]
    ]
    console.print(
        table(confirmed.fillna(""), "the predicted best, newly simulated by GCMC (log10 uptake, log10 selectivity)")
    )
    _print_notes(result.confirmed)
    if check["uptake_mae"] is not None:
        console.print(
            f"confirmed: {check['above_sample_p90']} of {check['n']} above the random sample's 90th percentile "
            f"({check['sample_p90_uptake']:.3g} mol/kg); best uptake {check['best_confirmed_uptake']:.3g} mol/kg vs "
            f"{check['best_in_sample_uptake']:.3g} for the best of the random sample; MAE "
            f"{check['uptake_mae']:.3f} (uptake) log10 units"
        )
    _print_time_split(summary, "GCMC of", f"{summary['saving']['simulate_all_s'] / 3600:.1f} h")


def _print_classifier(classifier: dict, guest: str, more: str = "") -> None:
    """The open/closed classifier's balanced accuracy on the test MOFs (or why there is none)."""
    if "test" not in classifier:
        console.print(f"open/closed classifier: {classifier['note']}")
        return
    balanced = classifier["test"]["balanced_accuracy"]
    console.print(
        f"open-to-{guest} classifier: balanced accuracy {balanced['value']:.2f} [{balanced['low']:.2f}, "
        f"{balanced['high']:.2f}] on {classifier['n_test']} test MOFs{more}"
    )


def _print_notes(confirmed) -> None:
    for _, row in confirmed[confirmed["note"].ne("")].iterrows():
        console.print(escape(f"  note {row['id']}: {row['note']}"), highlight=False)


def _print_time_split(summary: dict, simulating: str, duration: str) -> None:
    """The time of each step, and what simulating every screened MOF would have cost."""
    import pandas as pd

    timings = pd.DataFrame([{"step": k, "seconds": v} for k, v in summary["timings_s"].items()])
    console.print(table(timings, "time split"))
    saved = summary["saving"]
    console.print(
        f"{simulating} all {saved['n_screened']} screened MOFs would take about {duration} here; the surrogate "
        f"featurized and predicted them in {saved['surrogate_s']:.0f} s"
    )
