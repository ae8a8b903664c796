"""The supervised workflow: put a test set aside, featurize, tune and fit on the rest, score once.

Three steps on the prepared data (:mod:`atomlearn.runs.prepare`): fit the model and the baselines
on the training rows, predict every usable row and score the test rows, assemble the results.
Baselines (dummy mean, ridge (linear, λ by leave-one-out), gradient boosting) are always fitted on
the same training set and scored on the same test set as the model.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, clone

from atomlearn.datasets.base import Dataset
from atomlearn.evaluate.metrics import point_values, regression_metrics, regression_metrics_ci
from atomlearn.evaluate.nested import chosen_params, nested_cv
from atomlearn.evaluate.uncertainty_calibration import calibration
from atomlearn.featurizers.base import Featurizer
from atomlearn.models import MODELS, takes_structures
from atomlearn.models.gpr import has_predictive_std
from atomlearn.runs.prepare import SplitData, featurized_split, featurizer_parts, model_inputs, step_names
from atomlearn.runs.results import FittedRun, HoldoutResult, data_hash
from atomlearn.splits.train_test import describe
from atomlearn.structures import structure_hash

#: ridge, not plain least squares: that interpolates and explodes once features outnumber samples
BASELINES = ("dummy", "ridge", "gbr")


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

    Parameters
    ----------
    dataset : Dataset
        Structures with ids and a labels table holding ``target``.
    target : str
        Label column to predict (its unit is ``dataset.meta.units[target]``).
    featurizer : Featurizer or sequence of Featurizer
        Several are joined side by side. For a structure network (``takes_structures``) they
        serve the baselines (and ``explain``); the network learns from the structures.
    model : estimator
        A scikit-learn regressor (cloned, never modified).
    model_name : str, optional
        Name in the results (default: the class name); a baseline of that name is not fitted twice.
    n : int, optional
        Use a random sample of this many structures.
    split : {"random", "stratified", "kennard-stone", "cluster", "scaffold", "group", "predefined"}
        How the test set is chosen: at random, by target quantiles, Kennard-Stone on the
        features, whole k-means clusters of the features, Bemis-Murcko scaffolds (molecules)
        or the ``group_column`` of the labels.
    test_size : float
        Held-out fraction.
    group_column : str, optional
        Label column naming each structure's group (``split="group"``), or ``"train"``/``"test"``
        (``split="predefined"``: a test set chosen beforehand; ``test_size`` is then unused).
    nested : (int, int), optional
        Outer and inner folds of nested cross-validation on the training set (hyperparameters
        tuned on inner folds, over ``search_space`` or the model's registered one) before the final fit.
    baselines : sequence of str
        Registered model names fitted and scored on the same split.
    n_bootstrap : int
        Bootstrap resamples of the test set for the 95% intervals of the metrics.
    random_state : int or None
        Seed of the sample, the split, the bootstrap and the search (None: unseeded).

    Returns
    -------
    HoldoutResult
        Metrics (train, and test with intervals) of the model and the baselines, predictions
        with ids, chosen hyperparameters, counts and errors (structures without a finite target,
        unreadable or not featurizable are excluded and listed), timings, data hash. The fitted
        featurizer and model and the feature matrix of the used rows are on ``result.fitted``
        (a ``FittedRun``, not in the JSON).

    Examples
    --------
    Ridge on element fractions of 300 QM9 molecules beats the mean by a factor of ten:

    >>> from atomlearn.datasets import load
    >>> from atomlearn.featurizers import ElementFraction
    >>> from atomlearn.models import make_model
    >>> from atomlearn.runs import run_holdout
    >>> qm9, ridge = load("qm9"), make_model("ridge")
    >>> result = run_holdout(qm9, "U0_atomization_kcal_mol", ElementFraction(), ridge, model_name="ridge", n=300)
    >>> test = {name: round(m["test"]["mae"]) for name, m in result.metrics.items()}
    >>> test["model"], test["dummy"]  # kcal/mol, on the same 60 test molecules
    (21, 236)
    """
    name = model_name or type(model).__name__
    if takes_structures(model) and nested is not None:
        raise ValueError(
            f"nested CV tunes models on features; {name} learns from the structures and stops early on "
            "a validation part of its training set: drop --nested"
        )
    data = featurized_split(
        dataset,
        target,
        featurizer,
        n=n,
        split=split,
        test_size=test_size,
        group_column=group_column,
        random_state=random_state,
    )
    inputs = model_inputs(data, model)  # what the model learns from; the baselines get X
    clock = time.perf_counter()
    fitted, nested_summary = _fit(data, inputs, model, model_name, baselines, nested, search_space, random_state)
    data.timings["fit"] = time.perf_counter() - clock
    clock = time.perf_counter()
    scores = _predict_and_score(data, inputs, fitted, n_bootstrap, random_state)
    data.timings["predict"] = time.perf_counter() - clock
    return _assemble(
        data,
        target,
        model,
        name,
        fitted["model"],
        scores,
        nested_summary,
        {"kind": split, "test_size": test_size, "random_state": random_state, "group_column": group_column},
    )


def _fit(
    data: SplitData,
    inputs: np.ndarray,
    model: BaseEstimator,
    model_name: str | None,
    baselines: Sequence[str],
    nested: tuple[int, int] | None,
    search_space: dict[str, list[Any]] | None,
    random_state: int | None,
) -> tuple[dict[str, BaseEstimator], dict[str, Any] | None]:
    """The model (tuned by nested CV when asked) and each baseline, fitted on the training rows."""
    X, y, train, test = data.X, data.y, data.train, data.test
    nested_summary = None
    if nested is not None:
        if search_space is None and model_name in MODELS:  # the grid the model is registered with
            search_space = MODELS[model_name].info["search_space"]
        outcome = nested_cv(
            model,
            search_space,
            X[train],
            y[train],
            outer=nested[0],
            inner=nested[1],
            X_test=X[test],
            y_test=y[test],
            random_state=random_state,
        )
        fitted = {"model": outcome.final_estimator}
        nested_summary = outcome.to_dict()
        nested_summary.pop("oof_predictions")
    else:
        fitted = {"model": clone(model).fit(inputs[train], y[train])}
    for baseline in baselines:
        if baseline != model_name:
            fitted[baseline] = MODELS.create(baseline).fit(X[train], y[train])
    return fitted, nested_summary


@dataclass
class _Scores:
    """Predictions of every fitted estimator on every row (NaN where excluded) and their metrics."""

    predicted: dict[str, np.ndarray]
    std: np.ndarray
    metrics: dict[str, dict[str, Any]]
    metrics_ci: dict[str, dict[str, Any]]
    calibration: dict[str, Any] | None


def _predict_and_score(
    data: SplitData, inputs: np.ndarray, fitted: dict[str, BaseEstimator], n_bootstrap: int, random_state: int | None
) -> _Scores:
    """Predict the usable rows with each estimator; training metrics, test metrics with bootstrap intervals,
    and the calibration of the model's predictive std when it has one."""
    X, y, ok, train, test = data.X, data.y, data.ok, data.train, data.test
    predicted, metrics, metrics_ci = {}, {}, {}
    std = np.full(len(y), np.nan)
    for key, estimator in fitted.items():
        predicted[key] = np.full(len(y), np.nan)
        rows = (inputs if key == "model" else X)[ok]
        if key == "model" and has_predictive_std(estimator):
            predicted[key][ok], std[ok] = estimator.predict(rows, return_std=True)
        else:
            predicted[key][ok] = estimator.predict(rows)
        metrics_ci[key] = {
            "test": regression_metrics_ci(
                y[test], predicted[key][test], n_resamples=n_bootstrap, random_state=random_state
            )
        }
        metrics[key] = {
            "train": regression_metrics(y[train], predicted[key][train]),
            "test": point_values(metrics_ci[key]["test"]),
        }
    calibrated = (
        calibration(y[test], predicted["model"][test], std[test]) if has_predictive_std(fitted["model"]) else None
    )
    return _Scores(predicted, std, metrics, metrics_ci, calibrated)


def _assemble(
    data: SplitData,
    target: str,
    model: BaseEstimator,
    name: str,
    fitted_model: BaseEstimator,
    scores: _Scores,
    nested_summary: dict[str, Any] | None,
    split: dict[str, Any],
) -> HoldoutResult:
    """The results: what ran on what, metrics, one prediction row per structure, errors, and the fitted parts."""
    dataset, y, X, ok, train, test = data.dataset, data.y, data.X, data.ok, data.train, data.test
    part_of = np.full(len(y), "excluded", dtype=object)
    part_of[train], part_of[test] = "train", "test"
    parts = featurizer_parts(data.featurizer)
    result = HoldoutResult(
        dataset=dataset.meta.name,
        target=target,
        target_unit=dataset.meta.units.get(target, ""),
        featurizer={
            "name": "+".join(p.name for p in parts),
            "names": step_names(parts),
            "params": {step: _plain(p._identity_params()) for step, p in zip(step_names(parts), parts)},
            "n_features": int(X.shape[1]),
            "citations": [c for p in parts for c in p.citations()],
        },
        model={
            "name": name,
            "estimator": repr(model),
            "fitted": chosen_params(fitted_model),
            "input": "structures" if takes_structures(model) else "features",
        },
        split={
            "kind": split["kind"],
            "test_size": split["test_size"],
            "random_state": split["random_state"],
            "n_train": int(len(train)),
            "n_test": int(len(test)),
            "group_column": split["group_column"],
            "describe": describe(y, {"train": train, "test": test}).reset_index().to_dict("records"),
        },
        counts=data.counts,
        metrics=scores.metrics,
        predictions=_prediction_rows(data, scores, part_of),
        errors=[e.to_dict() for e in data.errors],
        timings_s=data.timings,
        data_hash=data_hash(dataset.ids, [structure_hash(a) for a in data.structures], y),
        metrics_ci=scores.metrics_ci,
        nested=nested_summary,
        calibration=scores.calibration,
    )
    used = np.flatnonzero(ok)
    result.fitted = FittedRun(
        data.featurizer,
        fitted_model,
        {
            "X": X[used],
            "y": y[used],
            "ids": np.array([dataset.ids[i] for i in used], dtype=str),
            "set": part_of[used].astype(str),
            "names": np.asarray(data.featurizer.get_feature_names_out(), dtype=str),
        },
    )
    return result


def _prediction_rows(data: SplitData, scores: _Scores, part_of: np.ndarray) -> list[dict[str, Any]]:
    """One row per structure: id, set (train, test or excluded), target, each estimator's prediction (and std)."""
    rows = []
    for i in range(len(data.y)):
        row = {"id": data.dataset.ids[i], "set": part_of[i], "y_true": float(data.y[i])}
        row |= {
            ("y_pred" if key == "model" else f"y_{key}"): (float(values[i]) if data.ok[i] else None)
            for key, values in scores.predicted.items()
        }
        if scores.calibration is not None:
            row["y_std"] = float(scores.std[i]) if data.ok[i] else None
        rows.append(row)
    return rows


def _plain(params: dict[str, Any]) -> dict[str, Any]:
    return {k: (v if isinstance(v, (int, float, str, bool, type(None), list)) else repr(v)) for k, v in params.items()}
