"""Boltzmann generators against MCMC or MD alone, side by side in one run, per system: ESS, ΔF and
its error against the reference, energy W1 and NLL, and the wall time to reach a ΔF error of 0.2 kT
by the BG (its training samples + training + sampling) and by the sampler alone.

* ``double-well``: exact ΔF by quadrature; BG budgets of 100 ... 2,000 steps per phase, each from
  scratch; MCMC alone: 100 Metropolis walkers started in both wells.
* ``dw4``: equivariant flow matching; no states, so ESS, energy W1 and NLL against long MCMC.
* ``alanine-dipeptide``: the BG (MD training samples, likelihood then energy) against an
  independent MD run alone; the reference is a longer MD (``--reference-ns``, cached).
* ``molecule`` (with ``--frames FRAMES --potential FF_DIR``): a user's molecule under an atomlearn
  force field, e.g. ethanol from the README's force-field recipe; the BG (the frames as training
  samples) against one MD run with the same force field; the reference is 16 replicas of that MD
  (``--molecule-reference-ns``, cached).
* ``lj13`` runs only when asked (``--systems lj13``): on CPU its flow-matching ODE is slow.

Usage: python benchmarks/bench_sampling.py [--systems double-well,dw4,alanine-dipeptide] [--seconds 300]
       python benchmarks/bench_sampling.py --systems molecule --frames ethanol.extxyz --potential ff_ethanol/
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np
import torch

from atomlearn.sampling import get_system, metropolis
from atomlearn.sampling.generator import BoltzmannGenerator
from atomlearn.sampling.reweighting import kish_ess
from atomlearn.sampling.train import evaluate_generator

TOLERANCE_KT = 0.2
#: system -> [(training samples, likelihood or flow-matching steps, energy steps)], each run from scratch
BUDGETS = {
    "double-well": [
        (10_000, 100, 100),
        (10_000, 250, 250),
        (10_000, 500, 500),
        (10_000, 1000, 1000),
        (10_000, 2000, 2000),
    ],
    "dw4": [(10_000, 10_000, 0)],
    "lj13": [(10_000, 3000, 0)],
    "alanine-dipeptide": [(10_000, 5000, 2000)],
    "molecule": [(1000, 2000, 1000)],
}
N_EVAL = {"double-well": 100_000, "dw4": 10_000, "lj13": 1000, "alanine-dipeptide": 20_000, "molecule": 20_000}


def bg_run(system, budget: tuple[int, int, int]) -> dict:
    start = time.perf_counter()
    n_samples, iterations, energy_steps = budget
    samples = system.training_samples(n_samples, random_state=0)
    generator = BoltzmannGenerator(
        system,
        flow=system.default_flow,
        temperature=system.temperature,
        random_state=0,
        energy_weight=system.default_energy_weight,
        device="cpu",
        hidden=128 if system.energy_unit != "kT" else 64,
    )
    generator.fit(samples, iterations=iterations, energy_steps=energy_steps)
    trained = time.perf_counter() - start
    evaluation = evaluate_generator(generator, system, N_EVAL[system.name])
    # the ESS of four quarters of the evaluation draw: a heavy tail of weights shows as a spread
    quarters = np.array_split(generator.samples_.log_w, 4)
    row = {
        "training_samples": n_samples,
        "iterations": iterations,
        "energy_steps": energy_steps,
        "seconds": time.perf_counter() - start,
        "train_seconds": trained,
        "n_eval": N_EVAL[system.name],
        "ess_percent": evaluation["ess_percent"],
        "ess_percent_quarters": [round(kish_ess(q), 1) for q in quarters],
        "n_invalid": evaluation["n_invalid"],
        "energy_w1_flow": evaluation["energy_w1_flow"],
        "energy_w1_reweighted": evaluation["energy_w1_reweighted"],
        "nll_reference": evaluation["nll_reference"],
    }
    if evaluation["free_energy_differences"]:
        delta = evaluation["free_energy_differences"][0]
        row.update(
            delta_f_kT=delta["delta_f"],
            delta_f_se_kT=delta["error"],
            reference_kT=delta["reference"],
            abs_error_kT=abs(delta["delta_f"] - delta["reference"]),
        )
    return row


def sampler_trace(system, seconds: float) -> list[tuple[float, float]]:
    """(wall seconds, ΔF estimate) while MCMC (model systems) or MD (molecules) runs alone for ``seconds``."""
    names = list(system.states)
    trace, start = [], time.perf_counter()
    if hasattr(system, "md_frames"):  # a molecule: an independent MD run
        counts, stream = np.zeros(3), system.md_frames(random_state=2)
        while time.perf_counter() - start < seconds:
            z = system.internal(np.array([next(stream) for _ in range(100)]))
            counts += [len(z), system.states[names[0]](z).sum(), system.states[names[1]](z).sum()]
            a, b = counts[1] / counts[0], counts[2] / counts[0]
            trace.append((time.perf_counter() - start, -np.log(b / a) if a > 0 and b > 0 else np.nan))
        return trace
    x = np.repeat(system.starting_points(), 50, axis=0)
    saved, seed = [], 0
    while time.perf_counter() - start < seconds:
        chain = metropolis(system, x, 200, 0.5, thin=10, random_state=seed)
        x, seed = chain.samples[-1], seed + 1
        saved.append(chain.samples)
        kept = np.concatenate(saved)
        kept = kept[len(kept) // 10 :].reshape(-1, system.dim)
        a, b = system.states[names[0]](kept).mean(), system.states[names[1]](kept).mean()
        trace.append((time.perf_counter() - start, -np.log(b / a) if a > 0 and b > 0 else np.nan))
    return trace


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--systems", default="double-well,dw4,alanine-dipeptide")
    parser.add_argument("--seconds", type=float, default=300.0, help="how long MCMC or MD alone runs")
    parser.add_argument("--reference-ns", type=float, default=2.0, help="alanine dipeptide: reference MD length")
    parser.add_argument("--frames", help="molecule: MD frames (extended XYZ) of the molecule")
    parser.add_argument("--potential", help="molecule: FF_DIR or xtb")
    parser.add_argument("--molecule-reference-ns", type=float, default=0.2, help="molecule: reference MD length")
    args = parser.parse_args()
    torch.set_num_threads(1)
    for name in args.systems.split(","):
        params = {
            "alanine-dipeptide": {"reference_ns": args.reference_ns},
            "molecule": {
                "frames": args.frames,
                "potential_source": args.potential,
                "reference_ns": args.molecule_reference_ns,
            },
        }.get(name, {})
        system = get_system(name, **params)
        bg_seconds = None
        for budget in BUDGETS[name]:
            row = bg_run(system, budget)
            print(json.dumps({"system": name, "method": "boltzmann-generator", **row}), flush=True)
            if row.get("abs_error_kT", np.inf) < TOLERANCE_KT and bg_seconds is None:
                bg_seconds = row["seconds"]
        if len(system.states) < 2:
            continue
        reference = system.reference_free_energy(*list(system.states)[:2])
        trace = sampler_trace(system, args.seconds)
        within = [abs(e - reference) < TOLERANCE_KT for _, e in trace]
        reached = next((trace[i][0] for i in range(len(trace)) if all(within[i:])), None)
        print(
            json.dumps(
                {
                    "system": name,
                    "method": "mcmc" if not hasattr(system, "md_frames") else "md",
                    "seconds_run": trace[-1][0],
                    "delta_f_kT": trace[-1][1],
                    "reference_kT": reference,
                    "seconds_to_tolerance": reached,
                }
            ),
            flush=True,
        )
        print(
            json.dumps(
                {
                    "system": name,
                    "bg_seconds_to_0.2kT": bg_seconds,
                    "alone_seconds_to_0.2kT": reached,
                    "alone_over_bg": (reached or float("inf")) / bg_seconds if bg_seconds else None,
                    "note": None if reached else f"not within {TOLERANCE_KT} kT after {trace[-1][0]:.0f} s alone",
                }
            ),
            flush=True,
        )


if __name__ == "__main__":
    main()
