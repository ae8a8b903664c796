"""A run's data: sampled, loaded, featurized and split, with every structure left out on the way
recorded (in = used + failed). ``run_holdout`` and the learning curve start from here."""

from __future__ import annotations

import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from ase import Atoms
from sklearn.base import BaseEstimator, clone
from sklearn.pipeline import FeatureUnion

from atomlearn.datasets.base import Dataset
from atomlearn.errors import ErrorRecord, errors_frame
from atomlearn.featurizers.base import Featurizer
from atomlearn.models import structure_array, takes_structures
from atomlearn.splits.scaffolds import scaffold_groups
from atomlearn.splits.splitters import make_holdout
from atomlearn.structures import load_each

SPLITS_ON_FEATURES = ("kennard-stone", "cluster")
TARGET_LEAK_R = 0.999  # a feature this correlated with the target is the target
MIN_TEST_SIZE = 20  # fewer test structures: a warning that the scores say little


def step_names(featurizers: Sequence[Featurizer]) -> list[str]:
    """Unique names of featurizers side by side: the featurizer's name, numbered from its second use on
    (``henry_grid``, ``henry_grid_2`` for a grid of CH4 beside one of CO2).

    Parameters
    ----------
    featurizers : sequence of Featurizer

    Returns
    -------
    list of str, one per featurizer
    """
    featurizers = list(featurizers)
    names = []
    for k, f in enumerate(featurizers):
        earlier = sum(g.name == f.name for g in featurizers[:k])
        names.append(f.name if earlier == 0 else f"{f.name}_{earlier + 1}")
    return names


def combine_featurizers(featurizers: Featurizer | Sequence[Featurizer]) -> BaseEstimator:
    """One featurizer as is, several side by side in a ``FeatureUnion`` named by :func:`step_names`."""
    if isinstance(featurizers, Featurizer):
        return featurizers
    featurizers = list(featurizers)
    if len(featurizers) == 1:
        return featurizers[0]
    return FeatureUnion(list(zip(step_names(featurizers), featurizers)))


def featurizer_parts(featurizer: BaseEstimator) -> list[Featurizer]:
    """The featurizers of a ``FeatureUnion`` (or the one featurizer given).

    Parameters
    ----------
    featurizer : estimator

    Returns
    -------
    list of Featurizer
    """
    return [f for _, f in featurizer.transformer_list] if isinstance(featurizer, FeatureUnion) else [featurizer]


def _groups(split: str, structures: list[Atoms], dataset: Dataset, group_column: str | None) -> np.ndarray | None:
    if split == "scaffold":
        return np.asarray(scaffold_groups(structures))
    if split in ("group", "predefined"):
        if group_column is None or group_column not in dataset.labels.columns:
            raise ValueError(
                f"the {split} split needs a label column naming each structure's "
                + ("group" if split == "group" else '"train" or "test"')
                + f" (given: {group_column!r}); "
                f"available: {', '.join(map(str, dataset.labels.columns))}"
            )
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


def featurized_split(
    dataset: Dataset,
    target: str,
    featurizer: Featurizer | Sequence[Featurizer],
    *,
    n: int | None = None,
    split: str = "random",
    test_size: float = 0.2,
    group_column: str | None = None,
    random_state: int = 0,
) -> SplitData:
    """Sample, drop what cannot be used (reported), put the test set aside, fit the featurizer on the
    training structures and featurize all (see ``run_holdout`` for the splits).

    Parameters
    ----------
    dataset : Dataset
    target : str
        A label column.
    featurizer : Featurizer or sequence of Featurizer
    n : int, optional
    split : str
    test_size : float
    group_column : str, optional
    random_state : int

    Returns
    -------
    SplitData
        X (n_used, n_features), y, the structures, the train and test rows, errors and counts.
    """
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
    train, test = _split_rows(
        split, test_size, random_state, X, ok, y, _groups(split, structures, dataset, group_column)
    )
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
    counts = {
        "dataset": n_dataset,
        "requested": n_requested,
        "used": int(len(train) + len(test)),
        "failed": len({e.item_id for e in errors}),
    }  # an item two featurizers refuse is one failure
    return SplitData(dataset, y, structures, featurizer, X, ok, train, test, errors, counts, timings)


def _split_rows(
    split: str,
    test_size: float,
    random_state: int | None,
    X: np.ndarray,
    ok: np.ndarray,
    y: np.ndarray,
    groups: np.ndarray | None,
) -> tuple[np.ndarray, np.ndarray]:
    """Training and test rows of the featurized structures (``ok``); a structure whose featurization
    failed is in neither, and never moves another structure between them."""
    splitter = make_holdout(split, test_size, random_state)
    if split in SPLITS_ON_FEATURES:  # these splits place the structures by their features
        train_f, test_f = next(splitter.split(X[ok], y[ok]))
        return np.flatnonzero(ok)[train_f], np.flatnonzero(ok)[test_f]
    train, test = next(splitter.split(np.zeros((len(y), 1)), y, groups))
    return train[ok[train]], test[ok[test]]


def _warn_about_the_split(X: np.ndarray, y: np.ndarray, names: Sequence[str], target: str, n_test: int) -> None:
    """Warn when a feature is (nearly) the target itself, and when the test set is too small to say much."""
    spread = X.std(axis=0)
    varying = spread > 0
    if y.std() > 0 and varying.any():
        centred = (X[:, varying] - X[:, varying].mean(axis=0)) * (y - y.mean())[:, None]
        r = np.abs(centred.mean(axis=0) / (spread[varying] * y.std()))
        leaks = [str(names[j]) for j in np.flatnonzero(varying)[r > TARGET_LEAK_R]]
        if leaks:
            warnings.warn(
                f"feature(s) {', '.join(leaks[:5])} equal the target {target} (|r| > {TARGET_LEAK_R}): the "
                "target is one of the features, so the scores say nothing about predicting it; use another "
                "featurizer or target",
                UserWarning,
                stacklevel=3,
            )
    if n_test < MIN_TEST_SIZE:
        warnings.warn(
            f"only {n_test} test structures: the test metrics and their intervals say little; use more "
            "structures (--n) or a larger --test-size",
            UserWarning,
            stacklevel=3,
        )


def model_inputs(data: SplitData, model: BaseEstimator) -> np.ndarray:
    """What ``model`` learns from, row for row with ``data.X``: the features, or for a structure network
    the structures, after taking those it refuses out of both parts.

    Parameters
    ----------
    data : SplitData
    model : estimator

    Returns
    -------
    ndarray, shape (n_used, n_features) or (n_used,) of ase.Atoms
    """
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
        raise ValueError(
            f"too few structures the model can use ({len(data.train)} train, {len(data.test)} test); "
            f"first refusals: {'; '.join(list(reasons.values())[:3])}"
        )
