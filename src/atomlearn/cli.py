"""The ``atomlearn`` command: parses arguments, calls the library, prints tables."""

from __future__ import annotations

import argparse
import os
import sys
import warnings
from collections.abc import Sequence

from rich.markup import escape
from rich.table import Table

from atomlearn import __version__
from atomlearn.cli_common import (
    _add_data_arguments,
    _featurizer_params,
    _load,
    _table,
    console,
    error_console,
)
from atomlearn.cli_demo import add_demo_parsers
from atomlearn.cli_explain import add_explain_parsers
from atomlearn.cli_forcefield import add_forcefield_parsers
from atomlearn.cli_learn import _bias_variance, _curve, _fit, _models, _predict
from atomlearn.cli_simulate import add_simulate_parsers


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "handler"):
        parser.print_help()
        return 2
    try:
        _set_threads(args)
        with warnings.catch_warnings():
            warnings.showwarning = _show_warning
            return args.handler(args) or 0
    except (KeyError, ValueError, FileNotFoundError) as exc:
        if os.environ.get("ATOMLEARN_TRACEBACK"):  # for a bug report: where the message came from
            import traceback

            traceback.print_exc()
        message = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc
        error_console.print(f"[bold red]error:[/] {message}", highlight=False)
        return 2


def _set_threads(args: argparse.Namespace) -> None:
    """BLAS/OpenMP/PyTorch threads: --threads, else the command's default (1 for small-system MD), else the cores."""
    from atomlearn.threads import available_cores, set_threads

    n = set_threads(args.threads or getattr(args, "default_threads", None) or available_cores())
    if args.verbose:
        error_console.print(f"threads: {n} for BLAS/OpenMP/PyTorch in this process ({available_cores()} cores available;"
                            " worker processes share the cores)", highlight=False)


def _show_warning(message: Warning | str, category: type[Warning], *_: object, **__: object) -> None:
    """Warnings of a command as one plain line on stderr (not Python's file:line: form)."""
    error_console.print(f"[yellow]warning:[/] {escape(str(message))}", highlight=False)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="atomlearn", description="Machine learning for materials and molecules.")
    parser.add_argument("--version", action="version", version=f"atomlearn {__version__}")
    parser.add_argument("--threads", type=int, help="threads for BLAS/OpenMP/PyTorch (default: the cores available; "
                        "1 for MD of one molecule, which runs fastest on one)")
    parser.add_argument("-v", "--verbose", action="store_true", help="say how many threads are used")
    commands = parser.add_subparsers(title="commands")

    datasets = commands.add_parser("datasets", help="list, describe and export datasets")
    datasets_commands = datasets.add_subparsers(title="datasets commands", required=True)
    listing = datasets_commands.add_parser("list", help="the bundled datasets")
    listing.set_defaults(handler=_datasets_list)
    info = datasets_commands.add_parser("info", help="counts, label columns with units, citation")
    info.add_argument("name", help="bundled dataset name, a folder or an ASE database file")
    info.add_argument("--check", action="store_true", help="read every structure now and list the unreadable ones")
    info.set_defaults(handler=_datasets_info)
    export = datasets_commands.add_parser("export", help="write structures + labels.csv to a folder")
    export.add_argument("name")
    export.add_argument("--out", required=True, help="output folder")
    export.add_argument("--n", type=int, help="export a random sample of this many structures")
    export.add_argument("--seed", type=int, default=0, help="seed of the --n sample (default 0)")
    export.set_defaults(handler=_datasets_export)

    cache = commands.add_parser("cache", help="inspect or clear the cache folder")
    cache_commands = cache.add_subparsers(title="cache commands", required=True)
    cache_commands.add_parser("info", help="what the cache holds").set_defaults(handler=_cache_info)
    clear = cache_commands.add_parser("clear", help="delete cached rows and/or dataset conversions")
    clear.add_argument("--what", choices=["all", "rows", "datasets"], default="all")
    clear.set_defaults(handler=_cache_clear)

    featurize = commands.add_parser("featurize", help="compute descriptors of a dataset into a table")
    featurize.add_argument("dataset", nargs="?", help="bundled dataset name, a folder or an ASE database file")
    featurize.add_argument("--featurizer", default="composition", help="one or more names, comma-separated (see --list)")
    featurize.add_argument("--set", action="append", default=[], metavar="NAME.PARAM=VALUE",
                           help="featurizer parameter, e.g. racs.max_depth=2 or soap.species='[\"C\",\"H\"]' (JSON values)")
    featurize.add_argument("--list", action="store_true", help="show every featurizer with its parameters, invariances and citation")
    featurize.add_argument("--out", help="features table (.parquet or .csv); errors go next to it as <name>.errors.csv")
    featurize.add_argument("--labels", default="labels.csv",
                           help="labels CSV of a folder dataset: looked up inside the folder, else as given (default labels.csv)")
    featurize.add_argument("--id-column", default="id", help="id column of the labels CSV")
    featurize.add_argument("--n", type=int, help="featurize a random sample of this many structures")
    featurize.add_argument("--seed", type=int, default=0, help="seed of the --n sample (default 0)")
    featurize.add_argument("--n-jobs", type=int, default=1, help="worker processes (-1: all cores)")
    featurize.add_argument("--scheduler", help="address of a dask.distributed scheduler (or $ATOMLEARN_SCHEDULER)")
    featurize.add_argument("--no-cache", action="store_true", help="recompute rows instead of reading the cache")
    featurize.add_argument("--check-invariance", action="store_true",
                           help="also apply random translations, rotations, permutations, supercells and print the changes")
    featurize.add_argument("--check-n", type=int, default=5, help="structures used by --check-invariance (default 5)")
    featurize.set_defaults(handler=_featurize)

    fit = commands.add_parser("fit", help="put a test set aside, fit a model on the rest, score it against baselines")
    _add_data_arguments(fit)
    fit.add_argument("--model", default="ridge", help="model name (default ridge; see `atomlearn models`)")
    fit.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                     help="model parameter (JSON value), e.g. max_epochs=100 for a network")
    fit.add_argument("--split", default="random", choices=["random", "stratified", "kennard-stone", "cluster", "scaffold", "group"],
                     help="how the test set is chosen (default random; stratified keeps each target decile in proportion)")
    fit.add_argument("--group-column", help="label column with each structure's group (for --split group)")
    fit.add_argument("--test-size", type=float, default=0.2, help="held-out fraction (default 0.2)")
    fit.add_argument("--nested", metavar="OUTERxINNER", help="nested cross-validation on the training set, e.g. 5x5")
    fit.add_argument("--bootstrap", type=int, default=1000, help="bootstrap resamples for the confidence intervals")
    fit.add_argument("--out", help="run folder: results.json, predictions.csv, errors.csv and the model bundle")
    fit.set_defaults(handler=_fit)

    predict = commands.add_parser("predict", help="featurize new structure files and predict with a fitted run")
    predict.add_argument("run", help="run folder of `atomlearn fit --out` (or its bundle folder)")
    predict.add_argument("files", nargs="+", help="structure files or folders of them")
    predict.add_argument("--out", help="predictions CSV (default: print them)")
    predict.add_argument("--n-jobs", type=int, default=1, help="worker processes (-1: all cores)")
    predict.set_defaults(handler=_predict)

    curve = commands.add_parser("curve", help="learning curve: test error against training-set size")
    _add_data_arguments(curve)
    curve.add_argument("--model", default="ridge", help="model name (default ridge; see `atomlearn models`)")
    curve.add_argument("--param", action="append", default=[], metavar="NAME=VALUE", help="model parameter (JSON value)")
    curve.add_argument("--sizes", required=True, help="training sizes, comma-separated, e.g. 100,200,400,800")
    curve.add_argument("--repeats", type=int, default=3, help="random training subsets per size (default 3)")
    curve.add_argument("--test-size", type=float, default=0.2, help="held-out fraction (default 0.2)")
    curve.add_argument("--out", help="CSV of every (size, repeat) with train and test MAE")
    curve.set_defaults(handler=_curve)

    bias_variance = commands.add_parser("bias-variance", help="bias², variance and noise of polynomial, Lennard-Jones "
                                                              "and ridge fits to noisy Lennard-Jones energies")
    bias_variance.add_argument("--degrees", default="1-10", help="polynomial degrees, e.g. 1-10 or 1,3,5")
    bias_variance.add_argument("--ridge-degree", type=int, default=10, help="degree of the ridge-regularised polynomial")
    bias_variance.add_argument("--lambdas", default="1e-6,1e-4,1e-2,1,10,100,1000", help="ridge λ values, comma-separated")
    bias_variance.add_argument("--n-train", type=int, default=30, help="training points per round (default 30)")
    bias_variance.add_argument("--noise", type=float, default=0.002, help="noise standard deviation in eV (default 0.002)")
    bias_variance.add_argument("--rounds", type=int, default=200, help="training sets drawn (default 200)")
    bias_variance.add_argument("--seed", type=int, default=0, help="seed of the noise and the draws (default 0)")
    bias_variance.add_argument("--out", help="CSV of the table")
    bias_variance.set_defaults(handler=_bias_variance)

    models = commands.add_parser("models", help="the models `fit` knows, with what they tune")
    models.set_defaults(handler=_models)

    add_explain_parsers(commands)
    add_simulate_parsers(commands)
    add_forcefield_parsers(commands)
    add_demo_parsers(commands)
    return parser


def _datasets_list(args: argparse.Namespace) -> int:
    from atomlearn.datasets import available

    console.print(_table(available(), "bundled datasets"))
    return 0


def _datasets_info(args: argparse.Namespace) -> int:
    import pandas as pd

    from atomlearn.datasets.base import LazyStructures, load_each

    dataset = _load(args.name)
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
    console.print(_table(columns))
    for note in summary["notes"]:
        console.print(f"note: {note}")
    console.print(f"cite: {summary['citation'] or '-'}\nsource: {summary['source']}")
    return 0


def _datasets_export(args: argparse.Namespace) -> int:
    from atomlearn.datasets import export_dataset

    dataset = _load(args.name)
    if args.n is not None:
        dataset = dataset.sample(args.n, random_state=args.seed)
    counts = export_dataset(dataset, args.out)
    console.print(f"wrote {counts['structures']} structures and {counts['label_rows']} label rows to {args.out}"
                  + (f" ({counts['errors']} load problems in errors.csv)" if counts["errors"] else ""))
    return 0


def _cache_info(args: argparse.Namespace) -> int:
    from atomlearn.cache import cache_dir, cache_info

    console.print(f"cache folder: {cache_dir()}")
    console.print(_table(cache_info()))
    return 0


def _cache_clear(args: argparse.Namespace) -> int:
    from atomlearn.cache import clear_cache

    for line in clear_cache(what=args.what):
        console.print(f"removed {line}")
    return 0


def _featurizer_list() -> int:
    from atomlearn.featurizers import FEATURIZERS
    from atomlearn.featurizers.base import RUNTIME_PARAMS

    table = Table(title="featurizers", show_lines=True)
    for column in ("name", "parameters (defaults)", "invariant to", "cite"):
        table.add_column(column, overflow="fold")
    for name, cls in FEATURIZERS.items():
        featurizer = cls()
        params = ", ".join(f"{k}={v!r}" for k, v in featurizer.get_params().items() if k not in RUNTIME_PARAMS)
        table.add_row(name, params, ", ".join(sorted(featurizer.symmetries)) or "nothing", "\n".join(featurizer.citations()) or "-")
    console.print(table)
    return 0


def _featurize(args: argparse.Namespace) -> int:
    from pathlib import Path

    import numpy as np
    import pandas as pd

    from atomlearn.atomic import atomic_file, write_csv_atomic
    from atomlearn.featurizers import featurize_table, make_featurizer
    from atomlearn.featurizers.invariance import check
    from atomlearn.featurizers.table import complete_rows

    if args.list:
        return _featurizer_list()
    if not args.dataset:
        raise ValueError("give a dataset (a bundled name, a folder or an ASE database), or --list")
    names = [name.strip() for name in args.featurizer.split(",") if name.strip()]
    params = _featurizer_params(args.set, names)
    featurizers = [make_featurizer(name, n_jobs=args.n_jobs, scheduler=args.scheduler, cache=not args.no_cache, **params[name])
                   for name in names]
    dataset = _load(args.dataset, args)
    if args.n is not None:
        dataset = dataset.sample(args.n, random_state=args.seed)
    features, errors = featurize_table(featurizers, dataset.structures, dataset.ids)
    complete = complete_rows(features)
    unread = dataset.errors[~dataset.errors["item_id"].astype(str).isin(features.index.astype(str))]
    errors = pd.concat([unread, errors], ignore_index=True)  # every input: read, matched and featurized, or here
    n_in = len(features) + unread["item_id"].nunique()
    console.print(f"{n_in} inputs in: {int(complete.sum())} featurized by all of {', '.join(names)}, "
                  f"{n_in - int(complete.sum())} failed ({unread['item_id'].nunique()} not read or without a label row, "
                  f"{int((~complete).sum())} with a featurizer failure; {features.shape[1]} columns)")
    for row in errors.head(10).itertuples(index=False):
        console.print(escape(f"  failed: {row.item_id} [{row.stage}] {row.reason}"), highlight=False)
    if len(errors) > 10:
        console.print(f"  ... and {len(errors) - 10} more (see the errors CSV)")
    if args.out:
        out = Path(args.out)
        with atomic_file(out) as partial:  # whole or not at all: a killed run leaves an earlier table intact
            features.to_csv(partial) if out.suffix == ".csv" else features.to_parquet(partial)
        errors_path = out.with_name(out.stem + ".errors.csv")
        write_csv_atomic(errors, errors_path)
        console.print(f"features written to {out}, errors to {errors_path}")
    if args.check_invariance:
        sample = dataset.take(np.flatnonzero(complete)[: args.check_n]).structures  # loaded and featurized fine
        if not len(sample):
            raise ValueError("no structure was featurized without error, so invariance cannot be checked")
        for featurizer in featurizers:
            console.print(_table(check(featurizer, sample), f"invariance of {featurizer.name} on {len(sample)} structures"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
