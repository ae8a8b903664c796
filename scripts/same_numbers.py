"""Same numbers before and after a refactor: run the README's fit / predict / simulate examples and the
carbon-capture demo in a small mode at fixed seeds, and compare every number key by key.

    python scripts/same_numbers.py record before/     # on the old tree
    python scripts/same_numbers.py record after/      # on the new tree
    python scripts/same_numbers.py compare before/ after/

Timings, dates, versions and paths are not compared; every other value must be bit-identical.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import subprocess
import sys
import zipfile
from pathlib import Path

import pandas as pd

SIM = "--grid-spacing 0.4 --coarse-grid --n-jobs 1"
COMMANDS = [
    "datasets export qm9 --out new_molecules --n 5 --seed 1",
    "fit qm9 --target U0_atomization_kcal_mol --featurizer bag_of_bonds --model krr_laplacian --split stratified "
    "--nested 3x3 --n 120 --out run/",
    "predict run/ new_molecules/ --out preds.csv",
    "fit coremof2019 --target void_fraction --featurizer racs,composition --model gpr --n 24 --out run_mofs/",
    f"simulate henry coremof2019 --guest CH4 --n 3 --target-error 0.3 {SIM} --out henry.csv",
    "charges coremof2019 --n 3 --n-jobs 1 --out charged/",
    f"simulate henry charged/ --guest CO2 --n 3 --target-error 0.3 {SIM} --out co2_charged.csv",
    f"simulate gcmc charged/ --guest CO2 --pressures 0.01,0.15,1 --n 3 --cycles 40 --init-cycles 10 {SIM} "
    "--out co2_isotherms.csv",
    f"simulate gcmc charged/ --mixture CO2:0.15,N2:0.85 --pressure 1 --n 3 --cycles 40 --init-cycles 10 {SIM} "
    "--out flue_gas.csv",
    "featurize coremof2019 --featurizer energy_histogram --n 4 --n-jobs 1 --out eh.parquet",
    "demo co2 --out demo-co2 --n-simulate 16 --n-screen 80 --shortlist 12 --rounds 1 --batch 3 --confirm 2 "
    "--n-henry 3 --cycles 40 --init-cycles 10 --grid-spacing 0.3 --coarse-grid",
]
#: words in the keys and columns that may differ between two runs of the same code (timings, versions,
#: where it ran); everything else, error bars included, must be identical
IGNORED = (
    "time",
    "second",
    "duration",
    "date",
    "version",
    "path",
    "host",
    "created",
    "elapsed",
    "speed",
    "wall",
    "platform",
    "python",
    "folder",
    "started",
    "finished",
    "threads",
    "report",
    "s_per_",  # gcmc_s_per_structure
    "sha256",  # hashes of files that hold timings, or of skops files (compared by their arrays instead)
)
#: a key that ends so is a duration in seconds (``grid_time_s``, ``timings_s``)
IGNORED_ENDINGS = ("_s", "per_s")


def _ignored(key: str) -> bool:
    key = str(key).lower()
    return any(word in key for word in IGNORED) or key.endswith(IGNORED_ENDINGS)


def _flatten(value, prefix: str, into: dict) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            if not _ignored(key):
                _flatten(item, f"{prefix}.{key}", into)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _flatten(item, f"{prefix}[{index}]", into)
    else:
        into[prefix] = value


def collect(folder: Path) -> dict:
    """Every value of every CSV, parquet and JSON file under ``folder``, flattened to ``file:key``."""
    values: dict = {}
    for path in sorted(folder.rglob("*")):
        name = str(path.relative_to(folder))
        if path.name in ("values.json", "complete.json"):  # ours; the completion record's hashes of the others
            continue
        if path.suffix == ".json":
            try:
                _flatten(json.loads(path.read_text()), name, values)
            except ValueError:
                continue
        elif path.suffix == ".skops":
            # a fitted model: its arrays, by content (skops names them by id() and stamps the zip with the time)
            with zipfile.ZipFile(path) as archive:
                contents = sorted(
                    hashlib.sha256(archive.read(member)).hexdigest()
                    for member in archive.namelist()
                    if member.endswith(".npy")
                )
            values[f"{name}:arrays"] = contents
        elif path.suffix in (".csv", ".parquet"):
            frame = pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path, comment=None)
            # rows that parallel workers append in the order they finish: compared in a fixed order
            frame = frame.iloc[frame.astype(str).apply(tuple, axis=1).argsort(kind="stable")]
            for column in frame.columns:
                if not _ignored(column):
                    for row, value in enumerate(frame[column].tolist()):
                        values[f"{name}:{column}[{row}]"] = value
    return values


def record(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=False)
    for command in COMMANDS:
        print("atomlearn", command, flush=True)
        done = subprocess.run(
            [sys.executable, "-m", "atomlearn.cli", *command.split()], cwd=folder, capture_output=True, text=True
        )
        if done.returncode not in (0, 1):
            sys.exit(f"failed ({done.returncode}): {command}\n{done.stderr[-2000:]}")
    (folder / "values.json").write_text(json.dumps(collect(folder), default=str, indent=0))


def _same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return a == b


def compare(before: Path, after: Path) -> int:
    old = json.loads((before / "values.json").read_text())
    new = json.loads((after / "values.json").read_text())
    differ = [key for key in sorted(old.keys() & new.keys()) if not _same(old[key], new[key])]
    only = sorted(old.keys() ^ new.keys())
    for key in differ[:50]:
        print(f"differs {key}: {old[key]!r} -> {new[key]!r}")
    for key in only[:50]:
        print(f"only in {'before' if key in old else 'after'}: {key}")
    print(f"{len(old)} values before, {len(new)} after: {len(differ)} differ, {len(only)} in one only")
    return 1 if differ or only else 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["record", "compare"])
    parser.add_argument("folders", nargs="+", type=Path)
    args = parser.parse_args()
    if args.action == "record":
        record(args.folders[0])
    else:
        sys.exit(compare(*args.folders[:2]))
