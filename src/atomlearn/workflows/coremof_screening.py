"""Screen CoRE MOF 2019 with a surrogate of Widom simulations, an active screen, and check its claim by simulation.

The loop of the lecture's opening example (a MOF for gas capture: simulation hours, ML milliseconds), as
``atomlearn screen`` runs it with the demo's settings:

1. simulate the Henry coefficient of a random sample; a stratified fifth of it is the test set, kept aside from
   every fit (the honest score of the surrogate, and the random baseline the confirmed MOFs are measured against);
2. an active screen (``active_learning``, Thompson sampling by default) starts from the sample's training part
   and spends a few rounds of Widom labels where a GP on the guest's energy grid expects the best MOFs;
3. the surrogate (RACs, pore geometry, energy histograms; KRR with nested CV) learns log10 K_H from every
   label but the test set, is scored on it, predicts every MOF, and the predicted best never simulated are
   simulated to confirm.

MOFs without room for the guest (K_H = 0: no accessible point free of overlap) have no logarithm; they are
kept out of the regression (listed as such), teach a classifier "open to the guest", which screens them out
before the ranking, and count as the worst label in the active screen's GP.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from atomlearn.datasets.base import Dataset, DatasetMeta
from atomlearn.display import Displayed, format_value
from atomlearn.errors import ErrorRecord, errors_frame
from atomlearn.explain.run_explanation import explain_run
from atomlearn.featurizers import make_featurizer
from atomlearn.models import make_model
from atomlearn.runs import run_holdout
from atomlearn.runs.results import HoldoutResult
from atomlearn.runs.run_folder import write_run
from atomlearn.schema import read_table
from atomlearn.simulate.henry_batch import henry_labels
from atomlearn.workflows.active_learning import ScreenResult, active_screen
from atomlearn.workflows.families import distinct_frameworks
from atomlearn.workflows.screen_acquisition import ACQUISITIONS
from atomlearn.workflows.screen_labels import parse_label_spec
from atomlearn.workflows.screening_steps import (
    TOP_FRACTION,
    draw_coremof,
    featurize_all,
    open_classifier,
    time_saving,
    top_recall,
    usable_ids,
    write_screening,
)

TARGET = "log10_henry_mol_kg_Pa"
TARGET_UNIT = "log10 mol/(kg·Pa)"
DEFAULT_FEATURIZERS = ("racs", "coremof_pores", "energy_histogram")
#: the active screen's descriptors (``atomlearn screen``'s default for ``henry:GUEST``): 19 numbers a GP with one
#: length scale each can learn from a few hundred labels
SCREEN_FEATURIZERS = ("energy_histogram", "henry_grid")


@dataclass(repr=False)
class ScreeningResult(Displayed):
    """What the CH4 screen did; every table is also a file in ``folder``.

    Attributes
    ----------
    folder, report : Path
    sample : pandas.DataFrame
        Widom K_H of the random sample.
    run : HoldoutResult
    screen : ScreenResult
        The active screen (``folder/screen``).
    open_metrics : dict
    screened, confirmed : pandas.DataFrame
    summary : dict
    """

    folder: Path
    report: Path  # report.html
    sample: pd.DataFrame  # Widom results of the random sample (widom_sample.csv)
    run: HoldoutResult  # the regression of log10 K_H (results.json, bundle/, ...)
    screen: ScreenResult  # the active Widom rounds (screen/)
    open_metrics: dict[str, Any]  # test metrics of the open-to-the-guest classifier
    screened: pd.DataFrame  # every MOF: predictions or the reason it has none (screened.csv)
    confirmed: pd.DataFrame  # predicted best, newly simulated: predicted vs simulated (confirmed.csv)
    summary: dict[str, Any] = field(default_factory=dict)  # counts, metrics, time split (screening.json)

    def _display(self) -> tuple[str, list[tuple[str, Any]]]:
        test = self.run.metrics["model"]["test"]
        return (
            "ScreeningResult: CH4 Henry coefficients of CoRE MOFs, a surrogate of Widom insertion",
            [
                ("folder", self.folder),
                ("report", self.report),
                (f"test R², MAE ({self.run.target})", f"{format_value(test['r2'])}, {format_value(test['mae'])}"),
                ("active screen", self._screen_line()),
                ("screened", len(self.screened)),
                ("confirmed", self.confirmed),
            ],
        )

    def _screen_line(self) -> str:
        screen = self.summary.get("screen", {})
        return (
            f"{screen.get('n', 0)} Widom labels in {screen.get('rounds', 0)} rounds ({screen.get('acquisition')}), "
            f"{screen.get('above_sample_p90', 0)} above the random sample's 90th percentile "
            f"({format_value(screen.get('random_expected_above_p90', float('nan')))} expected at random)"
        )


def screen_coremof(
    out: str | Path,
    *,
    guest: str = "CH4",
    temperature_K: float = 298.0,
    n_simulate: int = 400,
    n_screen: int | None = None,
    n_top: int = 20,
    n_confirm: int = 10,
    rounds: int = 2,
    batch: int = 10,
    acquisition: str = "thompson",
    featurizers: Sequence[str] = DEFAULT_FEATURIZERS,
    model: str = "krr",
    nested: tuple[int, int] | None = (5, 5),
    n_jobs: int = 2,
    random_state: int = 0,
    progress: bool | None = None,
    on_round: Callable[[dict[str, Any]], None] | None = None,
    **widom_options: Any,
) -> ScreeningResult:
    """The CH4 screen: K_H of a random sample, an active screen, learn log10 K_H, predict every MOF, confirm.

    Simulates ``n_simulate`` random MOFs (a stratified fifth is the test set), spends ``rounds`` x ``batch``
    Widom labels chosen by an active screen seeded with the rest, learns log10 K_H from every label but the
    test set, predicts all MOFs (or a random ``n_screen``), simulates the ``n_confirm`` best predicted
    frameworks of which no entry was simulated (one per framework: ``families``), and writes everything and
    ``report.html`` into ``out`` (the active screen into ``out/screen``).

    Parameters
    ----------
    out : str or Path
        Output folder; a rerun with the same folder reuses its simulations and screen.
    guest : str
    temperature_K : float
        Temperature, K.
    n_simulate, n_screen, n_top, n_confirm : int
    rounds, batch : int
        Active rounds and Widom labels per round.
    acquisition : {"thompson", "ei", "ucb", "greedy", "random"}
        How the active screen picks each batch.
    featurizers : sequence of str
        The surrogate's descriptors.
    model : str
    nested : (int, int) or None
    n_jobs : int
    random_state : int
    progress : bool, optional
    on_round : callable, optional
        Called with each active round's row (``screen/rounds.csv``).
    **widom_options
        Passed to ``widom_henry`` (e.g. ``target_relative_error``).

    Returns
    -------
    ScreeningResult
    """
    featurizer_objects = [
        make_featurizer(name, n_jobs=n_jobs, cache=True, **_guest_params(name, guest, temperature_K))
        for name in featurizers
    ]  # unknown names fail here, before minutes of simulation
    _check_request(guest, temperature_K, n_simulate, n_confirm, rounds, batch, acquisition)
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    timings: dict[str, float] = {}
    database, sample, n_database = draw_coremof(n_screen, n_simulate, random_state)
    simulate = dict(n_jobs=n_jobs, progress=progress, **widom_options)

    clock = time.perf_counter()
    widom, simulated = _simulate_sample(sample, guest, temperature_K, folder / "widom_sample.csv", simulate)
    timings["simulation (sample)"] = time.perf_counter() - clock
    role = _roles(simulated, random_state)

    clock = time.perf_counter()
    screen = _active_screen(
        database,
        simulated,
        widom.errors,
        role,
        guest,
        temperature_K,
        folder / "screen",
        simulate,
        rounds=rounds,
        batch=batch,
        acquisition=acquisition,
        random_state=random_state,
        on_round=on_round,
    )
    timings["active screen (Widom rounds)"] = time.perf_counter() - clock
    picked = screen.labels[screen.labels["round"] > 0]
    active_ids = picked["id"].tolist()
    active = _screen_results(screen.folder, guest).reindex(active_ids)
    everything = pd.concat([simulated, active])
    role |= dict.fromkeys(active_ids, "train")
    unlabelled = picked[active["henry_mol_kg_Pa"].isna().to_numpy()]
    active_failed = pd.DataFrame({"item_id": unlabelled["id"], "stage": "screen", "reason": unlabelled["error"]})
    failures = pd.concat([widom.errors, active_failed], ignore_index=True)
    simulated_ids = [*sample.ids, *active_ids]
    labelled, closed_ids = _labelled(database.subset(simulated_ids), everything, failures, guest, temperature_K, role)

    run = run_holdout(
        labelled,
        TARGET,
        featurizer_objects,
        make_model(model),
        model_name=model,
        split="predefined",
        group_column="role",
        nested=nested,
        random_state=random_state,
    )
    write_run(folder, run)
    timings["featurization (labelled)"] = run.timings_s["load"] + run.timings_s["featurize"]
    timings["learning"] = run.timings_s["split"] + run.timings_s["fit"] + run.timings_s["predict"]
    clock = time.perf_counter()
    perplexity = min(30.0, max(2.0, (len(run.fitted.features["y"]) - 1) / 3))  # t-SNE needs 3 perplexities of samples
    explained = explain_run(
        folder,
        importance=True,
        projection="tsne",
        perplexity=perplexity,
        curve_sizes="auto",
        random_state=random_state,
        n_jobs=n_jobs,
    )
    classifier, open_metrics = open_classifier(run, database.subset(closed_ids), random_state)
    timings["learning"] += time.perf_counter() - clock

    clock = time.perf_counter()
    fitted_featurizer, regressor = run.fitted.featurizer, run.fitted.model
    X, reasons = featurize_all(database, fitted_featurizer)
    timings["featurization (all)"] = time.perf_counter() - clock
    clock = time.perf_counter()
    screened = _predict_all(database, X, reasons, regressor, classifier, run, everything, set(active_ids))
    timings["prediction (all)"] = time.perf_counter() - clock

    ranked = screened[screened["p_open"] >= 0.5].sort_values("predicted", ascending=False)
    top = distinct_frameworks(ranked, database.structure, n_top)
    candidates = distinct_frameworks(ranked, database.structure, n_confirm, exclude=simulated_ids)
    clock = time.perf_counter()
    check = henry_labels(
        database.subset(candidates["id"].tolist()), guest, temperature_K, folder / "widom_confirm.csv", **simulate
    )
    timings["simulation (confirm)"] = time.perf_counter() - clock
    confirmed = _confirmed(candidates, check, simulated)

    summary = {
        "guest": guest,
        "temperature_K": temperature_K,
        "target": TARGET,
        "target_unit": TARGET_UNIT,
        "counts": {
            "database": n_database,
            "screened_requested": len(database) + len(database.errors),
            **_screened_counts(screened),
            "simulated": len(sample),
            "simulated_ok": int(simulated["henry_mol_kg_Pa"].notna().sum()),
            "simulated_closed": int((simulated["henry_mol_kg_Pa"] == 0).sum()),
            "simulation_failed": len(widom.errors),
            "train_random": sum(role[i] == "train" for i in sample.ids),
            "test_random": sum(role[i] == "test" for i in sample.ids),
            "screen_labels": len(active_ids),
            "screen_closed": len(closed_ids) - int((simulated["henry_mol_kg_Pa"] == 0).sum()),
            "screen_label_failed": len(active_failed),
            "confirm_requested": len(candidates),
            "confirm_failed": len(check.errors),
        },
        "test": {
            "mae": run.metrics["model"]["test"]["mae"],
            "r2": run.metrics["model"]["test"]["r2"],
            "top_recall": top_recall(run),
            "top_fraction": TOP_FRACTION,
            "baselines": {k: v["test"]["mae"] for k, v in run.metrics.items() if k != "model"},
        },
        "screen": _screen_summary(screen, active, simulated, acquisition, rounds, batch),
        "open_classifier": open_metrics,
        "confirm": _confirm_summary(confirmed, simulated),
        "top": top.to_dict("records"),
        "timings_s": timings,
        "saving": time_saving(
            int(screened["predicted"].notna().sum()), simulated["time_s"], "widom_s_per_structure", timings, n_jobs
        ),
        "widom_options": dict(widom_options),
        "explain_timings_s": explained.timings_s,
    }
    report = write_screening(folder, {"screened.csv": screened, "confirmed.csv": confirmed}, summary)
    return ScreeningResult(
        folder, report, simulated.reset_index(), run, screen, open_metrics, screened, confirmed, summary
    )


def _roles(simulated: pd.DataFrame, random_state: int) -> dict[str, str]:
    """A stratified fifth of the sample's open MOFs is the test set (it holds its share of the top performers);
    the rest, closed and failed MOFs included, trains."""
    from atomlearn.splits import make_holdout

    open_ids = simulated.index[simulated["henry_mol_kg_Pa"] > 0]
    role = dict.fromkeys(simulated.index, "train")
    if len(open_ids) >= 5:
        y = simulated.loc[open_ids, TARGET].to_numpy(dtype=float)
        _, test = next(make_holdout("stratified", 0.2, random_state).split(y, y))
        role |= dict.fromkeys(open_ids[test], "test")
    return role


def _active_screen(
    database: Dataset,
    simulated: pd.DataFrame,
    failures: pd.DataFrame,
    role: dict[str, str],
    guest: str,
    temperature_K: float,
    folder: Path,
    simulate: dict[str, Any],
    **screen: Any,
) -> ScreenResult:
    """Widom rounds chosen by a GP on the guest's energy grid (``atomlearn screen``'s default descriptors for
    ``henry:GUEST``), seeded with the sample's training labels; the test set stays out of the pool."""
    options = {k: v for k, v in simulate.items() if k not in ("n_jobs", "progress")}
    source = parse_label_spec(f"henry:{guest}", temperature_K, options)
    grid = [
        make_featurizer(name, n_jobs=simulate["n_jobs"], cache=True, guest=guest, temperature_K=temperature_K)
        for name in SCREEN_FEATURIZERS
    ]
    pool = database.subset([i for i in database.ids if role.get(i) != "test"])
    usable = set(usable_ids(pool, grid)[0])
    failed = {str(r.item_id): f"{r.stage}: {r.reason}" for r in failures.itertuples()}
    train = [i for i in simulated.index if role[i] == "train" and i in usable]
    henry = simulated["henry_mol_kg_Pa"].reindex(train).to_numpy(dtype=float)
    seed = pd.DataFrame({"uptake": simulated[TARGET].reindex(train).to_numpy(dtype=float)}, index=train)
    seed["error"] = [
        failed.get(i, "") or ("K_H = 0: closed to the guest" if k == 0 else "" if k > 0 else "no Widom result")
        for i, k in zip(train, henry)
    ]
    return active_screen(
        pool,
        source,
        grid,
        folder,
        budget=len(seed) + screen["rounds"] * screen["batch"],
        batch=screen["batch"],
        acquisition=screen["acquisition"],
        n_jobs=simulate["n_jobs"],
        random_state=screen["random_state"],
        progress=simulate["progress"],
        on_round=screen["on_round"],
        seed_labels=seed,
    )


def _screen_results(folder: Path, guest: str) -> pd.DataFrame:
    """The active screen's Widom results (``screen_labels.HenryLabels`` writes them), checked, by id."""
    table = read_table(
        folder / "labelling" / f"widom_{guest}.csv",
        {"id": "text", "henry_mol_kg_Pa": "number", TARGET: "number", "qst_kJ_mol": "number", "time_s": "number"},
        "the active screen's Widom results",
        "remove the folder, or give another --out",
    )
    return table.drop_duplicates("id", keep="last").set_index("id")


def _screen_summary(
    screen: ScreenResult, active: pd.DataFrame, sample: pd.DataFrame, acquisition: str, rounds: int, batch: int
) -> dict[str, Any]:
    """What the active rounds found against the random sample: how many above its 90th percentile, the best."""
    found = active["henry_mol_kg_Pa"].dropna()
    random = sample["henry_mol_kg_Pa"].dropna()
    p90 = float(np.percentile(random, 90)) if len(random) else None
    return {
        "acquisition": acquisition,
        "rounds": rounds,
        "batch": batch,
        "n": len(active),
        "sample_p90_henry": p90,
        "above_sample_p90": int((found > p90).sum()) if p90 is not None else 0,
        "random_expected_above_p90": 0.1 * len(active),
        "best_henry": float(found.max()) if len(found) else None,
        "best_in_sample_henry": float(random.max()) if len(random) else None,
        "calibration": screen.summary["calibration"],
    }


def _simulate_sample(
    sample: Dataset, guest: str, temperature_K: float, path: Path, simulate: dict[str, Any]
) -> tuple[Any, pd.DataFrame]:
    """Widom K_H of the random sample (resumable in ``path``); its results indexed by the sample's ids."""
    widom = henry_labels(sample, guest, temperature_K, path, **simulate)
    if not len(widom.results):
        first = widom.errors.iloc[0] if len(widom.errors) else None
        raise ValueError(
            f"none of the {len(sample)} Widom simulations finished"
            + (f"; the first failure: {first['item_id']}: {first['reason']}" if first is not None else "")
        )
    return widom, widom.results.set_index("id").reindex(sample.ids)


def _screened_counts(screened: pd.DataFrame) -> dict[str, int]:
    """Screened MOFs predicted, failed, and predicted closed to the guest."""
    return {
        "screened_predicted": int(screened["predicted"].notna().sum()),
        "screened_failed": int(screened["error"].ne("").sum()),
        "predicted_closed": int((screened["p_open"] < 0.5).sum()),
    }


def _check_request(
    guest: str, temperature_K: float, n_simulate: int, n_confirm: int, rounds: int, batch: int, acquisition: str
) -> None:
    """Refuse what would fail only after the simulations: an unknown guest or acquisition, a sample too small to
    split and cross-validate, a non-positive temperature, no active round."""
    from atomlearn.physics.guests import get_guest

    get_guest(guest)
    if n_simulate < 20:
        raise ValueError(f"--n-simulate {n_simulate}: at least 20 MOFs are needed for a test set and cross-validation")
    if temperature_K <= 0 or n_confirm < 0:
        raise ValueError("the temperature must be > 0 K and --confirm >= 0")
    if rounds < 1 or batch < 1:
        raise ValueError(f"--rounds and --batch must be >= 1 (got {rounds}, {batch})")
    if acquisition not in ACQUISITIONS:
        raise ValueError(f"--acquisition {acquisition!r}: choose one of {', '.join(ACQUISITIONS)}")


def _guest_params(featurizer: str, guest: str, temperature_K: float) -> dict[str, Any]:
    """Energy histograms describe the simulated guest at the simulated temperature."""
    return {"guest": guest, "temperature_K": temperature_K} if featurizer == "energy_histogram" else {}


def _labelled(
    sample: Dataset,
    simulated: pd.DataFrame,
    failures: pd.DataFrame,
    guest: str,
    temperature_K: float,
    role: dict[str, str],
) -> tuple[Dataset, list[str]]:
    """The simulated MOFs with their log10 K_H as label and their ``role`` (train or test); closed MOFs
    (K_H = 0) and failed simulations are moved to the errors with their reason (never dropped silently)."""
    henry = simulated["henry_mol_kg_Pa"].reindex(sample.ids).to_numpy(dtype=float)
    closed = [i for i, k in zip(sample.ids, henry) if k == 0.0]
    failed = {str(r.item_id): r.reason for r in failures.itertuples()}
    records = [
        ErrorRecord(i, "label", f"K_H = 0: no accessible room for {guest} (used by the open/closed classifier)")
        for i in closed
    ]
    records += [
        ErrorRecord(i, "simulate", failed.get(i, "no Widom result")) for i, k in zip(sample.ids, henry) if np.isnan(k)
    ]
    keep = [p for p, k in enumerate(henry) if k > 0.0]
    meta = DatasetMeta(
        name=f"coremof2019 + Widom {guest} {temperature_K:g} K",
        description=sample.meta.description,
        units={TARGET: TARGET_UNIT, "henry_mol_kg_Pa": "mol/(kg·Pa)", "qst_kJ_mol": "kJ/mol"},
        citation=sample.meta.citation,
        source=sample.meta.source,
        notes=sample.meta.notes,
    )
    labels = simulated.reindex(sample.ids)[[TARGET, "henry_mol_kg_Pa", "qst_kJ_mol"]].iloc[keep]
    kept = sample.take(keep)
    labels = labels.assign(role=[role[i] for i in kept.ids])
    labelled = Dataset(
        kept.ids, kept.structures, labels, meta, pd.concat([sample.errors, errors_frame(records)], ignore_index=True)
    )
    return labelled, closed


def _predict_all(
    database: Dataset,
    X: np.ndarray,
    reasons: dict[str, str],
    regressor: Any,
    classifier: Any,
    run: HoldoutResult,
    simulated: pd.DataFrame,
    active: set[str],
) -> pd.DataFrame:
    """One row per MOF of ``database``: predicted log10 K_H and P(open), what was simulated and in which part
    (``set``: train, test, or train from the active screen), or the reason it has none."""
    ok = np.isfinite(X).all(axis=1)
    predicted = np.full(len(X), np.nan)
    p_open = np.full(len(X), np.nan)
    if ok.any():
        predicted[ok] = regressor.predict(X[ok])
        p_open[ok] = classifier.predict_proba(X[ok])[:, 1] if classifier is not None else 1.0
    part_of = dict(zip(run.fitted.features["ids"], run.fitted.features["set"]))
    frame = pd.DataFrame(
        {
            "id": database.ids,
            "predicted": predicted,
            "predicted_henry_mol_kg_Pa": 10.0**predicted,
            "p_open": p_open,
            "simulated": simulated[TARGET].reindex(database.ids).to_numpy(dtype=float),
            "set": [
                f"{part_of[i]} (active screen)"
                if i in part_of and i in active
                else part_of.get(i, "") or ("simulated, not used" if i in simulated.index else "")
                for i in database.ids
            ],
            "LCD_A": database.labels["LCD_A"].to_numpy(),
            "PLD_A": database.labels["PLD_A"].to_numpy(),
            "error": ["" if good else reasons.get(i, "no features") for i, good in zip(database.ids, ok)],
        }
    )
    missing = database.errors  # listed in the property table without a file: not in database.ids
    if len(missing):
        listed = pd.DataFrame({"id": missing["item_id"], "error": missing["stage"] + ": " + missing["reason"]})
        frame = pd.concat([frame, listed], ignore_index=True)
    frame["error"] = frame["error"].fillna("")
    return frame


def _confirmed(candidates: pd.DataFrame, check: Any, simulated: pd.DataFrame) -> pd.DataFrame:
    """Predicted vs newly simulated log10 K_H of the candidates, with the simulation's SE and the
    percentile of the simulated K_H among the random sample (closed MOFs counted as 0)."""
    results = check.results.set_index("id").reindex(candidates["id"])
    henry = results["henry_mol_kg_Pa"].to_numpy(dtype=float)
    se = results["henry_se_mol_kg_Pa"].to_numpy(dtype=float)
    sample_henry = np.sort(simulated["henry_mol_kg_Pa"].dropna().to_numpy(dtype=float))
    with np.errstate(divide="ignore", invalid="ignore"):
        log_henry = np.where(henry > 0, np.log10(henry), np.nan)
        log_se = se / (henry * np.log(10.0))
    failed = {str(r.item_id): r.reason for r in check.errors.itertuples()}
    return pd.DataFrame(
        {
            "id": candidates["id"].to_numpy(),
            "predicted": candidates["predicted"].to_numpy(),
            "simulated": log_henry,
            "simulated_se": log_se,
            "error": log_henry - candidates["predicted"].to_numpy(),
            "henry_mol_kg_Pa": henry,
            "percentile_in_sample": [
                100.0 * np.searchsorted(sample_henry, k, side="right") / len(sample_henry)
                if np.isfinite(k) and len(sample_henry)
                else np.nan
                for k in henry
            ],
            "p_open": candidates["p_open"].to_numpy(),
            "LCD_A": candidates["LCD_A"].to_numpy(),
            "PLD_A": candidates["PLD_A"].to_numpy(),
            "members": candidates["members"].to_numpy(),
            "note": [
                failed.get(i, "") or (results.loc[i, "notes"] if isinstance(results.loc[i, "notes"], str) else "")
                for i in candidates["id"]
            ],
        }
    )


def _confirm_summary(confirmed: pd.DataFrame, simulated: pd.DataFrame) -> dict[str, Any]:
    """How the surrogate's best fared: MAE against the new simulations, how many are closed, and how
    many beat the sample's top 5 %."""
    finite = confirmed["simulated"].notna()
    sample = simulated["henry_mol_kg_Pa"].dropna()
    return {
        "n": len(confirmed),
        "mae": float(confirmed.loc[finite, "error"].abs().mean()) if finite.any() else None,
        "mean_error": float(confirmed.loc[finite, "error"].mean()) if finite.any() else None,
        "closed": int((confirmed["henry_mol_kg_Pa"] == 0).sum()),
        "in_sample_top_fraction": int((confirmed["percentile_in_sample"] >= 100 * (1 - TOP_FRACTION)).sum()),
        "sample_top_threshold_henry": float(np.quantile(sample, 1 - TOP_FRACTION)) if len(sample) else None,
        "best_in_sample_henry": float(sample.max()) if len(sample) else None,
        "best_confirmed_henry": float(confirmed["henry_mol_kg_Pa"].max()) if len(confirmed) else None,
    }
