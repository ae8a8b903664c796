"""What the command modules share: the consoles, tables, dataset and featurizer arguments, failure lists."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from atomlearn.validation import (
    check_count,
    check_finite,
    check_fraction,
    check_n_jobs,
    check_non_negative,
    check_positive,
    check_share,
    check_temperature,
)

if TYPE_CHECKING:
    import pandas as pd

    from atomlearn.datasets import Dataset
    from atomlearn.featurizers.base import Featurizer


def _console(stderr: bool = False) -> Console:
    """A rich console that wraps lines on a terminal only: a line written to a file or a pipe stays one line."""
    stream = sys.stderr if stderr else sys.stdout
    return Console(stderr=stderr, soft_wrap=not (hasattr(stream, "isatty") and stream.isatty()))


console = _console()
error_console = _console(stderr=True)

#: failures printed in full before "... and N more"
SHOWN_FAILURES = 10


def add_data_arguments(command: argparse.ArgumentParser) -> None:
    """Add the dataset, target, featurizer and sampling arguments that ``fit`` and ``curve`` share.

    Parameters
    ----------
    command : argparse.ArgumentParser
        The subcommand's parser; gains ``dataset``, ``--labels``, ``--id-column``, ``--target``,
        ``--featurizer``, ``--set``, ``--n``, ``--seed``, ``--n-jobs`` and ``--scheduler``.
    """
    command.add_argument("dataset", nargs="?", help="bundled dataset name, a folder or an ASE database file")
    command.add_argument("--dataset", dest="dataset_option", help=argparse.SUPPRESS)  # older spelling
    add_folder_arguments(command)
    command.add_argument("--target", required=True, help="label column to predict")
    command.add_argument(
        "--featurizer",
        default="element_fraction",
        help="one or more names, comma-separated (default element_fraction; see `atomlearn featurize --list`)",
    )
    command.add_argument(
        "--set", action="append", default=[], metavar="NAME.PARAM=VALUE", help="featurizer parameter (JSON value)"
    )
    command.add_argument("--n", type=COUNT, help="use a random sample of this many structures")
    command.add_argument(
        "--seed", type=COUNT_OR_ZERO, default=0, help="random seed for sampling, splitting and models (default 0)"
    )
    add_worker_arguments(command, "worker processes for featurizing (-1: all cores)")


def add_folder_arguments(command: argparse.ArgumentParser, labels: str | None = "labels.csv") -> None:
    """Add ``--labels`` and ``--id-column``: how a folder dataset's labels CSV is found and keyed.

    Parameters
    ----------
    command : argparse.ArgumentParser
        The subcommand's parser.
    labels : str or None
        Default of ``--labels`` (None: a folder without labels is fine).
    """
    where = "looked up inside the folder, else as given" + (f" (default {labels})" if labels else " (optional)")
    command.add_argument("--labels", default=labels, help=f"labels CSV of a folder dataset: {where}")
    command.add_argument("--id-column", default="id", help="id column of the labels CSV (default id)")


def add_worker_arguments(
    command: argparse.ArgumentParser, help_n_jobs: str = "worker processes (-1: all cores)"
) -> None:
    """Add ``--n-jobs`` and ``--scheduler`` (local processes, or an existing Dask cluster)."""
    command.add_argument("--n-jobs", type=N_JOBS, default=1, help=help_n_jobs)
    command.add_argument("--scheduler", help="address of a dask.distributed scheduler (or $ATOMLEARN_SCHEDULER)")


def add_label_simulation_arguments(command: argparse.ArgumentParser) -> None:
    """Add the GCMC and Widom settings of the commands that compute labels (``demo co2``, ``screen``): cycles,
    target error and energy grid."""
    command.add_argument("--init-cycles", type=COUNT_OR_ZERO, default=150, help="GCMC equilibration (default 150)")
    command.add_argument("--cycles", type=COUNT, default=500, help="GCMC cycles to sample, at most (default 500)")
    command.add_argument(
        "--target-error",
        type=FRACTION,
        default=0.05,
        help="stop sampling at this relative error of K_H or of every GCMC loading (default 0.05)",
    )
    command.add_argument("--grid-spacing", type=POSITIVE, default=0.15, help="energy grid spacing in Å (default 0.15)")
    command.add_argument(
        "--coarse-grid",
        action="store_true",
        help="allow a grid coarser than 0.2 Å for a quick test (its points are marked unconverged)",
    )


def add_choice_arguments(command: argparse.ArgumentParser, verb: str) -> None:
    """Add ``--ids FILE`` and ``--n N`` (one or the other): which structures of the dataset to ``verb``."""
    picked = command.add_mutually_exclusive_group()
    picked.add_argument("--ids", help=f"file with the structure ids to {verb}, one per line")
    picked.add_argument("--n", type=COUNT, help=f"{verb} a random sample of this many structures")


def chosen_structures(dataset: Dataset, args: argparse.Namespace) -> Dataset:
    """The structures ``--ids`` lists (listed but unreadable ones become failures), or a ``--n`` sample (``--seed``)."""
    if args.ids:
        return _listed(dataset, args.ids, args.dataset)
    if args.n is not None:
        return dataset.sample(args.n, random_state=args.seed)
    return dataset


def _listed(dataset: Dataset, ids_file: str, name: str) -> Dataset:
    """The structures an ids file lists (one id per line); listed but unreadable ones become the run's failures."""
    path = Path(ids_file)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such ids file (one structure id per line)")
    wanted = [line.strip() for line in path.read_text().splitlines() if line.strip()]
    unread = dataset.errors[dataset.errors["item_id"].astype(str).isin(wanted)]
    known = set(dataset.ids)
    unknown = [i for i in wanted if i not in known and i not in set(unread["item_id"].astype(str))]
    if unknown:
        raise ValueError(f"{path}: {len(unknown)} ids are not in {name}, e.g. {', '.join(unknown[:3])}")
    listed = dataset.subset([i for i in wanted if i in known])
    listed.errors = unread.reset_index(drop=True)  # requested but unreadable: failures of this run
    return listed


def dataset_and_featurizers(args: argparse.Namespace) -> tuple[Dataset, list[Featurizer]]:
    """The dataset and the featurizers that :func:`add_data_arguments`'s options name.

    Returns
    -------
    dataset : atomlearn.datasets.Dataset
    featurizers : list of Featurizer
        Unfitted, one per comma-separated name, with their ``--set`` parameters.
    """
    name = args.dataset or args.dataset_option
    if not name:
        raise ValueError("give a dataset: a bundled name (see `atomlearn datasets list`), a folder or an ASE database")
    return load_dataset(name, args), make_featurizers(
        args.featurizer, args.set, n_jobs=args.n_jobs, scheduler=args.scheduler
    )


def make_featurizers(names: str, settings: Sequence[str], **runtime: Any) -> list[Featurizer]:
    """Featurizers from ``--featurizer a,b`` and ``--set a.param=value`` options.

    Parameters
    ----------
    names : str
        Comma-separated featurizer names.
    settings : sequence of str
        ``NAME.PARAM=VALUE`` settings, values in JSON (anything else is taken as text).
    **runtime
        Runtime parameters for every featurizer (``n_jobs``, ``scheduler``, ``cache``).
    """
    from atomlearn.featurizers import make_featurizer

    listed = [name.strip() for name in names.split(",") if name.strip()]
    params = featurizer_params(settings, listed)
    return [make_featurizer(name, **runtime, **params[name]) for name in listed]


def load_dataset(name: str, args: argparse.Namespace | None = None) -> Dataset:
    """A bundled dataset by name, or a folder / ASE database with the ``--labels``, ``--id-column`` options of
    ``args``."""
    from atomlearn.datasets import DATASETS, load

    if name in DATASETS or args is None:
        return load(name)
    return load(
        name,
        labels=args.labels,
        id_column=args.id_column,
        n_jobs=args.n_jobs,
    )


def table(frame: pd.DataFrame, title: str | None = None) -> Table:
    """A rich table of a data frame: floats to 4 significant digits, everything else as text."""
    shown = Table(title=title)
    for column in frame.columns:
        shown.add_column(str(column))
    for row in frame.itertuples(index=False):
        shown.add_row(*(f"{v:.4g}" if isinstance(v, float) else str(v) for v in row))
    return shown


def print_failures(failures: pd.DataFrame | Iterable[Mapping[str, object]], where: str) -> None:
    """Print the first failures as ``failed: ID [STAGE] REASON`` lines, then how many more and where they all are.

    Parameters
    ----------
    failures : DataFrame or iterable of mappings
        Records with ``item_id``, ``stage`` and ``reason``.
    where : str
        Where the full list is, e.g. ``"errors.csv of the run folder"``.
    """
    records = failures.to_dict("records") if hasattr(failures, "to_dict") else list(failures)
    for record in records[:SHOWN_FAILURES]:
        console.print(escape(f"  failed: {record['item_id']} [{record['stage']}] {record['reason']}"), highlight=False)
    if len(records) > SHOWN_FAILURES:
        console.print(f"  ... and {len(records) - SHOWN_FAILURES} more ({where} lists them all)")


def featurizer_params(settings: Sequence[str], names: Sequence[str]) -> dict[str, dict[str, object]]:
    """Parse ``NAME.PARAM=VALUE`` settings into one parameter dict per featurizer name.

    Raises
    ------
    ValueError
        For a setting without a dot or ``=``, or naming a featurizer not in ``names``.
    """
    params: dict[str, dict[str, object]] = {name: {} for name in names}
    for setting in settings:
        key, separator, raw = setting.partition("=")
        name, dot, param = key.partition(".")
        if not separator or not dot or name not in params:
            raise ValueError(f"--set {setting!r}: write NAME.PARAM=VALUE with NAME one of {', '.join(names)}")
        params[name][param] = json_or_text(raw)
    return params


def model_params(settings: Sequence[str]) -> dict[str, object]:
    """Parse ``--param NAME=VALUE`` settings (JSON values; anything else is kept as text)."""
    params: dict[str, object] = {}
    for setting in settings:
        name, separator, raw = setting.partition("=")
        if not separator or not name:
            raise ValueError(f"--param {setting!r}: write NAME=VALUE, e.g. max_epochs=100")
        params[name.strip()] = json_or_text(raw)
    return params


def parse_nested(text: str | None) -> tuple[int, int] | None:
    """``"5x5"`` -> ``(5, 5)``: outer and inner folds of nested cross-validation (None stays None)."""
    if text is None:
        return None
    outer, separator, inner = text.lower().partition("x")
    if not (separator and outer.isdigit() and inner.isdigit() and int(outer) >= 2 and int(inner) >= 2):
        raise ValueError(f"--nested {text!r}: write OUTERxINNER with both at least 2, e.g. 5x5")
    return int(outer), int(inner)


def json_or_text(raw: str) -> object:
    """A command-line value as JSON when it parses (numbers, lists, true/false), else the text itself."""
    import json

    try:
        return json.loads(raw)
    except json.JSONDecodeError:
        return raw


def _checked(
    check: Callable[..., Any], convert: Callable[[str], Any], *args: Any, bad: tuple[str, ...] = ()
) -> Callable[[str], Any]:
    """An argparse ``type``: the text converted, then range-checked by an ``atomlearn.validation`` check.

    ``bad`` lists values it refuses (the CLI test feeds each numeric option its own)."""

    def parse(text: str) -> Any:
        try:
            value = convert(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a {'whole ' if convert is int else ''}number: {text!r}") from None
        try:
            return check(value, *args)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    parse.__name__ = check.__name__.removeprefix("check_")
    parse.__doc__ = (
        f"argparse type: the text as {convert.__name__}, then ``{check.__name__}`` (refuses {', '.join(bad)})"
    )
    parse.bad_values = ("x", *bad)  # type: ignore[attr-defined]
    return parse


#: argparse types of every numeric option: each range-checked where it is parsed (``atomlearn.validation``)
TEMPERATURE = _checked(check_temperature, float, bad=("0", "-5", "nan", "inf"))
POSITIVE = _checked(check_positive, float, "the value", bad=("0", "-1", "nan", "inf"))
NON_NEGATIVE = _checked(check_non_negative, float, "the value", bad=("-1", "nan", "inf"))
FRACTION = _checked(check_fraction, float, "the value", bad=("0", "1", "-0.5", "nan"))
SHARE = _checked(check_share, float, "the value", bad=("-0.1", "1.5", "nan"))
FINITE = _checked(check_finite, float, "the value", bad=("nan", "inf", "-inf"))
COUNT = _checked(check_count, int, "the value", bad=("0", "-3", "1.5"))
COUNT_OR_ZERO = _checked(check_count, int, "the value", 0, bad=("-1", "1.5"))
N_JOBS = _checked(check_n_jobs, int, "the value", bad=("0", "-2", "1.5"))
INTEGER = _checked(lambda value: value, int, bad=("1.5",))
INTEGER.__name__, INTEGER.__doc__ = "integer", "argparse type: any whole number (an index, a charge)"
