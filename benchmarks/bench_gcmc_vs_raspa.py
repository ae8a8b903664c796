"""GCMC loadings: atomlearn against RASPA3 (raspalib 3.1.0) on the same frameworks, force field
(UFF + TraPPE, Lorentz–Berthelot, 12 Å shifted LJ, Ewald), framework charges (EQeq, given to both),
temperature and pressures, side by side in one run. Prints one JSON line per framework and condition
(loadings with standard errors, z-scores, CPU seconds of each) and a summary line. The speed at equal relative
error: a standard error falls as 1/sqrt(cycles), so the CPU time to reach a given error scales as CPU x SE²;
``equal_error_ratio`` = (RASPA CPU x RASPA SE²) / (atomlearn CPU x atomlearn SE²), for a mixture that of its
least favourable guest.

Usage: python benchmarks/bench_gcmc_vs_raspa.py [--frameworks A,B] [--conditions co2_0.15,co2_1,n2_0.85,flue]
           [--cycles 2000] [--init-cycles 500] [--swap-trials 10] [--raspa-from EARLIER.jsonl]
       python benchmarks/bench_gcmc_vs_raspa.py --cifs RASPA2-2.0.4/structures/cif --frameworks Co-DOBDC,MIL-47
           (the structures RASPA2 ships, read by atomlearn with their own ``_atom_site_charge``, given to both codes;
           ``pip download --no-deps --no-binary :all: RASPA2==2.0.4`` and unpack it)
Needs ``pip install raspalib==3.1.0``. RASPA takes about 47 minutes for the 24 points; ``--raspa-from``
reuses its loadings and CPU times from the output of an earlier run on this machine (same cycles)
and runs atomlearn only.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))

CONDITIONS = {
    "co2_0.15": ({"CO2": 1.0}, 0.15e5),
    "co2_1": ({"CO2": 1.0}, 1e5),
    "n2_0.85": ({"N2": 1.0}, 0.85e5),
    "flue": ({"CO2": 0.15, "N2": 0.85}, 1e5),
}
#: CoRE MOF 2019 frameworks of 26-160 atoms: Cu paddlewheels (open metal sites), Zn, Co, Ag, Cd and a lanthanide
FRAMEWORKS = "UZUNAF_clean,ANOMUM_clean,KEXKEF_clean,OBEDEE_clean,YIWNAT_clean,QAJJOB01_clean"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frameworks", default=FRAMEWORKS)
    parser.add_argument("--conditions", default=",".join(CONDITIONS))
    parser.add_argument("--cycles", type=int, default=2000)
    parser.add_argument("--init-cycles", type=int, default=500)
    parser.add_argument(
        "--swap-trials", type=int, default=10, help="atomlearn's trials per insertion (1: plain insertion)"
    )
    parser.add_argument("--raspa-from", help="JSON lines of an earlier run: reuse its RASPA loadings and CPU times")
    parser.add_argument(
        "--cifs",
        help="a folder of CIFs with charges (e.g. RASPA2's structures/cif): --frameworks "
        "names files in it, and their own charges are used instead of EQeq",
    )
    parser.add_argument(
        "--block-pockets",
        action="store_true",
        help="block inaccessible pockets in atomlearn (RASPA here blocks none: off for a like-for-like comparison)",
    )
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    earlier = _earlier(args.raspa_from) if args.raspa_from else None

    from atomlearn.datasets import load
    from atomlearn.physics.charges import eqeq_charges
    from atomlearn.simulate.grand_canonical import gcmc
    from atomlearn.threads import set_threads

    set_threads(1)
    database = load("coremof2019")
    z_scores, ours_s, theirs_s, equal_error = [], 0.0, 0.0, []
    for name in args.frameworks.split(","):
        if args.cifs:
            from atomlearn.structures import read_structure

            atoms = read_structure(Path(args.cifs) / f"{name}.cif")  # its own charges, zeros included
        else:
            atoms = database.structure(name)
            atoms.set_initial_charges(eqeq_charges(atoms))
        for condition in args.conditions.split(","):
            composition, pressure = CONDITIONS[condition]
            clock = time.process_time()
            ours = gcmc(
                atoms,
                composition,
                298.0,
                pressure,
                init_cycles=args.init_cycles,
                cycles=args.cycles,
                charges="cif",
                block_pockets=args.block_pockets,
                swap_trials=args.swap_trials,
                random_state=1,
            )
            ours_cpu = time.process_time() - clock
            theirs = earlier[(name, condition)] if earlier else _raspa(atoms, composition, pressure, args)
            cells = int(np.prod(ours.supercell))
            row = {
                "framework": name,
                "condition": condition,
                "atoms": len(atoms),
                "supercell": ours.supercell,
                "atomlearn_cpu_s": round(ours_cpu, 1),
                "raspa_cpu_s": round(theirs["cpu_s"], 1),
            }
            ratios = []
            for index, guest in enumerate(ours.guests):
                mean, error = theirs["loadings"][guest]
                n, se = ours.molecules_per_cell[index] * cells, ours.molecules_per_cell_se[index] * cells
                z = (n - mean) / math.hypot(se, error) if math.hypot(se, error) > 0 else math.nan
                row |= {
                    f"{guest}_atomlearn_per_box": round(n, 3),
                    f"{guest}_atomlearn_se": round(se, 3),
                    f"{guest}_raspa_per_box": round(mean, 3),
                    f"{guest}_raspa_se": round(error, 3),
                    f"{guest}_z": round(z, 2),
                }
                z_scores.append(z)
                if se > 0 and error > 0:
                    ratios.append(theirs["cpu_s"] * error**2 / (ours_cpu * se**2))
            if ratios:
                row["equal_error_ratio"] = round(min(ratios), 1)
                equal_error.append(min(ratios))
            ours_s += ours_cpu
            theirs_s += theirs["cpu_s"]
            print(json.dumps(row), flush=True)
    z = np.array(z_scores)
    print(
        json.dumps(
            {
                "summary": True,
                "points": len(z),
                "within_2_se": int((np.abs(z) <= 2).sum()),
                "max_abs_z": round(float(np.nanmax(np.abs(z))), 2),
                "atomlearn_cpu_s": round(ours_s, 1),
                "raspa_cpu_s": round(theirs_s, 1),
                "cpu_ratio": round(theirs_s / ours_s, 1),
                "equal_error_ratio_median": round(float(np.median(equal_error)), 1) if equal_error else None,
                "equal_error_ratio_geometric_mean": round(float(np.exp(np.mean(np.log(equal_error)))), 1)
                if equal_error
                else None,
                "equal_error_ratio_min": round(float(min(equal_error)), 1) if equal_error else None,
            }
        )
    )


def _raspa(atoms, composition: dict[str, float], pressure: float, args: argparse.Namespace) -> dict:
    """RASPA's CPU time and (mean, SE) molecules per box of each guest."""
    from raspa_gcmc import run_raspa

    result = run_raspa(atoms, composition, 298.0, pressure, args.cycles, args.init_cycles)
    loadings = {
        guest: result["system"].average_loadings.average_loading_number_of_molecules(index)
        for index, guest in enumerate(composition)
    }
    return {"cpu_s": result["cpu_s"], "loadings": loadings}


def _earlier(path: str) -> dict[tuple[str, str], dict]:
    """RASPA's results by (framework, condition) from the JSON lines of an earlier run."""
    rows = [json.loads(line) for line in Path(path).read_text().splitlines() if line.strip()]
    return {
        (row["framework"], row["condition"]): {
            "cpu_s": row["raspa_cpu_s"],
            "loadings": {
                key.split("_raspa_per_box")[0]: (row[key], row[key.replace("_per_box", "_se")])
                for key in row
                if key.endswith("_raspa_per_box")
            },
        }
        for row in rows
        if not row.get("summary")
    }


if __name__ == "__main__":
    main()
