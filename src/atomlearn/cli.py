"""The ``atomlearn`` command: parses arguments, calls the library, prints tables."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

import pandas as pd
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from atomlearn import __version__

console = Console()
error_console = Console(stderr=True)


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "handler"):
        parser.print_help()
        return 2
    try:
        return args.handler(args) or 0
    except (KeyError, ValueError, FileNotFoundError) as exc:
        message = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc
        error_console.print(f"[bold red]error:[/] {message}", highlight=False)
        return 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="atomlearn", description="Machine learning for materials and molecules.")
    parser.add_argument("--version", action="version", version=f"atomlearn {__version__}")
    commands = parser.add_subparsers(title="commands")

    datasets = commands.add_parser("datasets", help="list, describe and export datasets")
    datasets_commands = datasets.add_subparsers(title="datasets commands", required=True)
    listing = datasets_commands.add_parser("list", help="the bundled datasets")
    listing.set_defaults(handler=_datasets_list)
    info = datasets_commands.add_parser("info", help="counts, label columns with units, citation")
    info.add_argument("name", help="bundled dataset name, a folder or an ASE database file")
    info.set_defaults(handler=_datasets_info)
    export = datasets_commands.add_parser("export", help="write structures + labels.csv to a folder")
    export.add_argument("name")
    export.add_argument("--out", required=True, help="output folder")
    export.add_argument("--n", type=int, help="export a random sample of this many structures")
    export.add_argument("--seed", type=int, default=0)
    export.set_defaults(handler=_datasets_export)

    cache = commands.add_parser("cache", help="inspect or clear the cache folder")
    cache_commands = cache.add_subparsers(title="cache commands", required=True)
    cache_commands.add_parser("info", help="what the cache holds").set_defaults(handler=_cache_info)
    clear = cache_commands.add_parser("clear", help="delete cached rows and/or dataset conversions")
    clear.add_argument("--what", choices=["all", "rows", "datasets"], default="all")
    clear.set_defaults(handler=_cache_clear)

    featurize = commands.add_parser("featurize", help="compute descriptors of a dataset into a table")
    featurize.add_argument("dataset", nargs="?", help="bundled dataset name, a folder or an ASE database file")
    featurize.add_argument("--featurizer", default="composition", help="one or more names, comma-separated (see --list)")
    featurize.add_argument("--set", action="append", default=[], metavar="NAME.PARAM=VALUE",
                           help="featurizer parameter, e.g. racs.max_depth=2 or soap.species='[\"C\",\"H\"]' (JSON values)")
    featurize.add_argument("--list", action="store_true", help="show every featurizer with its parameters, invariances and citation")
    featurize.add_argument("--out", help="features table (.parquet or .csv); errors go next to it as <name>.errors.csv")
    featurize.add_argument("--labels", default="labels.csv", help="labels CSV of a folder dataset")
    featurize.add_argument("--id-column", default="id", help="id column of the labels CSV")
    featurize.add_argument("--n", type=int, help="featurize a random sample of this many structures")
    featurize.add_argument("--seed", type=int, default=0)
    featurize.add_argument("--n-jobs", type=int, default=1, help="worker processes (-1: all cores)")
    featurize.add_argument("--scheduler", help="address of a dask.distributed scheduler (or $ATOMLEARN_SCHEDULER)")
    featurize.add_argument("--no-cache", action="store_true", help="recompute rows instead of reading the cache")
    featurize.add_argument("--check-invariance", action="store_true",
                           help="also apply random translations, rotations, permutations, supercells and print the changes")
    featurize.add_argument("--check-n", type=int, default=5, help="structures used by --check-invariance (default 5)")
    featurize.set_defaults(handler=_featurize)

    fit = commands.add_parser("fit", help="put a test set aside, fit a model on the rest, score it against baselines")
    _add_data_arguments(fit)
    fit.add_argument("--model", default="ridge", help="model name (see `atomlearn models`)")
    fit.add_argument("--split", default="random", choices=["random", "stratified", "kennard-stone", "cluster", "scaffold", "group"],
                     help="how the test set is chosen (default random; stratified keeps each target decile in proportion)")
    fit.add_argument("--group-column", help="label column with each structure's group (for --split group)")
    fit.add_argument("--test-size", type=float, default=0.2, help="held-out fraction (default 0.2)")
    fit.add_argument("--nested", metavar="OUTERxINNER", help="nested cross-validation on the training set, e.g. 5x5")
    fit.add_argument("--bootstrap", type=int, default=1000, help="bootstrap resamples for the confidence intervals")
    fit.add_argument("--out", help="run folder: results.json, predictions.csv, errors.csv and the model bundle")
    fit.set_defaults(handler=_fit)

    predict = commands.add_parser("predict", help="featurize new structure files and predict with a fitted run")
    predict.add_argument("run", help="run folder of `atomlearn fit --out` (or its bundle folder)")
    predict.add_argument("files", nargs="+", help="structure files or folders of them")
    predict.add_argument("--out", help="predictions CSV (default: print them)")
    predict.add_argument("--n-jobs", type=int, default=1, help="worker processes (-1: all cores)")
    predict.set_defaults(handler=_predict)

    curve = commands.add_parser("curve", help="learning curve: test error against training-set size")
    _add_data_arguments(curve)
    curve.add_argument("--model", default="ridge", help="model name (see `atomlearn models`)")
    curve.add_argument("--sizes", required=True, help="training sizes, comma-separated, e.g. 100,200,400,800")
    curve.add_argument("--repeats", type=int, default=3, help="random training subsets per size (default 3)")
    curve.add_argument("--test-size", type=float, default=0.2, help="held-out fraction (default 0.2)")
    curve.add_argument("--out", help="CSV of every (size, repeat) with train and test MAE")
    curve.set_defaults(handler=_curve)

    bias_variance = commands.add_parser("bias-variance", help="bias², variance and noise of polynomial, Lennard-Jones "
                                                              "and ridge fits to noisy Lennard-Jones energies")
    bias_variance.add_argument("--degrees", default="1-10", help="polynomial degrees, e.g. 1-10 or 1,3,5")
    bias_variance.add_argument("--ridge-degree", type=int, default=10, help="degree of the ridge-regularised polynomial")
    bias_variance.add_argument("--lambdas", default="1e-6,1e-4,1e-2,1,10,100,1000", help="ridge λ values, comma-separated")
    bias_variance.add_argument("--n-train", type=int, default=30, help="training points per round (default 30)")
    bias_variance.add_argument("--noise", type=float, default=0.002, help="noise standard deviation in eV (default 0.002)")
    bias_variance.add_argument("--rounds", type=int, default=200, help="training sets drawn (default 200)")
    bias_variance.add_argument("--seed", type=int, default=0)
    bias_variance.add_argument("--out", help="CSV of the table")
    bias_variance.set_defaults(handler=_bias_variance)

    models = commands.add_parser("models", help="the models `fit` knows, with what they tune")
    models.set_defaults(handler=_models)
    return parser


def _add_data_arguments(command: argparse.ArgumentParser) -> None:
    """Dataset, target, featurizers and sampling: shared by fit and curve."""
    command.add_argument("dataset", nargs="?", help="bundled dataset name, a folder or an ASE database file")
    command.add_argument("--dataset", dest="dataset_option", help=argparse.SUPPRESS)  # older spelling
    command.add_argument("--labels", default="labels.csv", help="labels CSV of a folder dataset")
    command.add_argument("--id-column", default="id", help="id column of the labels CSV")
    command.add_argument("--target", required=True, help="label column to predict")
    command.add_argument("--featurizer", default="element_fraction", help="one or more names, comma-separated")
    command.add_argument("--set", action="append", default=[], metavar="NAME.PARAM=VALUE", help="featurizer parameter (JSON value)")
    command.add_argument("--n", type=int, help="use a random sample of this many structures")
    command.add_argument("--seed", type=int, default=0, help="random seed for sampling, splitting and models")
    command.add_argument("--n-jobs", type=int, default=1, help="worker processes for featurizing (-1: all cores)")
    command.add_argument("--scheduler", help="address of a dask.distributed scheduler (or $ATOMLEARN_SCHEDULER)")


def _dataset_and_featurizers(args: argparse.Namespace):
    from atomlearn.featurizers import make_featurizer

    name = args.dataset or args.dataset_option
    if not name:
        raise ValueError("give a dataset: a bundled name (see `atomlearn datasets list`), a folder or an ASE database")
    names = [n.strip() for n in args.featurizer.split(",") if n.strip()]
    params = _featurizer_params(args.set, names)
    featurizers = [make_featurizer(n, n_jobs=args.n_jobs, scheduler=args.scheduler, **params[n]) for n in names]
    return _load(name, args), featurizers


def _load(name: str, args: argparse.Namespace | None = None):
    from atomlearn.datasets import BUNDLED, load

    if name in BUNDLED or args is None:
        return load(name)
    return load(name, labels=args.labels, id_column=args.id_column, n_jobs=args.n_jobs, scheduler=args.scheduler)


def _table(frame: pd.DataFrame, title: str | None = None) -> Table:
    table = Table(title=title)
    for column in frame.columns:
        table.add_column(str(column))
    for row in frame.itertuples(index=False):
        table.add_row(*(f"{v:.4g}" if isinstance(v, float) else str(v) for v in row))
    return table


def _datasets_list(args: argparse.Namespace) -> int:
    from atomlearn.datasets import available

    console.print(_table(available(), "bundled datasets"))
    return 0


def _datasets_info(args: argparse.Namespace) -> int:
    summary = _load(args.name).summary()
    console.print(f"[bold]{summary['name']}[/]: {summary['description']}")
    console.print(f"structures: {summary['structures']}   load problems: {summary['errors']}")
    columns = pd.DataFrame(list(summary["label_columns"].items()), columns=["label column", "unit"])
    console.print(_table(columns))
    for note in summary["notes"]:
        console.print(f"note: {note}")
    console.print(f"cite: {summary['citation'] or '-'}\nsource: {summary['source']}")
    return 0


def _datasets_export(args: argparse.Namespace) -> int:
    from atomlearn.datasets import export_dataset

    dataset = _load(args.name)
    if args.n is not None:
        dataset = dataset.sample(args.n, random_state=args.seed)
    counts = export_dataset(dataset, args.out)
    console.print(f"wrote {counts['structures']} structures and {counts['label_rows']} label rows to {args.out}"
                  + (f" ({counts['errors']} load problems in errors.csv)" if counts["errors"] else ""))
    return 0


def _cache_info(args: argparse.Namespace) -> int:
    from atomlearn.cache import cache_dir, cache_info

    console.print(f"cache folder: {cache_dir()}")
    console.print(_table(cache_info()))
    return 0


def _cache_clear(args: argparse.Namespace) -> int:
    from atomlearn.cache import clear_cache

    for line in clear_cache(what=args.what):
        console.print(f"removed {line}")
    return 0


def _featurizer_params(settings: Sequence[str], names: Sequence[str]) -> dict[str, dict[str, object]]:
    import json

    params: dict[str, dict[str, object]] = {name: {} for name in names}
    for setting in settings:
        key, separator, raw = setting.partition("=")
        name, dot, param = key.partition(".")
        if not separator or not dot or name not in params:
            raise ValueError(f"--set {setting!r}: write NAME.PARAM=VALUE with NAME one of {', '.join(names)}")
        try:
            params[name][param] = json.loads(raw)
        except json.JSONDecodeError:
            params[name][param] = raw
    return params


def _featurizer_list() -> int:
    from atomlearn.featurizers import FEATURIZERS
    from atomlearn.featurizers.base import RUNTIME_PARAMS

    table = Table(title="featurizers", show_lines=True)
    for column in ("name", "parameters (defaults)", "invariant to", "cite"):
        table.add_column(column, overflow="fold")
    for name, cls in FEATURIZERS.items():
        featurizer = cls()
        params = ", ".join(f"{k}={v!r}" for k, v in featurizer.get_params().items() if k not in RUNTIME_PARAMS)
        table.add_row(name, params, ", ".join(sorted(featurizer.symmetries)) or "nothing", "\n".join(featurizer.citations()) or "-")
    console.print(table)
    return 0


def _featurize(args: argparse.Namespace) -> int:
    from pathlib import Path

    import numpy as np

    from atomlearn.featurizers import featurize_table, make_featurizer
    from atomlearn.featurizers.invariance import check
    from atomlearn.featurizers.table import complete_rows

    if args.list:
        return _featurizer_list()
    if not args.dataset:
        raise ValueError("give a dataset (a bundled name, a folder or an ASE database), or --list")
    names = [name.strip() for name in args.featurizer.split(",") if name.strip()]
    params = _featurizer_params(args.set, names)
    featurizers = [make_featurizer(name, n_jobs=args.n_jobs, scheduler=args.scheduler, cache=not args.no_cache, **params[name])
                   for name in names]
    dataset = _load(args.dataset, args)
    if args.n is not None:
        dataset = dataset.sample(args.n, random_state=args.seed)
    features, errors = featurize_table(featurizers, dataset.structures, dataset.ids)
    complete = complete_rows(features)
    console.print(f"{len(features)} structures in: {int(complete.sum())} featurized by all of {', '.join(names)}, "
                  f"{int((~complete).sum())} with a failure ({features.shape[1]} columns)")
    for row in errors.head(10).itertuples(index=False):
        console.print(escape(f"  failed: {row.item_id} [{row.stage}] {row.reason}"), highlight=False)
    if len(errors) > 10:
        console.print(f"  ... and {len(errors) - 10} more (see the errors CSV)")
    if args.out:
        out = Path(args.out)
        out.parent.mkdir(parents=True, exist_ok=True)
        features.to_csv(out) if out.suffix == ".csv" else features.to_parquet(out)
        errors_path = out.with_name(out.stem + ".errors.csv")
        errors.to_csv(errors_path, index=False)
        console.print(f"features written to {out}, errors to {errors_path}")
    if args.check_invariance:
        sample = dataset.take(np.flatnonzero(complete)[: args.check_n]).structures  # loaded and featurized fine
        if not len(sample):
            raise ValueError("no structure was featurized without error, so invariance cannot be checked")
        for featurizer in featurizers:
            console.print(_table(check(featurizer, sample), f"invariance of {featurizer.name} on {len(sample)} structures"))
    return 0


def _nested(text: str | None) -> tuple[int, int] | None:
    if text is None:
        return None
    outer, separator, inner = text.lower().partition("x")
    if not (separator and outer.isdigit() and inner.isdigit() and int(outer) >= 2 and int(inner) >= 2):
        raise ValueError(f"--nested {text!r}: write OUTERxINNER with both at least 2, e.g. 5x5")
    return int(outer), int(inner)


def _interval(entry: dict[str, float], digits: str = ".4g") -> str:
    return f"{entry['value']:{digits}} [{entry['low']:{digits}}, {entry['high']:{digits}}]"


def _fit(args: argparse.Namespace) -> int:
    from atomlearn.evaluate import run_holdout
    from atomlearn.models import make_model

    dataset, featurizers = _dataset_and_featurizers(args)
    result = run_holdout(dataset, args.target, featurizers, make_model(args.model), model_name=args.model, n=args.n,
                         split=args.split, test_size=args.test_size, group_column=args.group_column,
                         nested=_nested(args.nested), n_bootstrap=args.bootstrap, random_state=args.seed)
    unit = f" ({result.target_unit})" if result.target_unit else ""
    table = Table(title=f"{result.dataset}: {result.target}{unit}, {result.featurizer['name']} features, "
                        f"{result.split['kind']} hold-out test set (95% bootstrap intervals)",
                  caption="baselines on the same split: " + ", ".join(k for k in result.metrics if k != "model"))
    for column in ("model", f"test MAE{unit}", f"test RMSE{unit}", "test R²", "Spearman ρ", "top-10% recall", f"train MAE{unit}"):
        table.add_column(column)
    for key in result.metrics:
        ci, train = result.metrics_ci[key]["test"], result.metrics[key]["train"]
        label = args.model if key == "model" else key
        table.add_row(label, _interval(ci["mae"]), _interval(ci["rmse"]), _interval(ci["r2"], ".3f"),
                      _interval(ci["spearman"], ".3f"), _interval(ci["top_k_recall"], ".2f"), f"{train['mae']:.4g}")
    console.print(table)
    if result.model["fitted"]:
        console.print("chosen hyperparameters: " + ", ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}"
                                                             for k, v in result.model["fitted"].items()))
    if result.nested:
        mae = result.nested["summary"]["mae"]
        console.print(f"nested CV {args.nested} on the training set: MAE {mae['mean']:.4g} ± {mae['std']:.4g}{unit} over "
                      f"{len(result.nested['folds'])} outer folds; parameters per fold: "
                      + "; ".join(str(f["params"]) for f in result.nested["folds"]))
    if result.calibration:
        cal = result.calibration
        console.print(f"predictive std on the test set: 68% interval holds {cal['coverage']['0.7']:.0%} (70% nominal), "
                      f"95% holds {cal['coverage']['0.95']:.0%}; z RMS {cal['z_rms']:.2f} (1 is calibrated)")
    c = result.counts
    console.print(f"{c['requested']} structures in: {c['used']} used "
                  f"({result.split['n_train']} train, {result.split['n_test']} test), {c['failed']} failed")
    for error in result.errors[:10]:
        console.print(escape(f"  failed: {error['item_id']} [{error['stage']}] {error['reason']}"), highlight=False)
    if len(result.errors) > 10:
        console.print(f"  ... and {len(result.errors) - 10} more (see errors.csv in the run folder)")
    if args.out:
        _write_run(args.out, result)
    return 0


def _write_run(out: str, result) -> None:
    from pathlib import Path

    from atomlearn.models.bundle import save_bundle

    folder = Path(out)
    if folder.suffix == ".json":
        raise ValueError(f"--out {out}: give a run folder (results.json, predictions.csv and the model bundle go in it)")
    folder.mkdir(parents=True, exist_ok=True)
    result.to_json(folder / "results.json")
    result.predictions_frame().to_csv(folder / "predictions.csv", index=False)
    pd.DataFrame(result.errors, columns=["item_id", "stage", "reason"]).to_csv(folder / "errors.csv", index=False)
    featurizer, model = result.fitted
    card = {"dataset": result.dataset, "target": result.target, "target_unit": result.target_unit,
            "featurizer": {"names": result.featurizer["names"], "params": result.featurizer["params"],
                           "n_features": result.featurizer["n_features"]},
            "model": result.model, "split": {k: v for k, v in result.split.items() if k != "describe"},
            "counts": result.counts, "data_hash": result.data_hash,
            "test_metrics": {k: v["test"] for k, v in result.metrics.items()}}
    save_bundle(folder / "bundle", featurizer, model, card)
    console.print(f"run written to {folder}/ (results.json, predictions.csv, errors.csv, bundle/model.skops + card.json)")


def _structure_files(paths: Sequence[str]) -> list:
    from pathlib import Path

    from atomlearn.datasets.folder import is_structure_file

    files = []
    for name in paths:
        path = Path(name)
        if path.is_dir():
            files += sorted(p for p in path.iterdir() if p.is_file() and is_structure_file(p))
        elif path.exists():
            files.append(path)
        else:
            raise FileNotFoundError(f"{name}: no such file or folder")
    if not files:
        raise ValueError(f"no structure files found in {', '.join(paths)}")
    return files


def _predict(args: argparse.Namespace) -> int:
    import numpy as np

    from atomlearn.models.bundle import load_bundle
    from atomlearn.parallel import parallel_map
    from atomlearn.structures import read_structure

    bundle = load_bundle(args.run)
    files = _structure_files(args.files)
    names = [str(f) for f in files]
    read = parallel_map(read_structure, names, ids=names, n_jobs=args.n_jobs, stage="read", description="reading")
    readable = [i for i, atoms in enumerate(read.results) if atoms is not None]
    rows = [{"file": str(f), "id": f.stem, "y_pred": None, "error": ""} for f in files]
    for error in read.errors:
        rows[names.index(error.item_id)]["error"] = f"read: {error.reason}"
    for i in readable:
        read.results[i].info["id"] = names[i]
    if readable:
        for _, part in getattr(bundle.featurizer, "transformer_list", [(None, bundle.featurizer)]):
            part.set_params(n_jobs=args.n_jobs, cache=False)
        X = bundle.featurizer.transform([read.results[i] for i in readable])
        ok = np.isfinite(X).all(axis=1)
        final = bundle.model.steps[-1][1] if hasattr(bundle.model, "steps") else bundle.model
        has_std = hasattr(final, "signal_variance_")
        if ok.any():
            out = bundle.model.predict(X[ok], return_std=True) if has_std else (bundle.model.predict(X[ok]), None)
        reasons = _featurize_reasons(bundle.featurizer)
        position = 0
        for row_index, good in zip(readable, ok):
            if good:
                rows[row_index]["y_pred"] = float(out[0][position])
                if has_std:
                    rows[row_index]["y_std"] = float(out[1][position])
                position += 1
            else:
                rows[row_index]["error"] = "featurize: " + reasons.get(names[row_index], "NaN features")
    import pandas as pd

    frame = pd.DataFrame(rows)
    unit = bundle.card.get("target_unit", "")
    target = bundle.card.get("target", "y")
    n_failed = int((frame["error"] != "").sum())
    console.print(f"{len(frame)} files in: {len(frame) - n_failed} predicted, {n_failed} failed "
                  f"({target}{f' in {unit}' if unit else ''}; model {bundle.card['model']['name']}, "
                  f"trained on {bundle.card['counts']['used']} structures of {bundle.card['dataset']})")
    if args.out:
        frame.to_csv(args.out, index=False)
        console.print(f"predictions written to {args.out}")
    else:
        console.print(_table(frame))
    return 0


def _featurize_reasons(featurizer) -> dict[str, str]:
    """Why each structure (by id) failed in the featurizers of the last transform."""
    reasons = {}
    for _, part in getattr(featurizer, "transformer_list", [(None, featurizer)]):
        for record in part.errors_table().itertuples(index=False):
            reasons[str(record.item_id)] = f"{record.stage}: {record.reason}"
    return reasons


def _curve(args: argparse.Namespace) -> int:
    from atomlearn.evaluate.holdout import featurized_split
    from atomlearn.evaluate.learning_curve import learning_curve, summarize_curve
    from atomlearn.models import make_model

    dataset, featurizers = _dataset_and_featurizers(args)
    data = featurized_split(dataset, args.target, featurizers, n=args.n, test_size=args.test_size, random_state=args.seed)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    too_big = [s for s in sizes if s > len(data.train)]
    if too_big:
        raise ValueError(f"training sizes {too_big} exceed the {len(data.train)} training structures; "
                         "use smaller sizes or a larger --n")
    curve = learning_curve(make_model(args.model), data.X[data.train], data.y[data.train], data.X[data.test],
                           data.y[data.test], sizes, repeats=args.repeats, random_state=args.seed)
    table, slope = summarize_curve(curve)
    unit = dataset.meta.units.get(args.target, "")
    console.print(_table(table.reset_index(), f"learning curve of {args.model} on {args.featurizer} features: MAE"
                                              f"{f' ({unit})' if unit else ''}, {len(data.test)} test structures"))
    console.print(f"log-log slope of the test MAE: {slope:.3f} (doubling the data multiplies the error by {2**slope:.2f})")
    if data.errors:
        console.print(f"{data.counts['requested']} structures in: {data.counts['used']} used, {len(data.errors)} failed")
    if args.out:
        curve.to_csv(args.out, index=False)
        console.print(f"curve written to {args.out}")
    return 0


def _int_list(text: str) -> list[int]:
    values: list[int] = []
    for part in text.split(","):
        low, dash, high = part.strip().partition("-")
        values += list(range(int(low), int(high) + 1)) if dash else [int(low)]
    return values


def _bias_variance(args: argparse.Namespace) -> int:
    from atomlearn.evaluate.bias_variance import lj_bias_variance

    table = lj_bias_variance(degrees=_int_list(args.degrees), ridge_degree=args.ridge_degree,
                             ridge_lambdas=tuple(float(v) for v in args.lambdas.split(",")), n_train=args.n_train,
                             noise_eV=args.noise, n_rounds=args.rounds, random_state=args.seed)
    shown = table.reset_index()[["model", "bias2", "variance", "noise", "expected_mse", "test_mse"]]
    console.print(_table(shown, f"noisy Lennard-Jones (argon) energies, {args.n_train} training points, "
                                f"{args.rounds} training sets: errors in eV²"))
    best = table["expected_mse"].idxmin()
    console.print(f"lowest expected error: {best}")
    if args.out:
        table.to_csv(args.out)
        console.print(f"table written to {args.out}")
    return 0


def _models(args: argparse.Namespace) -> int:
    from atomlearn.models import MODEL_SPECS

    frame = pd.DataFrame([{"name": name, "what": spec.description,
                           "searched by nested CV": str(spec.search_space) if spec.search_space else "tunes itself"}
                          for name, spec in MODEL_SPECS.items()])
    console.print(_table(frame, "models"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
