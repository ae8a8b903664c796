"""The labels of the carbon-capture screen: EQeq charges and GCMC of the flue gas (15 % CO2 / 85 % N2 at
1 bar) give the CO2 uptake and the CO2/N2 selectivity of each MOF; Widom K_H of both gases, the cheap
label, is compared with them on the smallest cells."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import spearmanr

from atomlearn.datasets.base import Dataset
from atomlearn.physics.eos import fugacities
from atomlearn.simulate.charges_batch import charge_dataset
from atomlearn.simulate.gcmc_batch import gcmc_labels
from atomlearn.simulate.henry_batch import henry_labels
from atomlearn.structures import LazyStructures, read_structure
from atomlearn.units import BAR_TO_PA

FLUE_GAS = {"CO2": 0.15, "N2": 0.85}
PRESSURE_PA = BAR_TO_PA
UPTAKE = "log10_co2_uptake_mol_kg"
SELECTIVITY = "log10_co2_n2_selectivity"
LABEL_COLUMNS = [
    "co2_uptake_mol_kg",
    "co2_uptake_se_mol_kg",
    "n2_uptake_mol_kg",
    "n2_uptake_se_mol_kg",
    "co2_n2_selectivity",
    "co2_n2_selectivity_se",
    UPTAKE,
    SELECTIVITY,
    "gcmc_time_s",
]
#: relative error of the Widom K_H compared with the GCMC labels (their ratios are far from 1)
HENRY_TARGET_ERROR = 0.1
#: ... or this many insertions (a few deep sites make K_H of CO2 slow to converge; its SE says how far it got)
HENRY_MAX_INSERTIONS = 300_000


def label_sample(
    sample: Dataset,
    folder: Path,
    temperature_K: float,
    simulate: dict[str, Any],
    gcmc: dict[str, Any],
    timings: dict[str, float],
) -> tuple[pd.DataFrame, pd.DataFrame, Dataset, dict[str, int]]:
    """EQeq charges and mixture GCMC of the sample: labels by id (the sample's order), the failures, the
    charged sample and its counts."""
    clock = time.perf_counter()
    charged, charge_failures = charged_dataset(sample, folder / "charges", simulate)
    timings["EQeq charges (sample)"] = time.perf_counter() - clock
    clock = time.perf_counter()
    batch = gcmc_labels(charged, FLUE_GAS, temperature_K, [PRESSURE_PA], folder / "gcmc_sample.csv", **simulate, **gcmc)
    timings["GCMC (sample)"] = time.perf_counter() - clock
    failures = pd.concat([charge_failures, batch.errors], ignore_index=True)
    labels = gcmc_label_table(batch.results).reindex(sample.ids)
    if labels["co2_uptake_mol_kg"].notna().sum() == 0:
        raise ValueError(
            f"none of the {len(sample)} GCMC simulations finished; the first failure: {first_failure(failures)}"
        )
    counts = {
        "charges_failed": len(charge_failures),
        "simulation_failed": len(batch.errors),
        "simulated_ok": int(labels["co2_uptake_mol_kg"].notna().sum()),
        "labels_unconverged": len(batch.unconverged()),
    }
    return labels, failures, charged, counts


class _ChargedCif:
    """Picklable loader of the charged P1 CIFs ``charge_dataset`` wrote: ``loader(id)`` -> ase.Atoms."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = str(folder)

    def __call__(self, item_id: str):
        return read_structure(Path(self.folder) / f"{item_id}.cif")


def charged_dataset(dataset: Dataset, folder: Path, simulate: dict[str, Any]) -> tuple[Dataset, pd.DataFrame]:
    """EQeq charges of ``dataset`` into ``folder`` (resumable): the charged structures as a dataset (same
    ids, those that got charges) and the failures of this dataset (the file could not be read, or EQeq refused)."""
    batch = charge_dataset(dataset, folder, **simulate)
    done = set(batch.results["id"].astype(str)) if len(batch.results) else set()
    ids = [i for i in dataset.ids if i in done]
    charged = Dataset(
        ids, LazyStructures(ids, _ChargedCif(folder)), dataset.labels.loc[ids], dataset.meta, dataset.errors.iloc[0:0]
    )
    return charged, batch.errors


def gcmc_label_table(results: pd.DataFrame) -> pd.DataFrame:
    """Uptake (mol/kg) and selectivity with their standard errors, and their log10, by id, from mixture GCMC rows."""
    if not len(results):
        return pd.DataFrame({column: pd.Series(dtype=float) for column in LABEL_COLUMNS}).assign(gcmc_notes="")
    frame = results.drop_duplicates("id", keep="last").set_index("id")
    co2, n2 = frame["loading_CO2_mol_kg"].astype(float), frame["loading_N2_mol_kg"].astype(float)
    co2_se, n2_se = frame["loading_se_CO2_mol_kg"].astype(float), frame["loading_se_N2_mol_kg"].astype(float)
    ratio = FLUE_GAS["N2"] / FLUE_GAS["CO2"]
    with np.errstate(divide="ignore", invalid="ignore"):
        selectivity = np.where((co2 > 0) & (n2 > 0), co2 / n2 * ratio, np.nan)
        relative = np.sqrt((co2_se / co2) ** 2 + (n2_se / n2) ** 2)
        labels = pd.DataFrame(
            {
                "co2_uptake_mol_kg": co2,
                "co2_uptake_se_mol_kg": co2_se,
                "n2_uptake_mol_kg": n2,
                "n2_uptake_se_mol_kg": n2_se,
                "co2_n2_selectivity": selectivity,
                "co2_n2_selectivity_se": selectivity * relative,
                UPTAKE: np.where(co2 > 0, np.log10(co2), np.nan),
                SELECTIVITY: np.log10(selectivity),
                "gcmc_time_s": frame["time_s"].astype(float),
                "gcmc_notes": frame["notes"].fillna("").astype(str),
            },
            index=frame.index,
        )
    return labels


def smallest_cells(charged: Dataset, folder: Path, n: int) -> Dataset:
    """The ``n`` structures of ``charged`` with the fewest atoms in the cell (their grids are the cheapest)."""
    atoms = pd.read_csv(folder / "charges.csv", dtype={"id": str}).set_index("id")["n_atoms"]
    order = sorted(range(len(charged)), key=lambda i: (atoms.get(charged.ids[i], np.inf), charged.ids[i]))
    return charged.take(sorted(order[:n]))


def first_failure(errors: pd.DataFrame) -> str:
    """The first failure of an errors table as "id: reason", for a message."""
    return f"{errors.iloc[0]['item_id']}: {errors.iloc[0]['reason']}" if len(errors) else "none recorded"


def henry_vs_gcmc(
    charged: Dataset, labels: pd.DataFrame, temperature_K: float, folder: Path, simulate: dict[str, Any]
) -> pd.DataFrame:
    """Widom K_H of CO2 and N2 (mol/(kg·Pa)) with the same charges, and the Henry-regime uptake and
    selectivity they imply, beside the GCMC labels."""
    columns = [
        "id",
        "henry_co2_mol_kg_Pa",
        "henry_n2_mol_kg_Pa",
        "henry_uptake_mol_kg",
        "gcmc_uptake_mol_kg",
        "uptake_ratio",
        "henry_selectivity",
        "gcmc_selectivity",
        "selectivity_ratio",
    ]
    if not len(charged):
        return pd.DataFrame(columns=columns)
    henry = {}
    for gas in FLUE_GAS:
        batch = henry_labels(
            charged,
            gas,
            temperature_K,
            folder / f"widom_{gas}.csv",
            charges="cif",
            target_relative_error=HENRY_TARGET_ERROR,
            max_insertions=HENRY_MAX_INSERTIONS,
            **simulate,
        )
        henry[gas] = batch.results.set_index("id")["henry_mol_kg_Pa"].reindex(charged.ids).astype(float)
    fugacity = fugacities(FLUE_GAS, temperature_K, PRESSURE_PA)
    table = pd.DataFrame(
        {
            "id": charged.ids,
            "henry_co2_mol_kg_Pa": henry["CO2"].to_numpy(),
            "henry_n2_mol_kg_Pa": henry["N2"].to_numpy(),
        }
    )
    table["henry_uptake_mol_kg"] = table["henry_co2_mol_kg_Pa"] * fugacity["CO2"]
    table["gcmc_uptake_mol_kg"] = labels["co2_uptake_mol_kg"].reindex(charged.ids).to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        table["uptake_ratio"] = table["henry_uptake_mol_kg"] / table["gcmc_uptake_mol_kg"]
        table["henry_selectivity"] = table["henry_co2_mol_kg_Pa"] / table["henry_n2_mol_kg_Pa"]
    table["gcmc_selectivity"] = labels["co2_n2_selectivity"].reindex(charged.ids).to_numpy()
    table["selectivity_ratio"] = table["henry_selectivity"] / table["gcmc_selectivity"]
    return table.replace([np.inf, -np.inf], np.nan)[columns]


def henry_summary(henry: pd.DataFrame) -> dict[str, Any]:
    """How far the Henry regime is from the GCMC labels: median ratios and rank correlations."""
    both = henry.dropna(subset=["uptake_ratio", "selectivity_ratio"])
    if len(both) < 3:
        return {"n": len(both)}
    return {
        "n": len(both),
        "uptake_ratio_median": float(both["uptake_ratio"].median()),
        "uptake_ratio_range": [float(both["uptake_ratio"].min()), float(both["uptake_ratio"].max())],
        "uptake_within_20pct": int((both["uptake_ratio"].sub(1).abs() <= 0.2).sum()),
        "uptake_spearman": float(spearmanr(both["henry_uptake_mol_kg"], both["gcmc_uptake_mol_kg"])[0]),
        "selectivity_ratio_median": float(both["selectivity_ratio"].median()),
        "selectivity_spearman": float(spearmanr(both["henry_selectivity"], both["gcmc_selectivity"])[0]),
    }
