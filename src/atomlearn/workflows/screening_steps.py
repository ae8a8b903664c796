"""Steps both CoRE MOF screens share: an open-to-the-guest classifier, features of every MOF, the
test set's top recall, the time the surrogate saves, and the outputs (tables, screening.json, report)."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier

from atomlearn.datasets.base import Dataset
from atomlearn.evaluate.metrics import classification_metrics_ci, top_k_recall
from atomlearn.featurizers import featurize_table
from atomlearn.files import write_csv_atomic, write_text_atomic
from atomlearn.parallel import resolve_n_jobs
from atomlearn.report import build_report
from atomlearn.runs.prepare import featurizer_parts
from atomlearn.runs.results import HoldoutResult, json_default
from atomlearn.structures import load_each

#: what the test metrics call "top performers"
TOP_FRACTION = 0.05
#: closed MOFs needed in the training part to learn open/closed (and one in the test part to score it)
MIN_CLOSED = 5


def draw_coremof(n_screen: int | None, n_simulate: int, random_state: int) -> tuple[Dataset, Dataset, int]:
    """CoRE MOF 2019 (all, or a random ``n_screen``), a random ``n_simulate`` of it to simulate, and the
    size of the whole database (readable + unreadable)."""
    from atomlearn.datasets import load

    database = load("coremof2019")
    n_database = len(database) + len(database.errors)
    if n_screen is not None:
        database = database.sample(n_screen, random_state=random_state)
    return database, database.sample(n_simulate, random_state=random_state), n_database


def open_classifier(run: HoldoutResult, closed: Dataset, random_state: int) -> tuple[Any, dict[str, Any]]:
    """Gradient-boosted classifier of "open to the guest" (K_H > 0) on the run's features: the run's
    train/test parts as open examples, the closed MOFs split 80/20 with the same seed."""
    featurizer, features = run.fitted.featurizer, run.fitted.features
    X_closed = featurizer.transform(closed.structures) if len(closed) else np.empty((0, features["X"].shape[1]))
    usable = np.isfinite(X_closed).all(axis=1)
    X_closed = X_closed[usable]
    rng = np.random.default_rng(random_state)
    closed_test = rng.random(len(X_closed)) < 0.2
    train_open, test_open = features["set"] == "train", features["set"] == "test"
    X_train = np.vstack([features["X"][train_open], X_closed[~closed_test]])
    y_train = np.r_[np.ones(train_open.sum()), np.zeros((~closed_test).sum())]
    X_test = np.vstack([features["X"][test_open], X_closed[closed_test]])
    y_test = np.r_[np.ones(test_open.sum()), np.zeros(closed_test.sum())]
    if (~closed_test).sum() < MIN_CLOSED or closed_test.sum() == 0:  # too few closed MOFs to learn or test from
        return None, {
            "note": f"{len(X_closed)} closed MOFs in the sample: too few to learn and test open/closed, "
            "so every MOF is taken as open",
            "n_closed": len(X_closed),
        }
    classifier = HistGradientBoostingClassifier(max_iter=200, class_weight="balanced", random_state=random_state)
    classifier.fit(X_train, y_train)
    score = classifier.predict_proba(X_test)[:, 1]
    metrics = classification_metrics_ci(
        y_test, (score >= 0.5).astype(float), score if len(np.unique(y_test)) > 1 else None, random_state=random_state
    )
    return classifier, {
        "test": metrics,
        "n_train": len(y_train),
        "n_test": len(y_test),
        "n_closed_train": int((~closed_test).sum()),
        "n_closed_test": int(closed_test.sum()),
    }


def featurize_all(database: Dataset, featurizer: Any) -> tuple[np.ndarray, dict[str, str]]:
    """Features of every structure (each file read once for all featurizers; NaN rows where
    reading or a featurizer failed) and the first reason of each failure by id."""
    loaded, load_errors = load_each(database.structures)
    readable = [i for i, atoms in enumerate(loaded) if atoms is not None]
    X = np.full((len(loaded), len(featurizer.get_feature_names_out())), np.nan)
    if readable:
        X[readable] = featurizer.transform([loaded[i] for i in readable])
    reasons: dict[str, str] = {}
    records = [*load_errors, *(r for part in featurizer_parts(featurizer) for r in part.errors_table().itertuples())]
    for record in records:
        reasons.setdefault(str(record.item_id), f"{record.stage}: {record.reason}")
    return X, reasons


def top_recall(run: HoldoutResult) -> float:
    """Fraction of the test set's true top ``TOP_FRACTION`` found in its predicted top."""
    test = [row for row in run.predictions if row["set"] == "test"]
    return float(
        top_k_recall(
            np.array([r["y_true"] for r in test]), np.array([r["y_pred"] for r in test]), fraction=TOP_FRACTION
        )
    )


def time_saving(
    n_screened: int, seconds: pd.Series, per_structure_key: str, timings: Mapping[str, float], n_jobs: int
) -> dict[str, Any]:
    """Simulating every screened MOF (the mean time per MOF of the sample, ``seconds``, on the same
    workers) against the surrogate's featurization and prediction of all of them."""
    per_structure = float(seconds.mean()) if seconds.notna().any() else float("nan")
    return {
        "n_screened": n_screened,
        per_structure_key: per_structure,
        "simulate_all_s": per_structure * n_screened / resolve_n_jobs(n_jobs),
        "surrogate_s": timings["featurization (all)"] + timings["prediction (all)"],
    }


def write_screening(
    folder: Path, tables: Mapping[str, pd.DataFrame], summary: dict[str, Any], more_reports: Sequence[Path] = ()
) -> Path:
    """The tables (file name -> table), screening.json and the report of ``folder`` (and of
    ``more_reports``), the reports' time then added to the summary's timings; the report's path."""
    for name, table in tables.items():
        write_csv_atomic(table, folder / name)
    write_text_atomic(folder / "screening.json", json.dumps(summary, indent=2, default=json_default))
    clock = time.perf_counter()
    report = build_report(folder)
    for other in more_reports:
        build_report(other)
    summary["timings_s"]["report"] = time.perf_counter() - clock
    write_text_atomic(folder / "screening.json", json.dumps(summary, indent=2, default=json_default))
    return report


def usable_ids(dataset: Dataset, featurizers: Sequence[Any]) -> tuple[list[str], pd.DataFrame]:
    """The ids of ``dataset`` every featurizer describes, and the features of all (cached featurizers: the
    screen reads these rows back)."""
    features, _ = featurize_table(featurizers, dataset.structures, dataset.ids)
    finite = np.isfinite(features.to_numpy(dtype=float)).all(axis=1)
    return [i for i, ok in zip(features.index, finite) if ok], features
