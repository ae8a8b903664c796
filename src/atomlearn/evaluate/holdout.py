"""The walking skeleton of the supervised workflow: sample, split, featurize, fit, score."""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, clone

from atomlearn.datasets.base import Dataset, load_each
from atomlearn.errors import ErrorRecord, errors_frame
from atomlearn.evaluate.metrics import regression_metrics
from atomlearn.evaluate.results import HoldoutResult, data_hash
from atomlearn.evaluate.splitters import RandomHoldout
from atomlearn.featurizers.base import Featurizer
from atomlearn.models import dummy
from atomlearn.structures import structure_hash


def run_holdout(
    dataset: Dataset,
    target: str,
    featurizer: Featurizer,
    model: BaseEstimator,
    *,
    model_name: str | None = None,
    n: int | None = None,
    test_size: float = 0.2,
    random_state: int = 0,
) -> HoldoutResult:
    """Train ``model`` on ``featurizer`` features of a random training set; score it on the held-out test set.

    The test set is put aside before anything is learnt: the featurizer and the model
    are fitted on the training structures only. A mean-predicting dummy model is
    scored alongside as the baseline. Structures without a finite target or whose
    featurization fails are excluded and listed in ``errors``.
    """
    timings: dict[str, float] = {}
    clock = time.perf_counter()
    n_dataset = len(dataset)
    if n is not None:  # a sample of loaded structures: loading errors of the rest do not apply
        dataset = dataset.sample(n, random_state=random_state)
        dataset.errors = errors_frame([])
    n_requested = len(dataset) + len(dataset.errors)
    dataset, y = dataset.with_target(target)
    loaded, load_errors = load_each(dataset.structures)
    readable = [i for i, atoms in enumerate(loaded) if atoms is not None]
    if len(readable) < len(loaded):
        dataset, y = dataset.take(readable), y[readable]
        dataset.errors = pd.concat([dataset.errors, errors_frame(load_errors)], ignore_index=True)
    structures = [loaded[i] for i in readable]
    timings["load"] = time.perf_counter() - clock

    train, test = next(RandomHoldout(test_size, random_state).split(structures))
    clock = time.perf_counter()
    featurizer = clone(featurizer).fit([structures[i] for i in train])
    X = featurizer.transform(structures)
    timings["featurize"] = time.perf_counter() - clock
    errors = [ErrorRecord(**row) for row in dataset.errors.to_dict("records")]
    errors += [ErrorRecord(**row) for row in featurizer.errors_table().to_dict("records")]
    ok = np.isfinite(X).all(axis=1)
    train, test = train[ok[train]], test[ok[test]]
    if len(train) < 2 or len(test) < 1:
        reasons = "; ".join(f"{e.item_id}: {e.reason}" for e in errors[:3])
        raise ValueError(
            f"too few usable structures to train and test ({len(train)} train, {len(test)} test of "
            f"{len(ok)}); first failures: {reasons or 'none'}. Use more structures or another featurizer."
        )

    clock = time.perf_counter()
    fitted = {"model": clone(model).fit(X[train], y[train]), "dummy": dummy().fit(X[train], y[train])}
    timings["fit"] = time.perf_counter() - clock
    clock = time.perf_counter()
    predicted = {}
    for name, estimator in fitted.items():
        predicted[name] = np.full(len(y), np.nan)
        predicted[name][ok] = estimator.predict(X[ok])
    timings["predict"] = time.perf_counter() - clock
    metrics = {
        name: {part: regression_metrics(y[rows], predicted[name][rows]) for part, rows in (("train", train), ("test", test))}
        for name in fitted
    }
    part_of = pd.Series("excluded", index=range(len(y)))
    part_of[train], part_of[test] = "train", "test"
    predictions = [
        {"id": dataset.ids[i], "set": part_of[i], "y_true": float(y[i]),
         "y_pred": float(predicted["model"][i]) if ok[i] else None,
         "y_dummy": float(predicted["dummy"][i]) if ok[i] else None}
        for i in range(len(y))
    ]
    return HoldoutResult(
        dataset=dataset.meta.name,
        target=target,
        target_unit=dataset.meta.units.get(target, ""),
        featurizer={"name": featurizer.name, "params": _plain(featurizer._identity_params()),
                    "n_features": int(featurizer.n_features_out_), "citations": featurizer.citations()},
        model={"name": model_name or type(model).__name__, "estimator": repr(model), "fitted": _fitted_summary(fitted["model"])},
        split={"kind": "random hold-out", "test_size": test_size, "random_state": random_state,
               "n_train": int(len(train)), "n_test": int(len(test))},
        counts={"dataset": n_dataset, "requested": n_requested, "used": int(len(train) + len(test)), "failed": len(errors)},
        metrics=metrics,
        predictions=predictions,
        errors=[e.to_dict() for e in errors],
        timings_s=timings,
        data_hash=data_hash(dataset.ids, [structure_hash(a) for a in structures], y),
    )


def _plain(params: dict[str, Any]) -> dict[str, Any]:
    return {k: (v if isinstance(v, (int, float, str, bool, type(None), list)) else repr(v)) for k, v in params.items()}


def _fitted_summary(estimator: BaseEstimator) -> dict[str, Any]:
    """Hyperparameters chosen during fitting (e.g. RidgeCV's alpha)."""
    final = estimator.steps[-1][1] if hasattr(estimator, "steps") else estimator
    return {k: float(v) for k, v in vars(final).items() if k in ("alpha_",)}
