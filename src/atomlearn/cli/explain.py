"""Command line: `atomlearn explain RUN_DIR` (importance, selection, map, learning curve of a
fitted run) and `atomlearn report RUN_DIR` (the HTML report)."""

from __future__ import annotations

import argparse

from atomlearn.cli.common import COUNT, FRACTION, N_JOBS, POSITIVE, console, table


def register(commands: argparse._SubParsersAction) -> None:
    """Add the ``explain`` command group to ``commands``."""
    explain = commands.add_parser(
        "explain", help="permutation importance, feature selection and a 2-D map of a fitted run"
    )
    explain.add_argument("run", help="run folder of `atomlearn fit --out`")
    explain.add_argument(
        "--importance", action="store_true", help="permutation importance on the test set, single and grouped"
    )
    explain.add_argument(
        "--group-threshold",
        type=FRACTION,
        default=0.8,
        help="features with |Spearman ρ| above this are permuted together in the grouped view (default 0.8)",
    )
    explain.add_argument("--repeats", type=COUNT, default=5, help="shuffles per feature (default 5)")
    explain.add_argument(
        "--select",
        choices=["variance", "correlation", "rfe", "forward", "lasso", "sisso"],
        help="feature selection on the training set (sisso: formulas from the most correlated features)",
    )
    explain.add_argument(
        "--sisso-primaries",
        type=COUNT,
        default=8,
        help="primary features of --select sisso: the most |Spearman|-correlated with the target (default 8)",
    )
    explain.add_argument("--map", choices=["pca", "tsne", "umap"], help="2-D map of all structures")
    explain.add_argument("--perplexity", type=POSITIVE, default=30.0, help="t-SNE perplexity (default 30)")
    explain.add_argument(
        "--curve",
        nargs="?",
        const="auto",
        metavar="SIZES",
        help="learning curve of the run's model: training sizes, comma-separated (default: 1/16 to all)",
    )
    explain.add_argument("--top", type=COUNT, default=10, help="rows of each table to print (default 10)")
    explain.add_argument("--n-jobs", type=N_JOBS, default=1, help="worker processes (-1: all cores)")
    explain.set_defaults(handler=_explain)

    report = commands.add_parser("report", help="one self-contained HTML report of a fitted (and explained) run")
    report.add_argument(
        "run", help="run folder of `atomlearn fit --out` (after `atomlearn explain`, with its plots too)"
    )
    report.add_argument("-o", "--out", help="HTML file (default: RUN_DIR/report.html)")
    report.set_defaults(handler=_report)


def _report(args: argparse.Namespace) -> int:
    from atomlearn.report import build_report

    path = build_report(args.run, args.out)
    console.print(f"report written to {path} ({path.stat().st_size / 2**20:.1f} MiB, opens offline)")
    return 0


def _explain(args: argparse.Namespace) -> int:
    from atomlearn.evaluate.learning_curves import summarize_curve
    from atomlearn.explain.run_explanation import explain_run

    if not (args.importance or args.select or args.map or args.curve):
        raise ValueError("say what to explain: --importance, --select NAME, --map METHOD and/or --curve")
    sizes = args.curve if args.curve in (None, "auto") else [int(s) for s in args.curve.split(",") if s.strip()]
    out = explain_run(
        args.run,
        importance=args.importance,
        group_threshold=args.group_threshold,
        n_repeats=args.repeats,
        select=args.select,
        projection=args.map,
        perplexity=args.perplexity,
        curve_sizes=sizes,
        sisso_primaries=args.sisso_primaries,
        n_jobs=args.n_jobs,
    )
    columns = ["feature", "importance_mean", "importance_std"]
    if out.importance is not None:
        metric = out.importance.attrs["metric"].upper()
        console.print(
            table(
                out.importance[columns].head(args.top),
                f"Permutation importance: rise of the test {metric} ({out.importance.attrs['n_samples']} test rows)",
            )
        )
        grouped = out.importance_grouped
        console.print(
            table(
                grouped[columns + ["n_columns"]].head(args.top),
                f"Grouped (|ρ| > {args.group_threshold}): {len(grouped)} groups of {len(out.importance)} features",
            )
        )
    if out.sisso is not None:
        console.print(
            table(
                out.sisso[["n_terms", "formulas", "coef", "intercept", "rmse", "test_mae"]].astype(
                    {"formulas": str, "coef": str}
                ),
                f"SISSO on {len(out.selected)} primary features "
                f"({int(out.sisso['candidates'].iloc[0])} candidate formulas)",
            )
        )
    elif out.selected is not None:
        shown = ", ".join(out.selected[: 3 * args.top]) + (" ..." if len(out.selected) > 3 * args.top else "")
        console.print(f"{args.select} keeps {len(out.selected)} features: {shown}")
    if out.map is not None:
        console.print(
            f"{args.map} map of {len(out.map)} structures written to {args.run}/map.csv ({out.timings_s['map']:.1f} s)"
        )
        if out.map_params.get("note"):
            console.print(f"note: {out.map_params['note']}")
    if out.curve is not None:
        summary, slope = summarize_curve(out.curve)
        console.print(
            table(summary.reset_index(), f"Learning curve (mean ± std of repeats); log-log slope {slope:.2f}")
        )
    console.print(f"written to {args.run}/ (explain.json and the CSV tables)")
    return 0
