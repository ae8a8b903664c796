"""``atomlearn screen``: spend a labelling budget where the surrogate says the best structures are.

A random seed batch is labelled first (or labels computed before, ``seed_labels``, are the seed); then, round
after round, a GP per objective is fitted to every label so far, predicts the whole pool, and an acquisition
(``screen_acquisition``) picks the next batch among the unlabelled, until the budget is spent. Every decision
is written before its labels are computed, every label as soon as its batch is done, so a killed screen resumes
where it stopped and gives what an uninterrupted one gives (the fits depend only on the labels and the seed).
The folder holds:

- ``settings.json``: what was asked (a resume with other settings is refused; a larger budget extends);
- ``pool.csv``: every structure of the pool, usable or why not (in = usable + refused);
- ``decisions.csv``: round, pick, id, acquisition score, predicted mean and sd of each objective;
- ``labels.csv``: every label (or why it failed), by round;
- ``predictions/round_NNN.parquet``: the surrogate's mean and sd for the whole pool at each round;
- ``rounds.csv``: per round the best label, hits of the true top (when the labels are known: ``table:``),
  random selection's expected hits, and the calibration of the batch's predictions;
- ``screen.json`` and ``report.html``; ``complete.json`` last.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from atomlearn import __version__
from atomlearn.datasets.base import Dataset
from atomlearn.display import Displayed
from atomlearn.featurizers.table import featurize_table
from atomlearn.files import atomic_file, mark_complete, mark_incomplete, write_csv_atomic, write_text_atomic
from atomlearn.schema import read_checked_json, read_table
from atomlearn.workflows.screen_acquisition import (
    ACQUISITIONS,
    choose_batch,
    fit_surrogate,
    one_torch_thread,
    predict,
    unit_cube,
)
from atomlearn.workflows.screen_labels import LabelSource
from atomlearn.workflows.screen_rounds import round_table, top_ids

__all__ = ["OBJECTIVE_CHOICES", "ScreenResult", "active_screen"]

OBJECTIVE_CHOICES = ("uptake", "selectivity", "pareto")
_REMEDY = "remove the folder, or give another --out"


@dataclass(repr=False)
class ScreenResult(Displayed):
    """What an active screen did; every table is also a file in ``folder``.

    Attributes
    ----------
    folder : Path
    pool : pandas.DataFrame
        id, usable, reason (one row per structure of the pool).
    decisions : pandas.DataFrame
        One row per pick: round, pick, id, score, ``mean_<objective>``, ``sd_<objective>``.
    labels : pandas.DataFrame
        One row per labelled structure: round, id, objectives, error.
    rounds : pandas.DataFrame
        One row per round (``screen_rounds.round_table``).
    summary : dict
        ``screen.json``.
    """

    folder: Path
    pool: pd.DataFrame
    decisions: pd.DataFrame
    labels: pd.DataFrame
    rounds: pd.DataFrame
    summary: dict[str, Any]

    def _display(self) -> tuple[str, list[tuple[str, Any]]]:
        settings, counts = self.summary["settings"], self.summary["counts"]
        return (
            f"ScreenResult: {settings['label']} on {settings['pool']}, {settings['acquisition']}, "
            f"objective {settings['objective']}",
            [
                ("folder", self.folder),
                ("pool", f"{counts['usable']} usable of {counts['pool']}, {counts['refused']} refused"),
                ("labelled", f"{counts['labelled']} in {counts['rounds']} rounds, {counts['label_failed']} failed"),
                ("rounds", self.rounds),
                ("best", pd.DataFrame(self.summary["best"])),
            ],
        )


def active_screen(
    pool: Dataset,
    source: LabelSource,
    featurizers: Sequence[Any],
    out: str | Path,
    *,
    budget: int,
    batch: int = 10,
    acquisition: str = "ei",
    objective: str = "uptake",
    n_seed: int | None = None,
    top_fraction: float = 0.01,
    n_jobs: int = 1,
    scheduler: str | None = None,
    random_state: int = 0,
    progress: bool | None = None,
    on_round: Callable[[dict[str, Any]], None] | None = None,
    seed_labels: pd.DataFrame | None = None,
) -> ScreenResult:
    """Label ``budget`` structures of ``pool``, chosen batch by batch by a GP and an acquisition.

    Parameters
    ----------
    pool : Dataset
        The candidates (their labels, if any, are not used: ``source`` gives the labels).
    source : LabelSource
        ``screen_labels.parse_label_spec``: GCMC, Widom K_H, or a table.
    featurizers : sequence of Featurizer
        Descriptors of every candidate (fitted on the pool, unsupervised). Every run computes them for the
        whole pool: give them ``cache=True`` (as ``atomlearn screen`` does) so that a resumed screen reads
        them back from the cache.
    out : path
        The screen's folder; a rerun with the same folder resumes it.
    budget : int
        Labels to spend in all (failed labels count: they were paid for).
    batch : int
        Labels per round after the seed batch.
    acquisition : {"ei", "ucb", "thompson", "greedy", "random"}
    objective : {"uptake", "selectivity", "pareto"}
        What to maximise; ``pareto`` both objectives of the source.
    n_seed : int, optional
        Random structures labelled first (default: ``batch``, at least 5).
    top_fraction : float
        What counts as a hit when the labels are known: the true top fraction of the pool.
    n_jobs, scheduler, progress
        Workers of the featurizers and the labels (a dask scheduler address), progress bars.
    random_state : int
        Seed of the seed batch, the GP fits and the acquisitions.
    on_round : callable, optional
        Called with each round's row (``rounds.csv``) as it finishes (all of them when the screen had
        finished before).
    seed_labels : pandas.DataFrame, optional
        Labels computed before the screen (a random sample already simulated), indexed by id: one column per
        objective and ``error`` (empty, or why the label failed). They are the seed round instead of a random
        draw (``n_seed`` is then their number) and count against the budget; every id must be usable in
        the pool.

    Returns
    -------
    ScreenResult

    Examples
    --------
    >>> from atomlearn.datasets import load
    >>> from atomlearn.featurizers import make_featurizer
    >>> from atomlearn.workflows.screen_labels import parse_label_spec
    >>> pool = load("coremof2019-co2").take(range(200))  # doctest: +SKIP
    >>> known = parse_label_spec("table:coremof2019-co2:log10_co2_uptake_mol_kg")
    >>> result = active_screen(pool, known, [make_featurizer("henry_grid", guest="CO2")], "screen",
    ...                        budget=30, batch=5)  # doctest: +SKIP
    >>> result.rounds[["n_labelled", "hits", "random_expected_hits"]]  # doctest: +SKIP
    """
    objectives = _objectives(objective, source)
    if len(pool) == 0:
        first = pool.errors.iloc[0] if len(pool.errors) else None
        raise ValueError(
            f"no structure of the pool could be read ({len(pool.errors)} failed"
            + (f"; the first, {first['item_id']}: {first['reason']})" if first is not None else ")")
        )
    if seed_labels is not None:
        seed_labels = _checked_seed_labels(seed_labels, objectives)
        n_seed = len(seed_labels)
    n_seed = max(5, batch) if n_seed is None else n_seed
    _check(budget, batch, n_seed, acquisition, top_fraction)
    folder = Path(out)
    settings = {
        "version": __version__,
        "pool": pool.meta.name,
        "n_pool": len(pool) + len(pool.errors),
        "label": source.spec,
        "featurizers": [{"name": f.name, "params": _params(f)} for f in featurizers],
        "batch": batch,
        "n_seed": n_seed,
        "acquisition": acquisition,
        "objective": objective,
        "top_fraction": top_fraction,
        "random_state": random_state,
        "seed_ids": None if seed_labels is None else sorted(seed_labels.index),
    }
    _start(folder, settings)
    write_text_atomic(folder / "settings.json", json.dumps(settings | {"budget": budget}, indent=2))

    table, X = _pool_table(pool, featurizers, source, objectives)
    write_csv_atomic(table, folder / "pool.csv")
    usable_ids = table.loc[table["usable"], "id"].tolist()
    if len(usable_ids) < n_seed + 1:
        raise ValueError(f"only {len(usable_ids)} structures of the pool are usable (see pool.csv): too few to screen")
    if budget > len(usable_ids):
        raise ValueError(f"--budget {budget} exceeds the {len(usable_ids)} usable structures of the pool")
    if seed_labels is not None and not set(seed_labels.index) <= set(usable_ids):
        missing = sorted(set(seed_labels.index) - set(usable_ids))
        raise ValueError(
            f"{len(missing)} structures of the seed labels are not usable in the pool (first: {missing[0]}; "
            "see pool.csv): give the pool their structures, or leave them out of the seed"
        )
    X = unit_cube(X)
    known = source.known()
    truth = known.reindex(usable_ids)[list(objectives)] if known is not None else None
    hits = top_ids(truth, top_fraction) if truth is not None else None
    decisions, labels = _read_progress(folder, objectives)
    where = {item: i for i, item in enumerate(usable_ids)}
    subset = pool.subset(usable_ids)
    round_number = 0
    while len(labels) < budget:
        chosen = decisions[decisions["round"] == round_number]
        if chosen.empty and round_number == 0 and seed_labels is not None:
            chosen = _given_seed(seed_labels, objectives)
            decisions = pd.concat([decisions, chosen], ignore_index=True)
            write_csv_atomic(decisions, folder / "decisions.csv")
        if chosen.empty:
            size = min(n_seed if round_number == 0 else batch, budget - len(labels))
            chosen = _decide(round_number, size, X, where, labels, objectives, acquisition, random_state, folder)
            decisions = pd.concat([decisions, chosen], ignore_index=True)
            write_csv_atomic(decisions, folder / "decisions.csv")
        todo = [i for i in chosen["id"] if i not in set(labels["id"])]
        if todo and round_number == 0 and seed_labels is not None:
            new = seed_labels.loc[todo]
        elif todo:
            new = source.label(
                subset.subset(todo), folder / "labelling", n_jobs=n_jobs, scheduler=scheduler, progress=progress
            )
        if todo:
            new = new.rename_axis("id").reset_index().assign(round=round_number)
            labels = pd.concat([labels, new], ignore_index=True)
            extra = [c for c in labels.columns if c not in ("round", "id", "error", *objectives)]
            labels = labels[["round", "id", *objectives, *extra, "error"]]
            write_csv_atomic(labels, folder / "labels.csv")
        rounds = round_table(decisions, labels, objectives, truth, hits, len(usable_ids))
        write_csv_atomic(rounds, folder / "rounds.csv")
        if on_round is not None:
            on_round(rounds.to_dict("records")[-1])
        round_number += 1
    rounds = round_table(decisions, labels, objectives, truth, hits, len(usable_ids))
    if round_number == 0 and on_round is not None:  # finished before: show its rounds
        for row in rounds.to_dict("records"):
            on_round(row)
    summary = _summary(settings | {"budget": budget}, table, labels, rounds, objectives, hits)
    write_text_atomic(folder / "screen.json", json.dumps(summary, indent=2, default=str))
    from atomlearn.report import active_screen_report

    active_screen_report(folder)
    mark_complete(folder, ["settings.json", "pool.csv", "decisions.csv", "labels.csv", "rounds.csv", "screen.json"])
    return ScreenResult(folder, table, decisions, labels, rounds, summary)


def _objectives(objective: str, source: LabelSource) -> tuple[str, ...]:
    if objective not in OBJECTIVE_CHOICES:
        raise ValueError(f"--objective {objective!r}: choose one of {', '.join(OBJECTIVE_CHOICES)}")
    wanted = ("uptake", "selectivity") if objective == "pareto" else (objective,)
    missing = [name for name in wanted if name not in source.units]
    if missing:
        raise ValueError(
            f"--objective {objective}: --label {source.spec} gives no {missing[0]} "
            "(a mixture GCMC, two gases of henry:, or two columns of table: give a selectivity)"
        )
    return wanted


def _check(budget: int, batch: int, n_seed: int, acquisition: str, top_fraction: float) -> None:
    if acquisition not in ACQUISITIONS:
        raise ValueError(f"--acquisition {acquisition!r}: choose one of {', '.join(ACQUISITIONS)}")
    if batch < 1 or n_seed < 2:
        raise ValueError(f"--batch must be >= 1 and --n-seed >= 2 (got {batch}, {n_seed})")
    if budget <= n_seed:
        raise ValueError(f"--budget {budget} must exceed the seed batch ({n_seed}): the seed alone learns nothing")
    if not 0 < top_fraction < 1:
        raise ValueError(f"--top-fraction must be in (0, 1), got {top_fraction}")


def _checked_seed_labels(seed_labels: pd.DataFrame, objectives: tuple[str, ...]) -> pd.DataFrame:
    """The given seed labels with an ``error`` for every row that has no finite objective, or a clear refusal."""
    missing = [c for c in objectives if c not in seed_labels.columns]
    if missing:
        raise ValueError(f"the seed labels have no column {', '.join(missing)} (they need {', '.join(objectives)})")
    if seed_labels.index.has_duplicates or len(seed_labels) < 2:
        raise ValueError("the seed labels need at least 2 rows, one per structure id")
    frame = seed_labels.copy()
    frame.index = frame.index.astype(str)
    errors = frame["error"].fillna("").astype(str) if "error" in frame else pd.Series("", index=frame.index)
    finite = np.isfinite(frame[list(objectives)].to_numpy(dtype=float)).all(axis=1)
    frame["error"] = [e or ("" if ok else "no label given") for e, ok in zip(errors, finite)]
    return frame


def _given_seed(seed_labels: pd.DataFrame, objectives: tuple[str, ...]) -> pd.DataFrame:
    """The decisions of a seed round whose labels were given: the seed's ids, no score and no prediction."""
    frame = pd.DataFrame({"round": 0, "pick": np.arange(len(seed_labels)), "id": list(seed_labels.index)})
    frame["score"] = np.nan
    for name in objectives:
        frame[f"mean_{name}"], frame[f"sd_{name}"] = np.nan, np.nan
    return frame


def _params(featurizer: Any) -> dict[str, Any]:
    from atomlearn.featurizers.base import RUNTIME_PARAMS

    return {k: v for k, v in featurizer.get_params().items() if k not in RUNTIME_PARAMS}


def _start(folder: Path, settings: dict[str, Any]) -> None:
    """Create the folder, or check that the screen in it asked the same (all but the budget)."""
    path = folder / "settings.json"
    if path.exists():
        from atomlearn.report import ActiveScreenSettings

        stored = read_checked_json(path, ActiveScreenSettings, _REMEDY)
        stored.pop("budget")
        differ = sorted(k for k in settings if json.dumps(stored.get(k)) != json.dumps(settings[k], default=str))
        if differ:
            raise ValueError(f"{folder} holds a screen with other settings ({', '.join(differ)}); {_REMEDY}")
    elif folder.exists() and any(folder.iterdir()):
        raise ValueError(f"{folder} exists and is not a screen's folder; {_REMEDY}")
    (folder / "labelling").mkdir(parents=True, exist_ok=True)
    mark_incomplete(folder)


def _pool_table(
    pool: Dataset, featurizers: Sequence[Any], source: LabelSource, objectives: tuple[str, ...]
) -> tuple[pd.DataFrame, np.ndarray]:
    """Every structure of the pool: usable (finite features, and a label when the source is a table) or why not;
    the usable ones' features."""
    features, errors = featurize_table(featurizers, pool.structures, pool.ids)
    finite = np.isfinite(features.to_numpy(dtype=float)).all(axis=1)
    reasons = {}
    for record in errors.itertuples():
        reasons.setdefault(str(record.item_id), f"{record.stage}: {record.reason}")
    known = source.known()
    labelled = (
        np.isfinite(known.reindex(features.index)[list(objectives)].to_numpy(dtype=float)).all(axis=1)
        if known is not None
        else np.ones(len(features), dtype=bool)
    )
    table = pd.DataFrame({"id": features.index.astype(str), "usable": finite & labelled})
    table["reason"] = [
        "" if ok else reasons.get(i, "no features") if not f else "no value in the labels table"
        for i, ok, f in zip(table["id"], table["usable"], finite)
    ]
    unread = pool.errors[~pool.errors["item_id"].astype(str).isin(table["id"])]
    refused = pd.DataFrame({"id": unread["item_id"].astype(str), "usable": False, "reason": unread["reason"]})
    X = features.to_numpy(dtype=float)[table["usable"].to_numpy()]
    return pd.concat([table, refused], ignore_index=True), X


def _read_progress(folder: Path, objectives: tuple[str, ...]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The decisions and labels an earlier run of this screen wrote (empty at the start), checked."""
    decision_columns = {"round": "number", "pick": "number", "id": "text", "score": "number"}
    decision_columns |= {f"{kind}_{o}": "number" for o in objectives for kind in ("mean", "sd")}
    label_columns = {"round": "number", "id": "text", "error": "text"} | {o: "number" for o in objectives}
    frames = []
    for name, columns in (("decisions.csv", decision_columns), ("labels.csv", label_columns)):
        path = folder / name
        if path.exists():
            frame = read_table(path, columns, f"a screen's {name}", _REMEDY)
        else:
            frame = pd.DataFrame(
                {column: pd.Series(dtype=object if kind == "text" else float) for column, kind in columns.items()}
            )
        for column in ("round", "pick"):
            if column in frame:
                frame[column] = frame[column].astype(int)
        frames.append(frame)
    decisions, labels = frames
    labels["error"] = labels["error"].fillna("")
    return decisions, labels


def _decide(
    round_number: int,
    size: int,
    X: np.ndarray,
    where: dict[str, int],
    labels: pd.DataFrame,
    objectives: tuple[str, ...],
    acquisition: str,
    random_state: int,
    folder: Path,
) -> pd.DataFrame:
    """This round's picks (random for the seed batch), with the surrogate's predictions written for the pool."""
    seed = int(np.random.SeedSequence([random_state, round_number]).generate_state(1)[0])
    labelled = np.array([where[i] for i in labels["id"]], dtype=int)
    candidates = np.setdiff1d(np.arange(len(X)), labelled)
    good = (labels[list(objectives)].notna().all(axis=1) & labels["error"].eq("")).to_numpy(dtype=bool)
    ids = list(where)
    if round_number == 0 or good.sum() < 2:
        choice = choose_batch("random", None, X, candidates, X[:0], np.zeros((0, len(objectives))), size, seed)
        mean = sd = np.full((len(choice.positions), len(objectives)), np.nan)
    else:
        # a failed label (a closed framework, a refused structure) counts as the worst label seen, so that the
        # GP learns to stay away from its neighbours; the incumbent and the hypervolume use real labels only
        Y = labels[list(objectives)].to_numpy(dtype=float)
        worst = np.nanmin(Y[good], axis=0)
        Y_fit = np.where(good[:, None] & np.isfinite(Y), Y, worst)
        with one_torch_thread():
            model = fit_surrogate(X[labelled], Y_fit, seed)
            mean_all, sd_all = predict(model, X, observation_noise=True)
            choice = choose_batch(acquisition, model, X, candidates, X[labelled[good]], Y[good], size, seed)
        _write_predictions(folder, round_number, ids, objectives, mean_all, sd_all)
        mean, sd = mean_all[choice.positions], sd_all[choice.positions]
    frame = pd.DataFrame(
        {"round": round_number, "pick": np.arange(len(choice.positions)), "id": [ids[p] for p in choice.positions]}
    )
    frame["score"] = choice.score
    for k, name in enumerate(objectives):
        frame[f"mean_{name}"], frame[f"sd_{name}"] = mean[:, k], sd[:, k]
    return frame


def _write_predictions(
    folder: Path, round_number: int, ids: list[str], objectives: tuple[str, ...], mean: np.ndarray, sd: np.ndarray
) -> None:
    frame = pd.DataFrame({"id": ids})
    for k, name in enumerate(objectives):
        frame[f"mean_{name}"], frame[f"sd_{name}"] = mean[:, k], sd[:, k]
    path = folder / "predictions" / f"round_{round_number:03d}.parquet"
    path.parent.mkdir(exist_ok=True)
    with atomic_file(path) as partial:
        frame.to_parquet(partial, index=False)


def _summary(
    settings: dict[str, Any],
    pool: pd.DataFrame,
    labels: pd.DataFrame,
    rounds: pd.DataFrame,
    objectives: tuple[str, ...],
    hits: set[str] | None,
) -> dict[str, Any]:
    ok = labels[labels["error"].eq("")]
    best = ok.sort_values(objectives[0], ascending=False).head(10)
    last = rounds.iloc[-1].to_dict()
    return {
        "settings": settings,
        "counts": {
            "pool": len(pool),
            "usable": int(pool["usable"].sum()),
            "refused": int((~pool["usable"]).sum()),
            "labelled": len(labels),
            "label_failed": int(labels["error"].ne("").sum()),
            "rounds": len(rounds),
        },
        "best": best[["id", "round", *objectives]].to_dict("records"),
        "hits": None
        if hits is None
        else {
            "n_top": len(hits),
            "found": int(last["hits"]),
            "random_expected": float(last["random_expected_hits"]),
            "ratio_to_random": float(last["hits"]) / float(last["random_expected_hits"])
            if last["random_expected_hits"] > 0
            else math.nan,
        },
        "calibration": {
            "coverage_68": float(rounds["coverage_68"].mean(skipna=True))
            if rounds["coverage_68"].notna().any()
            else None,
            "coverage_95": float(rounds["coverage_95"].mean(skipna=True))
            if rounds["coverage_95"].notna().any()
            else None,
        },
    }
