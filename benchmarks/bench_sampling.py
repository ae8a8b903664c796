"""Boltzmann generators against MCMC alone, side by side in one run, per system: ESS, ΔF and its
error against the reference, and the wall time to reach a ΔF error of 0.2 kT, by the BG (training
+ sampling) and by Metropolis MCMC alone (walkers started in every state, as the BG's training
samples are; ΔF counted from the chain once the first 10 % are dropped).

Systems: ``double-well`` (Noé et al. 2019; exact ΔF by quadrature).

Usage: python benchmarks/bench_sampling.py [--systems double-well] [--mcmc-seconds 300]
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np
import torch

from atomlearn.sampling import get_system, metropolis
from atomlearn.sampling.generator import BoltzmannGenerator
from atomlearn.sampling.train import evaluate_generator

TOLERANCE_KT = 0.2
#: (likelihood iterations, energy steps) tried in turn, each from scratch: the BG's time to the tolerance
BUDGETS = ((100, 100), (250, 250), (500, 500), (1000, 1000), (2000, 2000))
MCMC = {"double-well": {"walkers": 100, "step": 0.5, "chunk": 200}}


def bg_run(system, budget: tuple[int, int], n_eval: int) -> dict:
    start = time.perf_counter()
    samples = system.training_samples(10_000, random_state=0)
    generator = BoltzmannGenerator(system, random_state=0, device="cpu").fit(samples, *budget)
    evaluation = evaluate_generator(generator, system, n_eval)
    delta = evaluation["free_energy_differences"][0]
    return {"iterations": budget[0], "energy_steps": budget[1], "seconds": time.perf_counter() - start,
            "ess_percent": evaluation["ess_percent"], "delta_f_kT": delta["delta_f"], "delta_f_se_kT": delta["error"],
            "reference_kT": delta["reference"], "abs_error_kT": abs(delta["delta_f"] - delta["reference"])}


def mcmc_run(system, seconds: float, walkers: int, step: float, chunk: int) -> dict:
    """Run MCMC in chunks for up to ``seconds``; the time after which |ΔF − reference| stays below the tolerance."""
    names = list(system.states)
    reference = system.reference_free_energy(names[0], names[1])
    x = np.repeat(system.starting_points(), walkers // len(system.starting_points()), axis=0)
    saved, trace, start, seed = [], [], time.perf_counter(), 0
    while time.perf_counter() - start < seconds:
        chain = metropolis(system, x, chunk, step, thin=10, random_state=seed)
        x, seed = chain.samples[-1], seed + 1
        saved.append(chain.samples)
        kept = np.concatenate(saved)
        kept = kept[len(kept) // 10:].reshape(-1, system.dim)
        a, b = system.states[names[0]](kept).mean(), system.states[names[1]](kept).mean()
        estimate = -np.log(b / a) if a > 0 and b > 0 else np.nan
        trace.append((time.perf_counter() - start, estimate))
    within = [abs(e - reference) < TOLERANCE_KT for _, e in trace]
    reached = next((trace[i][0] for i in range(len(trace)) if all(within[i:])), None)
    return {"seconds_run": trace[-1][0], "steps_per_walker": len(trace) * chunk, "walkers": walkers,
            "delta_f_kT": trace[-1][1], "reference_kT": reference, "seconds_to_tolerance": reached}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--systems", default="double-well")
    parser.add_argument("--mcmc-seconds", type=float, default=300.0)
    parser.add_argument("--n-eval", type=int, default=100_000)
    args = parser.parse_args()
    torch.set_num_threads(1)
    for name in args.systems.split(","):
        system = get_system(name)
        bg_seconds = None
        for budget in BUDGETS:
            row = bg_run(system, budget, args.n_eval)
            print(json.dumps({"system": name, "method": "boltzmann-generator", **row}), flush=True)
            if row["abs_error_kT"] < TOLERANCE_KT and bg_seconds is None:
                bg_seconds = row["seconds"]
        mcmc = mcmc_run(system, args.mcmc_seconds, **MCMC[name])
        print(json.dumps({"system": name, "method": "mcmc", **mcmc}), flush=True)
        ratio = (mcmc["seconds_to_tolerance"] or float("inf")) / bg_seconds if bg_seconds else None
        print(json.dumps({"system": name, "bg_seconds_to_0.2kT": bg_seconds,
                          "mcmc_seconds_to_0.2kT": mcmc["seconds_to_tolerance"],
                          "mcmc_over_bg": ratio, "note": None if mcmc["seconds_to_tolerance"] else
                          f"MCMC not within {TOLERANCE_KT} kT after {mcmc['seconds_run']:.0f} s"}), flush=True)


if __name__ == "__main__":
    main()
