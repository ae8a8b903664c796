"""The supervised workflow: put a test set aside, featurize, tune and fit on the rest, score once.

Baselines (dummy mean, ridge (linear, λ by leave-one-out), gradient boosting) are always fitted on the
same training set and scored on the same test set as the model.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from ase import Atoms
from sklearn.base import BaseEstimator, clone
from sklearn.pipeline import FeatureUnion

from atomlearn.datasets.base import Dataset
from atomlearn.errors import ErrorRecord, errors_frame
from atomlearn.evaluate.calibration import calibration
from atomlearn.evaluate.metrics import (
    point_values,
    regression_metrics,
    regression_metrics_ci,
)
from atomlearn.evaluate.nested import chosen_params, nested_cv
from atomlearn.runs.results import FittedRun, HoldoutResult, data_hash
from atomlearn.splits.scaffolds import scaffold_groups
from atomlearn.splits.train_test import describe
from atomlearn.splits.splitters import make_holdout
from atomlearn.featurizers.base import Featurizer
from atomlearn.models import MODEL_SPECS, structure_array, takes_structures
from atomlearn.models.gpr import has_predictive_std
from atomlearn.structures import load_each, structure_hash

BASELINES = ("dummy", "ridge", "gbr")  # ridge, not plain least squares: that interpolates and explodes once features outnumber samples
SPLITS_ON_FEATURES = ("kennard-stone", "cluster")
TARGET_LEAK_R = 0.999  # a feature this correlated with the target is the target
MIN_TEST_SIZE = 20  # fewer test structures: a warning that the scores say little


def combine_featurizers(featurizers: Featurizer | Sequence[Featurizer]) -> BaseEstimator:
    """One featurizer as is, several side by side in a ``FeatureUnion`` named by featurizer."""
    if isinstance(featurizers, Featurizer):
        return featurizers
    featurizers = list(featurizers)
    if len(featurizers) == 1:
        return featurizers[0]
    return FeatureUnion([(f.name, f) for f in featurizers])


def featurizer_parts(featurizer: BaseEstimator) -> list[Featurizer]:
    """The featurizers of a ``FeatureUnion`` (or the one featurizer given)."""
    return [f for _, f in featurizer.transformer_list] if isinstance(featurizer, FeatureUnion) else [featurizer]


def _groups(split: str, structures: list[Atoms], dataset: Dataset, group_column: str | None) -> np.ndarray | None:
    if split == "scaffold":
        return np.asarray(scaffold_groups(structures))
    if split == "group":
        if group_column is None or group_column not in dataset.labels.columns:
            raise ValueError(f"the group split needs a label column naming each structure's group (given: {group_column!r}); "
                             f"available: {', '.join(map(str, dataset.labels.columns))}")
        return dataset.labels[group_column].astype(str).to_numpy()
    return None


def _load_usable(dataset: Dataset, target: str) -> tuple[Dataset, np.ndarray, list[Atoms]]:
    """Structures with a finite target that can be read; the others become errors of the dataset."""
    dataset, y = dataset.with_target(target)
    loaded, load_errors = load_each(dataset.structures)
    readable = [i for i, atoms in enumerate(loaded) if atoms is not None]
    if len(readable) < len(loaded):
        dataset, y = dataset.take(readable), y[readable]
        dataset.errors = pd.concat([dataset.errors, errors_frame(load_errors)], ignore_index=True)
    return dataset, y, [loaded[i] for i in readable]


@dataclass
class SplitData:
    """Features of the usable structures and the train/test rows, with everything excluded on the way."""

    dataset: Dataset
    y: np.ndarray
    structures: list[Atoms]
    featurizer: BaseEstimator
    X: np.ndarray
    ok: np.ndarray
    train: np.ndarray
    test: np.ndarray
    errors: list[ErrorRecord]
    counts: dict[str, int]
    timings: dict[str, float]


def featurized_split(dataset: Dataset, target: str, featurizer: Featurizer | Sequence[Featurizer], *,
                     n: int | None = None, split: str = "random", test_size: float = 0.2,
                     group_column: str | None = None, random_state: int = 0) -> SplitData:
    """Sample, drop what cannot be used (reported), put the test set aside, fit the featurizer on the
    training structures and featurize all. See ``run_holdout`` for the splits."""
    timings: dict[str, float] = {}
    clock = time.perf_counter()
    n_dataset = len(dataset)
    if n is not None:  # a sample of loaded structures: loading errors of the rest do not apply
        dataset = dataset.sample(n, random_state=random_state)
    n_requested = len(dataset) + len(dataset.errors)
    dataset, y, structures = _load_usable(dataset, target)
    timings["load"] = time.perf_counter() - clock

    clock = time.perf_counter()
    # the featurizer's state (species lists, bag sizes, largest molecule) is label-free: sized from every
    # structure of the run, so that a valid test structure is never refused for what training lacked
    featurizer = clone(combine_featurizers(featurizer)).fit(structures)
    X = featurizer.transform(structures)
    ok = np.isfinite(X).all(axis=1)
    timings["featurize"] = time.perf_counter() - clock

    clock = time.perf_counter()
    splitter = make_holdout(split, test_size, random_state)
    if split in SPLITS_ON_FEATURES:  # these splits place the structures by their features
        train_f, test_f = next(splitter.split(X[ok], y[ok]))
        train, test = np.flatnonzero(ok)[train_f], np.flatnonzero(ok)[test_f]
    else:
        train, test = next(splitter.split(np.zeros((len(y), 1)), y, _groups(split, structures, dataset, group_column)))
        train, test = train[ok[train]], test[ok[test]]
    timings["split"] = time.perf_counter() - clock
    errors = [ErrorRecord(**row) for row in dataset.errors.to_dict("records")]
    for part in featurizer_parts(featurizer):
        errors += [ErrorRecord(**row) for row in part.errors_table().to_dict("records")]
    if len(train) < 2 or len(test) < 1:
        reasons = "; ".join(f"{e.item_id}: {e.reason}" for e in errors[:3])
        raise ValueError(
            f"too few usable structures to train and test ({len(train)} train, {len(test)} test of "
            f"{len(ok)}); first failures: {reasons or 'none'}. Use more structures or another featurizer."
        )
    _warn_about_the_split(X[ok], y[ok], featurizer.get_feature_names_out(), target, len(test))
    counts = {"dataset": n_dataset, "requested": n_requested, "used": int(len(train) + len(test)),
              "failed": len({e.item_id for e in errors})}  # an item two featurizers refuse is one failure
    return SplitData(dataset, y, structures, featurizer, X, ok, train, test, errors, counts, timings)


def _warn_about_the_split(X: np.ndarray, y: np.ndarray, names: Sequence[str], target: str, n_test: int) -> None:
    """Warn when a feature is (nearly) the target itself, and when the test set is too small to say much."""
    spread = X.std(axis=0)
    varying = spread > 0
    if y.std() > 0 and varying.any():
        centred = (X[:, varying] - X[:, varying].mean(axis=0)) * (y - y.mean())[:, None]
        r = np.abs(centred.mean(axis=0) / (spread[varying] * y.std()))
        leaks = [str(names[j]) for j in np.flatnonzero(varying)[r > TARGET_LEAK_R]]
        if leaks:
            warnings.warn(f"feature(s) {', '.join(leaks[:5])} equal the target {target} (|r| > {TARGET_LEAK_R}): the "
                          "target is one of the features, so the scores say nothing about predicting it; use another "
                          "featurizer or target", UserWarning, stacklevel=3)
    if n_test < MIN_TEST_SIZE:
        warnings.warn(f"only {n_test} test structures: the test metrics and their intervals say little; use more "
                      "structures (--n) or a larger --test-size", UserWarning, stacklevel=3)


def model_inputs(data: SplitData, model: BaseEstimator) -> np.ndarray:
    """What ``model`` learns from, row for row with ``data.X``: the features, or for a structure
    network the structures, after taking those it refuses out of both parts (``exclude_unusable``)."""
    if not takes_structures(model):
        return data.X
    exclude_unusable(data, model.structure_errors(data.structures))
    return structure_array(data.structures)


def exclude_unusable(data: SplitData, reasons: dict[int, str]) -> None:
    """Take the structures a model refuses (index -> reason) out of both parts, as errors of stage "model"."""
    for index, reason in sorted(reasons.items()):
        if data.ok[index]:
            data.ok[index] = False
            data.errors.append(ErrorRecord(data.dataset.ids[index], "model", reason))
    data.counts["failed"] = len({e.item_id for e in data.errors})
    data.train, data.test = data.train[data.ok[data.train]], data.test[data.ok[data.test]]
    data.counts["used"] = int(len(data.train) + len(data.test))
    if len(data.train) < 2 or len(data.test) < 1:
        raise ValueError(f"too few structures the model can use ({len(data.train)} train, {len(data.test)} test); "
                         f"first refusals: {'; '.join(list(reasons.values())[:3])}")


def run_holdout(
    dataset: Dataset,
    target: str,
    featurizer: Featurizer | Sequence[Featurizer],
    model: BaseEstimator,
    *,
    model_name: str | None = None,
    n: int | None = None,
    split: str = "random",
    test_size: float = 0.2,
    group_column: str | None = None,
    nested: tuple[int, int] | None = None,
    search_space: dict[str, list[Any]] | None = None,
    baselines: Sequence[str] = BASELINES,
    n_bootstrap: int = 1000,
    random_state: int = 0,
) -> HoldoutResult:
    """Put a test set aside with ``split``; fit ``featurizer`` and ``model`` on the rest; score the test set once.

    A structure network (``takes_structures``) learns from the structures themselves; the
    featurizer then serves the baselines (and ``explain``), and structures the network refuses
    (an atom without neighbours within its cutoff) are listed in ``errors``.

    ``split``: random, stratified (target quantiles), kennard-stone, cluster (whole
    k-means clusters of the features held out), scaffold (Bemis–Murcko, molecules) or group
    (``group_column`` of the labels). ``nested=(outer, inner)`` also runs nested CV on the
    training set (hyperparameters tuned on inner folds) before the final fit. Test metrics
    come with bootstrap confidence intervals. Structures without a finite target, that
    cannot be read, or whose featurization fails are excluded and listed in ``errors``.
    The fitted featurizer and model, and the feature matrix of the used rows (X, y, ids, set,
    names), are on ``result.fitted`` (a ``FittedRun``; not in the JSON).
    """
    name = model_name or type(model).__name__
    on_structures = takes_structures(model)
    if on_structures and nested is not None:
        raise ValueError(f"nested CV tunes models on features; {name} learns from the structures and stops early on "
                         "a validation part of its training set: drop --nested")
    data = featurized_split(dataset, target, featurizer, n=n, split=split, test_size=test_size,
                            group_column=group_column, random_state=random_state)
    inputs = model_inputs(data, model)  # what the model learns from; the baselines get X
    dataset, y, structures, featurizer = data.dataset, data.y, data.structures, data.featurizer
    X, ok, train, test, errors, timings = data.X, data.ok, data.train, data.test, data.errors, data.timings

    clock = time.perf_counter()
    nested_summary = None
    if nested is not None:
        outcome = nested_cv(model, search_space, X[train], y[train], outer=nested[0], inner=nested[1],
                            X_test=X[test], y_test=y[test], random_state=random_state)
        fitted_model = outcome.final_estimator
        nested_summary = outcome.to_dict()
        nested_summary.pop("oof_predictions")
    else:
        fitted_model = clone(model).fit(inputs[train], y[train])
    fitted = {"model": fitted_model}
    for baseline in baselines:
        if baseline != model_name:
            fitted[baseline] = MODEL_SPECS[baseline].build().fit(X[train], y[train])
    timings["fit"] = time.perf_counter() - clock

    clock = time.perf_counter()
    predicted, metrics, metrics_ci = {}, {}, {}
    std = np.full(len(y), np.nan)
    for key, estimator in fitted.items():
        predicted[key] = np.full(len(y), np.nan)
        if key == "model" and has_predictive_std(estimator):
            predicted[key][ok], std[ok] = estimator.predict(X[ok], return_std=True)
        else:
            predicted[key][ok] = estimator.predict((inputs if key == "model" else X)[ok])
        metrics_ci[key] = {"test": regression_metrics_ci(y[test], predicted[key][test], n_resamples=n_bootstrap,
                                                          random_state=random_state)}
        metrics[key] = {"train": regression_metrics(y[train], predicted[key][train]),
                        "test": point_values(metrics_ci[key]["test"])}
    calibration_summary = None
    if has_predictive_std(fitted_model):
        calibration_summary = calibration(y[test], predicted["model"][test], std[test])
    timings["predict"] = time.perf_counter() - clock

    part_of = np.full(len(y), "excluded", dtype=object)
    part_of[train], part_of[test] = "train", "test"
    predictions = []
    for i in range(len(y)):
        row = {"id": dataset.ids[i], "set": part_of[i], "y_true": float(y[i])}
        row |= {("y_pred" if key == "model" else f"y_{key}"): (float(predicted[key][i]) if ok[i] else None) for key in fitted}
        if calibration_summary is not None:
            row["y_std"] = float(std[i]) if ok[i] else None
        predictions.append(row)
    result = HoldoutResult(
        dataset=dataset.meta.name,
        target=target,
        target_unit=dataset.meta.units.get(target, ""),
        featurizer={"name": "+".join(p.name for p in featurizer_parts(featurizer)), "names": [p.name for p in featurizer_parts(featurizer)],
                    "params": {p.name: _plain(p._identity_params()) for p in featurizer_parts(featurizer)},
                    "n_features": int(X.shape[1]), "citations": [c for p in featurizer_parts(featurizer) for c in p.citations()]},
        model={"name": name, "estimator": repr(model), "fitted": chosen_params(fitted_model),
               "input": "structures" if on_structures else "features"},
        split={"kind": split, "test_size": test_size, "random_state": random_state, "n_train": int(len(train)),
               "n_test": int(len(test)), "group_column": group_column,
               "describe": describe(y, {"train": train, "test": test}).reset_index().to_dict("records")},
        counts=data.counts,
        metrics=metrics,
        predictions=predictions,
        errors=[e.to_dict() for e in errors],
        timings_s=timings,
        data_hash=data_hash(dataset.ids, [structure_hash(a) for a in structures], y),
        metrics_ci=metrics_ci,
        nested=nested_summary,
        calibration=calibration_summary,
    )
    used = np.flatnonzero(ok)
    result.fitted = FittedRun(featurizer, fitted_model, {
        "X": X[used], "y": y[used], "ids": np.array([dataset.ids[i] for i in used], dtype=str),
        "set": part_of[used].astype(str), "names": np.asarray(featurizer.get_feature_names_out(), dtype=str)})
    return result


def _plain(params: dict[str, Any]) -> dict[str, Any]:
    return {k: (v if isinstance(v, (int, float, str, bool, type(None), list)) else repr(v)) for k, v in params.items()}
