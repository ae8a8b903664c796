"""Compute the bundled CO2/N2 GCMC label set of CoRE MOF 2019 (dataset ``coremof2019-co2``).

The labels go to ``atomlearn/package_data/coremof_co2_gcmc.csv``.
The MOFs are the first ``--n`` of one seeded permutation of CoRE MOF 2019, so a larger ``--n`` extends the set
(the folder keeps every charge and simulation, and each MOF's random stream depends only on the seed and the
pressure). Every MOF gets EQeq charges and one GCMC run of flue gas (15 % CO2 / 85 % N2, 1 bar, 298 K) with the
settings of ``atomlearn demo co2``; MOFs whose charges or simulation failed are kept with their reason.

    python scripts/label_coremof_co2.py --n 600 --work /tmp/co2-labels --n-jobs 2
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from atomlearn.datasets import load
from atomlearn.datasets.coremof_co2 import LABEL_SET_SETTINGS, write_label_set
from atomlearn.workflows.co2_labels import label_sample


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=600, help="MOFs to label (a prefix of the seeded permutation)")
    parser.add_argument("--work", type=Path, required=True, help="folder of the charges and simulations (resumable)")
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--out", type=Path, default=None, help="the label set (default: the package's)")
    args = parser.parse_args()

    database = load("coremof2019")
    order = np.random.default_rng(LABEL_SET_SETTINGS["permutation_seed"]).permutation(len(database))
    sample = database.take(order[: args.n])
    gcmc = {key: LABEL_SET_SETTINGS[key] for key in ("init_cycles", "cycles", "target_relative_error", "random_state")}
    timings: dict[str, float] = {}
    clock = time.perf_counter()
    labels, failures, _, counts = label_sample(
        sample,
        args.work,
        LABEL_SET_SETTINGS["temperature_K"],
        {"n_jobs": args.n_jobs, "progress": True},
        {"charges": "cif", **gcmc},
        timings,
    )
    path = write_label_set(sample.ids, labels, failures, args.out)
    print(f"{counts} in {time.perf_counter() - clock:.0f} s -> {path}")


if __name__ == "__main__":
    main()
