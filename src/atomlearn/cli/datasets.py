"""``atomlearn datasets list|info|export``: the bundled datasets, a dataset's summary, a dataset as files."""

from __future__ import annotations

import argparse

from rich.markup import escape

from atomlearn.cli.common import COUNT, COUNT_OR_ZERO, console, load_dataset, table


def register(commands: argparse._SubParsersAction) -> None:
    """Add the ``datasets`` command group to ``commands``."""
    datasets = commands.add_parser("datasets", help="list, describe and export datasets")
    datasets_commands = datasets.add_subparsers(title="datasets commands", required=True)
    listing = datasets_commands.add_parser("list", help="the bundled datasets")
    listing.set_defaults(handler=_list)
    info = datasets_commands.add_parser("info", help="counts, label columns with units, citation")
    info.add_argument("name", help="bundled dataset name, a folder or an ASE database file")
    info.add_argument("--check", action="store_true", help="read every structure now and list the unreadable ones")
    info.set_defaults(handler=_info)
    export = datasets_commands.add_parser("export", help="write structures + labels.csv to a folder")
    export.add_argument("name")
    export.add_argument("--out", required=True, help="output folder")
    export.add_argument("--n", type=COUNT, help="export a random sample of this many structures")
    export.add_argument("--seed", type=COUNT_OR_ZERO, default=0, help="seed of the --n sample (default 0)")
    export.set_defaults(handler=_export)


def _list(args: argparse.Namespace) -> int:
    from atomlearn.datasets import available

    console.print(table(available(), "bundled datasets"))
    return 0


def _info(args: argparse.Namespace) -> int:
    import pandas as pd

    from atomlearn.structures import LazyStructures, load_each

    dataset = load_dataset(args.name)
    summary = dataset.summary()
    console.print(f"[bold]{summary['name']}[/]: {summary['description']}")
    lazy = isinstance(dataset.structures, LazyStructures)
    if args.check and lazy:  # read every file now: problems that would otherwise show only when used
        _, problems = load_each(dataset.structures)
        summary["errors"] += len(problems)
        for problem in problems[:10]:
            console.print(escape(f"  unreadable: {problem.item_id}: {problem.reason}"), highlight=False)
    checked = "" if args.check or not lazy else " so far (files are read when used; --check reads them all now)"
    console.print(f"structures: {summary['structures']}   load problems: {summary['errors']}{checked}")
    columns = pd.DataFrame(list(summary["label_columns"].items()), columns=["label column", "unit"])
    console.print(table(columns))
    for note in summary["notes"]:
        console.print(f"note: {note}")
    console.print(f"cite: {summary['citation'] or '-'}\nsource: {summary['source']}")
    return 0


def _export(args: argparse.Namespace) -> int:
    from atomlearn.datasets import export_dataset

    dataset = load_dataset(args.name)
    if args.n is not None:
        dataset = dataset.sample(args.n, random_state=args.seed)
    counts = export_dataset(dataset, args.out)
    console.print(
        f"wrote {counts['structures']} structures and {counts['label_rows']} label rows to {args.out}"
        + (f" ({counts['errors']} load problems in errors.csv)" if counts["errors"] else "")
    )
    return 0
