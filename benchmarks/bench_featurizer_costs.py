"""Cost per structure of every featurizer (``atomlearn featurize --list``), for the guide's table.

Each featurizer, at its defaults, one process (``n_jobs=1``, no cache), fitted and applied to the
same random QM9 molecules (mean 18 atoms) and CoRE MOF 2019 structures (those of at most 300
atoms), where it applies. Prints one JSON line per featurizer and kind:
``ms_per_structure`` (wall time of ``fit_transform`` divided by the structures), how many
featurized and how many it refused. The guide (docs/guide/featurizers.md) shows the newest
``benchmarks/results/featurizer_costs_*.jsonl``.

Energy histograms also for CO2 and N2 (three sites, charged: EQeq charges, 48 orientations per point).

    python benchmarks/bench_featurizer_costs.py --molecules 200 --mofs 20 \
        > benchmarks/results/featurizer_costs_DATE.jsonl
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
import warnings

import numpy as np

from atomlearn.datasets import load
from atomlearn.featurizers import FEATURIZERS

MOLECULES_ONLY = {"coulomb_matrix", "bag_of_bonds", "fchl19", "morgan", "rdkit2d", "cartesian"}
CRYSTALS_ONLY = {"pores", "coremof_pores", "energy_histogram", "henry_grid"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--molecules", type=int, default=200)
    parser.add_argument("--mofs", type=int, default=20)
    args = parser.parse_args()
    molecules = load("qm9").sample(args.molecules, random_state=0).structures.materialize()
    sample = load("coremof2019").sample(args.mofs * 3, random_state=0).structures.materialize()
    mofs = [m for m in sample if len(m) <= 300][: args.mofs]
    mof_ids = [m.info.get("id") for m in mofs]
    machine = {"cpu": platform.processor() or platform.machine(), "cores": os.cpu_count()}
    variants = [(name, {}) for name in FEATURIZERS.builtin()]
    variants += [(name, {"guest": guest}) for name in ("energy_histogram", "henry_grid") for guest in ("CO2", "N2")]
    for name, extra in variants:
        for kind, structures in (("molecule", molecules), ("crystal", mofs)):
            if (kind == "molecule" and name in CRYSTALS_ONLY) or (kind == "crystal" and name in MOLECULES_ONLY):
                continue
            params = {"scopes": ["full"]} if (name == "racs" and kind == "molecule") else {}
            featurizer = FEATURIZERS.create(name, n_jobs=1, cache=False, **params, **extra)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                start = time.perf_counter()
                X = featurizer.fit_transform(structures)
                seconds = time.perf_counter() - start
            ok = int(np.isfinite(np.asarray(X, dtype=float)).all(axis=1).sum())
            print(
                json.dumps(
                    {
                        "featurizer": name,
                        "params": extra,
                        "kind": kind,
                        "structures": len(structures),
                        "mean_atoms": round(float(np.mean([len(s) for s in structures])), 1),
                        "ms_per_structure": round(1000 * seconds / len(structures), 3),
                        "featurized": ok,
                        "refused": len(structures) - ok,
                        "n_features": int(np.asarray(X).shape[1]),
                        "ids": mof_ids if kind == "crystal" else None,
                        **machine,
                    }
                ),
                flush=True,
            )


if __name__ == "__main__":
    main()
