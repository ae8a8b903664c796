"""What the command-line modules share: the consoles, table printing, dataset and featurizer arguments."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table

if TYPE_CHECKING:
    import pandas as pd

console = Console()
error_console = Console(stderr=True)


def _add_data_arguments(command: argparse.ArgumentParser) -> None:
    """Dataset, target, featurizers and sampling: shared by fit and curve."""
    command.add_argument("dataset", nargs="?", help="bundled dataset name, a folder or an ASE database file")
    command.add_argument("--dataset", dest="dataset_option", help=argparse.SUPPRESS)  # older spelling
    command.add_argument("--labels", default="labels.csv",
                         help="labels CSV of a folder dataset: looked up inside the folder, else as given (default labels.csv)")
    command.add_argument("--id-column", default="id", help="id column of the labels CSV (default id)")
    command.add_argument("--target", required=True, help="label column to predict")
    command.add_argument("--featurizer", default="element_fraction", help="one or more names, comma-separated (default element_fraction; see `atomlearn featurize --list`)")
    command.add_argument("--set", action="append", default=[], metavar="NAME.PARAM=VALUE", help="featurizer parameter (JSON value)")
    command.add_argument("--n", type=int, help="use a random sample of this many structures")
    command.add_argument("--seed", type=int, default=0, help="random seed for sampling, splitting and models (default 0)")
    command.add_argument("--n-jobs", type=int, default=1, help="worker processes for featurizing (-1: all cores)")
    command.add_argument("--scheduler", help="address of a dask.distributed scheduler (or $ATOMLEARN_SCHEDULER)")


def _dataset_and_featurizers(args: argparse.Namespace):
    from atomlearn.featurizers import make_featurizer

    name = args.dataset or args.dataset_option
    if not name:
        raise ValueError("give a dataset: a bundled name (see `atomlearn datasets list`), a folder or an ASE database")
    names = [n.strip() for n in args.featurizer.split(",") if n.strip()]
    params = _featurizer_params(args.set, names)
    featurizers = [make_featurizer(n, n_jobs=args.n_jobs, scheduler=args.scheduler, **params[n]) for n in names]
    return _load(name, args), featurizers


def _load(name: str, args: argparse.Namespace | None = None):
    from atomlearn.datasets import BUNDLED, load

    if name in BUNDLED or args is None:
        return load(name)
    return load(name, labels=args.labels, id_column=args.id_column, n_jobs=args.n_jobs, scheduler=args.scheduler)


def _table(frame: pd.DataFrame, title: str | None = None) -> Table:
    table = Table(title=title)
    for column in frame.columns:
        table.add_column(str(column))
    for row in frame.itertuples(index=False):
        table.add_row(*(f"{v:.4g}" if isinstance(v, float) else str(v) for v in row))
    return table


def _featurizer_params(settings: Sequence[str], names: Sequence[str]) -> dict[str, dict[str, object]]:
    params: dict[str, dict[str, object]] = {name: {} for name in names}
    for setting in settings:
        key, separator, raw = setting.partition("=")
        name, dot, param = key.partition(".")
        if not separator or not dot or name not in params:
            raise ValueError(f"--set {setting!r}: write NAME.PARAM=VALUE with NAME one of {', '.join(names)}")
        params[name][param] = _json_or_text(raw)
    return params


def _model_params(settings: Sequence[str]) -> dict[str, object]:
    """``--param NAME=VALUE`` settings (JSON values; anything else is kept as text)."""
    params: dict[str, object] = {}
    for setting in settings:
        name, separator, raw = setting.partition("=")
        if not separator or not name:
            raise ValueError(f"--param {setting!r}: write NAME=VALUE, e.g. max_epochs=100")
        params[name.strip()] = _json_or_text(raw)
    return params


def _json_or_text(raw: str) -> object:
    import json

    try:
        return json.loads(raw)
    except json.JSONDecodeError:
        return raw
