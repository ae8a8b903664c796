"""Which flow library the Boltzmann generators build on: zuko 1.6 against normflows 1.7 on the same
RealNVP (8 affine couplings, conditioners 2 x 64 units) and the same task, the 2D double well of
Noé et al. 2019: maximum likelihood on MCMC samples from both wells, then reverse KL, on one torch
thread, side by side in one run. Prints per library: ms per likelihood and per energy step, the
final validation NLL, ESS and ΔF against the exact value, and the time ratio.

Usage: python benchmarks/bench_flow_libraries.py [--steps 1000] [--batch 256]
"""

from __future__ import annotations

import argparse
import json
import time

import normflows as nf
import numpy as np
import torch

from atomlearn.sampling import DoubleWell2D, kish_ess, log_importance_weights, metropolis
from atomlearn.sampling.flows import CouplingFlow, FlowSpec
from atomlearn.sampling.reweighting import free_energy_difference


class NormflowsRealNVP(torch.nn.Module):
    """normflows' RealNVP of the same size, with the same standardization as ``CouplingFlow``."""

    def __init__(self, loc: np.ndarray, scale: np.ndarray, n_couplings: int = 8, hidden: int = 64) -> None:
        super().__init__()
        flows = []
        for _ in range(n_couplings):
            flows += [
                nf.flows.AffineCouplingBlock(nf.nets.MLP([1, hidden, hidden, 2], init_zeros=True)),
                nf.flows.Permute(2, mode="swap"),
            ]
        self.model = nf.NormalizingFlow(nf.distributions.DiagGaussian(2, trainable=False), flows)
        self.register_buffer("loc", torch.as_tensor(loc, dtype=torch.float32))
        self.register_buffer("scale", torch.as_tensor(scale, dtype=torch.float32))

    def log_prob(self, x: torch.Tensor) -> torch.Tensor:
        return self.model.log_prob((x - self.loc) / self.scale) - torch.log(self.scale).sum()

    def sample_and_log_prob(self, n: int) -> tuple[torch.Tensor, torch.Tensor]:
        z, log_q = self.model.sample(n)
        return self.loc + self.scale * z, log_q - torch.log(self.scale).sum()


def run(
    flow: torch.nn.Module, system: DoubleWell2D, train: torch.Tensor, validation: torch.Tensor, steps: int, batch: int
) -> dict:
    optimizer = torch.optim.Adam(flow.parameters(), lr=1e-3)
    generator = torch.Generator().manual_seed(0)
    start = time.perf_counter()
    for _ in range(steps):
        rows = torch.randint(0, len(train), (batch,), generator=generator)
        optimizer.zero_grad()
        (-flow.log_prob(train[rows]).mean()).backward()
        optimizer.step()
    likelihood_s = time.perf_counter() - start
    optimizer = torch.optim.Adam(flow.parameters(), lr=5e-4)
    start = time.perf_counter()
    for _ in range(steps):
        optimizer.zero_grad()
        x, log_q = flow.sample_and_log_prob(batch)
        rows = torch.randint(0, len(train), (batch,), generator=generator)
        loss = 0.9 * (system.energy(x) + log_q).mean() - 0.1 * flow.log_prob(train[rows]).mean()
        loss.backward()
        optimizer.step()
    energy_s = time.perf_counter() - start
    with torch.no_grad():
        nll = float(-flow.log_prob(validation).mean())
        x, log_q = flow.sample_and_log_prob(100_000)
        x, u, log_q = x.double().numpy(), system.energy(x).double().numpy(), log_q.double().numpy()
    log_w = log_importance_weights(u, log_q)
    delta = free_energy_difference(log_w, system.states["left"](x), system.states["right"](x))
    return {
        "ms_per_likelihood_step": 1000 * likelihood_s / steps,
        "ms_per_energy_step": 1000 * energy_s / steps,
        "validation_nll": nll,
        "ess_percent": kish_ess(log_w),
        "delta_f_kT": delta.delta_f,
        "delta_f_error_kT": delta.error,
        "seconds": likelihood_s + energy_s,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=1000, help="likelihood steps, then as many energy steps")
    parser.add_argument("--batch", type=int, default=256)
    args = parser.parse_args()
    torch.set_num_threads(1)
    system = DoubleWell2D()
    chain = metropolis(system, np.repeat(system.starting_points(), 50, axis=0), 1000, 0.5, thin=10, random_state=0)
    samples = chain.flat(burn_in=10).astype(np.float32)
    order = np.random.default_rng(0).permutation(len(samples))
    train, validation = torch.as_tensor(samples[order[900:]]), torch.as_tensor(samples[order[:900]])
    loc, scale = samples.mean(0), samples.std(0)
    exact = system.reference_free_energy("left", "right")
    results = {}
    for library, build in (
        ("zuko", lambda: CouplingFlow(FlowSpec("realnvp", 2, 8, 64), loc, scale)),
        ("normflows", lambda: NormflowsRealNVP(loc, scale)),
    ):
        torch.manual_seed(0)
        results[library] = run(build(), system, train, validation, args.steps, args.batch)
        results[library]["delta_f_exact_kT"] = exact
        print(json.dumps({"library": library, **results[library]}))
    print(json.dumps({"normflows_over_zuko_time": results["normflows"]["seconds"] / results["zuko"]["seconds"]}))


if __name__ == "__main__":
    main()
