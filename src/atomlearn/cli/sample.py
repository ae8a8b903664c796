"""Command line: `atomlearn sample train|draw|report`: Boltzmann generators."""

from __future__ import annotations

import argparse
from pathlib import Path

from atomlearn.cli.common import COUNT, COUNT_OR_ZERO, POSITIVE, TEMPERATURE, console

#: as ``atomlearn.sampling.systems.SYSTEMS`` and ``sampling.flows.FLOW_KINDS`` (not imported: `--help` must not load
#: PyTorch)
SYSTEMS = ("double-well", "dw4", "lj13", "alanine-dipeptide")
FLOWS = ("realnvp", "spline", "flow-matching")


def register(commands: argparse._SubParsersAction) -> None:
    """Add the ``sample`` command group to ``commands``."""
    sample = commands.add_parser(
        "sample", help="Boltzmann generators: flows that sample equilibrium, reweighted to exact"
    )
    sample_commands = sample.add_subparsers(title="sample commands", required=True)
    train = sample_commands.add_parser("train", help="train a flow on MCMC samples and the energy of a system")
    train.add_argument(
        "system",
        metavar="SYSTEM|FRAMES",
        help="double-well (Noé et al. 2019, exact ΔF by quadrature), dw4 "
        "(4 particles, double-well pairs), lj13 (13 Lennard-Jones particles; references by long MCMC), "
        "alanine-dipeptide (Amber ff99SB-ILDN + OBC in OpenMM, internal coordinates; reference: long MD), "
        "or FRAMES.extxyz: MD frames of your molecule, with --potential",
    )
    train.add_argument(
        "--potential",
        help="for FRAMES: FF_DIR (written by `atomlearn forcefield train`) or xtb "
        "(GFN2-xTB); openmm:alanine-dipeptide is the same as SYSTEM alanine-dipeptide",
    )
    train.add_argument(
        "--torsion",
        help="for FRAMES: the torsion of the states and the profile, A,B,C,D (atom indices "
        "from 0; default: about the first rotatable bond that is not a methyl-like rotor)",
    )
    train.add_argument(
        "--boundaries",
        help="for FRAMES: degrees where one state ends and the next begins along the "
        "torsion, e.g. --boundaries=-120,0,120 (with =, as the list starts with a minus; default: the minima of "
        "the frames' torsion density)",
    )
    train.add_argument("--temperature", type=TEMPERATURE, help="for FRAMES: K (default 300)")
    train.add_argument(
        "--out", required=True, help="generator folder (BG_DIR); rerunning an interrupted run resumes it"
    )
    train.add_argument(
        "--flow",
        choices=FLOWS,
        help="realnvp (affine couplings; the double well's default), spline, or "
        "flow-matching (equivariant continuous flow; the particle systems' default)",
    )
    train.add_argument("--couplings", type=COUNT, default=8, help="coupling layers (default 8)")
    train.add_argument("--hidden", type=COUNT, help="units per hidden layer (default 64)")
    train.add_argument(
        "--samples",
        type=COUNT,
        default=10_000,
        help="training samples: MCMC from every state, or MD frames 0.1 ps apart (default 10000)",
    )
    train.add_argument(
        "--reference-ns",
        type=POSITIVE,
        help="length of the reference MD, ns (cached): alanine dipeptide "
        "(default 2, four runs) and FRAMES (default 0.2, 16 replicas of the potential's MD)",
    )
    train.add_argument(
        "--iterations", type=COUNT, default=1000, help="most maximum-likelihood (or flow-matching) steps (default 1000)"
    )
    train.add_argument(
        "--energy-steps", type=COUNT_OR_ZERO, help="most energy (reverse KL) steps (default 1000; flow matching: 0)"
    )
    train.add_argument(
        "--n-eval", type=COUNT, help="flow samples of the evaluation (default 100000; flow matching: 2000)"
    )
    train.add_argument("--seed", type=COUNT_OR_ZERO, default=0, help="seed of the MCMC and the flow (default 0)")
    train.add_argument("--device", default="auto", help="auto (GPU when present), cpu or cuda")
    train.add_argument("--overwrite", action="store_true", help="replace a finished generator already in --out")
    train.set_defaults(
        handler=_train, default_threads=1
    )  # small flows run fastest on one thread (bench_flow_libraries.py)

    draw = sample_commands.add_parser("draw", help="draw samples with their importance weights")
    draw.add_argument("folder", help="generator folder written by `atomlearn sample train`")
    draw.add_argument("--n", type=COUNT, default=100_000, help="samples (default 100000)")
    draw.add_argument("--seed", type=COUNT_OR_ZERO, default=1, help="seed of the draw (default 1)")
    draw.add_argument(
        "--out", required=True, help="CSV: one row per sample, its coordinates, u = U/kT, log q and log w"
    )
    draw.set_defaults(handler=_draw, default_threads=1)

    report = sample_commands.add_parser("report", help="HTML report: ESS, ΔF table, profile and energy distributions")
    report.add_argument("folder", help="generator folder written by `atomlearn sample train`")
    report.add_argument("-o", "--out", help="HTML file (default FOLDER/report.html)")
    report.add_argument(
        "--n", type=COUNT, help="flow samples drawn for the report (default: as many as the training's evaluation)"
    )
    report.set_defaults(handler=_report, default_threads=1)


def _train(args: argparse.Namespace) -> int:
    from atomlearn.sampling.train import train_generator

    system, params = _system_request(args)
    result = train_generator(
        system,
        args.out,
        n_samples=args.samples,
        iterations=args.iterations,
        energy_steps=args.energy_steps,
        flow=args.flow,
        n_couplings=args.couplings,
        hidden=args.hidden,
        n_eval=args.n_eval,
        random_state=args.seed,
        device=args.device,
        overwrite=args.overwrite,
        verbose=console.is_terminal,
        system_params=params or None,
    )
    console.print(result.summary(), highlight=False)
    return 0


def _system_request(args: argparse.Namespace) -> tuple[str, dict]:
    """The system name and parameters ``train_generator`` takes for SYSTEM|FRAMES and its options."""
    frames = Path(args.system)
    molecule_options = {"--torsion": args.torsion, "--boundaries": args.boundaries, "--temperature": args.temperature}
    params = {"reference_ns": args.reference_ns} if args.reference_ns else {}
    if args.system in SYSTEMS:
        if args.potential and args.potential != f"openmm:{args.system}":
            raise ValueError(
                f"{args.system} comes with its own potential; --potential is for FRAMES (your molecule's MD)"
            )
        given = [option for option, value in molecule_options.items() if value is not None]
        if given:
            raise ValueError(f"{', '.join(given)}: only for FRAMES (your molecule's MD), not for {args.system}")
        return args.system, params
    if args.potential and args.potential.startswith("openmm:"):
        name = args.potential.split(":", 1)[1]
        raise ValueError(
            f"--potential {args.potential}: the OpenMM system atomlearn builds is alanine-dipeptide "
            f"(give SYSTEM alanine-dipeptide){'' if name == 'alanine-dipeptide' else f', not {name}'}"
        )
    if frames.suffix.lower() not in (".xyz", ".extxyz") and not frames.is_file():
        raise ValueError(
            f"unknown system {args.system!r}: give one of {', '.join(SYSTEMS)} or the MD frames of your "
            "molecule (FRAMES.extxyz) with --potential FF_DIR|xtb"
        )
    if not args.potential:
        raise ValueError(
            f"{args.system}: a molecule's frames need a potential: --potential FF_DIR (written by "
            "`atomlearn forcefield train`) or --potential xtb"
        )
    params.update(
        frames=str(frames.resolve()),
        potential_source=args.potential if args.potential == "xtb" else str(Path(args.potential).resolve()),
    )
    if args.torsion:
        params["cv_torsion"] = _numbers(args.torsion, "--torsion", int)
    if args.boundaries:
        params["boundaries"] = _numbers(args.boundaries, "--boundaries", float)
    if args.temperature is not None:
        params["temperature"] = args.temperature
    return "molecule", params


def _numbers(text: str, option: str, kind: type) -> list:
    try:
        return [kind(part) for part in text.split(",")]
    except ValueError:
        raise ValueError(
            f"{option} {text}: give comma-separated numbers, e.g. {'1,0,2,8' if kind is int else '-120,0,120'}"
        ) from None


def _draw(args: argparse.Namespace) -> int:
    import numpy as np
    import pandas as pd

    from atomlearn.files import write_csv_atomic
    from atomlearn.sampling.reweighting import kish_ess, warn_if_unreliable
    from atomlearn.sampling.store import load_generator, read_record
    from atomlearn.sampling.train import build_potential

    extxyz = args.out.endswith(".extxyz")
    if not (args.out.endswith(".csv") or extxyz):
        raise ValueError(
            f"--out {args.out}: samples are written as CSV (.csv) or, for a molecule, extended XYZ (.extxyz)"
        )
    system = build_potential(read_record(args.folder)["potential"])
    if extxyz and not hasattr(system, "to_atoms"):
        raise ValueError(f"--out {args.out}: {system.name} is not a molecule; write its samples as CSV (.csv)")
    generator = load_generator(args.folder, system)
    x, log_w = generator.sample(args.n, random_state=args.seed)
    samples = generator.samples_
    if extxyz:
        _write_molecules(system, samples, Path(args.out))
    else:
        table = pd.DataFrame(x, columns=[f"x{i + 1}" for i in range(x.shape[1])])
        table["u"], table["log_q"], table["log_w"] = samples.reduced_energies, samples.log_q, log_w
        write_csv_atomic(table, Path(args.out))
    ess = kish_ess(log_w)
    warn_if_unreliable(ess)
    invalid = f"; {samples.n_invalid} without a finite energy (weight 0)" if samples.n_invalid else ""
    console.print(
        f"{args.out}: {len(x)} samples, ESS {ess:.1f} %{invalid}; weights: "
        f"w = exp(log_w − max) (max log_w {np.max(log_w):.3f})",
        highlight=False,
    )
    return 0


def _write_molecules(system, samples, out: Path) -> None:
    """Flow samples as an extended XYZ file (Å), each frame with u = U/kT, log q and log w in its comment line."""
    import ase.io

    from atomlearn.files import atomic_file

    molecules = system.to_atoms(samples.x)
    for atoms, u, log_q, log_w in zip(molecules, samples.reduced_energies, samples.log_q, samples.log_w):
        atoms.info.update(u=float(u), log_q=float(log_q), log_w=float(log_w))
    with atomic_file(out) as partial:
        ase.io.write(partial, molecules, format="extxyz")


def _report(args: argparse.Namespace) -> int:
    from atomlearn.sampling import sampling_report

    console.print(f"report: {sampling_report(args.folder, args.out, n=args.n)}", highlight=False)
    return 0
