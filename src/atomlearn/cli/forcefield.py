"""Command line: `atomlearn forcefield train FRAMES.extxyz` and `atomlearn forcefield md FF_DIR START`."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from atomlearn.cli.common import COUNT, COUNT_OR_ZERO, INTEGER, POSITIVE, SHARE, TEMPERATURE, console
from atomlearn.files import write_text_atomic
from atomlearn.progress import Progress

#: as ``atomlearn.forcefield.train.FORCEFIELD_MODELS`` (not imported: `--help` must not load PyTorch; a test checks)
MODELS = ("painn", "schnet", "soap_krr", "krr_local")


def register(commands: argparse._SubParsersAction) -> None:
    """Add the ``forcefield`` command group to ``commands``."""
    forcefield = commands.add_parser("forcefield", help="machine-learned force fields: train on frames, run MD")
    forcefield_commands = forcefield.add_subparsers(title="forcefield commands", required=True)
    train = forcefield_commands.add_parser("train", help="fit a network to energies and forces of extended XYZ frames")
    train.add_argument(
        "frames", help="extended XYZ with energy and forces per frame (from `atomlearn simulate xtb-md`)"
    )
    train.add_argument(
        "--model",
        default="painn",
        choices=MODELS,
        help="painn (default), schnet, soap_krr (the SOAP kernel baseline) or krr_local (local kernel on "
        "FCHL19 environments); the kernels are fitted on energies, their forces are derivatives",
    )
    train.add_argument("--n-train", type=COUNT, default=1000, help="training frames, drawn at random (default 1000)")
    train.add_argument("--test", help="test frames from an independent run (default: the frames not used for training)")
    train.add_argument("--n-test", type=COUNT, help="use at most this many test frames")
    train.add_argument(
        "--epochs", type=COUNT, default=500, help="most epochs (default 500; early stopping may end sooner)"
    )
    train.add_argument("--patience", type=COUNT, default=50, help="stop after this many epochs without improvement")
    train.add_argument("--features", type=COUNT, default=64, help="features per atom (default 64)")
    train.add_argument("--interactions", type=COUNT, default=3, help="message-passing layers (default 3)")
    train.add_argument("--cutoff", type=POSITIVE, default=5.0, help="cutoff radius in Å (default 5)")
    train.add_argument("--learning-rate", type=POSITIVE, default=1e-3, help="initial Adam step (default 1e-3)")
    train.add_argument("--batch-size", type=COUNT, default=16, help="frames per minibatch (default 16)")
    train.add_argument("--force-weight", type=SHARE, default=0.9, help="weight of the force loss, 0-1 (default 0.9)")
    train.add_argument(
        "--seed", type=COUNT_OR_ZERO, default=0, help="seed of the frame draw and the weights (default 0)"
    )
    train.add_argument("--device", default="auto", help="auto (GPU when present), cpu or cuda")
    train.add_argument("--out", required=True, help="force-field folder; rerunning an interrupted run resumes it")
    train.add_argument("--overwrite", action="store_true", help="replace a finished force field already in --out")
    train.set_defaults(handler=_train)

    md = forcefield_commands.add_parser("md", help="MD with a trained force field: drift, stability, distances")
    md.add_argument("folder", help="force-field folder written by `atomlearn forcefield train`")
    md.add_argument("start", help="starting structure (any ASE format; for a trajectory see --frame)")
    md.add_argument("--frame", type=INTEGER, default=-1, help="frame of START to begin from (default: the last)")
    md.add_argument("--steps", type=COUNT, default=10_000, help="MD steps (default 10000)")
    md.add_argument("--timestep", type=POSITIVE, default=0.5, help="time step in fs (default 0.5)")
    md.add_argument(
        "--temperature",
        type=TEMPERATURE,
        default=300.0,
        help="K: initial velocities when START has no momenta, and the NVT thermostat (default 300)",
    )
    md.add_argument("--ensemble", default="nve", choices=["nve", "nvt"], help="nve (default; reports the drift) or nvt")
    md.add_argument(
        "--replicas",
        type=COUNT,
        default=1,
        help="independent copies of the molecule run at once in one batch, each with its own velocities "
        "drawn at --temperature (default 1); more trajectories per second",
    )
    md.add_argument("--device", default="cpu", help="cpu (default), cuda or auto; a GPU pays off with many replicas")
    md.add_argument("--interval", type=COUNT, default=10, help="steps between saved, checked frames (default 10)")
    md.add_argument(
        "--distance", help="atom pair I,J (0-based) whose distance distribution is compared; default all pairs"
    )
    md.add_argument("--reference", help="reference trajectory (e.g. the xTB frames) for the distance comparison")
    md.add_argument(
        "--seed", type=COUNT_OR_ZERO, default=0, help="seed of the velocities and the thermostat (default 0)"
    )
    md.add_argument("--out", required=True, help="folder for the trajectory (md.extxyz) and md.json")
    md.set_defaults(handler=_md, default_threads=1)  # one molecule: one thread is fastest (bench_threads.py)


def _train(args: argparse.Namespace) -> int:
    from atomlearn.forcefield import train_forcefield

    params = {} if args.model == "krr_local" else {"cutoff_A": args.cutoff}  # FCHL19 has its own 8 Å
    if args.model not in ("soap_krr", "krr_local"):
        params.update(
            n_features=args.features,
            n_interactions=args.interactions,
            learning_rate=args.learning_rate,
            batch_size=args.batch_size,
            force_weight=args.force_weight,
            max_epochs=args.epochs,
            patience=args.patience,
            verbose=console.is_terminal,
        )
    result = train_forcefield(
        args.frames,
        args.out,
        model=args.model,
        n_train=args.n_train,
        n_test=args.n_test,
        test_path=args.test,
        params=params,
        random_state=args.seed,
        device=args.device,
        overwrite=args.overwrite,
    )
    console.print(result.summary())
    return 0


def _md(args: argparse.Namespace) -> int:
    from atomlearn.forcefield import Calculator
    from atomlearn.forcefield.md import run_md
    from atomlearn.structures import read_frames

    calculator = Calculator(args.folder, device=args.device, n_replicas=args.replicas)
    frames = read_frames(args.start)
    if not -len(frames) <= args.frame < len(frames):
        raise ValueError(f"{args.start} holds {len(frames)} frames; --frame {args.frame} is not one of them")
    pair = _pair(args.distance)
    reference = read_frames(args.reference) if args.reference else None
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with Progress(f"{args.ensemble.upper()} MD", args.steps, unit="steps") as bar:
        report = run_md(
            frames[args.frame],
            calculator,
            args.steps,
            timestep_fs=args.timestep,
            temperature_K=args.temperature,
            ensemble=args.ensemble,
            interval_steps=args.interval,
            cutoff_A=float(calculator.model.cutoff_A),
            out=out / "md.extxyz",
            distance=pair,
            reference=reference,
            seed=args.seed,
            progress=lambda done, total: bar.update(done),
        )
    write_text_atomic(out / "md.json", json.dumps(report.to_dict(), indent=2))
    console.print(report.summary())
    console.print(f"trajectory in {out / 'md.extxyz'}, numbers in {out / 'md.json'}")
    return 0 if report.stable else 1


def _pair(text: str | None) -> tuple[int, int] | None:
    if text is None:
        return None
    try:
        first, second = (int(part) for part in text.split(","))
    except ValueError:
        raise ValueError(f"--distance {text!r}: give two atom indices as I,J, e.g. 0,1") from None
    return first, second
