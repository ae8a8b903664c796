"""A run folder: what ``atomlearn fit --out`` writes and ``explain``, ``report`` and ``predict`` read."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from atomlearn.files import atomic_file, mark_complete, mark_incomplete, require_complete, write_csv_atomic
from atomlearn.runs.results import HoldoutResult

#: the files of a run folder, as listed to the user
RUN_FILES = "results.json, predictions.csv, errors.csv, features.npz, bundle/model.skops + card.json"
#: what a completed run records with its hashes (``complete.json``, written last)
CORE_FILES = ["results.json", "predictions.csv", "errors.csv", "features.npz", "bundle/model.skops", "bundle/card.json"]
#: files that later commands derive from a run (explain, report, the screening workflow): stale once it is rewritten
DERIVED_FILES = [
    "importance.csv",
    "importance_grouped.csv",
    "sisso.csv",
    "selected_features.csv",
    "lasso_path.csv",
    "map.csv",
    "curve.csv",
    "explain.json",
    "report.html",
    "screened.csv",
    "confirmed.csv",
    "screening.json",
]
REMEDY = "rerun `atomlearn fit --out` into it"


def require_complete_run(folder: str | Path) -> None:
    """Refuse a run folder that ``write_run`` did not finish, or whose core files were changed since.

    Parameters
    ----------
    folder : str or Path

    Raises
    ------
    FileFormatError
    """
    require_complete(folder, "run folder", REMEDY, CORE_FILES)


def write_run(folder: str | Path, result: HoldoutResult) -> Path:
    """Write a fitted hold-out run into ``folder``: results, predictions by id, errors, the used feature
    matrix and the model bundle, then the completion record.

    Parameters
    ----------
    folder : str or Path
    result : HoldoutResult
        From ``run_holdout`` (with ``fitted``).

    Returns
    -------
    Path
    """
    from atomlearn.runs.bundle import save_bundle

    folder = Path(folder)
    if folder.suffix == ".json":
        raise ValueError(
            f"--out {folder}: give a run folder (results.json, predictions.csv and the model bundle go in it)"
        )
    if result.fitted is None:  # before anything is written
        raise ValueError(
            "this result holds no fitted featurizer and model (it was read from JSON or built by hand); "
            "write_run needs the result of run_holdout"
        )
    folder.mkdir(parents=True, exist_ok=True)
    mark_incomplete(folder)  # an earlier run here is no longer whole: readers refuse the folder until the end
    for name in DERIVED_FILES:  # they describe the earlier run; the core files are replaced one by one below
        (folder / name).unlink(missing_ok=True)
    result.to_json(folder / "results.json")
    write_csv_atomic(result.predictions_frame(), folder / "predictions.csv")
    write_csv_atomic(pd.DataFrame(result.errors, columns=["item_id", "stage", "reason"]), folder / "errors.csv")
    featurizer, model = result.fitted.featurizer, result.fitted.model
    card = {
        "dataset": result.dataset,
        "target": result.target,
        "target_unit": result.target_unit,
        "featurizer": {
            "names": result.featurizer["names"],
            "params": result.featurizer["params"],
            "n_features": result.featurizer["n_features"],
        },
        "model": result.model,
        "split": {k: v for k, v in result.split.items() if k != "describe"},
        "counts": result.counts,
        "data_hash": result.data_hash,
        "test_metrics": {k: v["test"] for k, v in result.metrics.items()},
    }
    save_bundle(folder / "bundle", featurizer, model, card)
    with atomic_file(folder / "features.npz") as partial, open(partial, "wb") as handle:
        np.savez_compressed(handle, **result.fitted.features)
    mark_complete(folder, CORE_FILES)
    return folder
