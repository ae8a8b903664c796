"""The charged-guest grid of the featurizers (``energy_histogram``, ``henry_grid``) against Widom insertion.

For random CoRE MOF 2019 structures (at most 600 atoms): the log10 mean Boltzmann factor of CO2 from the
featurizer's grid of points and orientations (EQeq charges, 0.2 Å energy grids) against Widom's
(``widom_henry``: the same force field and charges, its default 0.15 Å grids, 8 Å, no pocket blocking, 5 %
relative error),
for several point spacings and numbers of orientations. Prints one JSON line per structure and a summary
line per setting: mean absolute difference, Spearman ρ, seconds per MOF.

    python benchmarks/bench_guest_grids.py --n 30 > benchmarks/results/guest_grids_DATE.jsonl
"""

from __future__ import annotations

import argparse
import json
import time
import warnings

import numpy as np
from scipy.stats import spearmanr

from atomlearn.datasets import load
from atomlearn.featurizers import EnergyHistogram
from atomlearn.simulate import widom_henry

SETTINGS = [(1.0, 12), (1.0, 48), (0.7, 48)]  # (point spacing in Å, orientations)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=30, help="random CoRE MOFs drawn (those over 600 atoms skipped)")
    parser.add_argument("--guest", default="CO2")
    args = parser.parse_args()
    sample = load("coremof2019").sample(args.n, random_state=3)
    rows = []
    for item_id, atoms in zip(sample.ids, sample.structures):
        if len(atoms) > 600:
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                widom = widom_henry(
                    atoms, args.guest, 298.0, cutoff_A=8.0, block_pockets=False, target_relative_error=0.05
                )
            except ValueError:
                continue  # EQeq refused the structure: the featurizer would refuse it too
            reference = np.log10(widom.boltzmann_average) if widom.boltzmann_average > 0 else float("nan")
            found = []
            for spacing, orientations in SETTINGS:
                featurizer = EnergyHistogram(guest=args.guest, spacing_A=spacing, n_orientations=orientations)
                featurizer.fit([atoms])
                start = time.perf_counter()
                value = float(featurizer.transform([atoms])[0][-1])
                found.append((value, time.perf_counter() - start))
        rows.append((reference, found))
        print(
            json.dumps(
                {
                    "id": item_id,
                    "atoms": len(atoms),
                    "widom_log10_boltzmann": reference,
                    "grid": [
                        {"spacing_A": s, "orientations": o, "log10_boltzmann": v, "seconds": t}
                        for (s, o), (v, t) in zip(SETTINGS, found)
                    ],
                }
            ),
            flush=True,
        )
    reference = np.array([r[0] for r in rows])
    for k, (spacing, orientations) in enumerate(SETTINGS):
        values = np.array([r[1][k][0] for r in rows])
        seconds = np.array([r[1][k][1] for r in rows])
        ok = np.isfinite(values) & np.isfinite(reference)
        print(
            json.dumps(
                {
                    "summary": True,
                    "guest": args.guest,
                    "spacing_A": spacing,
                    "orientations": orientations,
                    "mofs": int(ok.sum()),
                    "mean_abs_difference": round(float(np.abs(values - reference)[ok].mean()), 3),
                    "spearman": round(float(spearmanr(values[ok], reference[ok])[0]), 3),
                    "seconds_per_mof": round(float(seconds.mean()), 3),
                }
            ),
            flush=True,
        )


if __name__ == "__main__":
    main()
