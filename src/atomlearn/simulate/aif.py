"""Simulated isotherms as AIF files: the adsorption information file of Evans, Bon, Senkovska & Kaskel
(Langmuir 37, 4222 (2021)), a CIF dialect that pyGAPS and the adsorption community read and write.

One file per framework and gas, written through pyGAPS (``pygaps.parsing.isotherm_to_aif``):

* ``gcmc_to_aif``: the GCMC points of ``simulate gcmc`` (absolute loadings in mmol/g = mol/kg against the
  pressure in bar, with their standard errors and excess loadings as extra columns); for a mixture, each
  gas's loading against the mixture's total pressure, the mole fractions in the metadata.
* ``models_to_aif``: the isotherm models ``simulate iast`` fitted (pyGAPS model isotherms).

The simulation settings travel as metadata (``_pygaps_simulation_*``: force field, charges, cycles, grid,
convergence). The folder carries a completion record (``complete.json``, :mod:`atomlearn.files`), removed
while it is rewritten.
"""

from __future__ import annotations

import json
import logging
import re
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from atomlearn.files import mark_complete, mark_incomplete, write_text_atomic

__all__ = ["check_aif_folder", "gcmc_to_aif", "models_to_aif", "read_aif"]

#: extra columns of a GCMC isotherm: pyGAPS keeps them as ``other_keys`` beside pressure and loading
EXTRA_COLUMNS = {"loading_se_{gas}_mol_kg": "loading_standard_error", "excess_loading_{gas}_mol_kg": "excess_loading"}
UNITS = {
    "temperature_unit": "K",
    "pressure_mode": "absolute",
    "pressure_unit": "bar",
    "loading_basis": "molar",
    "loading_unit": "mmol",
    "material_basis": "mass",
    "material_unit": "g",
}


def gcmc_to_aif(results: pd.DataFrame, folder: str | Path, program: str = "atomlearn simulate gcmc") -> list[Path]:
    """Write the GCMC isotherms of a ``simulate gcmc`` table as AIF files, one per framework and gas.

    Parameters
    ----------
    results : DataFrame
        ``simulate gcmc`` results: ``id``, ``composition``, ``temperature_K``, ``pressure_bar``,
        ``loading_<gas>_mol_kg`` (and its ``loading_se_``/``excess_loading_`` columns, ``converged``,
        ``settings``) per point.
    folder : path
        Created if missing; files ``<id>_<gas>.aif`` (``<id>_<gas>_in_<mixture>.aif`` for a mixture).
    program : str
        The ``_pygaps_simulation_program`` metadata.

    Returns
    -------
    list of Path
        The files written.

    Raises
    ------
    ValueError
        For an empty table, or one framework and composition at several temperatures.
    """
    if not len(results):
        raise ValueError("no GCMC point to write as AIF: the results table is empty")
    isotherms = {}
    for (item_id, composition), points in results.groupby(["id", "composition"], sort=True):
        temperatures = points["temperature_K"].astype(float).unique()
        if len(temperatures) != 1:
            raise ValueError(f"{item_id}, {composition}: GCMC points at several temperatures {sorted(temperatures)} K")
        points = points.sort_values("pressure_bar")
        fractions = _mole_fractions(points)
        mixture = ",".join(f"{gas}:{y:g}" for gas, y in fractions.items()) if len(fractions) > 1 else ""
        for gas in fractions:
            extra = {
                name: points[column.format(gas=gas)].astype(float).tolist()
                for column, name in EXTRA_COLUMNS.items()
                if column.format(gas=gas) in points
            }
            metadata = _settings(points) | {"program": program}
            if mixture:
                metadata |= {"mixture": mixture, "pressure_is": "total pressure of the mixture"}
            if "converged" in points:
                unconverged = points.loc[~points["converged"].astype(bool), "pressure_bar"].astype(float)
                metadata["unconverged_pressures_bar"] = ",".join(f"{p:g}" for p in unconverged) or "none"
            name = f"{item_id}_{gas}" + (f"_in_{mixture.replace(':', '-').replace(',', '_')}" if mixture else "")
            isotherms[name] = _point_isotherm(
                item_id, gas, float(temperatures[0]), points["pressure_bar"], points[f"loading_{gas}_mol_kg"], extra
            )
            isotherms[name].properties.update({f"simulation_{k}": v for k, v in metadata.items()})
    return _write_folder(isotherms, folder)


def models_to_aif(models: Mapping[tuple[str, str], Any], folder: str | Path, metadata: Mapping[str, Any]) -> list[Path]:
    """Write fitted pyGAPS model isotherms (``simulate iast``'s single-gas fits) as AIF files.

    Parameters
    ----------
    models : mapping of (framework id, gas) to pygaps.ModelIsotherm
    folder : path
        Files ``<id>_<gas>_model.aif``.
    metadata : mapping
        Written to every file as ``_pygaps_simulation_<key>`` (the IAST settings).

    Returns
    -------
    list of Path
    """
    isotherms = {}
    for (item_id, gas), model in sorted(models.items()):
        model.properties.update({f"simulation_{k}": _metadata_value(v) for k, v in metadata.items()})
        isotherms[f"{item_id}_{gas}_model"] = model
    return _write_folder(isotherms, folder)


def read_aif(path: str | Path) -> Any:
    """An AIF file read back through pyGAPS (``pygaps.parsing.isotherm_from_aif``).

    pyGAPS 4.6.1 converts the data columns with ``pandas.to_numeric(errors="ignore")``, which pandas 3
    removed; the reader gets a ``to_numeric`` that keeps that meaning (a column that is not numeric stays
    text), and nothing else changes.

    Parameters
    ----------
    path : str or Path

    Returns
    -------
    pygaps.PointIsotherm or pygaps.ModelIsotherm

    Raises
    ------
    FileFormatError
        Naming the file when pyGAPS cannot read it.
    """
    import pygaps.parsing.aif as pygaps_aif

    from atomlearn.schema import FileFormatError

    path = Path(path)
    if not path.is_file():
        raise FileFormatError(f"{path} is {'not a file' if path.exists() else 'missing'}: expected an AIF file")
    logging.getLogger("pygaps").setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pygaps_aif.pandas = _PandasWithIgnore()
            return pygaps_aif.isotherm_from_aif(str(path))
    except Exception as exc:  # noqa: BLE001 - pyGAPS and gemmi raise their own types
        raise FileFormatError(f"{path}: not a readable AIF file ({' '.join(str(exc).split())[:200]})") from exc
    finally:
        pygaps_aif.pandas = pd


class _PandasWithIgnore:
    """pandas, with the ``to_numeric(errors="ignore")`` of pandas 2 that pyGAPS's AIF reader calls."""

    def __getattr__(self, name: str) -> Any:
        return getattr(pd, name)

    @staticmethod
    def to_numeric(values: Any, errors: str = "raise", **options: Any) -> Any:
        if errors != "ignore":
            return pd.to_numeric(values, errors=errors, **options)
        try:
            return pd.to_numeric(values, **options)
        except (ValueError, TypeError):
            return values


def _mole_fractions(points: pd.DataFrame) -> dict[str, float]:
    """The gases of a composition and their mole fractions (``y_<gas>`` columns, 1 for a pure gas)."""
    gases = [c[len("loading_") : -len("_mol_kg")] for c in points.columns if re.fullmatch(r"loading_[^_]+_mol_kg", c)]
    gases = [g for g in gases if points[f"loading_{g}_mol_kg"].notna().any()]
    return {g: float(points[f"y_{g}"].iloc[0]) if f"y_{g}" in points else 1.0 for g in gases}


def _settings(points: pd.DataFrame) -> dict[str, Any]:
    """The simulation settings of a framework's points (the ``settings`` JSON and the run's counters)."""
    settings: dict[str, Any] = {}
    if "settings" in points and isinstance(points["settings"].iloc[0], str):
        settings |= json.loads(points["settings"].iloc[0])
    for column in ("electrostatics", "supercell", "helium_void_fraction"):
        if column in points:
            settings[column] = points[column].iloc[0]
    if "cycles" in points:
        settings["sampled_cycles"] = ",".join(str(int(c)) for c in points["cycles"])
    return {k: _metadata_value(v) for k, v in settings.items()}


def _metadata_value(value: Any) -> str | float | int | bool:
    """A value AIF metadata holds: numbers and booleans as they are, anything else as text."""
    if isinstance(value, bool | int | float | np.integer | np.floating) and np.isfinite(value):
        return value.item() if isinstance(value, np.generic) else value
    return "none" if value is None else str(value)


def _point_isotherm(
    item_id: str, gas: str, temperature_K: float, pressures: pd.Series, loadings: pd.Series, extra: dict
) -> Any:
    import pygaps

    from atomlearn.simulate.isotherms import ADSORBATES

    logging.getLogger("pygaps").setLevel(logging.ERROR)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        data = pd.DataFrame(
            {"pressure": pressures.astype(float).to_numpy(), "loading": loadings.astype(float).to_numpy()}
        )
        return pygaps.PointIsotherm(
            isotherm_data=data.assign(**extra),
            pressure_key="pressure",
            loading_key="loading",
            branch="ads",
            material=str(item_id),
            adsorbate=ADSORBATES.get(gas, gas),
            temperature=temperature_K,
            **UNITS,
        )


def check_aif_folder(folder: str | Path) -> Path:
    """The folder AIF files go to, checked before a simulation so that its results are not left without them.

    Parameters
    ----------
    folder : str or Path
        A new or existing folder.

    Returns
    -------
    Path

    Raises
    ------
    ValueError
        When ``folder`` names a file.
    """
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise ValueError(f"{folder} is a file, not a folder: give a folder (new or existing) for the AIF files")
    return folder


def _write_folder(isotherms: Mapping[str, Any], folder: str | Path) -> list[Path]:
    """Each isotherm as ``<name>.aif`` in ``folder``, then its completion record."""
    from pygaps.parsing import isotherm_to_aif

    folder = check_aif_folder(folder)
    folder.mkdir(parents=True, exist_ok=True)
    mark_incomplete(folder)
    written = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name, isotherm in isotherms.items():
            path = folder / f"{_safe(name)}.aif"
            write_text_atomic(path, isotherm_to_aif(isotherm))
            written.append(path)
    mark_complete(folder, [p.name for p in written])
    return written


def _safe(name: str) -> str:
    """A file name from a framework id and gas: letters, digits, ``.-_`` only."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", name)
