"""``atomlearn featurize``: descriptors of a dataset into a table, with failures listed and invariances checked."""

from __future__ import annotations

import argparse

from rich.table import Table

from atomlearn.cli.common import (
    COUNT,
    COUNT_OR_ZERO,
    add_folder_arguments,
    add_worker_arguments,
    console,
    load_dataset,
    make_featurizers,
    print_failures,
    table,
)


def register(commands: argparse._SubParsersAction) -> None:
    """Add the ``featurize`` command to ``commands``."""
    featurize = commands.add_parser("featurize", help="compute descriptors of a dataset into a table")
    featurize.add_argument("dataset", nargs="?", help="bundled dataset name, a folder or an ASE database file")
    featurize.add_argument(
        "--featurizer", default="composition", help="one or more names, comma-separated (see --list)"
    )
    featurize.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME.PARAM=VALUE",
        help='featurizer parameter, e.g. racs.max_depth=2 or soap.species=\'["C","H"]\' (JSON values)',
    )
    featurize.add_argument(
        "--list", action="store_true", help="show every featurizer with its parameters, invariances and citation"
    )
    featurize.add_argument("--out", help="features table (.parquet or .csv); errors go next to it as <name>.errors.csv")
    add_folder_arguments(featurize)
    featurize.add_argument("--n", type=COUNT, help="featurize a random sample of this many structures")
    featurize.add_argument("--seed", type=COUNT_OR_ZERO, default=0, help="seed of the --n sample (default 0)")
    add_worker_arguments(featurize)
    featurize.add_argument("--no-cache", action="store_true", help="recompute rows instead of reading the cache")
    featurize.add_argument(
        "--check-invariance",
        action="store_true",
        help="also apply random translations, rotations, permutations, supercells and print the changes",
    )
    featurize.add_argument("--check-n", type=COUNT, default=5, help="structures used by --check-invariance (default 5)")
    featurize.set_defaults(handler=_featurize)


def _featurizer_list() -> int:
    from atomlearn.extras import MissingExtraError
    from atomlearn.featurizers import FEATURIZERS
    from atomlearn.featurizers.base import RUNTIME_PARAMS

    listing = Table(title="featurizers", show_lines=True)
    for column in ("name", "parameters (defaults)", "invariant to", "cite"):
        listing.add_column(column, overflow="fold")
    for name in FEATURIZERS:
        try:
            featurizer = FEATURIZERS.create(name)
        except MissingExtraError as missing:  # listed all the same, with what to install
            listing.add_row(name, str(missing), "-", "-")
            continue
        params = ", ".join(f"{k}={v!r}" for k, v in featurizer.get_params().items() if k not in RUNTIME_PARAMS)
        listing.add_row(
            name,
            params,
            ", ".join(sorted(featurizer.symmetries)) or "nothing",
            "\n".join(featurizer.citations()) or "-",
        )
    console.print(listing)
    return 0


def _featurize(args: argparse.Namespace) -> int:
    import pandas as pd

    from atomlearn.featurizers import featurize_table
    from atomlearn.featurizers.table import complete_rows

    if args.list:
        return _featurizer_list()
    if not args.dataset:
        raise ValueError("give a dataset (a bundled name, a folder or an ASE database), or --list")
    featurizers = make_featurizers(
        args.featurizer, args.set, n_jobs=args.n_jobs, scheduler=args.scheduler, cache=not args.no_cache
    )
    dataset = load_dataset(args.dataset, args)
    if args.n is not None:
        dataset = dataset.sample(args.n, random_state=args.seed)
    features, errors = featurize_table(featurizers, dataset.structures, dataset.ids)
    complete = complete_rows(features)
    unread = dataset.errors[~dataset.errors["item_id"].astype(str).isin(features.index.astype(str))]
    errors = pd.concat([unread, errors], ignore_index=True)  # every input: read, matched and featurized, or here
    n_in = len(features) + unread["item_id"].nunique()
    console.print(
        f"{n_in} inputs in: {int(complete.sum())} featurized by all of {', '.join(f.name for f in featurizers)}, "
        f"{n_in - int(complete.sum())} failed ({unread['item_id'].nunique()} not read or without a label row, "
        f"{int((~complete).sum())} with a featurizer failure; {features.shape[1]} columns)"
    )
    print_failures(errors, "the errors CSV")
    if args.out:
        _write(features, errors, args.out)
    if args.check_invariance:
        _check_invariance(featurizers, dataset, complete, args.check_n)
    return 0


def _write(features, errors, out: str) -> None:
    """The features table and its errors CSV, each whole or not at all."""
    from pathlib import Path

    from atomlearn.files import atomic_file, write_csv_atomic

    path = Path(out)
    with atomic_file(path) as partial:  # a killed run leaves an earlier table intact
        features.to_csv(partial) if path.suffix == ".csv" else features.to_parquet(partial)
    errors_path = path.with_name(path.stem + ".errors.csv")
    write_csv_atomic(errors, errors_path)
    console.print(f"features written to {path}, errors to {errors_path}")


def _check_invariance(featurizers, dataset, complete, n: int) -> None:
    """Print each featurizer's response to random symmetry operations on the first ``n`` featurized structures."""
    import numpy as np

    from atomlearn.featurizers import invariance

    sample = dataset.take(np.flatnonzero(complete)[:n]).structures  # loaded and featurized fine
    if not len(sample):
        raise ValueError("no structure was featurized without error, so invariance cannot be checked")
    for featurizer in featurizers:
        console.print(
            table(invariance.check(featurizer, sample), f"invariance of {featurizer.name} on {len(sample)} structures")
        )
