"""Screen CoRE MOF 2019 for carbon capture from flue gas, and check the surrogate's best by simulation.

The lecture's opening question: is this MOF good for carbon capture? Flue gas is about 15 % CO2
and 85 % N2 at 1 bar. A MOF is good when it takes up much CO2 at its 0.15 bar partial pressure
and little N2. CO2 binds through its quadrupole, so the framework needs partial charges (EQeq,
``physics.charges``); at 0.15 bar CO2 is far from the Henry regime in most MOFs (strong sites
fill), so the labels come from grand-canonical Monte Carlo of the mixture (``simulate.gcmc``):

- uptake: CO2 loading (mol/kg) from the 15:85 mixture at 1 bar, 298 K;
- selectivity: S = (x_CO2 / x_N2) / (y_CO2 / y_N2) from the same simulation.

Widom K_H of both gases (the cheap label) is computed for part of the sample and compared: the
Henry-regime uptake K_H f and selectivity K_H(CO2)/K_H(N2) against GCMC (``henry_vs_gcmc.csv``).
Two surrogates (log10 uptake, log10 selectivity) predict every MOF; the Pareto front of the
predictions ranks them; the best distinct frameworks never simulated are simulated and compared.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from atomlearn.datasets.base import Dataset, DatasetMeta
from atomlearn.errors import ErrorRecord, errors_frame
from atomlearn.evaluate import pareto_layers
from atomlearn.explain.run_explanation import explain_run
from atomlearn.featurizers import make_featurizer
from atomlearn.files import write_csv_atomic
from atomlearn.models import make_model
from atomlearn.runs import run_holdout
from atomlearn.runs.results import HoldoutResult
from atomlearn.runs.run_folder import write_run
from atomlearn.simulate.gcmc_batch import gcmc_labels
from atomlearn.units import BAR_TO_PA
from atomlearn.workflows.co2_labels import (
    FLUE_GAS,
    PRESSURE_PA,
    SELECTIVITY,
    UPTAKE,
    charged_dataset,
    gcmc_label_table,
    henry_summary,
    henry_vs_gcmc,
    label_sample,
    smallest_cells,
)
from atomlearn.workflows.families import distinct_frameworks
from atomlearn.workflows.screening_steps import (
    TOP_FRACTION,
    draw_coremof,
    featurize_all,
    in_domain,
    open_classifier,
    time_saving,
    top_recall,
    write_screening,
)

UNITS = {
    UPTAKE: "log10 mol/kg",
    SELECTIVITY: "log10 (dimensionless)",
    "co2_uptake_mol_kg": "mol/kg",
    "co2_n2_selectivity": "dimensionless",
}
DEFAULT_FEATURIZERS = ("racs", "coremof_pores")
#: Pareto layers ranked (enough for any top list; the rest are ranked below them by uptake)
MAX_LAYERS = 60


@dataclass
class CO2ScreeningResult:
    """What the carbon-capture screen did; every table is also a file in ``folder``.

    Attributes
    ----------
    folder, report : Path
    sample : pandas.DataFrame
        GCMC of the random sample with both labels.
    henry : pandas.DataFrame
        Widom (Henry regime) against GCMC on part of the sample.
    uptake_run, selectivity_run : HoldoutResult
    open_metrics : dict
        Test metrics of the open-to-CO2 classifier.
    screened : pandas.DataFrame
        Every MOF: predictions or the reason it has none.
    confirmed : pandas.DataFrame
        The predicted best, newly simulated.
    summary : dict
        Counts, metrics, time split (``screening.json``).
    """

    folder: Path
    report: Path  # report.html
    sample: pd.DataFrame  # GCMC of the random sample with both labels (gcmc_sample.csv + labels)
    henry: pd.DataFrame  # Widom (Henry regime) against GCMC on part of the sample (henry_vs_gcmc.csv)
    uptake_run: HoldoutResult  # log10 CO2 uptake (the folder's results.json, bundle/, ...)
    selectivity_run: HoldoutResult  # log10 selectivity (selectivity/)
    open_metrics: dict[str, Any]  # test metrics of the open-to-CO2 classifier
    screened: pd.DataFrame  # every MOF: predictions or the reason it has none (screened.csv)
    confirmed: pd.DataFrame  # the predicted best, newly simulated (confirmed.csv)
    summary: dict[str, Any] = field(default_factory=dict)  # counts, metrics, time split (screening.json)


def screen_coremof_co2(
    out: str | Path,
    *,
    temperature_K: float = 298.0,
    n_simulate: int = 75,
    n_screen: int | None = None,
    n_top: int = 20,
    n_confirm: int = 8,
    n_henry: int = 6,
    featurizers: Sequence[str] = DEFAULT_FEATURIZERS,
    model: str = "krr",
    nested: tuple[int, int] | None = (5, 5),
    init_cycles: int = 150,
    cycles: int = 500,
    target_relative_error: float | None = 0.05,
    n_jobs: int = 2,
    random_state: int = 0,
    progress: bool | None = None,
    **gcmc_options: Any,
) -> CO2ScreeningResult:
    """Label a random sample of CoRE MOF 2019 by GCMC of flue gas, learn, predict all, confirm the best.

    Parameters
    ----------
    out : path
        Output folder; a rerun with the same folder reuses its charges and simulations.
    temperature_K : float
        Temperature, K (flue gas at 1 bar, 15 % CO2 / 85 % N2).
    n_simulate : int
        Random MOFs to label by GCMC (seeded by ``random_state``).
    n_screen : int, optional
        Screen a random subset of this many MOFs instead of all 12,020.
    n_top, n_confirm : int
        Distinct frameworks to list, and to simulate among the predicted best never simulated.
    n_henry : int
        MOFs of the sample whose Widom K_H(CO2) and K_H(N2) are compared with their GCMC labels.
    featurizers, model, nested
        As in ``screen_coremof``.
    init_cycles, cycles, target_relative_error
        GCMC cycles to equilibrate and (at most) to sample; stop at this relative error of both loadings.
    n_jobs, random_state, progress
        Worker processes, seed of the samples, split and simulations, progress bars.
    gcmc_options
        More options of ``gcmc`` (e.g. ``grid_spacing_A``).

    Returns
    -------
    CO2ScreeningResult
    """
    for name in featurizers:
        make_featurizer(name)  # unknown names fail here, before minutes of simulation
    _check_request(temperature_K, n_simulate, n_confirm, n_henry)
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    timings: dict[str, float] = {}
    database, sample, n_database = draw_coremof(n_screen, n_simulate, random_state)
    simulate = dict(n_jobs=n_jobs, progress=progress)
    gcmc = dict(
        charges="cif",
        init_cycles=init_cycles,
        cycles=cycles,
        target_relative_error=target_relative_error,
        random_state=random_state,
        **gcmc_options,
    )

    labels, failures, charged, counts = label_sample(sample, folder, temperature_K, simulate, gcmc, timings)
    clock = time.perf_counter()
    henry = henry_vs_gcmc(smallest_cells(charged, folder / "charges", n_henry), labels, temperature_K, folder, simulate)
    timings["Widom K_H (comparison)"] = time.perf_counter() - clock
    closed = labels.index[labels["co2_uptake_mol_kg"] == 0].tolist()
    runs, explained = _learn(
        folder, sample, labels, failures, closed, featurizers, model, nested, n_jobs, random_state, timings
    )
    clock = time.perf_counter()
    classifier, open_metrics = open_classifier(runs[UPTAKE], database.subset(closed), random_state)
    timings["learning"] += time.perf_counter() - clock

    clock = time.perf_counter()
    X, reasons = featurize_all(database, runs[UPTAKE].fitted.featurizer)
    timings["featurization (all)"] = time.perf_counter() - clock
    clock = time.perf_counter()
    screened = _predict_all(database, X, reasons, runs[UPTAKE], runs[SELECTIVITY], classifier, labels)
    timings["prediction (all)"] = time.perf_counter() - clock

    ranked = _ranked(screened)
    top = distinct_frameworks(ranked, database.structure, n_top)
    candidates = distinct_frameworks(ranked, database.structure, n_confirm, exclude=sample.ids)
    clock = time.perf_counter()
    confirmed, confirm_failed = _confirm(
        database.subset(candidates["id"].tolist()), candidates, labels, folder, temperature_K, simulate, gcmc
    )
    timings["EQeq + GCMC (confirm)"] = time.perf_counter() - clock

    counts |= {
        "database": n_database,
        "screened_requested": len(database) + len(database.errors),
        "screened_predicted": int(screened["predicted_uptake"].notna().sum()),
        "screened_failed": int(screened["error"].ne("").sum()),
        "predicted_closed": int((screened["p_open"] < 0.5).sum()),
        "out_of_domain": int(
            (screened["predicted_uptake"].notna() & ~screened["in_domain"].fillna(False).astype(bool)).sum()
        ),
        "simulated": len(sample),
        "simulated_closed": len(closed),
        "confirm_requested": len(candidates),
        "confirm_failed": confirm_failed,
    }
    summary = {
        "kind": "co2",
        "guest": "CO2/N2 15:85",
        "temperature_K": temperature_K,
        "pressure_bar": PRESSURE_PA / BAR_TO_PA,
        "target": UPTAKE,
        "target_unit": UNITS[UPTAKE],
        "counts": counts,
        "test": {target: _test_summary(run) for target, run in runs.items()},
        "open_classifier": open_metrics,
        "henry_vs_gcmc": henry_summary(henry),
        "confirm": _confirm_summary(confirmed, labels),
        "top": top.to_dict("records"),
        "timings_s": timings,
        "saving": time_saving(
            int(screened["predicted_uptake"].notna().sum()),
            labels["gcmc_time_s"],
            "gcmc_s_per_structure",
            timings,
            n_jobs,
        ),
        "gcmc_options": {k: v for k, v in gcmc.items() if k != "charges"},
        "explain_timings_s": explained.timings_s,
    }
    write_csv_atomic(labels.rename_axis("id").reset_index(), folder / "labels_sample.csv")
    report = write_screening(
        folder,
        {"screened.csv": screened, "confirmed.csv": confirmed, "henry_vs_gcmc.csv": henry},
        summary,
        [folder / "selectivity"],
    )
    sample_table = labels.rename_axis("id").reset_index()
    return CO2ScreeningResult(
        folder, report, sample_table, henry, runs[UPTAKE], runs[SELECTIVITY], open_metrics, screened, confirmed, summary
    )


def _learn(
    folder: Path,
    sample: Dataset,
    labels: pd.DataFrame,
    failures: pd.DataFrame,
    closed: list[str],
    featurizers: Sequence[str],
    model: str,
    nested: tuple[int, int] | None,
    n_jobs: int,
    random_state: int,
    timings: dict[str, float],
) -> tuple[dict[str, HoldoutResult], Any]:
    """The uptake run (``folder``, explained) and the selectivity run (``folder/selectivity``)."""
    runs = {}
    for target, subfolder in ((UPTAKE, folder), (SELECTIVITY, folder / "selectivity")):
        labelled = _labelled(sample, labels, failures, target, closed)
        runs[target] = run_holdout(
            labelled,
            target,
            [make_featurizer(n, n_jobs=n_jobs) for n in featurizers],
            make_model(model),
            model_name=model,
            split="stratified",
            nested=nested if target == UPTAKE else None,
            random_state=random_state,
        )
        write_run(subfolder, runs[target])
    timings["featurization (sample)"] = sum(r.timings_s["load"] + r.timings_s["featurize"] for r in runs.values())
    timings["learning"] = sum(r.timings_s["split"] + r.timings_s["fit"] + r.timings_s["predict"] for r in runs.values())
    clock = time.perf_counter()
    perplexity = min(30.0, max(2.0, (len(runs[UPTAKE].fitted.features["y"]) - 1) / 3))
    explained = explain_run(
        folder,
        importance=True,
        projection="tsne",
        perplexity=perplexity,
        curve_sizes="auto",
        random_state=random_state,
        n_jobs=n_jobs,
    )
    timings["learning"] += time.perf_counter() - clock
    return runs, explained


def _confirm(
    to_confirm: Dataset,
    candidates: pd.DataFrame,
    labels: pd.DataFrame,
    folder: Path,
    temperature_K: float,
    simulate: dict[str, Any],
    gcmc: dict[str, Any],
) -> tuple[pd.DataFrame, int]:
    """EQeq charges and mixture GCMC of the candidates: the confirmed table and how many failed."""
    charged, charge_failures = charged_dataset(to_confirm, folder / "charges_confirm", simulate)
    check = gcmc_labels(
        charged, FLUE_GAS, temperature_K, [PRESSURE_PA], folder / "gcmc_confirm.csv", **simulate, **gcmc
    )
    failures = pd.concat([charge_failures, check.errors], ignore_index=True)
    return _confirmed(candidates, gcmc_label_table(check.results), labels, failures), len(failures)


def _check_request(temperature_K: float, n_simulate: int, n_confirm: int, n_henry: int) -> None:
    if n_simulate < 20:
        raise ValueError(f"--n-simulate {n_simulate}: at least 20 MOFs are needed for a test set and cross-validation")
    if temperature_K <= 0 or n_confirm < 0 or n_henry < 0:
        raise ValueError("the temperature must be > 0 K, and --confirm and --n-henry >= 0")


def _labelled(sample: Dataset, labels: pd.DataFrame, failures: pd.DataFrame, target: str, closed: list[str]) -> Dataset:
    """The sample with ``target`` as label; MOFs without it (closed, failed, no N2 adsorbed) move to the
    errors with their reason, never dropped silently."""
    value = labels[target].to_numpy(dtype=float)
    failed = {str(r.item_id): r.reason for r in failures.itertuples()}
    records = []
    for item_id, v, n2 in zip(sample.ids, value, labels["n2_uptake_mol_kg"].to_numpy(dtype=float)):
        if np.isfinite(v):
            continue
        if item_id in closed:
            reason = "no CO2 adsorbed: no accessible room (used by the open/closed classifier)"
        elif item_id in failed:
            reason = failed[item_id]
        elif n2 == 0:
            reason = "no N2 adsorbed in the sampled cycles: the selectivity has no finite value"
        else:
            reason = "no GCMC result"
        records.append(ErrorRecord(item_id, "label" if item_id not in failed else "simulate", reason))
    keep = [p for p, v in enumerate(value) if np.isfinite(v)]
    meta = DatasetMeta(
        name=f"coremof2019 + GCMC CO2/N2 15:85 {PRESSURE_PA / BAR_TO_PA:g} bar",
        description=sample.meta.description,
        units=UNITS,
        citation=sample.meta.citation,
        source=sample.meta.source,
        notes=sample.meta.notes,
    )
    kept = sample.take(keep)
    columns = [UPTAKE, SELECTIVITY, "co2_uptake_mol_kg", "co2_n2_selectivity"]
    return Dataset(
        kept.ids,
        kept.structures,
        labels[columns].iloc[keep],
        meta,
        pd.concat([sample.errors, errors_frame(records)], ignore_index=True),
    )


def _predict_all(
    database: Dataset,
    X: np.ndarray,
    reasons: dict[str, str],
    uptake_run: HoldoutResult,
    selectivity_run: HoldoutResult,
    classifier: Any,
    labels: pd.DataFrame,
) -> pd.DataFrame:
    """One row per MOF: predicted log10 uptake and selectivity, P(open), the Pareto layer, or the reason it has none."""
    names = list(uptake_run.fitted.featurizer.get_feature_names_out())
    if names != list(selectivity_run.fitted.featurizer.get_feature_names_out()):
        raise RuntimeError("the uptake and selectivity models were trained on different features")
    ok = np.isfinite(X).all(axis=1)
    features = uptake_run.fitted.features
    domain, _ = in_domain(features["X"][features["set"] == "train"], X)
    uptake, selectivity, p_open = (np.full(len(X), np.nan) for _ in range(3))
    if ok.any():
        uptake[ok] = uptake_run.fitted.model.predict(X[ok])
        selectivity[ok] = selectivity_run.fitted.model.predict(X[ok])
        p_open[ok] = classifier.predict_proba(X[ok])[:, 1] if classifier is not None else 1.0
    part_of = dict(zip(uptake_run.fitted.features["ids"], uptake_run.fitted.features["set"]))
    in_sample = set(labels.index)
    frame = pd.DataFrame(
        {
            "id": database.ids,
            "predicted_uptake": uptake,
            "predicted_selectivity": selectivity,
            "predicted_uptake_mol_kg": 10.0**uptake,
            "predicted_selectivity_value": 10.0**selectivity,
            "p_open": p_open,
            "in_domain": domain,
            "pareto_layer": pareto_layers(np.where((p_open >= 0.5) & domain, uptake, np.nan), selectivity, MAX_LAYERS),
            "simulated_uptake": labels[UPTAKE].reindex(database.ids).to_numpy(dtype=float),
            "simulated_selectivity": labels[SELECTIVITY].reindex(database.ids).to_numpy(dtype=float),
            "set": [part_of.get(i, "simulated, not used" if i in in_sample else "") for i in database.ids],
            "LCD_A": database.labels["LCD_A"].to_numpy(),
            "PLD_A": database.labels["PLD_A"].to_numpy(),
            "error": ["" if good else reasons.get(i, "no features") for i, good in zip(database.ids, ok)],
        }
    )
    missing = database.errors
    if len(missing):
        frame = pd.concat(
            [frame, pd.DataFrame({"id": missing["item_id"], "error": missing["stage"] + ": " + missing["reason"]})],
            ignore_index=True,
        )
    frame["error"] = frame["error"].fillna("")
    frame["pareto_layer"] = frame["pareto_layer"].fillna(-1).astype(int)
    return frame


def _ranked(screened: pd.DataFrame) -> pd.DataFrame:
    """Open MOFs with predictions inside the training data's reach, by Pareto layer (front first) and, within
    a layer, by uptake: a prediction far from every training MOF is an extrapolation, not a candidate."""
    open_mofs = screened[
        (screened["p_open"] >= 0.5)
        & screened["predicted_uptake"].notna()
        & screened["in_domain"].fillna(False).astype(bool)
    ].copy()
    layer = open_mofs["pareto_layer"].where(open_mofs["pareto_layer"] >= 0, MAX_LAYERS)
    return (
        open_mofs.assign(_layer=layer)
        .sort_values(["_layer", "predicted_uptake"], ascending=[True, False])
        .drop(columns="_layer")
    )


def _confirmed(
    candidates: pd.DataFrame, simulated: pd.DataFrame, sample: pd.DataFrame, failures: pd.DataFrame
) -> pd.DataFrame:
    """Predicted against newly simulated log10 uptake and selectivity of the candidates, with SEs, the
    uptake's percentile in the sample and whether each is on the Pareto front of sample + confirmed."""
    result = simulated.reindex(candidates["id"])
    uptake, selectivity = result[UPTAKE].to_numpy(dtype=float), result[SELECTIVITY].to_numpy(dtype=float)
    ln10 = math.log(10.0)
    sample_uptake = np.sort(sample["co2_uptake_mol_kg"].dropna().to_numpy(dtype=float))
    failed = {str(r.item_id): r.reason for r in failures.itertuples()}
    everything = pd.concat([sample[[UPTAKE, SELECTIVITY]], result[[UPTAKE, SELECTIVITY]]])
    front = pareto_layers(everything[UPTAKE].to_numpy(), everything[SELECTIVITY].to_numpy(), 1) == 0
    on_front = front[len(sample) :]
    with np.errstate(divide="ignore", invalid="ignore"):
        uptake_se = result["co2_uptake_se_mol_kg"].to_numpy(dtype=float) / (
            result["co2_uptake_mol_kg"].to_numpy(dtype=float) * ln10
        )
        selectivity_se = result["co2_n2_selectivity_se"].to_numpy(dtype=float) / (
            result["co2_n2_selectivity"].to_numpy(dtype=float) * ln10
        )
    return pd.DataFrame(
        {
            "id": candidates["id"].to_numpy(),
            "predicted_uptake": candidates["predicted_uptake"].to_numpy(),
            "simulated_uptake": uptake,
            "simulated_uptake_se": uptake_se,
            "uptake_error": uptake - candidates["predicted_uptake"].to_numpy(),
            "predicted_selectivity": candidates["predicted_selectivity"].to_numpy(),
            "simulated_selectivity": selectivity,
            "simulated_selectivity_se": selectivity_se,
            "selectivity_error": selectivity - candidates["predicted_selectivity"].to_numpy(),
            "co2_uptake_mol_kg": result["co2_uptake_mol_kg"].to_numpy(dtype=float),
            "co2_n2_selectivity": result["co2_n2_selectivity"].to_numpy(dtype=float),
            "uptake_percentile_in_sample": [
                100.0 * np.searchsorted(sample_uptake, u, side="right") / len(sample_uptake)
                if np.isfinite(u) and len(sample_uptake)
                else np.nan
                for u in result["co2_uptake_mol_kg"].to_numpy(dtype=float)
            ],
            "on_simulated_front": on_front & np.isfinite(uptake) & np.isfinite(selectivity),
            "pareto_layer": candidates["pareto_layer"].to_numpy(),
            "members": candidates["members"].to_numpy(),
            "note": [
                failed.get(i, "")
                or (result.loc[i, "gcmc_notes"] if isinstance(result.loc[i, "gcmc_notes"], str) else "")
                for i in candidates["id"]
            ],
        }
    )


def _test_summary(run: HoldoutResult) -> dict[str, Any]:
    return {
        "mae": run.metrics["model"]["test"]["mae"],
        "r2": run.metrics["model"]["test"]["r2"],
        "top_recall": top_recall(run),
        "top_fraction": TOP_FRACTION,
        "n_test": run.split["n_test"],
        "n_train": run.split["n_train"],
        "baselines": {k: v["test"]["mae"] for k, v in run.metrics.items() if k != "model"},
    }


def _confirm_summary(confirmed: pd.DataFrame, sample: pd.DataFrame) -> dict[str, Any]:
    """MAE of both predictions on the confirmed, how many join the simulated front, best uptake against the sample's."""

    def mae(column: str) -> float | None:
        values = confirmed[column].dropna()
        return float(values.abs().mean()) if len(values) else None

    uptake = sample["co2_uptake_mol_kg"].dropna()
    return {
        "n": len(confirmed),
        "uptake_mae": mae("uptake_error"),
        "selectivity_mae": mae("selectivity_error"),
        "on_simulated_front": int(confirmed["on_simulated_front"].sum()),
        "in_sample_top_fraction": int((confirmed["uptake_percentile_in_sample"] >= 100 * (1 - TOP_FRACTION)).sum()),
        "best_in_sample_uptake": float(uptake.max()) if len(uptake) else None,
        "best_confirmed_uptake": float(confirmed["co2_uptake_mol_kg"].max())
        if confirmed["co2_uptake_mol_kg"].notna().any()
        else None,
    }
