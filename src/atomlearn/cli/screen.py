"""``atomlearn screen``: active learning over a pool of structures, labelled by GCMC, Widom or a table."""

from __future__ import annotations

import argparse

from atomlearn.cli.common import (
    COUNT,
    COUNT_OR_ZERO,
    FRACTION,
    TEMPERATURE,
    add_choice_arguments,
    add_folder_arguments,
    add_label_simulation_arguments,
    add_worker_arguments,
    chosen_structures,
    console,
    load_dataset,
    make_featurizers,
    print_failures,
)

#: as ``workflows.screen_acquisition.ACQUISITIONS`` and ``workflows.active_learning.OBJECTIVE_CHOICES`` (not
#: imported: `--help` must not load torch; a test checks that they agree)
ACQUISITIONS = ("ei", "ucb", "thompson", "greedy", "random")
OBJECTIVES = ("uptake", "selectivity", "pareto")


def register(commands: argparse._SubParsersAction) -> None:
    """Add the ``screen`` command to ``commands``."""
    screen = commands.add_parser(
        "screen",
        help="active learning: label a budget of structures, batch by batch where a GP expects the best",
        description="Label a random seed batch, then batches chosen by a Gaussian process and an acquisition "
        "function, until the budget is spent. Resumable: rerun with the same --out.",
    )
    screen.add_argument(
        "dataset", metavar="POOL", help="the candidates: a bundled dataset name, a folder or an ASE database"
    )
    screen.add_argument(
        "--label",
        required=True,
        help="gcmc:CO2:0.15,N2:0.85@1bar (GCMC at one pressure), henry:CH4 or henry:CO2,N2 (Widom K_H), or "
        "table:FILE.csv:COLUMN[,COLUMN2] (labels you already have: a retrospective screen)",
    )
    screen.add_argument("--budget", type=COUNT, required=True, help="labels to spend in all, the seed batch included")
    screen.add_argument("--batch", type=COUNT, default=10, help="labels per round (default 10)")
    screen.add_argument("--n-seed", type=COUNT, help="random structures labelled first (default: --batch, at least 5)")
    screen.add_argument("--acquisition", choices=ACQUISITIONS, default="ei", help="how a batch is chosen (default ei)")
    screen.add_argument(
        "--objective",
        choices=OBJECTIVES,
        default="uptake",
        help="maximise the uptake (or log10 K_H), the selectivity, or both (pareto); default uptake",
    )
    screen.add_argument(
        "--featurizer",
        help="descriptors, comma-separated (default for gcmc:/henry: energy_histogram,henry_grid for the first gas; "
        "required for table:)",
    )
    screen.add_argument(
        "--set", action="append", default=[], metavar="NAME.PARAM=VALUE", help="featurizer parameter (JSON value)"
    )
    screen.add_argument(
        "--top-fraction",
        type=FRACTION,
        default=0.01,
        help="a hit, when the labels are known (table:): the true top fraction of the pool (default 0.01)",
    )
    screen.add_argument("--temperature", type=TEMPERATURE, default=298.0, help="temperature in K (default 298)")
    add_label_simulation_arguments(screen)
    add_folder_arguments(screen, labels=None)
    add_choice_arguments(screen, "screen")
    screen.add_argument("--seed", type=COUNT_OR_ZERO, default=0, help="seed of the pool sample and the screen")
    add_worker_arguments(screen)
    screen.add_argument("--out", required=True, help="the screen's folder; rerun with it to resume")
    screen.set_defaults(handler=_screen)


def _screen(args: argparse.Namespace) -> int:
    from atomlearn.workflows import active_screen, parse_label_spec

    simulation = {"target_relative_error": args.target_error, "random_state": args.seed}
    simulation |= {"grid_spacing_A": args.grid_spacing, "allow_coarse_grid": args.coarse_grid}
    gcmc = {"init_cycles": args.init_cycles, "cycles": args.cycles}
    source = parse_label_spec(args.label, args.temperature, simulation, gcmc)
    names, settings = args.featurizer, list(args.set)
    if names is None:
        guests = getattr(source, "guests", None) or list(getattr(source, "mixture", {}))
        if not guests:
            raise ValueError(f"--label {args.label}: give --featurizer (a table says nothing about the guest)")
        names = "energy_histogram,henry_grid"
        given = {s.split("=", 1)[0] for s in settings}
        settings += [f"{n}.guest={guests[0]}" for n in names.split(",") if f"{n}.guest" not in given]
    # cached rows: a resumed or repeated screen of the same pool reads its features back instead of recomputing
    featurizers = make_featurizers(names, settings, n_jobs=args.n_jobs, scheduler=args.scheduler, cache=True)
    pool = chosen_structures(load_dataset(args.dataset, args), args)
    maximised = [o for o in source.units if args.objective in (o, "pareto")]
    console.print(
        f"screen of {len(pool) + len(pool.errors)} structures: labels from {args.label}, features "
        f"{', '.join(f.name for f in featurizers)}, budget {args.budget}; maximising "
        + ", ".join(f"{o} ({source.units[o]})" for o in maximised)
    )

    def show(row: dict) -> None:
        best = ", ".join(f"best {k[5:]} {v:.3g}" for k, v in row.items() if k.startswith("best_"))
        found = f", {row['hits']} hits (random: {row['random_expected_hits']:.2f})" if "hits" in row else ""
        interval = row.get("coverage_68")
        calibration = f", {interval:.0%} within 1 sd" if interval == interval and interval is not None else ""
        console.print(
            f"round {row['round']}: {row['n_labelled']} labelled ({row['n_failed']} failed), {best}{found}{calibration}"
        )

    result = active_screen(
        pool,
        source,
        featurizers,
        args.out,
        budget=args.budget,
        batch=args.batch,
        acquisition=args.acquisition,
        objective=args.objective,
        n_seed=args.n_seed,
        top_fraction=args.top_fraction,
        n_jobs=args.n_jobs,
        scheduler=args.scheduler,
        random_state=args.seed,
        on_round=show,
    )
    refused = result.pool[~result.pool["usable"]]
    print_failures(refused.rename(columns={"id": "item_id"}).assign(stage="pool"), f"{args.out}/pool.csv")
    failed = result.labels[result.labels["error"].ne("")]
    print_failures(failed.rename(columns={"id": "item_id", "error": "reason"}).assign(stage="label"), "labels.csv")
    counts = result.summary["counts"]
    console.print(
        f"{counts['pool']} in the pool: {counts['usable']} usable, {counts['refused']} refused; "
        f"{counts['labelled']} labelled ({counts['label_failed']} failed) in {counts['rounds']} rounds"
    )
    if result.summary["hits"]:
        hits = result.summary["hits"]
        console.print(
            f"found {hits['found']} of the true top {hits['n_top']}; random selection expects "
            f"{hits['random_expected']:.2f} ({hits['ratio_to_random']:.1f}x)"
        )
    for row in result.summary["best"][:5]:
        console.print("  " + ", ".join(f"{k} {v:.3g}" if isinstance(v, float) else f"{k} {v}" for k, v in row.items()))
    console.print(f"report: {result.folder / 'report.html'}")
    return 0
