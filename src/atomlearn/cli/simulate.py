"""Command line: `atomlearn simulate henry DATASET` (Widom Henry coefficients) and
`atomlearn simulate xtb-md` (GFN2-xTB Langevin MD frames for force fields); both resumable."""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.markup import escape

from atomlearn.cli.common import (
    COUNT,
    COUNT_OR_ZERO,
    FRACTION,
    INTEGER,
    POSITIVE,
    SHOWN_FAILURES,
    TEMPERATURE,
    add_choice_arguments,
    add_folder_arguments,
    add_worker_arguments,
    chosen_structures,
    console,
    error_console,
    load_dataset,
    print_failures,
    table,
)
from atomlearn.units import BAR_TO_PA
from atomlearn.validation import check_mole_fractions, check_pressures

#: as ``atomlearn.simulate.widom.CHARGE_SOURCES`` (not imported: `--help` must not load the simulation code; a test
#: checks)
CHARGE_SOURCES = ("auto", "cif", "eqeq", "off")
#: as ``atomlearn.physics.GUESTS`` (not imported: the physics core loads numba and ASE)
GUEST_NAMES = ("CH4", "Ar", "Kr", "Xe", "N2", "CO2")


def register(commands: argparse._SubParsersAction) -> None:
    """Add the ``simulate`` command group to ``commands``."""
    simulate = commands.add_parser(
        "simulate", help="compute labels by simulation (Widom Henry coefficients, GCMC loadings)"
    )
    simulate_commands = simulate.add_subparsers(title="simulate commands", required=True)
    _register_henry(simulate_commands)
    _register_gcmc(simulate_commands)
    _register_iast(simulate_commands)
    _register_xtb_md(simulate_commands)


def _register_henry(simulate_commands: argparse._SubParsersAction) -> None:
    """``simulate henry``: Widom Henry coefficients of a dataset."""
    henry = simulate_commands.add_parser("henry", help="Henry coefficient and heat of adsorption by Widom insertion")
    henry.add_argument("dataset", help="bundled dataset name (e.g. coremof2019), a folder of CIFs or an ASE database")
    henry.add_argument("--guest", default="CH4", help=f"{', '.join(GUEST_NAMES)} (default CH4)")
    henry.add_argument("--temperature", type=TEMPERATURE, default=298.0, help="temperature in K (default 298)")
    add_choice_arguments(henry, "run")
    henry.add_argument("--seed", type=COUNT_OR_ZERO, default=0, help="seed of --n sampling and of the insertions")
    henry.add_argument("--shifted", action="store_true", help="shift the LJ potential to zero at the cutoff")
    henry.add_argument(
        "--target-error", type=FRACTION, default=0.05, help="stop at this relative error of K_H (default 0.05)"
    )
    henry.add_argument("--max-insertions", type=COUNT, default=5_000_000, help="stop at this many insertions")
    henry.add_argument(
        "--method",
        default="auto",
        choices=["auto", "grid", "direct"],
        help="grid interpolation, direct pair sums, or auto (default)",
    )
    _add_framework_arguments(henry)
    henry.add_argument(
        "--no-charges", action="store_const", dest="charges", const="off", help="the same as --charges off"
    )
    add_folder_arguments(henry, labels=None)
    add_worker_arguments(henry)
    henry.add_argument(
        "--out", required=True, help="results CSV; rerunning with the same file skips finished structures"
    )
    henry.set_defaults(handler=_henry)


def _add_framework_arguments(command: argparse.ArgumentParser) -> None:
    """How a guest sees the framework (Widom and GCMC alike): LJ parameters, cutoff, grid, pockets, charges."""
    command.add_argument("--forcefield", default="uff", choices=["uff", "dreiding"], help="framework LJ parameters")
    command.add_argument(
        "--cutoff", type=POSITIVE, default=12.0, help="LJ and real-space Ewald cutoff in Å (default 12)"
    )
    command.add_argument("--grid-spacing", type=POSITIVE, default=0.15, help="energy grid spacing in Å (default 0.15)")
    command.add_argument(
        "--coarse-grid",
        action="store_true",
        help="allow a grid spacing above 0.2 Å for a quick test (biased: its rows are marked unconverged)",
    )
    command.add_argument("--no-blocking", action="store_true", help="let guests into inaccessible pockets too")
    command.add_argument(
        "--charges",
        default="auto",
        choices=CHARGE_SOURCES,
        help="framework charges for a charged guest (CO2, N2): auto (default) the CIF's, else EQeq; "
        "cif (none: Lennard-Jones only); eqeq (even when the CIF has some); off",
    )


def _register_gcmc(simulate_commands: argparse._SubParsersAction) -> None:
    """``simulate gcmc``: GCMC loadings of a dataset, isotherms or a mixture."""
    gcmc = simulate_commands.add_parser(
        "gcmc", help="grand-canonical Monte Carlo loadings: isotherms of one gas, or a mixture"
    )
    gcmc.add_argument(
        "dataset", help="bundled dataset name, a folder of CIFs (e.g. from `atomlearn charges`) or an ASE database"
    )
    gas = gcmc.add_mutually_exclusive_group()
    gas.add_argument("--guest", default="CO2", help=f"one gas: {', '.join(GUEST_NAMES)} (default CO2)")
    gas.add_argument("--mixture", type=mixture, help="mole fractions of a gas mixture, e.g. CO2:0.15,N2:0.85")
    gcmc.add_argument(
        "--pressures",
        "--pressure",
        dest="pressures",
        required=True,
        type=pressures_bar,
        help="total pressures in bar, comma-separated, e.g. 0.01,0.05,0.15,0.5,1",
    )
    gcmc.add_argument("--temperature", type=TEMPERATURE, default=298.0, help="temperature in K (default 298)")
    add_choice_arguments(gcmc, "run")
    gcmc.add_argument("--seed", type=COUNT_OR_ZERO, default=0, help="seed of --n sampling and of the moves")
    gcmc.add_argument("--cycles", type=COUNT, default=5000, help="sampled cycles at most (default 5000)")
    gcmc.add_argument(
        "--init-cycles", type=COUNT_OR_ZERO, default=1000, help="equilibration cycles, not sampled (default 1000)"
    )
    gcmc.add_argument("--target-error", type=FRACTION, help="stop sampling at this relative error of every loading")
    _add_framework_arguments(gcmc)
    gcmc.add_argument(
        "--truncated", action="store_true", help="truncate LJ at the cutoff instead of shifting it to zero"
    )
    gcmc.add_argument(
        "--swap-trials",
        type=COUNT,
        default=10,
        help="random positions and orientations per insertion, one taken by its Boltzmann weight "
        "(Rosenbluth; default 10, 1: plain insertions)",
    )
    add_folder_arguments(gcmc, labels=None)
    add_worker_arguments(gcmc)
    gcmc.add_argument("--out", required=True, help="results CSV; rerunning with the same file skips finished points")
    gcmc.add_argument(
        "--aif", metavar="DIR", help="also write each framework's isotherm of each gas as an AIF file into DIR"
    )
    gcmc.set_defaults(handler=_gcmc)


def _register_iast(simulate_commands: argparse._SubParsersAction) -> None:
    """``simulate iast``: isotherm fits and IAST from pure-gas GCMC tables."""
    iast = simulate_commands.add_parser(
        "iast", help="fit single-gas GCMC isotherms and predict a mixture by IAST (pyGAPS)"
    )
    iast.add_argument("isotherms", nargs="+", help="`simulate gcmc` CSVs of the pure gases, one per gas")
    iast.add_argument("--mixture", required=True, type=mixture, help="mole fractions, e.g. CO2:0.15,N2:0.85")
    iast.add_argument("--pressure", type=POSITIVE, required=True, help="total pressure in bar")
    iast.add_argument(
        "--model",
        default="auto",
        choices=["auto", "Henry", "Langmuir", "DSLangmuir", "guess"],
        help="isotherm model (default auto: the simplest of Henry, Langmuir and, from 4 pressures on, "
        "dual-site Langmuir unless a richer one lowers the RMSE by 20 %%)",
    )
    iast.add_argument("--compare", help="`simulate gcmc --mixture` CSV at --pressure, shown beside the prediction")
    iast.add_argument("--out", help="CSV of the fits, IAST loadings and selectivities")
    iast.add_argument("--aif", metavar="DIR", help="also write each fitted single-gas isotherm as an AIF file into DIR")
    iast.set_defaults(handler=_iast)


def _register_xtb_md(simulate_commands: argparse._SubParsersAction) -> None:
    """``simulate xtb-md``: GFN2-xTB Langevin MD frames."""
    md = simulate_commands.add_parser(
        "xtb-md", help="GFN2-xTB Langevin MD, frames with energies and forces (extended XYZ)"
    )
    start = md.add_mutually_exclusive_group(required=True)
    start.add_argument("--smiles", help="the molecule as SMILES (embedded in 3D by RDKit, MMFF-relaxed)")
    start.add_argument("--structure", help="a structure file with the starting geometry (XYZ, SDF, ...)")
    md.add_argument("--temperature", type=TEMPERATURE, default=500.0, help="temperature in K (default 500)")
    md.add_argument("--frames", type=COUNT, required=True, help="number of frames the file should hold")
    md.add_argument("--interval", type=COUNT, default=10, help="MD steps between frames (default 10)")
    md.add_argument("--timestep", type=POSITIVE, default=0.5, help="time step in fs (default 0.5)")
    md.add_argument("--friction", type=POSITIVE, default=0.01, help="Langevin friction in 1/fs (default 0.01)")
    md.add_argument(
        "--equilibration", type=COUNT_OR_ZERO, default=1000, help="MD steps before the first frame (default 1000)"
    )
    md.add_argument("--method", default="GFN2-xTB", help="GFN2-xTB (default), GFN1-xTB or IPEA1-xTB")
    md.add_argument("--charge", type=INTEGER, default=0, help="total charge (default 0)")
    md.add_argument(
        "--seed", type=COUNT_OR_ZERO, default=0, help="seed of the velocities, the thermostat and the embedding"
    )
    md.add_argument("--out", required=True, help="extended XYZ file; rerunning with the same file resumes it")
    md.set_defaults(handler=_xtb_md, default_threads=1)  # one molecule: one thread is fastest (bench_threads.py)


def _henry(args: argparse.Namespace) -> int:
    from atomlearn.simulate.henry_batch import henry_labels

    dataset = chosen_structures(load_dataset(args.dataset, args), args)
    batch = henry_labels(
        dataset,
        args.guest,
        args.temperature,
        args.out,
        n_jobs=args.n_jobs,
        scheduler=args.scheduler,
        forcefield=args.forcefield,
        cutoff_A=args.cutoff,
        shifted=args.shifted,
        method=args.method,
        grid_spacing_A=args.grid_spacing,
        target_relative_error=args.target_error,
        max_insertions=args.max_insertions,
        block_pockets=not args.no_blocking,
        charges=args.charges,
        allow_coarse_grid=args.coarse_grid,
        random_state=args.seed,
    )
    console.print(batch.summary())
    _say_unconverged(batch, "structures", "--max-insertions")
    columns = ["id", "henry_mol_kg_Pa", "henry_se_mol_kg_Pa", "qst_kJ_mol", "blocked_fraction", "converged", "time_s"]
    if len(batch.results):
        top = batch.results.sort_values("henry_mol_kg_Pa", ascending=False).head(10)
        console.print(table(top[columns], f"highest K_H of {args.guest} at {args.temperature:g} K (mol/kg/Pa)"))
        notes = batch.results["notes"].dropna()
        if len(notes):
            console.print(f"{len(notes)} structures carry notes, e.g. {escape(str(notes.iloc[0]))}")
    errors_path = f"{Path(args.out).with_suffix('')}.errors.csv"
    print_failures(batch.errors, errors_path)
    console.print(f"results in {args.out}" + (f", failures in {errors_path}" if len(batch.errors) else ""))
    return 0


def _gcmc(args: argparse.Namespace) -> int:
    from atomlearn.simulate.gcmc_batch import gcmc_labels

    guests = args.mixture or args.guest
    pressures = [p * BAR_TO_PA for p in args.pressures]
    if args.aif:
        from atomlearn.simulate import check_aif_folder

        check_aif_folder(args.aif)
    dataset = chosen_structures(load_dataset(args.dataset, args), args)
    batch = gcmc_labels(
        dataset,
        guests,
        args.temperature,
        pressures,
        args.out,
        n_jobs=args.n_jobs,
        scheduler=args.scheduler,
        cycles=args.cycles,
        init_cycles=args.init_cycles,
        target_relative_error=args.target_error,
        forcefield=args.forcefield,
        cutoff_A=args.cutoff,
        shifted=not args.truncated,
        grid_spacing_A=args.grid_spacing,
        block_pockets=not args.no_blocking,
        charges=args.charges,
        swap_trials=args.swap_trials,
        allow_coarse_grid=args.coarse_grid,
        random_state=args.seed,
    )
    console.print(batch.summary())
    _say_unconverged(batch, "points", "--cycles (or --target-error)")
    if len(batch.results):
        loadings = [c for c in batch.results.columns if c.startswith("loading_") and c.endswith("_mol_kg")]
        shown = (
            batch.results[["id", "pressure_bar", *loadings, "converged"]].sort_values(["id", "pressure_bar"]).head(20)
        )
        console.print(table(shown, f"GCMC at {args.temperature:g} K: absolute loadings (mol/kg) with standard errors"))
    errors_path = f"{Path(args.out).with_suffix('')}.errors.csv"
    print_failures(batch.errors, errors_path)
    console.print(f"results in {args.out}" + (f", failures in {errors_path}" if len(batch.errors) else ""))
    if args.aif and len(batch.results):
        from atomlearn.simulate import gcmc_to_aif

        written = gcmc_to_aif(batch.results, args.aif)
        console.print(f"AIF isotherms written to {args.aif}: {len(written)} files")
    return 0


def _say_unconverged(batch, what: str, remedy: str) -> None:  # noqa: ANN001 - a simulate.batch.BatchResult
    """A warning line when rows of the results are not converged: their error bars cannot be trusted."""
    flagged = batch.unconverged()
    if len(flagged):
        first = flagged.iloc[0]
        error_console.print(
            escape(
                f"warning: {len(flagged)} of {len(batch.results)} {what} did not converge (converged "
                f"False; e.g. {first['id']}: {first['notes']}); raise {remedy}"
            ),
            highlight=False,
        )


def _iast(args: argparse.Namespace) -> int:

    from atomlearn.files import write_csv_atomic
    from atomlearn.simulate.isotherms import iast_table
    from atomlearn.simulate.tables import read_gcmc_table

    mixture = args.mixture
    if args.aif:
        from atomlearn.simulate import check_aif_folder

        check_aif_folder(args.aif)
    if len(mixture) < 2:
        raise ValueError(f"--mixture names {', '.join(mixture)} only; IAST predicts a mixture of two or more gases")
    single = {}
    for path in args.isotherms:
        frame = read_gcmc_table(path)
        gas = str(frame["composition"].iloc[0]) if len(frame) else ""
        if gas not in mixture or frame["composition"].nunique() != 1:
            raise ValueError(f"{path}: not a pure-gas `simulate gcmc` table of one of {', '.join(mixture)}")
        single[gas] = frame
    missing = [gas for gas in mixture if gas not in single]
    if missing:
        raise ValueError(
            f"no isotherm CSV for {', '.join(missing)}; give one `simulate gcmc` CSV per gas of the mixture"
        )
    temperatures = {float(t) for frame in single.values() for t in frame["temperature_K"]}
    if len(temperatures) != 1:
        raise ValueError(f"the isotherms are at different temperatures ({sorted(temperatures)} K); IAST needs one")
    compare = read_gcmc_table(args.compare) if args.compare else None
    fitted: dict = {}
    temperature = temperatures.pop()
    result = iast_table(single, mixture, args.pressure, temperature, args.model, compare, fitted)
    label = ",".join(f"{gas}:{fraction:g}" for gas, fraction in mixture.items())
    console.print(
        table(
            result.drop(columns=["error", "warning"]).head(20),
            f"IAST at {args.pressure:g} bar of {label}: loadings in mol/kg, the mixture's GCMC beside them",
        )
    )
    extrapolated = result[result["warning"] != ""]
    for row in extrapolated.head(SHOWN_FAILURES).itertuples():
        error_console.print(
            escape(f"warning: {row.id}: {row.warning}; the IAST loadings rest on an extrapolation"), highlight=False
        )
    failed = result[result["error"] != ""]
    print_failures(
        [{"item_id": r.id, "stage": "iast", "reason": r.error} for r in failed.itertuples()], "the output CSV"
    )
    if args.out:
        write_csv_atomic(result, args.out)
        console.print(f"written to {args.out}")
    if args.aif and not fitted:
        error_console.print(f"warning: no isotherm could be fitted, so no AIF file was written to {args.aif}")
    elif args.aif:
        from atomlearn.simulate import models_to_aif

        settings = {"program": "atomlearn simulate iast", "model": args.model, "sources": ",".join(args.isotherms)}
        written = models_to_aif(
            fitted, args.aif, settings | {"iast_mixture": label, "iast_pressure_bar": args.pressure}
        )
        console.print(f"AIF model isotherms written to {args.aif}: {len(written)} files")
    return 0


def mixture(text: str) -> dict[str, float]:
    """argparse type: ``CO2:0.15,N2:0.85`` -> {"CO2": 0.15, "N2": 0.85}; each gas once, fractions summing to 1."""
    fractions: dict[str, float] = {}
    for part in text.split(","):
        name, colon, fraction = part.partition(":")
        name = name.strip()
        try:
            value = float(fraction)
        except ValueError:
            value = None
        if not colon or not name or value is None:
            raise argparse.ArgumentTypeError(f"{text!r}: write GAS:FRACTION pairs, e.g. CO2:0.15,N2:0.85")
        if name.lower() in (known.lower() for known in fractions):
            raise argparse.ArgumentTypeError(
                f"{text!r} names {name} twice; name each gas once (a pure gas: --guest {name})"
            )
        fractions[name] = value
    try:
        return check_mole_fractions(fractions, repr(text))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def pressures_bar(text: str) -> list[float]:
    """argparse type: ``0.01,0.15,1`` -> [0.01, 0.15, 1.0] (bar), each finite, above 0 and given once."""
    try:
        values = [float(p) for p in text.split(",") if p.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: give pressures in bar, comma-separated, e.g. 0.15,1") from None
    try:
        return check_pressures(values, "pressure", "bar")
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


pressures_bar.bad_values = ("x", "0", "-1", "nan", "inf", "1,1", "")  # type: ignore[attr-defined]
mixture.bad_values = ("CO2", "CO2:0.3,N2:0.3", "CO2:0.5,CO2:0.5", "CO2:nan,N2:0.5", "CO2:-0.5,N2:1.5")  # type: ignore[attr-defined]


def _xtb_md(args: argparse.Namespace) -> int:
    from atomlearn.progress import Progress
    from atomlearn.simulate.xtb import MDSettings, xtb_md
    from atomlearn.structures import from_smiles, read_structure

    if args.frames < 1:
        raise ValueError(f"--frames must be at least 1, got {args.frames}")
    start = from_smiles(args.smiles, random_state=args.seed) if args.smiles else read_structure(args.structure)
    settings = MDSettings(
        temperature_K=args.temperature,
        timestep_fs=args.timestep,
        friction_per_fs=args.friction,
        interval_steps=args.interval,
        equilibration_steps=args.equilibration,
        xtb_method=args.method,
        charge=args.charge,
        seed=args.seed,
    )
    with Progress(
        f"xTB MD {start.get_chemical_formula()} at {args.temperature:g} K", args.frames, unit="frames"
    ) as bar:
        run = xtb_md(start, args.out, args.frames, settings, progress=lambda done, total: bar.update(done))
    console.print(
        f"{run.path}: {run.n_frames} frames ({run.n_resumed} resumed, {run.n_added} added); "
        f"{1000 * run.seconds_per_step:.1f} ms per xTB MD step"
        if run.n_added
        else f"{run.path}: already holds {run.n_frames} frames; nothing to do"
    )
    return 0
