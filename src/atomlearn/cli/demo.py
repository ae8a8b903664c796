"""Command line: `atomlearn demo mof` (simulate a sample, learn, screen CoRE MOF, confirm the best)."""

from __future__ import annotations

import argparse
import time

from rich.markup import escape

from atomlearn.cli.common import console, parse_nested, table


def register(commands: argparse._SubParsersAction) -> None:
    """Add the ``demo`` command group to ``commands``."""
    demo = commands.add_parser("demo", help="end-to-end demonstrations on the bundled data")
    demo_commands = demo.add_subparsers(title="demo commands", required=True)
    mof = demo_commands.add_parser(
        "mof", help="Widom K_H of random CoRE MOFs -> surrogate -> screen all 12,020 -> simulate the predicted best")
    mof.add_argument("--guest", default="CH4", help="CH4, Ar, Kr, Xe, N2 or CO2 (default CH4)")
    mof.add_argument("--temperature", type=float, default=298.0, help="temperature in K (default 298)")
    mof.add_argument("--n-simulate", type=int, default=400, help="random MOFs to simulate for training and testing (default 400)")
    mof.add_argument("--n-screen", type=int, help="screen a random subset of this many MOFs instead of all")
    mof.add_argument("--top", type=int, default=20, help="predicted best MOFs to list (default 20)")
    mof.add_argument("--confirm", type=int, default=10, help="predicted best (not yet simulated) to simulate (default 10)")
    mof.add_argument("--featurizer", default="racs,coremof_pores,energy_histogram",
                     help="featurizers, comma-separated (default racs,coremof_pores,energy_histogram; "
                          "energy histograms need a single-site guest: CH4, Ar, Kr, Xe)")
    mof.add_argument("--model", default="krr", help="model (see `atomlearn models`; default krr)")
    mof.add_argument("--nested", default="5x5", help="nested CV on the training set, OUTERxINNER (default 5x5)")
    mof.add_argument("--target-error", type=float, default=0.05, help="Widom: stop at this relative error of K_H (default 0.05)")
    mof.add_argument("--seed", type=int, default=0, help="seed of the samples, split and insertions (default 0)")
    mof.add_argument("--n-jobs", type=int, default=2, help="worker processes (-1: all cores; default 2)")
    mof.add_argument("--out", default="demo-run", help="output folder (default demo-run); a rerun reuses its simulations")
    mof.set_defaults(handler=_demo_mof)


def _demo_mof(args: argparse.Namespace) -> int:
    from atomlearn.workflows import screen_coremof

    start = time.perf_counter()
    console.print(f"[bold]Screening CoRE MOF 2019 for {args.guest} Henry coefficients at {args.temperature:g} K[/]: "
                  f"simulate {args.n_simulate} random MOFs, learn, predict all, simulate the predicted best {args.confirm}.")
    result = screen_coremof(args.out, guest=args.guest, temperature_K=args.temperature, n_simulate=args.n_simulate,
                            n_screen=args.n_screen, n_top=args.top, n_confirm=args.confirm,
                            featurizers=[n.strip() for n in args.featurizer.split(",") if n.strip()], model=args.model,
                            nested=parse_nested(args.nested), n_jobs=args.n_jobs, random_state=args.seed,
                            target_relative_error=args.target_error)
    _print_summary(result, args)
    console.print(f"report: {result.report}")
    console.print(f"total {time.perf_counter() - start:.0f} s")
    return 0


def _print_summary(result, args: argparse.Namespace) -> None:
    import pandas as pd

    summary, run = result.summary, result.run
    counts = summary["counts"]
    console.print(f"sample: {counts['simulated']} MOFs simulated, {counts['simulated_ok'] - counts['simulated_closed']} "
                  f"with K_H > 0 for learning, {counts['simulated_closed']} closed to {args.guest} (K_H = 0), "
                  f"{counts['simulation_failed']} failed; run: {run.counts['used']} used "
                  f"({run.split['n_train']} train, {run.split['n_test']} stratified test), {run.counts['failed']} excluded")
    rows = []
    for key, metrics in run.metrics_ci.items():
        test = metrics["test"]
        rows.append({"model": args.model if key == "model" else key, "test MAE (log10)": test["mae"]["value"],
                     "95% CI": f"[{test['mae']['low']:.3f}, {test['mae']['high']:.3f}]", "test R²": test["r2"]["value"]})
    console.print(table(pd.DataFrame(rows), f"log10 K_H on the test set ({run.split['n_test']} MOFs never seen in training)"))
    test = summary["test"]
    console.print(f"{args.model}: top-{test['top_fraction']:.0%} recall on the test set {test['top_recall']:.2f} "
                  f"(random ranking: {test['top_fraction']:.2f})")
    if run.nested:
        mae = run.nested["summary"]["mae"]
        console.print(f"nested CV {args.nested} on the training set: MAE {mae['mean']:.3f} ± {mae['std']:.3f}")
    classifier = summary["open_classifier"]
    if "test" in classifier:
        balanced = classifier["test"]["balanced_accuracy"]
        console.print(f"open-to-{args.guest} classifier: balanced accuracy {balanced['value']:.2f} "
                      f"[{balanced['low']:.2f}, {balanced['high']:.2f}] on {classifier['n_test']} test MOFs; "
                      f"{counts['predicted_closed']} screened MOFs predicted closed and left out of the ranking")
    console.print(f"screened: {counts['screened_requested']} MOFs in, {counts['screened_predicted']} predicted, "
                  f"{counts['screened_failed']} failed (reasons in screened.csv)")
    top = pd.DataFrame(summary["top"])[["id", "predicted", "predicted_henry_mol_kg_Pa", "p_open", "simulated", "LCD_A", "PLD_A"]]
    console.print(table(top.fillna(""), f"predicted top {len(top)} (log10 K_H; simulated: in the random sample)"))
    confirmed = result.confirmed[["id", "predicted", "simulated", "simulated_se", "error", "percentile_in_sample", "note"]]
    console.print(table(confirmed.fillna(""), "the surrogate's claim checked: predicted best, newly simulated (log10 K_H)"))
    check = summary["confirm"]
    if check["mae"] is not None:
        console.print(f"confirmed: MAE {check['mae']:.3f} log10 units (test MAE {test['mae']:.3f}); "
                      f"{check['in_sample_top_fraction']} of {check['n']} beat the sample's top {test['top_fraction']:.0%} "
                      f"(K_H > {check['sample_top_threshold_henry']:.3g}); best confirmed K_H "
                      f"{check['best_confirmed_henry']:.3g} vs best of the sample {check['best_in_sample_henry']:.3g} mol/(kg·Pa)")
    timings = pd.DataFrame([{"step": k, "seconds": v} for k, v in summary["timings_s"].items()])
    console.print(table(timings, "time split"))
    saved = summary["saving"]
    console.print(f"simulating all {saved['n_screened']} screened MOFs would take about {saved['simulate_all_s'] / 60:.0f} min "
                  f"here; the surrogate featurized and predicted them in {saved['surrogate_s']:.0f} s")
    for _, row in result.confirmed[result.confirmed["note"].ne("")].iterrows():
        console.print(escape(f"  note {row['id']}: {row['note']}"), highlight=False)
