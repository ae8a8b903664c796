"""Command line: `atomlearn sample train|draw|report`: Boltzmann generators."""

from __future__ import annotations

import argparse
from pathlib import Path

from atomlearn.cli.common import console

#: as ``atomlearn.sampling.systems.SYSTEMS`` and ``sampling.flows.FLOW_KINDS`` (not imported: `--help` must not load PyTorch)
SYSTEMS = ("double-well", "dw4", "lj13", "alanine-dipeptide")
FLOWS = ("realnvp", "spline", "flow-matching")


def register(commands: argparse._SubParsersAction) -> None:
    """Add the ``sample`` command group to ``commands``."""
    sample = commands.add_parser("sample", help="Boltzmann generators: flows that sample equilibrium, reweighted to exact")
    sample_commands = sample.add_subparsers(title="sample commands", required=True)
    train = sample_commands.add_parser("train", help="train a flow on MCMC samples and the energy of a system")
    train.add_argument("system", choices=SYSTEMS, help="double-well (Noé et al. 2019, exact ΔF by quadrature), dw4 (4 "
                       "particles, double-well pairs), lj13 (13 Lennard-Jones particles; references by long MCMC) or "
                       "alanine-dipeptide (Amber ff99SB-ILDN + OBC in OpenMM, internal coordinates; reference: long MD)")
    train.add_argument("--out", required=True, help="generator folder (BG_DIR); rerunning an interrupted run resumes it")
    train.add_argument("--flow", choices=FLOWS, help="realnvp (affine couplings; the double well's default), spline, or "
                       "flow-matching (equivariant continuous flow; the particle systems' default)")
    train.add_argument("--couplings", type=int, default=8, help="coupling layers (default 8)")
    train.add_argument("--hidden", type=int, help="units per hidden layer (default 64 for couplings, 32 for flow matching)")
    train.add_argument("--samples", type=int, default=10_000,
                       help="training samples: MCMC from every state, or MD frames 0.1 ps apart (default 10000)")
    train.add_argument("--reference-ns", type=float, help="alanine dipeptide: length of the reference MD, ns (default 2; cached)")
    train.add_argument("--iterations", type=int, default=1000,
                       help="most maximum-likelihood (or flow-matching) steps (default 1000)")
    train.add_argument("--energy-steps", type=int, help="most energy (reverse KL) steps (default 1000; flow matching: 0)")
    train.add_argument("--n-eval", type=int, help="flow samples of the evaluation (default 100000; flow matching: 2000)")
    train.add_argument("--seed", type=int, default=0, help="seed of the MCMC and the flow (default 0)")
    train.add_argument("--device", default="auto", help="auto (GPU when present), cpu or cuda")
    train.add_argument("--overwrite", action="store_true", help="replace a finished generator already in --out")
    train.set_defaults(handler=_train, default_threads=1)  # small flows run fastest on one thread (bench_flow_libraries.py)

    draw = sample_commands.add_parser("draw", help="draw samples with their importance weights")
    draw.add_argument("folder", help="generator folder written by `atomlearn sample train`")
    draw.add_argument("--n", type=int, default=100_000, help="samples (default 100000)")
    draw.add_argument("--seed", type=int, default=1, help="seed of the draw (default 1)")
    draw.add_argument("--out", required=True, help="CSV: one row per sample, its coordinates, u = U/kT, log q and log w")
    draw.set_defaults(handler=_draw, default_threads=1)

    report = sample_commands.add_parser("report", help="HTML report: ESS, ΔF table, profile and energy distributions")
    report.add_argument("folder", help="generator folder written by `atomlearn sample train`")
    report.add_argument("-o", "--out", help="HTML file (default FOLDER/report.html)")
    report.add_argument("--n", type=int, help="flow samples drawn for the report (default: as many as the training's evaluation)")
    report.set_defaults(handler=_report, default_threads=1)


def _train(args: argparse.Namespace) -> int:
    from atomlearn.sampling.train import train_generator

    result = train_generator(args.system, args.out, n_samples=args.samples, iterations=args.iterations,
                             energy_steps=args.energy_steps, flow=args.flow, n_couplings=args.couplings,
                             hidden=args.hidden, n_eval=args.n_eval, random_state=args.seed, device=args.device,
                             overwrite=args.overwrite, verbose=console.is_terminal,
                             system_params={"reference_ns": args.reference_ns} if args.reference_ns else None)
    console.print(result.summary(), highlight=False)
    return 0


def _draw(args: argparse.Namespace) -> int:
    import numpy as np
    import pandas as pd

    from atomlearn.atomic import write_csv_atomic
    from atomlearn.sampling.reweighting import kish_ess, warn_if_unreliable
    from atomlearn.sampling.store import load_generator, read_record
    from atomlearn.sampling.train import build_potential

    if not args.out.endswith(".csv"):
        raise ValueError(f"--out {args.out}: samples are written as CSV; give a name ending in .csv")
    generator = load_generator(args.folder, build_potential(read_record(args.folder)["potential"]))
    x, log_w = generator.sample(args.n, random_state=args.seed)
    samples = generator.samples_
    table = pd.DataFrame(x, columns=[f"x{i + 1}" for i in range(x.shape[1])])
    table["u"], table["log_q"], table["log_w"] = samples.reduced_energies, samples.log_q, log_w
    write_csv_atomic(table, Path(args.out))
    ess = kish_ess(log_w)
    warn_if_unreliable(ess)
    invalid = f"; {samples.n_invalid} without a finite energy (weight 0)" if samples.n_invalid else ""
    console.print(f"{args.out}: {len(table)} samples, ESS {ess:.1f} %{invalid}; weights: "
                  f"w = exp(log_w − max) (max log_w {np.max(log_w):.3f})", highlight=False)
    return 0


def _report(args: argparse.Namespace) -> int:
    from atomlearn.report.sampling import sampling_report

    console.print(f"report: {sampling_report(args.folder, args.out, n=args.n)}", highlight=False)
    return 0
