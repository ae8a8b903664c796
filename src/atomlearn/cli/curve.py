"""``atomlearn curve`` (test error against training-set size) and ``atomlearn bias-variance`` (the
lecture's decomposition on noisy Lennard-Jones energies)."""

from __future__ import annotations

import argparse

from atomlearn.cli.common import (
    COUNT,
    COUNT_OR_ZERO,
    FRACTION,
    NON_NEGATIVE,
    add_data_arguments,
    console,
    dataset_and_featurizers,
    model_params,
    table,
)
from atomlearn.cli.fit import add_model_arguments, print_accounting
from atomlearn.files import write_csv_atomic


def register(commands: argparse._SubParsersAction) -> None:
    """Add the ``curve`` and ``bias-variance`` commands to ``commands``."""
    curve = commands.add_parser("curve", help="learning curve: test error against training-set size")
    add_data_arguments(curve)
    add_model_arguments(curve)
    curve.add_argument("--sizes", required=True, help="training sizes, comma-separated, e.g. 100,200,400,800")
    curve.add_argument("--repeats", type=COUNT, default=3, help="random training subsets per size (default 3)")
    curve.add_argument("--test-size", type=FRACTION, default=0.2, help="held-out fraction (default 0.2)")
    curve.add_argument("--out", help="CSV of every (size, repeat) with train and test MAE")
    curve.set_defaults(handler=_curve)

    bias_variance = commands.add_parser(
        "bias-variance",
        help="bias², variance and noise of polynomial, Lennard-Jones and ridge fits to noisy Lennard-Jones energies",
    )
    bias_variance.add_argument("--degrees", default="1-10", help="polynomial degrees, e.g. 1-10 or 1,3,5")
    bias_variance.add_argument(
        "--ridge-degree", type=COUNT, default=10, help="degree of the ridge-regularised polynomial"
    )
    bias_variance.add_argument(
        "--lambdas", default="1e-6,1e-4,1e-2,1,10,100,1000", help="ridge λ values, comma-separated"
    )
    bias_variance.add_argument("--n-train", type=COUNT, default=30, help="training points per round (default 30)")
    bias_variance.add_argument(
        "--noise", type=NON_NEGATIVE, default=0.002, help="noise standard deviation in eV (default 0.002)"
    )
    bias_variance.add_argument("--rounds", type=COUNT, default=200, help="training sets drawn (default 200)")
    bias_variance.add_argument(
        "--seed", type=COUNT_OR_ZERO, default=0, help="seed of the noise and the draws (default 0)"
    )
    bias_variance.add_argument("--out", help="CSV of the table")
    bias_variance.set_defaults(handler=_bias_variance)


def _curve(args: argparse.Namespace) -> int:
    from atomlearn.evaluate.learning_curves import learning_curve, summarize_curve
    from atomlearn.models import make_model, takes_structures
    from atomlearn.runs.prepare import featurized_split, model_inputs

    dataset, featurizers = dataset_and_featurizers(args)
    model = make_model(args.model, model_params(args.param))
    data = featurized_split(
        dataset, args.target, featurizers, n=args.n, test_size=args.test_size, random_state=args.seed
    )
    inputs = model_inputs(data, model)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    too_big = [s for s in sizes if s > len(data.train)]
    if too_big:
        raise ValueError(
            f"training sizes {too_big} exceed the {len(data.train)} training structures; "
            "use smaller sizes or a larger --n"
        )
    curve = learning_curve(
        model,
        inputs[data.train],
        data.y[data.train],
        inputs[data.test],
        data.y[data.test],
        sizes,
        repeats=args.repeats,
        random_state=args.seed,
    )
    summary, slope = summarize_curve(curve)
    unit = dataset.meta.units.get(args.target, "")
    on = "the structures" if takes_structures(model) else f"{args.featurizer} features"
    console.print(
        table(
            summary.reset_index(),
            f"learning curve of {args.model} on {on}: MAE"
            f"{f' ({unit})' if unit else ''}, {len(data.test)} test structures",
        )
    )
    console.print(
        f"log-log slope of the test MAE: {slope:.3f} (doubling the data multiplies the error by {2**slope:.2f})"
    )
    print_accounting(data.counts, [e.to_dict() for e in data.errors], len(data.train), len(data.test))
    if args.out:
        write_csv_atomic(curve, args.out)
        console.print(f"curve written to {args.out}")
    return 0


def int_list(text: str) -> list[int]:
    """``"1-3,7"`` -> ``[1, 2, 3, 7]``: integers and inclusive ranges, comma-separated."""
    values: list[int] = []
    for part in text.split(","):
        low, dash, high = part.strip().partition("-")
        values += list(range(int(low), int(high) + 1)) if dash else [int(low)]
    return values


def _bias_variance(args: argparse.Namespace) -> int:
    from atomlearn.workflows.bias_variance_study import lj_bias_variance

    result = lj_bias_variance(
        degrees=int_list(args.degrees),
        ridge_degree=args.ridge_degree,
        ridge_lambdas=tuple(float(v) for v in args.lambdas.split(",")),
        n_train=args.n_train,
        noise_eV=args.noise,
        n_rounds=args.rounds,
        random_state=args.seed,
    )
    shown = result.reset_index()[["model", "bias2", "variance", "noise", "expected_mse", "test_mse"]]
    console.print(
        table(
            shown,
            f"noisy Lennard-Jones (argon) energies, {args.n_train} training points, "
            f"{args.rounds} training sets: errors in eV²",
        )
    )
    console.print(f"lowest expected error: {result['expected_mse'].idxmin()}")
    if args.out:
        write_csv_atomic(result.reset_index(), args.out)  # the model names as the first column
        console.print(f"table written to {args.out}")
    return 0
