"""CIF reading: atomlearn's gemmi path vs pymatgen (and ASE on a few) on CoRE MOF 2019 CIFs.

Prints one JSON line per reader (ms per structure) and one with the speed-up and the
structural check (same composition, cell within 1e-4 Å, atoms within 1e-3 Å).
Usage: python benchmarks/bench_cif.py [--n 200] [--n-ase 10]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
from scipy.optimize import linear_sum_assignment


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--n-ase", type=int, default=10)
    args = parser.parse_args()

    import ase.io
    from pymatgen.core import Structure

    from atomlearn.datasets import load_coremof
    from atomlearn.structures import read_cif

    dataset = load_coremof("2019-ASR")
    ids = dataset.ids[:: max(1, len(dataset) // args.n)][: args.n]
    folder = Path(tempfile.mkdtemp())
    paths = []
    for item_id in ids:
        path = folder / f"{item_id}.cif"
        path.write_text(dataset.structures.loader.cif_text(item_id))
        paths.append(path)
    warnings.simplefilter("ignore")

    ours, t_ours = _timed(read_cif, paths)
    theirs, t_pmg = _timed(lambda p: Structure.from_file(p), paths)
    _, t_ase = _timed(lambda p: ase.io.read(p, format="cif"), paths[: args.n_ase])

    mismatches = [p.stem for p, a, s in zip(paths, ours, theirs) if not _same(a, s)]
    n_atoms = int(np.mean([len(a) for a in ours]))
    print(
        json.dumps(
            {
                "reader": "atomlearn (gemmi)",
                "ms_per_structure": round(t_ours, 3),
                "n": len(paths),
                "mean_atoms": n_atoms,
            }
        )
    )
    print(json.dumps({"reader": "pymatgen", "ms_per_structure": round(t_pmg, 3), "n": len(paths)}))
    print(json.dumps({"reader": "ase", "ms_per_structure": round(t_ase, 3), "n": min(args.n_ase, len(paths))}))
    print(
        json.dumps(
            {
                "speedup_vs_pymatgen": round(t_pmg / t_ours, 1),
                "speedup_vs_ase": round(t_ase / t_ours, 1),
                "target_speedup": 20,
                "identical_structures": len(paths) - len(mismatches),
                "mismatches": mismatches,
            }
        )
    )


def _timed(read, paths):
    start = time.perf_counter()
    results = [read(p) for p in paths]
    return results, 1e3 * (time.perf_counter() - start) / len(paths)


def _same(atoms, structure) -> bool:
    if len(atoms) != len(structure):
        return False
    if not np.allclose(atoms.cell.cellpar()[:3], structure.lattice.abc, atol=1e-4):
        return False
    if not np.allclose(atoms.cell.cellpar()[3:], structure.lattice.angles, atol=1e-4):
        return False
    frac_theirs = structure.frac_coords
    z_theirs = np.array([site.specie.Z for site in structure])
    frac_ours, cell = atoms.get_scaled_positions(), np.array(atoms.cell)
    for z in np.unique(atoms.numbers):
        a, b = frac_ours[atoms.numbers == z], frac_theirs[z_theirs == z]
        if len(a) != len(b):
            return False
        delta = a[:, None] - b[None]
        delta -= np.round(delta)
        distance = np.linalg.norm(delta @ cell, axis=-1)
        rows, cols = linear_sum_assignment(distance)
        if distance[rows, cols].max() > 1e-3:
            return False
    return True


if __name__ == "__main__":
    main()
