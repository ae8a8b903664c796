"""The learning commands: fit, predict, curve, bias-variance, models (thin: parse, call the library, print)."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from rich.markup import escape
from rich.table import Table

from atomlearn.atomic import write_csv_atomic
from atomlearn.cli_common import (
    _dataset_and_featurizers,
    _model_params,
    _table,
    console,
    error_console,
)


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
    from atomlearn.runs import run_holdout
    from atomlearn.models import make_model

    dataset, featurizers = _dataset_and_featurizers(args)
    result = run_holdout(dataset, args.target, featurizers, make_model(args.model, _model_params(args.param)),
                         model_name=args.model, n=args.n,
                         split=args.split, test_size=args.test_size, group_column=args.group_column,
                         nested=_nested(args.nested), n_bootstrap=args.bootstrap, random_state=args.seed)
    unit = f" ({result.target_unit})" if result.target_unit else ""
    inputs = (f"{args.model} on the structures, baselines on {result.featurizer['name']} features"
              if result.model["input"] == "structures" else f"{result.featurizer['name']} features")
    table = Table(title=f"{result.dataset}: {result.target}{unit}, {inputs}, "
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
    _print_accounting(result.counts, result.errors, result.split["n_train"], result.split["n_test"])
    if args.out:
        _write_run(args.out, result)
    return 0


def _print_accounting(counts: dict, errors: list[dict], n_train: int, n_test: int) -> None:
    """N structures in: used (train, test), failed, and the first reasons (in = used + failed)."""
    console.print(f"{counts['requested']} structures in: {counts['used']} used ({n_train} train, {n_test} test), "
                  f"{counts['failed']} failed")
    for error in errors[:10]:
        console.print(escape(f"  failed: {error['item_id']} [{error['stage']}] {error['reason']}"), highlight=False)
    if len(errors) > 10:
        console.print(f"  ... and {len(errors) - 10} more (errors.csv of the run folder lists them all)")


def _write_run(out: str, result) -> None:
    from atomlearn.runs.run_folder import RUN_FILES, write_run

    folder = write_run(out, result)
    console.print(f"run written to {folder}/ ({RUN_FILES})")


def _structure_files(paths: Sequence[str]) -> list[Path]:
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
    return list(dict.fromkeys(files))  # a file named twice (also inside a given folder) is read once


def _predict(args: argparse.Namespace) -> int:
    import pandas as pd

    from atomlearn.runs.bundle import load_bundle
    from atomlearn.parallel import parallel_map
    from atomlearn.structures import read_structure

    bundle = load_bundle(args.run)
    names = [str(f) for f in _structure_files(args.files)]
    read = parallel_map(read_structure, names, ids=names, n_jobs=args.n_jobs, stage="read", description="reading")
    readable = [i for i, atoms in enumerate(read.results) if atoms is not None]
    predicted = (bundle.predict([read.results[i] for i in readable], [names[i] for i in readable], n_jobs=args.n_jobs)
                 if readable else pd.DataFrame(columns=["id", "y_pred", "error"]))
    unread = pd.DataFrame({"id": [e.item_id for e in read.errors], "error": [f"read: {e.reason}" for e in read.errors]})
    frame = pd.concat([predicted, unread], ignore_index=True).rename(columns={"id": "file"})
    frame.insert(1, "id", [Path(name).stem for name in frame["file"]])
    frame = frame.set_index("file").loc[names].reset_index()  # the order the files were given in
    unit = bundle.card.get("target_unit", "")
    n_failed = int((frame["error"] != "").sum())
    console.print(f"{len(frame)} files in: {len(frame) - n_failed} predicted, {n_failed} failed "
                  f"({bundle.card.get('target', 'y')}{f' in {unit}' if unit else ''}; model {bundle.card['model']['name']}, "
                  f"trained on {_n_trained(bundle.card)} structures of {bundle.card['dataset']})")
    if args.out:
        write_csv_atomic(frame, args.out)
        console.print(f"predictions written to {args.out}")
    else:
        console.print(_table(frame))
    if n_failed == len(frame):  # nothing predicted: say why, grouped, and fail
        reasons = frame["error"].str.replace(r"^([^:]+: [^:]+):.*$", r"\1", regex=True).value_counts()
        for reason, count in reasons.head(5).items():
            error_console.print(escape(f"  {count} x {reason}"), highlight=False)
        raise ValueError(f"none of the {len(frame)} files could be predicted (reasons above; all in the table)")
    return 0


def _n_trained(card: dict) -> object:
    """Training structures of a bundle: the split's training part (older cards: all used)."""
    return card.get("split", {}).get("n_train", card.get("counts", {}).get("used", "?"))


def _curve(args: argparse.Namespace) -> int:
    from atomlearn.runs.holdout import featurized_split, model_inputs
    from atomlearn.evaluate.learning_curve import learning_curve, summarize_curve
    from atomlearn.models import make_model, takes_structures

    dataset, featurizers = _dataset_and_featurizers(args)
    model = make_model(args.model, _model_params(args.param))
    data = featurized_split(dataset, args.target, featurizers, n=args.n, test_size=args.test_size, random_state=args.seed)
    inputs = model_inputs(data, model)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    too_big = [s for s in sizes if s > len(data.train)]
    if too_big:
        raise ValueError(f"training sizes {too_big} exceed the {len(data.train)} training structures; "
                         "use smaller sizes or a larger --n")
    curve = learning_curve(model, inputs[data.train], data.y[data.train], inputs[data.test],
                           data.y[data.test], sizes, repeats=args.repeats, random_state=args.seed)
    table, slope = summarize_curve(curve)
    unit = dataset.meta.units.get(args.target, "")
    on = "the structures" if takes_structures(model) else f"{args.featurizer} features"
    console.print(_table(table.reset_index(), f"learning curve of {args.model} on {on}: MAE"
                                              f"{f' ({unit})' if unit else ''}, {len(data.test)} test structures"))
    console.print(f"log-log slope of the test MAE: {slope:.3f} (doubling the data multiplies the error by {2**slope:.2f})")
    _print_accounting(data.counts, [e.to_dict() for e in data.errors], len(data.train), len(data.test))
    if args.out:
        write_csv_atomic(curve, args.out)
        console.print(f"curve written to {args.out}")
    return 0


def _int_list(text: str) -> list[int]:
    values: list[int] = []
    for part in text.split(","):
        low, dash, high = part.strip().partition("-")
        values += list(range(int(low), int(high) + 1)) if dash else [int(low)]
    return values


def _bias_variance(args: argparse.Namespace) -> int:
    from atomlearn.workflows.lj_bias_variance import lj_bias_variance

    table = lj_bias_variance(degrees=_int_list(args.degrees), ridge_degree=args.ridge_degree,
                             ridge_lambdas=tuple(float(v) for v in args.lambdas.split(",")), n_train=args.n_train,
                             noise_eV=args.noise, n_rounds=args.rounds, random_state=args.seed)
    shown = table.reset_index()[["model", "bias2", "variance", "noise", "expected_mse", "test_mse"]]
    console.print(_table(shown, f"noisy Lennard-Jones (argon) energies, {args.n_train} training points, "
                                f"{args.rounds} training sets: errors in eV²"))
    best = table["expected_mse"].idxmin()
    console.print(f"lowest expected error: {best}")
    if args.out:
        write_csv_atomic(table.reset_index(), args.out)  # the model names as the first column
        console.print(f"table written to {args.out}")
    return 0


def _models(args: argparse.Namespace) -> int:
    import pandas as pd

    from atomlearn.models import MODEL_SPECS

    frame = pd.DataFrame([{"name": name, "what": spec.description,
                           "searched by nested CV": str(spec.search_space) if spec.search_space else "tunes itself"}
                          for name, spec in MODEL_SPECS.items()])
    console.print(_table(frame, "models"))
    return 0
