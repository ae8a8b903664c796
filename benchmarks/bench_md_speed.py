"""The cost of one MD step with learnt force fields against GFN2-xTB, side by side in one run.

Uses the force fields ``bench_forcefield.py`` trained (``--data``: painn_<molecule>,
schnet_<molecule>, mace_<molecule>/mace.model). Each runs NVE MD with ASE's velocity Verlet
(``forcefield.md.run_md``) from the first test frame: xTB (tblite), MACE (its ASE calculator),
and atomlearn's networks on one molecule and on R replicas in one batch
(``Calculator(FF_DIR, n_replicas=R)``), whose cost is given per replica-step: the throughput
of sampling many trajectories at once. One JSON line per run; speed-ups are xTB's time per
step over the model's time per (replica-)step.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import torch

from atomlearn.forcefield import Calculator, read_training_frames
from atomlearn.forcefield.md import run_md
from atomlearn.simulate.xtb import xtb_calculator


def seconds_per_step(atoms, calculator, n_steps: int) -> float:
    """Seconds per (replica-)step of NVE MD, after 5 warm-up steps."""
    run_md(atoms, calculator, 5, temperature_K=500, interval_steps=5)
    return run_md(atoms, calculator, n_steps, temperature_K=500, interval_steps=n_steps).seconds_per_replica_step


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--data", default="benchmarks/data/forcefield", help="where bench_forcefield.py left its models"
    )
    parser.add_argument("--molecules", default="aspirin,ethanol")
    parser.add_argument("--models", default="painn,schnet")
    parser.add_argument("--replicas", default="1,16,64,256", help="replica counts for atomlearn's networks")
    parser.add_argument("--steps", type=int, default=200, help="timed MD steps per run")
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()
    data = Path(args.data)
    print(json.dumps({"torch_threads": torch.get_num_threads(), "device": args.device}), flush=True)
    for molecule in args.molecules.split(","):
        start = read_training_frames(data / f"{molecule}_test.extxyz").structures[0]
        xtb = seconds_per_step(start, xtb_calculator(), args.steps)
        print(json.dumps({"molecule": molecule, "model": "xtb", "ms_per_step": 1000 * xtb}), flush=True)
        mace_model = data / f"mace_{molecule}" / "mace.model"
        if mace_model.exists():
            from mace.calculators import MACECalculator

            mace = seconds_per_step(
                start,
                MACECalculator(model_paths=str(mace_model), device=args.device, default_dtype="float32"),
                args.steps,
            )
            print(
                json.dumps(
                    {"molecule": molecule, "model": "mace", "ms_per_step": 1000 * mace, "speedup_vs_xtb": xtb / mace}
                ),
                flush=True,
            )
        for model in args.models.split(","):
            for replicas in (int(r) for r in args.replicas.split(",")):
                calculator = Calculator(data / f"{model}_{molecule}", device=args.device, n_replicas=replicas)
                steps = max(20, args.steps * 4 // replicas)
                seconds = seconds_per_step(start, calculator, steps)
                print(
                    json.dumps(
                        {
                            "molecule": molecule,
                            "model": model,
                            "replicas": replicas,
                            "ms_per_replica_step": 1000 * seconds,
                            "replica_steps_per_s": 1 / seconds,
                            "speedup_vs_xtb": xtb / seconds,
                        }
                    ),
                    flush=True,
                )


if __name__ == "__main__":
    main()
