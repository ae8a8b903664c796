"""``atomlearn charges DATASET --out FOLDER``: EQeq framework charges, written as P1 CIFs with
``_atom_site_charge`` into a folder dataset (resumable)."""

from __future__ import annotations

import argparse

from atomlearn.cli.common import (
    COUNT_OR_ZERO,
    FINITE,
    add_choice_arguments,
    add_folder_arguments,
    add_worker_arguments,
    chosen_structures,
    console,
    load_dataset,
    print_failures,
    table,
)


def register(commands: argparse._SubParsersAction) -> None:
    """Add the ``charges`` command to ``commands``."""
    charges = commands.add_parser(
        "charges", help="EQeq partial charges of frameworks, written as CIFs with _atom_site_charge"
    )
    charges.add_argument("dataset", help="bundled dataset name (e.g. coremof2019), a folder of CIFs or an ASE database")
    charges.add_argument(
        "--out",
        required=True,
        help="folder for the charged CIFs, charges.csv, errors.csv and labels.csv; a rerun skips finished ones",
    )
    add_choice_arguments(charges, "charge")
    charges.add_argument("--seed", type=COUNT_OR_ZERO, default=0, help="seed of the --n sample (default 0)")
    charges.add_argument("--total-charge", type=FINITE, default=0.0, help="net charge of each cell in e (default 0)")
    add_folder_arguments(charges, labels=None)
    add_worker_arguments(charges)
    charges.set_defaults(handler=_charges)


def _charges(args: argparse.Namespace) -> int:
    from atomlearn.simulate import CHARGE_ERRORS_FILE, charge_dataset

    dataset = chosen_structures(load_dataset(args.dataset, args), args)
    batch = charge_dataset(
        dataset, args.out, total_charge=args.total_charge, n_jobs=args.n_jobs, scheduler=args.scheduler
    )
    console.print(batch.summary())
    if len(batch.results):
        shown = batch.results.sort_values("max_charge_e", ascending=False).head(10)
        console.print(
            table(
                shown[["id", "formula", "n_atoms", "min_charge_e", "max_charge_e", "time_s"]],
                f"EQeq charges (e), highest cation charge first; {len(batch.results)} structures in {args.out}",
            )
        )
    print_failures(batch.errors, f"{args.out}/{CHARGE_ERRORS_FILE}")
    console.print(f"charged CIFs in {args.out}/ (a folder dataset: `atomlearn simulate henry {args.out} --guest CO2`)")
    return 0
