"""A run folder: what ``atomlearn fit --out`` writes and ``explain``, ``report`` and ``predict`` read."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from atomlearn.evaluate.results import HoldoutResult

#: the files of a run folder, as listed to the user
RUN_FILES = "results.json, predictions.csv, errors.csv, features.npz, bundle/model.skops + card.json"


def write_run(folder: str | Path, result: HoldoutResult) -> Path:
    """Write a fitted hold-out run (``run_holdout``) into ``folder``: results, predictions by id,
    errors, the used feature matrix and the model bundle; returns the folder."""
    from atomlearn.models.bundle import save_bundle

    folder = Path(folder)
    if folder.suffix == ".json":
        raise ValueError(f"--out {folder}: give a run folder (results.json, predictions.csv and the model bundle go in it)")
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
    np.savez_compressed(folder / "features.npz", **result.features)
    return folder
