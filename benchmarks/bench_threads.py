"""Threads against a competing load: xTB force evaluations of aspirin with the default number of
threads (all cores) and with one thread, on an idle machine and while one busy process per core
competes, side by side in one run. Prints one JSON line per case and the ratio.

Usage: python benchmarks/bench_threads.py [--calls 30]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import subprocess
import sys

CHILD = """
import time
from atomlearn.threads import set_threads
set_threads({threads})
from atomlearn.simulate.xtb import xtb_calculator
from atomlearn.structures import from_smiles
atoms = from_smiles("CC(=O)Oc1ccccc1C(=O)O")
atoms.calc = xtb_calculator()
atoms.get_forces()
start = time.perf_counter()
for k in range({calls}):
    atoms.positions[0, 0] += 1e-4
    atoms.get_forces()
print((time.perf_counter() - start) / {calls} * 1000)
"""


def _busy() -> None:
    while True:
        pass


def ms_per_call(threads: int, calls: int) -> float:
    done = subprocess.run(
        [sys.executable, "-c", CHILD.format(threads=threads, calls=calls)], capture_output=True, text=True, check=True
    )
    return float(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=30)
    args = parser.parse_args()
    from atomlearn.threads import available_cores

    cores = available_cores()
    for load in ("idle", "busy"):
        workers = [multiprocessing.Process(target=_busy, daemon=True) for _ in range(cores if load == "busy" else 0)]
        for worker in workers:
            worker.start()
        try:
            times = {threads: ms_per_call(threads, args.calls) for threads in (cores, 1)}
        finally:
            for worker in workers:
                worker.terminate()
        for threads, ms in times.items():
            print(
                json.dumps(
                    {"what": "xTB forces, aspirin", "machine": load, "threads": threads, "ms_per_call": round(ms, 2)}
                )
            )
        print(json.dumps({"machine": load, f"{cores}_threads_over_1": round(times[cores] / times[1], 2)}))


if __name__ == "__main__":
    main()
