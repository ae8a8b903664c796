"""GCMC loadings: atomlearn against RASPA3 (raspalib 3.1.0) on the same frameworks, force field
(UFF + TraPPE, Lorentz–Berthelot, 12 Å shifted LJ, Ewald), framework charges (EQeq, given to both),
temperature and pressures, side by side in one run. Prints one JSON line per framework and condition
(loadings with standard errors, z-scores, CPU seconds of each) and a summary line.

Usage: python benchmarks/bench_gcmc_vs_raspa.py [--frameworks A,B] [--conditions co2_0.15,co2_1,n2_0.85,flue]
           [--cycles 2000] [--init-cycles 500]
Needs ``pip install raspalib==3.1.0``.
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

CONDITIONS = {"co2_0.15": ({"CO2": 1.0}, 0.15e5), "co2_1": ({"CO2": 1.0}, 1e5), "n2_0.85": ({"N2": 1.0}, 0.85e5),
              "flue": ({"CO2": 0.15, "N2": 0.85}, 1e5)}
#: CoRE MOF 2019 frameworks of 26-160 atoms: Cu paddlewheels (open metal sites), Zn, Co, Ag, Cd and a lanthanide
FRAMEWORKS = "UZUNAF_clean,ANOMUM_clean,KEXKEF_clean,OBEDEE_clean,YIWNAT_clean,QAJJOB01_clean"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frameworks", default=FRAMEWORKS)
    parser.add_argument("--conditions", default=",".join(CONDITIONS))
    parser.add_argument("--cycles", type=int, default=2000)
    parser.add_argument("--init-cycles", type=int, default=500)
    parser.add_argument("--block-pockets", action="store_true",
                        help="block inaccessible pockets in atomlearn (RASPA here blocks none: off for a like-for-like comparison)")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    from raspa_gcmc import run_raspa

    from atomlearn.datasets import load
    from atomlearn.simulate.charges import eqeq_charges
    from atomlearn.simulate.gcmc import gcmc
    from atomlearn.threads import set_threads

    set_threads(1)
    database = load("coremof2019")
    z_scores, ours_s, theirs_s = [], 0.0, 0.0
    for name in args.frameworks.split(","):
        atoms = database.structure(name)
        atoms.set_initial_charges(eqeq_charges(atoms))
        for condition in args.conditions.split(","):
            composition, pressure = CONDITIONS[condition]
            clock = time.process_time()
            ours = gcmc(atoms, composition, 298.0, pressure, init_cycles=args.init_cycles, cycles=args.cycles,
                        charges="cif", block_pockets=args.block_pockets, random_state=1)
            ours_cpu = time.process_time() - clock
            theirs = run_raspa(atoms, composition, 298.0, pressure, args.cycles, args.init_cycles)
            cells = int(np.prod(ours.supercell))
            row = {"framework": name, "condition": condition, "atoms": len(atoms), "supercell": ours.supercell,
                   "atomlearn_cpu_s": round(ours_cpu, 1), "raspa_cpu_s": round(theirs["cpu_s"], 1)}
            for index, guest in enumerate(ours.guests):
                mean, error = theirs["system"].average_loadings.average_loading_number_of_molecules(index)
                n, se = ours.molecules_per_cell[index] * cells, ours.molecules_per_cell_se[index] * cells
                z = (n - mean) / math.hypot(se, error) if math.hypot(se, error) > 0 else math.nan
                row |= {f"{guest}_atomlearn_per_box": round(n, 3), f"{guest}_atomlearn_se": round(se, 3),
                        f"{guest}_raspa_per_box": round(mean, 3), f"{guest}_raspa_se": round(error, 3), f"{guest}_z": round(z, 2)}
                z_scores.append(z)
            ours_s += ours_cpu
            theirs_s += theirs["cpu_s"]
            print(json.dumps(row), flush=True)
    z = np.array(z_scores)
    print(json.dumps({"summary": True, "points": len(z), "within_2_se": int((np.abs(z) <= 2).sum()),
                      "max_abs_z": round(float(np.nanmax(np.abs(z))), 2), "atomlearn_cpu_s": round(ours_s, 1),
                      "raspa_cpu_s": round(theirs_s, 1), "cpu_ratio": round(theirs_s / ours_s, 1)}))


if __name__ == "__main__":
    main()
