"""``atomlearn predict RUN FILES...``: featurize new structure files and predict with a fitted run's bundle."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from rich.markup import escape

from atomlearn.cli.common import N_JOBS, console, error_console, table


def register(commands: argparse._SubParsersAction) -> None:
    """Add the ``predict`` command to ``commands``."""
    predict = commands.add_parser("predict", help="featurize new structure files and predict with a fitted run")
    predict.add_argument("run", help="run folder of `atomlearn fit --out` (or its bundle folder)")
    predict.add_argument("files", nargs="+", help="structure files or folders of them")
    predict.add_argument("--out", help="predictions CSV (default: print them)")
    predict.add_argument("--n-jobs", type=N_JOBS, default=1, help="worker processes (-1: all cores)")
    predict.set_defaults(handler=_predict)


def structure_files(paths: Sequence[str]) -> list[Path]:
    """The structure files named, folders expanded to the structure files inside, each file once, in order.

    Raises
    ------
    FileNotFoundError
        For a path that does not exist.
    ValueError
        When no structure file is found at all.
    """
    from atomlearn.datasets.folder import is_structure_file

    files = []
    for name in paths:
        path = Path(name)
        if path.is_dir():
            files += sorted(p for p in path.iterdir() if p.is_file() and is_structure_file(p))
        elif path.exists():
            files.append(path)
        else:
            raise FileNotFoundError(f"{name}: no such file or folder")
    if not files:
        raise ValueError(f"no structure files found in {', '.join(paths)}")
    return list(dict.fromkeys(files))  # a file named twice (also inside a given folder) is read once


def _predict(args: argparse.Namespace) -> int:
    from atomlearn.files import write_csv_atomic
    from atomlearn.runs.bundle import load_bundle

    bundle = load_bundle(args.run)
    names = [str(f) for f in structure_files(args.files)]
    frame = _predictions(bundle, names, args.n_jobs)
    unit = bundle.card.get("target_unit", "")
    n_failed = int((frame["error"] != "").sum())
    console.print(
        f"{len(frame)} files in: {len(frame) - n_failed} predicted, {n_failed} failed "
        f"({bundle.card.get('target', 'y')}{f' in {unit}' if unit else ''}; model {bundle.card['model']['name']}, "
        f"trained on {_n_trained(bundle.card)} structures of {bundle.card['dataset']})"
    )
    if args.out:
        write_csv_atomic(frame, args.out)
        console.print(f"predictions written to {args.out}")
    else:
        console.print(table(frame))
    if n_failed == len(frame):  # nothing predicted: say why, grouped, and fail
        reasons = frame["error"].str.replace(r"^([^:]+: [^:]+):.*$", r"\1", regex=True).value_counts()
        for reason, count in reasons.head(5).items():
            error_console.print(escape(f"  {count} x {reason}"), highlight=False)
        raise ValueError(f"none of the {len(frame)} files could be predicted (reasons above; all in the table)")
    return 0


def _predictions(bundle, names: list[str], n_jobs: int):
    """One row per file, in the order given: file, id, y_pred and the error ('' when predicted)."""
    import pandas as pd

    from atomlearn.parallel import parallel_map
    from atomlearn.structures import read_structure

    read = parallel_map(read_structure, names, ids=names, n_jobs=n_jobs, stage="read", description="reading")
    readable = [i for i, atoms in enumerate(read.results) if atoms is not None]
    predicted = (
        bundle.predict([read.results[i] for i in readable], [names[i] for i in readable], n_jobs=n_jobs)
        if readable
        else pd.DataFrame(columns=["id", "y_pred", "error"])
    )
    unread = pd.DataFrame({"id": [e.item_id for e in read.errors], "error": [f"read: {e.reason}" for e in read.errors]})
    frame = pd.concat([predicted, unread], ignore_index=True).rename(columns={"id": "file"})
    frame.insert(1, "id", [Path(name).stem for name in frame["file"]])
    return frame.set_index("file").loc[names].reset_index()


def _n_trained(card: dict) -> object:
    """Training structures of a bundle: the split's training part (older cards: all used)."""
    return card.get("split", {}).get("n_train", card.get("counts", {}).get("used", "?"))
