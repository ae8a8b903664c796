"""GCMC labels and an active screen on an external dask.distributed cluster: the same rows as a local run?

Starts a scheduler and ``--workers`` single-threaded workers as separate processes (``dask scheduler``,
``dask worker``: what a cluster's nodes run), then runs the user's commands twice, locally with
``--n-jobs`` workers and with ``--scheduler``:

1. ``atomlearn charges coremof2019 --n N`` (EQeq, once, local) -> charged CIFs;
2. ``atomlearn simulate gcmc charged/ --mixture CO2:0.15,N2:0.85 --pressure 1`` (the label set's settings);
3. ``atomlearn screen charged/ --label gcmc:CO2:0.15,N2:0.85@1bar --budget B --batch 5``.

Prints one JSON line per run (wall time, MOFs per second per worker) and a summary: whether every GCMC row
and every screen decision and label are identical, and the wall time the measured per-MOF cost gives for all
12,020 CoRE MOFs on 100 and 1,000 cores.

    python benchmarks/bench_dask_gcmc.py --n 50 > benchmarks/results/dask_gcmc_DATE.jsonl
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

#: columns that hold timings, not results
TIMING = ("time_s", "gcmc_time_s", "seconds")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=50, help="CoRE MOF 2019 MOFs (random, seed 0)")
    parser.add_argument("--workers", type=int, default=2, help="dask workers, and local --n-jobs")
    parser.add_argument("--budget", type=int, default=20, help="labels of the active screen")
    parser.add_argument("--cycles", type=int, default=500)
    parser.add_argument("--init-cycles", type=int, default=150)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench-dask-"))
    atomlearn = [str(Path(sys.executable).parent / "atomlearn")]
    _run(
        [*atomlearn, "charges", "coremof2019", "--n", str(args.n), "--n-jobs", str(args.workers), "--out", "charged"],
        work,
    )
    n_charged = len(list((work / "charged").glob("*.cif")))
    gcmc = ["--mixture", "CO2:0.15,N2:0.85", "--pressure", "1", "--cycles", str(args.cycles)]
    gcmc += ["--init-cycles", str(args.init_cycles)]
    screen = ["--label", "gcmc:CO2:0.15,N2:0.85@1bar", "--budget", str(args.budget), "--batch", "5"]
    screen += ["--cycles", str(args.cycles), "--init-cycles", str(args.init_cycles)]
    scheduler, workers = _start_cluster(work, args.workers)
    try:
        address = json.loads((work / "scheduler.json").read_text())["address"]
        runs = {}
        for where, placement in (("local", ["--n-jobs", str(args.workers)]), ("dask", ["--scheduler", address])):
            clock = time.perf_counter()
            _run([*atomlearn, "simulate", "gcmc", "charged", *gcmc, *placement, "--out", f"gcmc_{where}.csv"], work)
            gcmc_s = time.perf_counter() - clock
            clock = time.perf_counter()
            _run([*atomlearn, "screen", "charged", *screen, *placement, "--out", f"screen_{where}"], work)
            screen_s = time.perf_counter() - clock
            runs[where] = {"gcmc_s": gcmc_s, "screen_s": screen_s}
            line = {
                "run": where,
                "workers": args.workers,
                "mofs": n_charged,
                "gcmc_wall_s": round(gcmc_s, 1),
                "gcmc_mofs_per_s_per_worker": round(n_charged / gcmc_s / args.workers, 4),
                "screen_wall_s": round(screen_s, 1),
            }
            print(json.dumps(line), flush=True)
    finally:
        for process in (*workers, scheduler):
            process.terminate()
        for process in (*workers, scheduler):
            process.wait(timeout=60)
    local, dask = (pd.read_csv(work / f"gcmc_{w}.csv") for w in ("local", "dask"))
    same_gcmc = _same(local, dask)
    same_screen = all(
        _same(pd.read_csv(work / f"screen_local/{name}"), pd.read_csv(work / f"screen_dask/{name}"))
        for name in ("decisions.csv", "labels.csv", "pool.csv")
    )
    per_mof_core_s = runs["dask"]["gcmc_s"] * args.workers / n_charged
    print(
        json.dumps(
            {
                "summary": True,
                "mofs": n_charged,
                "gcmc_rows_identical": same_gcmc,
                "screen_decisions_and_labels_identical": same_screen,
                "dask_over_local_wall": round(runs["dask"]["gcmc_s"] / runs["local"]["gcmc_s"], 3),
                "core_s_per_mof": round(per_mof_core_s, 2),
                "all_12020_on_100_cores_min": round(12_020 * per_mof_core_s / 100 / 60, 1),
                "all_12020_on_1000_cores_min": round(12_020 * per_mof_core_s / 1000 / 60, 1),
                "folder": str(work),
            }
        )
    )


def _run(command: list[str], folder: Path) -> None:
    """Run a command in ``folder``, with a feature cache of its own (each run computes its features)."""
    cache = folder / f"cache-{command[1]}-{command[-1]}"
    env = {**os.environ, "ATOMLEARN_CACHE_DIR": str(cache)}
    done = subprocess.run(command, cwd=folder, capture_output=True, text=True, env=env)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} exited {done.returncode}:\n{done.stderr[-3000:]}")


def _start_cluster(work: Path, n_workers: int) -> tuple[subprocess.Popen, list[subprocess.Popen]]:
    """A scheduler and single-threaded workers, each its own process, as on a cluster's nodes."""
    file = work / "scheduler.json"
    log = open(work / "cluster.log", "w")  # noqa: SIM115 - open while the processes run
    scheduler = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "dask"),
            "scheduler",
            "--scheduler-file",
            str(file),
            "--port",
            "0",
            "--no-dashboard",
        ],
        stdout=log,
        stderr=log,
    )
    for _ in range(120):
        if file.exists():
            break
        time.sleep(0.5)
    elsewhere = work / "worker-home"  # the workers run in another folder: relative paths would not resolve
    elsewhere.mkdir()
    workers = [
        subprocess.Popen(
            [
                "dask",
                "worker",
                "--scheduler-file",
                str(file),
                "--nthreads",
                "1",
                "--no-dashboard",
                "--memory-limit",
                "0",
            ],
            stdout=log,
            stderr=log,
            cwd=elsewhere,
        )
        for _ in range(n_workers)
    ]
    from dask.distributed import Client

    with Client(scheduler_file=str(file)) as client:
        client.wait_for_workers(n_workers, timeout=120)
    return scheduler, workers


def _same(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    """Equal tables, timing columns aside (NaN equals NaN); rows in the order of round, pick and id (a batch
    writes each row as it finishes, so the file's order is the order of completion)."""
    keep = [c for c in a.columns if not any(c.endswith(t) for t in TIMING)]
    keys = [c for c in ("round", "pick", "id") if c in a.columns]
    if list(a.columns) != list(b.columns) or len(a) != len(b):
        return False
    a, b = (t.sort_values(keys).reset_index(drop=True)[keep] for t in (a, b))
    return a.equals(b)


if __name__ == "__main__":
    main()
