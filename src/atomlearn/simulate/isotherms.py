"""Isotherm models fitted to simulated loadings, and IAST mixture predictions, through pyGAPS.

A single-gas isotherm (pressures in bar, absolute loadings in mol/kg = mmol/g) is fitted with a
pyGAPS model (Langmuir, dual-site Langmuir, or the best of pyGAPS's guesses); ideal adsorbed
solution theory (Myers & Prausnitz, AIChE J. 11, 121 (1965)) then predicts the loadings of a gas
mixture from the single-gas models (``pygaps.prediction.iast.iast_point``), to compare with a
mixture GCMC (P. Iacomi, P. L. Llewellyn, Adsorption 25, 1533 (2019) for pyGAPS).
"""

from __future__ import annotations

import logging
import math
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

#: pyGAPS's names of the guests
ADSORBATES = {
    "CO2": "carbon dioxide",
    "N2": "nitrogen",
    "CH4": "methane",
    "Ar": "argon",
    "Kr": "krypton",
    "Xe": "xenon",
}
MODELS = ("auto", "Henry", "Langmuir", "DSLangmuir", "guess")
#: "auto" keeps a richer model only when it lowers the RMSE of the simpler one by at least this share
DSL_GAIN = 0.2
#: the models "auto" tries, simplest first (the dual-site one from 4 distinct pressures on)
AUTO_MODELS = ("Henry", "Langmuir", "DSLangmuir")


def fit_isotherm(
    pressures_bar: Sequence[float],
    loadings_mol_kg: Sequence[float],
    guest: str,
    temperature_K: float,
    model: str = "auto",
    material: str = "framework",
    loadings_se_mol_kg: Sequence[float] | None = None,
) -> Any:
    """A pyGAPS ``ModelIsotherm`` of one gas: ``model`` fitted to the points (bar, mol/kg). "auto" fits the
    Henry (linear), Langmuir and, from 4 distinct pressures on, dual-site Langmuir models, and keeps the
    simplest one that fits unless a richer one lowers the RMSE by ``DSL_GAIN`` (a gas still in its Henry
    regime has no Langmuir capacity to find; a 4-parameter model on a few noisy GCMC points is rarely better).

    ``loadings_se_mol_kg``: standard errors of the loadings; a loading that falls with pressure by more than
    3 combined standard errors is not an isotherm, and is refused (without errors, any fall is).

    Raises
    ------
    ValueError
        For an unknown guest or model, fewer points than the model has parameters, loadings that are not
        finite and non-negative or that fall with pressure, or a failed fit.
    """
    if guest not in ADSORBATES:
        raise ValueError(f"no pyGAPS adsorbate for {guest!r}; known: {', '.join(ADSORBATES)}")
    if model not in MODELS:
        raise ValueError(f"model must be one of {', '.join(MODELS)}, got {model!r}")
    pressures, loadings = np.asarray(pressures_bar, dtype=float), np.asarray(loadings_mol_kg, dtype=float)
    if not (np.all(np.isfinite(pressures)) and np.all(pressures > 0)):
        raise ValueError(f"{material}: the pressures of {guest} must be finite and above 0 bar")
    if not (np.all(np.isfinite(loadings)) and np.all(loadings >= 0)):
        raise ValueError(f"{material}: the loadings of {guest} must be finite and at least 0 mol/kg")
    _check_rising(
        pressures,
        loadings,
        np.zeros_like(loadings)
        if loadings_se_mol_kg is None
        else np.nan_to_num(np.asarray(loadings_se_mol_kg, dtype=float)),
        guest,
        material,
    )
    if model != "auto":
        return _fit(pressures, loadings, guest, temperature_K, model, material)
    chosen, failure = None, None
    for name in AUTO_MODELS[: 3 if len(np.unique(pressures)) >= 4 else 2]:  # simplest first
        try:
            fitted = _fit(pressures, loadings, guest, temperature_K, name, material)
        except ValueError as exc:
            failure = exc
            continue
        if chosen is None or fitted.model.rmse < (1 - DSL_GAIN) * chosen.model.rmse:
            chosen = fitted
    if chosen is None:
        raise failure
    return chosen


def _check_rising(pressures: np.ndarray, loadings: np.ndarray, errors: np.ndarray, guest: str, material: str) -> None:
    """Refuse loadings that fall with pressure beyond their noise (3 combined standard errors)."""
    order = np.argsort(pressures)
    p, n, se = pressures[order], loadings[order], errors[order]
    falls = np.flatnonzero(n[1:] < n[:-1] - 3 * np.hypot(se[1:], se[:-1]) - 1e-12)
    if len(falls):
        i = int(falls[0])
        raise ValueError(
            f"{material}: the loading of {guest} falls from {n[i]:.4g} mol/kg at {p[i]:g} bar to "
            f"{n[i + 1]:.4g} at {p[i + 1]:g} bar, beyond its error bars: not an isotherm to fit; "
            "check those GCMC points (converged?)"
        )


def _fit(
    pressures: np.ndarray, loadings: np.ndarray, guest: str, temperature_K: float, model: str, material: str
) -> Any:
    """One pyGAPS model fitted; any failure of pyGAPS as a ``ValueError`` naming the framework and gas."""
    import pygaps

    needed = {"Henry": 1, "Langmuir": 2, "DSLangmuir": 4, "guess": 2}[model]
    if len(pressures) < needed or len(np.unique(pressures)) < needed:
        raise ValueError(
            f"{material}: a {model} isotherm of {guest} needs at least {needed} distinct pressures, "
            f"got {len(np.unique(pressures))}"
        )
    logging.getLogger("pygaps").setLevel(logging.ERROR)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return pygaps.ModelIsotherm(
                pressure=list(pressures),
                loading=list(loadings),
                model=model,
                material=material,
                adsorbate=ADSORBATES[guest],
                temperature=temperature_K,
                temperature_unit="K",
                pressure_mode="absolute",
                pressure_unit="bar",
                loading_basis="molar",
                loading_unit="mmol",
                material_basis="mass",
                material_unit="g",
            )
        except Exception as exc:  # noqa: BLE001 - pyGAPS raises its own types for a fit that fails
            reason = " ".join(str(exc).split()).split(" Try ")[0][:200]  # not pyGAPS's advice on its own API
            raise ValueError(
                f"{material}: the {model} fit of {guest} failed ({type(exc).__name__}: {reason}); "
                "check that the loadings rise with pressure, or choose another --model"
            ) from None


def iast_loadings(
    isotherms: Mapping[str, Any], mole_fractions: Mapping[str, float], pressure_bar: float
) -> dict[str, float]:
    """IAST loadings (mol/kg) of each gas of a mixture at total ``pressure_bar`` from single-gas ``isotherms``.

    Raises
    ------
    ValueError
        For fewer than two gases, a pressure that is not finite and positive, or an IAST that pyGAPS cannot solve.
    """
    from pygaps.prediction.iast import iast_point

    names = list(mole_fractions)
    if len(names) < 2:
        raise ValueError(f"IAST predicts a mixture of two or more gases; got {', '.join(names) or 'none'}")
    if not (np.isfinite(pressure_bar) and pressure_bar > 0):
        raise ValueError(f"the total pressure must be finite and above 0 bar, got {pressure_bar}")
    total = sum(mole_fractions.values())
    partial = [mole_fractions[name] / total * pressure_bar for name in names]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            loadings = iast_point([isotherms[name] for name in names], partial, warningoff=True)
        except Exception as exc:  # noqa: BLE001 - pyGAPS raises its own types when IAST has no solution
            reason = " ".join(str(exc).split())[:200]
            raise ValueError(f"IAST found no solution ({type(exc).__name__}: {reason})") from None
    return {name: float(value) for name, value in zip(names, loadings)}


def extrapolation_note(
    predicted: Mapping[str, float],
    mole_fractions: Mapping[str, float],
    pressure_bar: float,
    highest_bar: Mapping[str, float],
) -> str:
    """Where IAST used an isotherm beyond its simulated pressures: the pure-gas pressure of equal spreading
    pressure, p_i° = y_i p / x_i, above the highest simulated pressure of gas i; "" when none did."""
    total_adsorbed = sum(predicted.values())
    total_fraction = sum(mole_fractions.values())
    notes = []
    for name, loading in predicted.items():
        y = mole_fractions[name] / total_fraction
        x = loading / total_adsorbed if total_adsorbed > 0 else math.nan
        reach = y * pressure_bar / x if x > 0 else math.inf
        if not reach <= highest_bar[name] * (1 + 1e-9):
            notes.append(
                f"{name}'s isotherm extrapolated to {reach:.3g} bar (simulated up to {highest_bar[name]:g} bar)"
            )
    return "; ".join(notes)


def iast_table(
    single_gas: Mapping[str, pd.DataFrame],
    mole_fractions: Mapping[str, float],
    pressure_bar: float,
    temperature_K: float,
    model: str = "auto",
    mixture: pd.DataFrame | None = None,
    fitted: dict[tuple[str, str], Any] | None = None,
) -> pd.DataFrame:
    """Per framework: the fitted single-gas models, IAST loadings and selectivity, and the mixture GCMC beside them.

    Parameters
    ----------
    single_gas : mapping of guest to DataFrame
        ``simulate gcmc`` results of each pure gas (columns ``id``, ``pressure_bar``, ``loading_<guest>_mol_kg``).
    mole_fractions : mapping of guest to float
    pressure_bar, temperature_K : float
    model : str
        Isotherm model of every fit (see ``MODELS``).
    mixture : DataFrame, optional
        ``simulate gcmc --mixture`` results at ``pressure_bar``: their loadings are added with their standard errors.
    fitted : dict, optional
        Filled with the pyGAPS model isotherm of each (framework id, gas) fitted (for ``simulate.aif``).

    Returns
    -------
    DataFrame
        One row per framework found in every single-gas table; a framework whose fit or IAST fails has
        the reason in ``error`` and NaN numbers; ``model_<guest>`` names the model fitted, and ``warning``
        says where an isotherm was extrapolated beyond its simulated pressures.
    """
    guests = list(mole_fractions)
    if len(guests) < 2:
        raise ValueError(f"IAST predicts a mixture of two or more gases; --mixture names {', '.join(guests)} only")
    ids = sorted(set.intersection(*(set(single_gas[g]["id"].astype(str)) for g in guests)))
    rows = []
    for item_id in ids:
        row: dict[str, Any] = {"id": item_id, "error": "", "warning": ""}
        try:
            models, highest = {}, {}
            for guest in guests:
                points = single_gas[guest][single_gas[guest]["id"].astype(str) == item_id].sort_values("pressure_bar")
                models[guest] = fit_isotherm(
                    points["pressure_bar"],
                    points[f"loading_{guest}_mol_kg"],
                    guest,
                    temperature_K,
                    model,
                    item_id,
                    points.get(f"loading_se_{guest}_mol_kg"),
                )
                highest[guest] = float(points["pressure_bar"].max())
                if fitted is not None:
                    fitted[(item_id, guest)] = models[guest]
                row[f"model_{guest}"] = models[guest].model.name
                row[f"rmse_{guest}_mol_kg"] = float(models[guest].model.rmse)
            predicted = iast_loadings(models, mole_fractions, pressure_bar)
            row["warning"] = extrapolation_note(predicted, mole_fractions, pressure_bar, highest)
        except (ValueError, ArithmeticError) as exc:
            row["error"] = f"{item_id}: {exc}" if not str(exc).startswith(item_id) else str(exc)
            rows.append(row)
            continue
        for guest in guests:
            row[f"iast_{guest}_mol_kg"] = predicted[guest]
        if len(guests) == 2:
            a, b = guests
            row[f"iast_selectivity_{a}_{b}"] = (predicted[a] / predicted[b]) / (mole_fractions[a] / mole_fractions[b])
        rows.append(row)
    table = pd.DataFrame(rows)
    if mixture is not None and len(table):
        at = mixture[np.isclose(mixture["pressure_bar"], pressure_bar)].astype({"id": str}).set_index("id")
        for guest in guests:
            for column in (f"loading_{guest}_mol_kg", f"loading_se_{guest}_mol_kg"):
                table[f"gcmc_{column}"] = table["id"].map(at[column])
    return table
