"""Bond-graph neighbour search: vesin (what atomlearn uses) against ase.neighborlist, side by side.

Both search the same CoRE MOF 2019 structures with per-atom covalent radii + 0.2 Å; the pairs
must be identical. Prints one JSON line: times per structure, the ratio, pair mismatches.
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np
from ase.neighborlist import neighbor_list

from atomlearn.datasets import load
from atomlearn.featurizers import elements
from atomlearn.featurizers.graph import BOND_TOLERANCE_A, bond_graph


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=300, help="CoRE MOF structures (random, seed 0)")
    args = parser.parse_args()
    structures = load("coremof2019").sample(args.n, random_state=0).structures.materialize()
    ours = ase = 0.0
    mismatches = 0
    for atoms in structures:
        start = time.perf_counter()
        graph = bond_graph(atoms)
        ours += time.perf_counter() - start
        start = time.perf_counter()
        reach = elements.lookup("covalent_radius_A", atoms.numbers) + 0.5 * BOND_TOLERANCE_A
        first, second, length = neighbor_list("ijd", atoms, reach)
        ase += time.perf_counter() - start
        keep = first != second
        expected = sorted(zip(first[keep].tolist(), second[keep].tolist(), np.round(length[keep], 8).tolist()))
        found = sorted(zip(graph.first.tolist(), graph.second.tolist(), np.round(graph.length, 8).tolist()))
        mismatches += expected != found
    print(
        json.dumps(
            {
                "benchmark": "bond_graph_coremof2019",
                "structures": len(structures),
                "atomlearn_vesin_ms": round(ours / len(structures) * 1e3, 2),
                "ase_neighborlist_ms": round(ase / len(structures) * 1e3, 2),
                "speedup": round(ase / ours, 1),
                "structures_with_different_pairs": mismatches,
            }
        )
    )


if __name__ == "__main__":
    main()
