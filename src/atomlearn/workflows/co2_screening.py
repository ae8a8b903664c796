"""Screen CoRE MOF 2019 for carbon capture from flue gas: a funnel from cheap descriptors to GCMC.

The lecture's opening question: is this MOF good for carbon capture? Flue gas is about 15 % CO2 and 85 % N2
at 1 bar. A MOF is good when it takes up much CO2 at its 0.15 bar partial pressure and little N2. CO2 binds
through its quadrupole, so the framework needs partial charges (EQeq, ``physics.charges``); at 0.15 bar CO2
is far from the Henry regime in most MOFs, so the labels come from grand-canonical Monte Carlo of the
mixture (``simulate.gcmc``): uptake = CO2 loading (mol/kg), selectivity = (x_CO2/x_N2)/(y_CO2/y_N2).

GCMC costs about ten seconds per MOF, charges one, a charged descriptor one, an uncharged grid milliseconds;
the top 1 % of 12,020 MOFs is rare. So the screen is a funnel (``co2_funnel``):

1. a random sample is simulated: half of it trains, half is the test set, kept aside (the honest score of the
   surrogate), and all of it is the random baseline the confirmed MOFs are measured against;
2. every MOF gets cheap descriptors (CH4 grid, pore geometry); a GP learns the sample's labels from them and
   shortlists the most optimistic MOFs;
3. the shortlist gets charges and charged descriptors (CO2 grid K_H, heat of adsorption); an active screen
   (``active_learning``, Thompson sampling by default) spends a few GCMC rounds where the GP expects the best;
4. the surrogate (a GP with one length scale per feature) is fitted on every label but the test set, scored
   on the test set, ranks the shortlist, and its best frameworks never simulated are simulated to confirm.

Widom K_H of both gases is compared with GCMC for part of the sample (``henry_vs_gcmc.csv``): the Henry
regime overestimates the uptake at 0.15 bar, which is why the labels are GCMC.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from atomlearn.datasets.base import Dataset, DatasetMeta
from atomlearn.display import Displayed, format_value
from atomlearn.errors import ErrorRecord, errors_frame
from atomlearn.evaluate import pareto_layers
from atomlearn.explain.run_explanation import explain_run
from atomlearn.files import write_csv_atomic
from atomlearn.models import make_model
from atomlearn.runs import run_holdout
from atomlearn.runs.results import HoldoutResult
from atomlearn.runs.run_folder import write_run
from atomlearn.simulate.gcmc_batch import gcmc_labels
from atomlearn.units import BAR_TO_PA
from atomlearn.workflows.active_learning import ScreenResult, active_screen
from atomlearn.workflows.co2_funnel import (
    CHARGED_FEATURIZERS,
    CHEAP_FEATURIZERS,
    cheap_predictions,
    make_featurizers,
    seed_labels,
    shortlist,
)
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
from atomlearn.workflows.screen_labels import parse_label_spec
from atomlearn.workflows.screening_steps import (
    TOP_FRACTION,
    draw_coremof,
    time_saving,
    top_recall,
    usable_ids,
    write_screening,
)

UNITS = {
    UPTAKE: "log10 mol/kg",
    SELECTIVITY: "log10 (dimensionless)",
    "co2_uptake_mol_kg": "mol/kg",
    "co2_n2_selectivity": "dimensionless",
}
#: the surrogate: a GP with one length scale per feature (it tunes itself by marginal likelihood)
MODEL = "gp_ard"
#: the label text of the flue-gas GCMC (``screen_labels``)
FLUE_GAS_LABEL = "gcmc:CO2:0.15,N2:0.85@1bar"


@dataclass(repr=False)
class CO2ScreeningResult(Displayed):
    """What the carbon-capture screen did; every table is also a file in ``folder``.

    Attributes
    ----------
    folder, report : Path
    sample : pandas.DataFrame
        GCMC of the random sample with both labels and its role (train or test).
    henry : pandas.DataFrame
        Widom (Henry regime) against GCMC on part of the sample.
    screen : ScreenResult
        The active screen of the shortlist (``folder/screen``).
    uptake_run, selectivity_run : HoldoutResult
        The surrogates, trained on every label but the random test set, scored on it.
    screened : pandas.DataFrame
        Every MOF: its stage in the funnel, predictions, or the reason it has none.
    confirmed : pandas.DataFrame
        The predicted best, newly simulated.
    summary : dict
        Counts, metrics, time split (``screening.json``).
    """

    folder: Path
    report: Path
    sample: pd.DataFrame
    henry: pd.DataFrame
    screen: ScreenResult
    uptake_run: HoldoutResult
    selectivity_run: HoldoutResult
    screened: pd.DataFrame
    confirmed: pd.DataFrame
    summary: dict[str, Any] = field(default_factory=dict)

    def _display(self) -> tuple[str, list[tuple[str, Any]]]:
        tests = pd.DataFrame(
            [
                {"surrogate": target, "test R²": t["r2"], "test MAE": t["mae"], "MAE / dummy": t["mae_to_dummy"]}
                for target, t in self.summary.get("test", {}).items()
            ]
        )
        confirm = self.summary.get("confirm", {})
        shown = [
            c for c in ("id", "predicted_uptake", "simulated_uptake", "simulated_uptake_se") if c in self.confirmed
        ]
        return (
            "CO2ScreeningResult: carbon capture (CO2/N2 15:85, 1 bar), a funnel from cheap descriptors to GCMC",
            [
                ("folder", self.folder),
                ("report", self.report),
                ("surrogates (log10)", tests),
                (
                    "confirmed",
                    f"{confirm.get('above_sample_p90', 0)} of {confirm.get('n', 0)} above the random sample's 90th "
                    f"percentile; best {format_value(confirm.get('best_confirmed_uptake', float('nan')))} mol/kg "
                    f"vs {format_value(confirm.get('best_in_sample_uptake', float('nan')))} in the sample",
                ),
                ("confirmed MOFs (log10 mol/kg)", self.confirmed[shown]),
            ],
        )


def screen_coremof_co2(
    out: str | Path,
    *,
    temperature_K: float = 298.0,
    n_simulate: int = 60,
    n_screen: int | None = None,
    n_shortlist: int = 500,
    rounds: int = 2,
    batch: int = 8,
    acquisition: str = "thompson",
    n_top: int = 20,
    n_confirm: int = 8,
    n_henry: int = 6,
    init_cycles: int = 150,
    cycles: int = 500,
    target_relative_error: float | None = 0.05,
    n_jobs: int = 2,
    random_state: int = 0,
    progress: bool | None = None,
    on_round: Any = None,
    **gcmc_options: Any,
) -> CO2ScreeningResult:
    """Simulate a random sample, shortlist by cheap descriptors, screen actively, learn, confirm the best.

    Parameters
    ----------
    out : path
        Output folder; a rerun with the same folder reuses its charges, simulations and screen.
    temperature_K : float
        Temperature, K (flue gas at 1 bar, 15 % CO2 / 85 % N2).
    n_simulate : int
        Random MOFs to label by GCMC (seeded by ``random_state``): half train, half the test set.
    n_screen : int, optional
        Screen a random subset of this many MOFs instead of all 12,020.
    n_shortlist : int
        MOFs the cheap GP finds most promising, given charges and charged descriptors.
    rounds, batch : int
        Active rounds and GCMC labels per round.
    acquisition : {"thompson", "ei", "ucb", "greedy", "random"}
        How the active screen picks each batch.
    n_top, n_confirm : int
        Distinct frameworks to list, and to simulate among the predicted best never simulated.
    n_henry : int
        MOFs of the sample whose Widom K_H(CO2) and K_H(N2) are compared with their GCMC labels.
    init_cycles, cycles, target_relative_error
        GCMC cycles to equilibrate and (at most) to sample; stop at this relative error of both loadings.
    n_jobs, random_state, progress
        Worker processes, seed of the samples, split and simulations, progress bars.
    on_round : callable, optional
        Called with each active round's row (``screen/rounds.csv``).
    gcmc_options
        More options of ``gcmc`` (e.g. ``grid_spacing_A``).

    Returns
    -------
    CO2ScreeningResult
    """
    _check_request(temperature_K, n_simulate, n_confirm, n_henry, n_shortlist, rounds, batch)
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
    role = _roles(sample.ids, random_state)
    clock = time.perf_counter()
    henry = henry_vs_gcmc(smallest_cells(charged, folder / "charges", n_henry), labels, temperature_K, folder, simulate)
    timings["Widom K_H (comparison)"] = time.perf_counter() - clock

    clock = time.perf_counter()
    cheap_features = usable_ids(database, make_featurizers(CHEAP_FEATURIZERS, n_jobs))[1]
    timings["featurization (all)"] = time.perf_counter() - clock
    clock = time.perf_counter()
    train_ids = [i for i in sample.ids if role[i] == "train"]
    mean, sd = cheap_predictions(cheap_features, labels, train_ids, random_state)
    listed = shortlist(list(cheap_features.index), mean, sd, n_shortlist, set(sample.ids))
    timings["prediction (all)"] = time.perf_counter() - clock

    clock = time.perf_counter()
    charged_featurizers = make_featurizers(CHARGED_FEATURIZERS, n_jobs)
    candidates = database.subset(train_ids + listed)
    usable, charged_features = usable_ids(candidates, charged_featurizers)
    timings["charged descriptors (shortlist + sample)"] = time.perf_counter() - clock
    seed = seed_labels(labels, failures, [i for i in train_ids if i in set(usable)])
    source = parse_label_spec(
        FLUE_GAS_LABEL,
        temperature_K,
        {k: v for k, v in gcmc.items() if k not in ("charges", "init_cycles", "cycles")},
        {"init_cycles": init_cycles, "cycles": cycles},
    )
    clock = time.perf_counter()
    screen = active_screen(
        candidates.subset(usable),
        source,
        charged_featurizers,
        folder / "screen",
        budget=len(seed) + rounds * batch,
        batch=batch,
        acquisition=acquisition,
        n_jobs=n_jobs,
        random_state=random_state,
        progress=progress,
        on_round=on_round,
        seed_labels=seed,
    )
    timings["active screen (GCMC rounds)"] = time.perf_counter() - clock

    active = screen.labels[screen.labels["round"] > 0]
    picked = _screen_labels(active)
    everything = pd.concat([labels, picked])
    failed_picks = active[active["error"].ne("")]
    failures = pd.concat(
        [failures, pd.DataFrame({"item_id": failed_picks["id"], "stage": "screen", "reason": failed_picks["error"]})],
        ignore_index=True,
    )
    role |= {i: "train" for i in picked.index}
    runs, explained = _learn(
        folder, database.subset(list(everything.index)), everything, failures, role, n_jobs, random_state, timings
    )
    clock = time.perf_counter()
    ranked = _ranked(listed, usable, charged_features, runs, set(everything.index))
    top = distinct_frameworks(ranked, database.structure, n_top)
    to_confirm = distinct_frameworks(ranked, database.structure, n_confirm, exclude=list(everything.index))
    timings["learning"] += time.perf_counter() - clock
    clock = time.perf_counter()
    confirmed, confirm_failed = _confirm(
        database.subset(to_confirm["id"].tolist()), to_confirm, labels, folder, temperature_K, simulate, gcmc
    )
    timings["EQeq + GCMC (confirm)"] = time.perf_counter() - clock
    screened = _screened(database, cheap_features, mean, sd, ranked, everything, role, listed, set(sample.ids))

    counts |= {
        "database": n_database,
        "screened_requested": len(database) + len(database.errors),
        "screened_predicted": int(screened["predicted_uptake"].notna().sum()),
        "screened_failed": int(screened["error"].ne("").sum()),
        "simulated": len(sample),
        "simulated_closed": int((labels["co2_uptake_mol_kg"] == 0).sum()),
        "train_random": len(train_ids),
        "test_random": len(sample) - len(train_ids),
        "shortlist": len(listed),
        "shortlist_charged": len(usable) - len(seed),
        "screen_labels": len(picked),
        "screen_label_failed": int(screen.labels.loc[screen.labels["round"] > 0, "error"].ne("").sum()),
        "confirm_requested": len(to_confirm),
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
        "test": {target: _test_summary(run, labels, train_ids, target) for target, run in runs.items()},
        "funnel": {"cheap": _names(CHEAP_FEATURIZERS), "charged": _names(CHARGED_FEATURIZERS), "model": MODEL},
        "screen": {"acquisition": acquisition, "rounds": rounds, "batch": batch, "best": screen.summary["best"][:5]},
        "henry_vs_gcmc": henry_summary(henry),
        "confirm": _confirm_summary(confirmed, labels),
        "top": top.drop(columns=["n_members"], errors="ignore").to_dict("records"),
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
    sample_table = labels.rename_axis("id").reset_index().assign(role=[role[i] for i in labels.index])
    write_csv_atomic(sample_table, folder / "labels_sample.csv")
    report = write_screening(
        folder,
        {"screened.csv": screened, "confirmed.csv": confirmed, "henry_vs_gcmc.csv": henry},
        summary,
        [folder / "selectivity"],
    )
    return CO2ScreeningResult(
        folder, report, sample_table, henry, screen, runs[UPTAKE], runs[SELECTIVITY], screened, confirmed, summary
    )


def _names(spec: Any) -> list[str]:
    return [name + (f" ({params['guest']})" if "guest" in params else "") for name, params in spec]


def _roles(ids: list[str], random_state: int) -> dict[str, str]:
    """Half of the random sample (seeded) is the test set, kept aside from every fit; the rest trains."""
    order = np.random.default_rng(random_state).permutation(len(ids))
    n_test = len(ids) // 2
    return {ids[k]: ("test" if rank < n_test else "train") for rank, k in enumerate(order)}


def _screen_labels(labels: pd.DataFrame) -> pd.DataFrame:
    """The active screen's GCMC labels in the sample's columns (what the surrogates learn from)."""
    frame = labels.set_index("id")
    table = pd.DataFrame(
        {
            UPTAKE: frame["uptake"].astype(float),
            SELECTIVITY: frame["selectivity"].astype(float),
            "co2_uptake_mol_kg": frame["uptake_mol_kg"].astype(float),
            "co2_uptake_se_mol_kg": frame["uptake_se_mol_kg"].astype(float),
        },
        index=frame.index,
    )
    return table


def _learn(
    folder: Path,
    labelled: Dataset,
    labels: pd.DataFrame,
    failures: pd.DataFrame,
    role: dict[str, str],
    n_jobs: int,
    random_state: int,
    timings: dict[str, float],
) -> tuple[dict[str, HoldoutResult], Any]:
    """The uptake surrogate (``folder``, explained) and the selectivity one (``folder/selectivity``): trained on
    every label but the random test set, scored on it."""
    runs = {}
    closed = labels.index[labels["co2_uptake_mol_kg"] == 0].tolist()
    for target, subfolder in ((UPTAKE, folder), (SELECTIVITY, folder / "selectivity")):
        dataset = _labelled(labelled, labels, failures, target, closed, role)
        runs[target] = run_holdout(
            dataset,
            target,
            make_featurizers(CHARGED_FEATURIZERS, n_jobs),
            make_model(MODEL),
            model_name=MODEL,
            split="predefined",
            group_column="role",
            random_state=random_state,
        )
        write_run(subfolder, runs[target])
    timings["featurization (labelled)"] = sum(r.timings_s["load"] + r.timings_s["featurize"] for r in runs.values())
    timings["learning"] = sum(r.timings_s["split"] + r.timings_s["fit"] + r.timings_s["predict"] for r in runs.values())
    clock = time.perf_counter()
    perplexity = min(30.0, max(2.0, (len(runs[UPTAKE].fitted.features["y"]) - 1) / 3))
    explained = explain_run(
        folder,
        importance=True,
        projection="tsne",
        perplexity=perplexity,
        curve_sizes=None,
        random_state=random_state,
        n_jobs=n_jobs,
    )
    timings["learning"] += time.perf_counter() - clock
    return runs, explained


def _ranked(
    listed: list[str],
    usable: list[str],
    features: pd.DataFrame,
    runs: dict[str, HoldoutResult],
    labelled: set[str],
) -> pd.DataFrame:
    """The shortlist's MOFs with charged descriptors, best predicted uptake first, with both predictions and
    their sd (log10)."""
    ids = [i for i in listed if i in set(usable)]
    X = features.loc[ids].to_numpy(dtype=float)
    uptake, uptake_sd = runs[UPTAKE].fitted.model.predict(X, return_std=True)
    selectivity = runs[SELECTIVITY].fitted.model.predict(X)
    frame = pd.DataFrame(
        {
            "id": ids,
            "predicted_uptake": uptake,
            "predicted_uptake_sd": uptake_sd,
            "predicted_selectivity": selectivity,
            "predicted_uptake_mol_kg": 10.0**uptake,
            "predicted_selectivity_value": 10.0**selectivity,
            "simulated": [i in labelled for i in ids],
        }
    )
    return frame.sort_values("predicted_uptake", ascending=False, kind="stable").reset_index(drop=True)


def _screened(
    database: Dataset,
    cheap: pd.DataFrame,
    mean: np.ndarray,
    sd: np.ndarray,
    ranked: pd.DataFrame,
    labels: pd.DataFrame,
    role: dict[str, str],
    listed: list[str],
    sample_ids: set[str],
) -> pd.DataFrame:
    """One row per MOF: its stage in the funnel, the cheap GP's and (shortlist) the surrogate's predicted log10
    uptake, what was simulated, or why it has no prediction."""
    frame = pd.DataFrame({"id": database.ids})
    frame["cheap_predicted_uptake"] = pd.Series(mean, index=cheap.index).reindex(database.ids).to_numpy()
    frame["cheap_predicted_sd"] = pd.Series(sd, index=cheap.index).reindex(database.ids).to_numpy()
    surrogate = ranked.set_index("id")
    frame["surrogate_predicted_uptake"] = surrogate["predicted_uptake"].reindex(database.ids).to_numpy()
    frame["predicted_uptake"] = frame["surrogate_predicted_uptake"].fillna(frame["cheap_predicted_uptake"])
    frame["predicted_selectivity"] = surrogate["predicted_selectivity"].reindex(database.ids).to_numpy()
    frame["simulated_uptake"] = labels[UPTAKE].reindex(database.ids).to_numpy(dtype=float)
    frame["simulated_selectivity"] = labels[SELECTIVITY].reindex(database.ids).to_numpy(dtype=float)
    in_list, simulated = set(listed), set(labels.index)
    frame["stage"] = [
        f"random sample ({role[i]})"
        if i in sample_ids
        else "active screen"
        if i in simulated
        else "shortlist"
        if i in in_list
        else "cheap only"
        for i in database.ids
    ]
    frame["LCD_A"] = database.labels["LCD_A"].to_numpy()
    frame["PLD_A"] = database.labels["PLD_A"].to_numpy()
    frame["error"] = ["" if np.isfinite(m) else "no cheap descriptors" for m in frame["cheap_predicted_uptake"]]
    missing = database.errors
    if len(missing):
        frame = pd.concat(
            [frame, pd.DataFrame({"id": missing["item_id"], "error": missing["stage"] + ": " + missing["reason"]})],
            ignore_index=True,
        )
    frame["error"] = frame["error"].fillna("")
    return frame


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


def _check_request(
    temperature_K: float, n_simulate: int, n_confirm: int, n_henry: int, n_shortlist: int, rounds: int, batch: int
) -> None:
    if n_simulate < 12:
        raise ValueError(f"--n-simulate {n_simulate}: at least 12 MOFs are needed for a training and a test half")
    if temperature_K <= 0 or n_confirm < 0 or n_henry < 0:
        raise ValueError("the temperature must be > 0 K, and --confirm and --n-henry >= 0")
    if n_shortlist < 1 or rounds < 1 or batch < 1:
        raise ValueError(f"--shortlist, --rounds and --batch must be >= 1 (got {n_shortlist}, {rounds}, {batch})")


def _labelled(
    sample: Dataset,
    labels: pd.DataFrame,
    failures: pd.DataFrame,
    target: str,
    closed: list[str],
    role: dict[str, str],
) -> Dataset:
    """The simulated MOFs with ``target`` as label and their ``role`` (train or test); MOFs without it (closed,
    failed, no N2 adsorbed) move to the errors with their reason, never dropped silently."""
    labels = labels.reindex(sample.ids)
    value = labels[target].to_numpy(dtype=float)
    failed = {str(r.item_id): r.reason for r in failures.itertuples()}
    records = []
    for item_id, v, n2 in zip(sample.ids, value, labels["n2_uptake_mol_kg"].to_numpy(dtype=float)):
        if np.isfinite(v):
            continue
        if item_id in closed:
            reason = (
                "no CO2 adsorbed: closed to CO2 (left out of the log10 regression; the funnel's GPs take it as "
                "the lowest uptake)"
            )
        elif item_id in failed:
            reason = failed[item_id]
        elif n2 == 0 and target == SELECTIVITY:
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
        labels[columns].iloc[keep].assign(role=[role[i] for i in kept.ids]),
        meta,
        pd.concat([sample.errors, errors_frame(records)], ignore_index=True),
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
            "members": candidates["members"].to_numpy(),
            "note": [
                failed.get(i, "")
                or (result.loc[i, "gcmc_notes"] if isinstance(result.loc[i, "gcmc_notes"], str) else "")
                for i in candidates["id"]
            ],
        }
    )


def _test_summary(run: HoldoutResult, labels: pd.DataFrame, train_ids: list[str], target: str) -> dict[str, Any]:
    """Test scores of a surrogate, with the stricter dummy: the mean of the random training labels (the
    run's own dummy predicts the mean of all training labels, which the active screen pulled upwards)."""
    predictions = run.predictions_frame()
    test = predictions[predictions["set"] == "test"]
    random_mean = float(labels[target].reindex(train_ids).dropna().mean())
    random_dummy = float(np.abs(test["y_true"].to_numpy(dtype=float) - random_mean).mean()) if len(test) else None
    mae = run.metrics["model"]["test"]["mae"]
    return {
        "mae": mae,
        "r2": run.metrics["model"]["test"]["r2"],
        "top_recall": top_recall(run),
        "top_fraction": TOP_FRACTION,
        "n_test": run.split["n_test"],
        "n_train": run.split["n_train"],
        "baselines": {k: v["test"]["mae"] for k, v in run.metrics.items() if k != "model"},
        "dummy_random_mae": random_dummy,
        "mae_to_dummy": mae / min(random_dummy, run.metrics["dummy"]["test"]["mae"]) if random_dummy else None,
    }


def _confirm_summary(confirmed: pd.DataFrame, sample: pd.DataFrame) -> dict[str, Any]:
    """MAE of both predictions on the confirmed, how many join the simulated front, best uptake against the sample's."""

    def mae(column: str) -> float | None:
        values = confirmed[column].dropna()
        return float(values.abs().mean()) if len(values) else None

    uptake = sample["co2_uptake_mol_kg"].dropna()
    p90 = float(np.percentile(uptake, 90)) if len(uptake) else None
    return {
        "n": len(confirmed),
        "sample_p90_uptake": p90,
        "above_sample_p90": int((confirmed["co2_uptake_mol_kg"] > p90).sum()) if p90 is not None else 0,
        "uptake_mae": mae("uptake_error"),
        "selectivity_mae": mae("selectivity_error"),
        "on_simulated_front": int(confirmed["on_simulated_front"].sum()),
        "in_sample_top_fraction": int((confirmed["uptake_percentile_in_sample"] >= 100 * (1 - TOP_FRACTION)).sum()),
        "best_in_sample_uptake": float(uptake.max()) if len(uptake) else None,
        "best_confirmed_uptake": float(confirmed["co2_uptake_mol_kg"].max())
        if confirmed["co2_uptake_mol_kg"].notna().any()
        else None,
    }
