"""``atomlearn fit`` (a test set put aside, a model fitted on the rest, scored against baselines) and
``atomlearn models`` (what ``fit`` knows)."""

from __future__ import annotations

import argparse

from rich.table import Table

from atomlearn.cli.common import (
    COUNT,
    FRACTION,
    add_data_arguments,
    console,
    dataset_and_featurizers,
    model_params,
    parse_nested,
    print_failures,
    table,
)

SPLITS = ("random", "stratified", "kennard-stone", "cluster", "scaffold", "group", "predefined")


def register(commands: argparse._SubParsersAction) -> None:
    """Add the ``fit`` and ``models`` commands to ``commands``."""
    fit = commands.add_parser("fit", help="put a test set aside, fit a model on the rest, score it against baselines")
    add_data_arguments(fit)
    add_model_arguments(fit)
    fit.add_argument(
        "--split",
        default="random",
        choices=SPLITS,
        help="how the test set is chosen (default random; stratified keeps each target decile in proportion)",
    )
    fit.add_argument(
        "--group-column",
        help="label column with each structure's group (--split group), or train/test (--split predefined)",
    )
    fit.add_argument("--test-size", type=FRACTION, default=0.2, help="held-out fraction (default 0.2)")
    fit.add_argument("--nested", metavar="OUTERxINNER", help="nested cross-validation on the training set, e.g. 5x5")
    fit.add_argument("--bootstrap", type=COUNT, default=1000, help="bootstrap resamples for the confidence intervals")
    fit.add_argument("--out", help="run folder: results.json, predictions.csv, errors.csv and the model bundle")
    fit.set_defaults(handler=_fit)

    models = commands.add_parser("models", help="the models `fit` knows, with what they tune")
    models.set_defaults(handler=_models)


def add_model_arguments(command: argparse.ArgumentParser) -> None:
    """Add ``--model`` and ``--param NAME=VALUE`` (shared by ``fit`` and ``curve``)."""
    command.add_argument("--model", default="ridge", help="model name (default ridge; see `atomlearn models`)")
    command.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="model parameter (JSON value), e.g. max_epochs=100 for a network",
    )


def print_accounting(counts: dict, errors: list[dict], n_train: int, n_test: int) -> None:
    """N structures in: used (train, test), failed, and the first reasons (in = used + failed)."""
    console.print(
        f"{counts['requested']} structures in: {counts['used']} used ({n_train} train, {n_test} test), "
        f"{counts['failed']} failed"
    )
    print_failures(errors, "errors.csv of the run folder")


def _fit(args: argparse.Namespace) -> int:
    from atomlearn.models import make_model
    from atomlearn.runs import run_holdout

    dataset, featurizers = dataset_and_featurizers(args)
    result = run_holdout(
        dataset,
        args.target,
        featurizers,
        make_model(args.model, model_params(args.param)),
        model_name=args.model,
        n=args.n,
        split=args.split,
        test_size=args.test_size,
        group_column=args.group_column,
        nested=parse_nested(args.nested),
        n_bootstrap=args.bootstrap,
        random_state=args.seed,
    )
    console.print(_metrics_table(result, args.model))
    if result.model["fitted"]:
        console.print(
            "chosen hyperparameters: "
            + ", ".join(
                f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in result.model["fitted"].items()
            )
        )
    unit = f" ({result.target_unit})" if result.target_unit else ""
    if result.nested:
        mae = result.nested["summary"]["mae"]
        console.print(
            f"nested CV {args.nested} on the training set: MAE {mae['mean']:.4g} ± {mae['std']:.4g}{unit} over "
            f"{len(result.nested['folds'])} outer folds; parameters per fold: "
            + "; ".join(str(f["params"]) for f in result.nested["folds"])
        )
    if result.calibration:
        cal = result.calibration
        console.print(
            f"predictive std on the test set: 68% interval holds {cal['coverage']['0.7']:.0%} (70% nominal), "
            f"95% holds {cal['coverage']['0.95']:.0%}; z RMS {cal['z_rms']:.2f} (1 is calibrated)"
        )
    print_accounting(result.counts, result.errors, result.split["n_train"], result.split["n_test"])
    if args.out:
        from atomlearn.runs.run_folder import RUN_FILES, write_run

        folder = write_run(args.out, result)
        console.print(f"run written to {folder}/ ({RUN_FILES})")
    return 0


def _metrics_table(result, model_name: str) -> Table:
    """Test metrics with 95% bootstrap intervals of the model and its baselines, and the training MAE."""
    unit = f" ({result.target_unit})" if result.target_unit else ""
    inputs = (
        f"{model_name} on the structures, baselines on {result.featurizer['name']} features"
        if result.model["input"] == "structures"
        else f"{result.featurizer['name']} features"
    )
    shown = Table(
        title=f"{result.dataset}: {result.target}{unit}, {inputs}, "
        f"{result.split['kind']} hold-out test set (95% bootstrap intervals)",
        caption="baselines on the same split: " + ", ".join(k for k in result.metrics if k != "model"),
    )
    for column in (
        "model",
        f"test MAE{unit}",
        f"test RMSE{unit}",
        "test R²",
        "Spearman ρ",
        "top-10% recall",
        f"train MAE{unit}",
    ):
        shown.add_column(column)
    for key in result.metrics:
        ci, train = result.metrics_ci[key]["test"], result.metrics[key]["train"]
        shown.add_row(
            model_name if key == "model" else key,
            _interval(ci["mae"]),
            _interval(ci["rmse"]),
            _interval(ci["r2"], ".3f"),
            _interval(ci["spearman"], ".3f"),
            _interval(ci["top_k_recall"], ".2f"),
            f"{train['mae']:.4g}",
        )
    return shown


def _interval(entry: dict[str, float], digits: str = ".4g") -> str:
    return f"{entry['value']:{digits}} [{entry['low']:{digits}}, {entry['high']:{digits}}]"


def _models(args: argparse.Namespace) -> int:
    import pandas as pd

    from atomlearn.models import MODELS

    frame = pd.DataFrame(
        [
            {
                "name": entry.name,
                "what": entry.description,
                "searched by nested CV": str(entry.info["search_space"])
                if entry.info["search_space"]
                else "tunes itself",
            }
            for entry in MODELS.values()
        ]
    )
    console.print(table(frame, "models"))
    return 0
