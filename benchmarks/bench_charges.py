"""EQeq charges: atomlearn against pyeqeq (the EQeq authors' C++ code, PyPI ``pyeqeq``) on random
CoRE MOF 2019 frameworks, side by side in one run, both on one thread.

For each framework: the time of each, the mean and largest absolute charge difference (e), and one
JSON line; then a summary line with the total time ratio. pyeqeq gets the same P1 CIF with type
symbols that atomlearn writes (it crashes on symmetric CIFs and misreads CIFs without them).

Where the two differ by more than rounding, the cause is pyeqeq's lattice sum: an Ewald split
η = 50 Å over ±2 cells (and ±2 reciprocal vectors) is far from converged when a cell axis is short;
atomlearn's sum is converged (it gives the Madelung constants of NaCl and CsCl to 1e-8, tested) and
with pyeqeq's truncated sum the same equations give pyeqeq's charges to its 0.001 e rounding
(``tests/simulate/test_charges.py``).

Usage: python benchmarks/bench_charges.py [--n 24] [--max-atoms 500] [--seed 0]
           [--write-reference tests/physics/data/eqeq_pyeqeq_reference.csv --reference-ids A,B]
Needs ``pip install "pybind11>=2.11"; pip install --no-build-isolation pyeqeq``.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
import warnings

import numpy as np


def pyeqeq_charges(cif: str) -> np.ndarray:
    """pyeqeq's EQeq charges (its defaults: λ 1.2, hydrogen EA -2 eV, Ewald, 3 decimals) of a CIF text."""
    from pyeqeq import run_on_cif

    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "framework.cif")
        with open(path, "w") as handle:
            handle.write(cif)
        return np.array(run_on_cif(path, verbose=False), dtype=float)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=24, help="frameworks (default 24)")
    parser.add_argument(
        "--max-atoms", type=int, default=500, help="skip larger cells (pyeqeq is O(N²) with a large constant)"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--write-reference", help="CSV of pyeqeq's charges of --reference-ids (a test fixture)")
    parser.add_argument("--reference-ids", default="", help="comma-separated CoRE MOF ids for --write-reference")
    args = parser.parse_args()

    from atomlearn.threads import set_threads

    set_threads(1)
    warnings.simplefilter("ignore")
    from atomlearn.datasets import load
    from atomlearn.physics.charges import eqeq_charges
    from atomlearn.structures import cif_text

    database = load("coremof2019")
    order = np.random.default_rng(args.seed).permutation(len(database))
    rows, tried = [], 0
    for index in order:
        if len(rows) >= args.n:
            break
        atoms = database.structures[int(index)]
        if len(atoms) > args.max_atoms:
            continue
        tried += 1
        name = database.ids[int(index)]
        text = cif_text(atoms, name)
        clock = time.perf_counter()
        try:
            ours = eqeq_charges(atoms)
        except ValueError as exc:
            print(json.dumps({"id": name, "atomlearn_error": str(exc)}), flush=True)
            continue
        ours_s = time.perf_counter() - clock
        clock = time.perf_counter()
        theirs = pyeqeq_charges(text)
        theirs_s = time.perf_counter() - clock
        if len(theirs) != len(ours):
            print(json.dumps({"id": name, "pyeqeq_error": f"{len(theirs)} charges for {len(ours)} atoms"}), flush=True)
            continue
        difference = np.abs(ours - theirs)
        row = {
            "id": name,
            "atoms": len(atoms),
            "mad_e": round(float(difference.mean()), 4),
            "max_e": round(float(difference.max()), 4),
            "shortest_axis_A": round(float(atoms.cell.lengths().min()), 2),
            "atomlearn_s": round(ours_s, 4),
            "pyeqeq_s": round(theirs_s, 3),
        }
        rows.append(row)
        print(json.dumps(row), flush=True)
    mad = np.array([r["mad_e"] for r in rows])
    ours_total, theirs_total = sum(r["atomlearn_s"] for r in rows), sum(r["pyeqeq_s"] for r in rows)
    print(
        json.dumps(
            {
                "summary": True,
                "frameworks": len(rows),
                "tried": tried,
                "mean_mad_e": round(float(mad.mean()), 4),
                "median_mad_e": round(float(np.median(mad)), 4),
                "frameworks_mad_below_0.02": int((mad <= 0.02).sum()),
                "atomlearn_total_s": round(ours_total, 2),
                "pyeqeq_total_s": round(theirs_total, 2),
                "speedup": round(theirs_total / ours_total, 1),
            }
        )
    )
    if args.write_reference:
        with open(args.write_reference, "w") as handle:
            handle.write("id,atom,symbol,charge_pyeqeq_e\n")
            for name in filter(None, args.reference_ids.split(",")):
                atoms = database.structure(name)
                for atom, (symbol, charge) in enumerate(
                    zip(atoms.get_chemical_symbols(), pyeqeq_charges(cif_text(atoms, name)))
                ):
                    handle.write(f"{name},{atom},{symbol},{charge:.3f}\n")


if __name__ == "__main__":
    main()
