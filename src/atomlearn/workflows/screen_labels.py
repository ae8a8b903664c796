"""Where the labels of an active screen come from: a mixture GCMC, Widom K_H, or a table the user already has.

``parse_label_spec`` reads the ``--label`` text of ``atomlearn screen``:

- ``gcmc:CO2:0.15,N2:0.85@1bar`` — mixture (or one gas) GCMC at one pressure (``bar``, ``kPa``, ``Pa``),
  EQeq charges when a guest is charged: objectives ``uptake`` (log10 mol/kg of the first gas) and, for a
  mixture, ``selectivity`` (log10 of (x1/x2)/(y1/y2));
- ``henry:CH4`` or ``henry:CO2,N2`` — Widom K_H: ``uptake`` is log10 K_H (mol/(kg·Pa)) of the first gas,
  ``selectivity`` log10 K_H1/K_H2;
- ``table:FILE.csv:COLUMN[,COLUMN2]`` — labels already known (retrospective): ``uptake`` is COLUMN,
  ``selectivity`` COLUMN2; FILE may also name a bundled dataset (``table:coremof2019-co2:COLUMN``).

Every source labels a dataset into a folder (resumable: finished labels are reused) and returns one row per
id: the objectives, or NaN and the reason in ``error``. Objectives are maximised.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from atomlearn.datasets.base import Dataset
from atomlearn.physics import get_guest
from atomlearn.schema import read_table
from atomlearn.units import BAR_TO_PA
from atomlearn.validation import check_mole_fractions, check_positive, check_temperature

__all__ = ["OBJECTIVES", "GCMCLabels", "HenryLabels", "LabelSource", "TableLabels", "parse_label_spec"]

#: the objectives a source may offer, both maximised
OBJECTIVES = ("uptake", "selectivity")
_PRESSURE_UNITS = {"bar": BAR_TO_PA, "kpa": 1e3, "pa": 1.0}


@dataclass
class LabelSource:
    """Base of the label sources: what they measure and how to label a dataset.

    Attributes
    ----------
    spec : str
        The ``--label`` text it was parsed from.
    units : dict of str to str
        Unit of each objective it offers (``uptake``, and ``selectivity`` where it has one).
    """

    spec: str
    units: dict[str, str] = field(default_factory=dict)

    def label(
        self,
        dataset: Dataset,
        folder: Path,
        n_jobs: int = 1,
        scheduler: str | None = None,
        progress: bool | None = None,
    ) -> pd.DataFrame:
        """Labels of every structure of ``dataset``.

        Parameters
        ----------
        dataset : Dataset
        folder : Path
            Where the source keeps its resumable work.
        n_jobs : int
        scheduler : str, optional
            A dask.distributed scheduler address (else local processes).
        progress : bool, optional

        Returns
        -------
        pandas.DataFrame
            Indexed by id (the dataset's, and its unreadable ones): one column per objective, ``error``.
        """
        raise NotImplementedError

    def known(self) -> pd.DataFrame | None:
        """Every label the source holds already (a table), or None when labels must be computed."""
        return None


@dataclass
class TableLabels(LabelSource):
    """Labels read from a CSV with an ``id`` column (retrospective screens on labels already computed)."""

    path: Path = Path()
    columns: tuple[str, ...] = ()

    def known(self) -> pd.DataFrame:
        """The table's objectives by id (NaN where the table has no value)."""
        if not self.path.is_file():  # a bundled dataset's own labels
            return _dataset_columns(str(self.path), self.columns).set_axis(list(self.units), axis=1)
        kinds = {"id": "text", **{column: "number" for column in self.columns}}
        frame = read_table(self.path, kinds, f"a labels table with id, {', '.join(self.columns)}", "fix the file")
        duplicated = frame["id"][frame["id"].duplicated()]
        if len(duplicated):
            raise ValueError(f"{self.path}: id {duplicated.iloc[0]!r} appears twice; give one row per structure")
        values = frame.set_index("id")[list(self.columns)].astype(float)
        values.columns = list(OBJECTIVES[: len(self.columns)])
        return values

    def label(
        self,
        dataset: Dataset,
        folder: Path,
        n_jobs: int = 1,
        scheduler: str | None = None,
        progress: bool | None = None,
    ) -> pd.DataFrame:
        """Look the dataset's ids up in the table; an id it lacks, or a blank value, is a failure."""
        return _rows(dataset, self.known(), [dataset.errors], f"no value in {self.path.name}")


@dataclass
class HenryLabels(LabelSource):
    """Widom K_H of one or two gases (EQeq charges when a guest is charged)."""

    guests: tuple[str, ...] = ()
    temperature_K: float = 298.0
    options: dict[str, Any] = field(default_factory=dict)

    def label(
        self,
        dataset: Dataset,
        folder: Path,
        n_jobs: int = 1,
        scheduler: str | None = None,
        progress: bool | None = None,
    ) -> pd.DataFrame:
        """Widom K_H of each gas; ``uptake`` log10 K_H of the first, ``selectivity`` log10 of their ratio."""
        from atomlearn.simulate.henry_batch import henry_labels

        charged, failures = _charged(
            dataset, folder, self.guests, {"n_jobs": n_jobs, "scheduler": scheduler, "progress": progress}
        )
        logs = []
        for guest in self.guests:
            batch = henry_labels(
                charged,
                guest,
                self.temperature_K,
                folder / f"widom_{guest}.csv",
                charges="cif" if charged is not dataset else "off",
                n_jobs=n_jobs,
                scheduler=scheduler,
                progress=progress,
                **self.options,
            )
            failures.append(batch.errors)
            results = batch.results.drop_duplicates("id", keep="last").set_index("id")
            logs.append(results["log10_henry_mol_kg_Pa"].astype(float))
        values = {"uptake": logs[0]} | ({"selectivity": logs[0] - logs[1]} if len(logs) > 1 else {})
        return _rows(dataset, pd.DataFrame(values), failures)


@dataclass
class GCMCLabels(LabelSource):
    """Mixture (or one-gas) GCMC loadings at one pressure (EQeq charges when a guest is charged)."""

    mixture: dict[str, float] = field(default_factory=dict)
    pressure_Pa: float = BAR_TO_PA
    temperature_K: float = 298.0
    options: dict[str, Any] = field(default_factory=dict)

    def label(
        self,
        dataset: Dataset,
        folder: Path,
        n_jobs: int = 1,
        scheduler: str | None = None,
        progress: bool | None = None,
    ) -> pd.DataFrame:
        """log10 loading of the first gas (mol/kg) and, for a mixture, log10 selectivity of the first two."""
        from atomlearn.simulate.gcmc_batch import gcmc_labels

        workers = {"n_jobs": n_jobs, "scheduler": scheduler, "progress": progress}
        charged, failures = _charged(dataset, folder, tuple(self.mixture), workers)
        batch = gcmc_labels(
            charged,
            self.mixture,
            self.temperature_K,
            [self.pressure_Pa],
            folder / "gcmc.csv",
            charges="cif" if charged is not dataset else "off",
            n_jobs=n_jobs,
            scheduler=scheduler,
            progress=progress,
            **self.options,
        )
        failures.append(batch.errors)
        results = batch.results.drop_duplicates("id", keep="last").set_index("id")
        gases = list(self.mixture)
        loading = [results[f"loading_{gas}_mol_kg"].astype(float) for gas in gases]
        with np.errstate(divide="ignore", invalid="ignore"):
            values = {"uptake": np.log10(loading[0].where(loading[0] > 0))}
            if len(gases) > 1:
                ratio = self.mixture[gases[1]] / self.mixture[gases[0]]
                both = (loading[0] > 0) & (loading[1] > 0)
                values["selectivity"] = np.log10((loading[0] / loading[1] * ratio).where(both))
        frame = pd.DataFrame(values)
        frame["uptake_mol_kg"] = loading[0]
        frame["uptake_se_mol_kg"] = results[f"loading_se_{gases[0]}_mol_kg"].astype(float)
        frame["converged"] = results["converged"].astype(bool) if "converged" in results else True
        return _rows(dataset, frame, failures, "no adsorption of the first gas (closed pores), or none of the second")


def parse_label_spec(
    text: str,
    temperature_K: float = 298.0,
    simulation: dict[str, Any] | None = None,
    gcmc: dict[str, Any] | None = None,
) -> LabelSource:
    """The label source a ``--label`` text names.

    Parameters
    ----------
    text : str
        ``gcmc:GAS:y,GAS:y@PRESSURE``, ``henry:GAS[,GAS]`` or ``table:FILE.csv:COLUMN[,COLUMN]``.
    temperature_K : float
        Temperature of the simulations, K.
    simulation : dict, optional
        Options of both Widom and GCMC (``target_relative_error``, ``grid_spacing_A``, ``allow_coarse_grid``,
        ``random_state``).
    gcmc : dict, optional
        Options of GCMC only (``init_cycles``, ``cycles``).

    Returns
    -------
    LabelSource

    Raises
    ------
    ValueError
        Naming what in the text is wrong and what a right one looks like.

    Examples
    --------
    >>> parse_label_spec("gcmc:CO2:0.15,N2:0.85@1bar").mixture
    {'CO2': 0.15, 'N2': 0.85}
    """
    kind, _, rest = text.partition(":")
    if kind == "table":
        return _table(text, rest)
    if kind == "henry":
        guests = tuple(get_guest(name.strip()).name for name in rest.split(",") if name.strip())
        if not 1 <= len(guests) <= 2:
            raise ValueError(f"--label {text!r}: give one or two gases, e.g. henry:CH4 or henry:CO2,N2")
        units = {"uptake": "log10 mol/(kg Pa)"} | ({"selectivity": "log10"} if len(guests) == 2 else {})
        return HenryLabels(text, units, guests, check_temperature(temperature_K), dict(simulation or {}))
    if kind == "gcmc":
        mixture, pressure_Pa = _mixture(text, rest)
        units = {"uptake": "log10 mol/kg"} | ({"selectivity": "log10"} if len(mixture) > 1 else {})
        options = dict(simulation or {}) | dict(gcmc or {})
        return GCMCLabels(text, units, mixture, pressure_Pa, check_temperature(temperature_K), options)
    raise ValueError(
        f"--label {text!r}: start with gcmc:, henry: or table:, e.g. gcmc:CO2:0.15,N2:0.85@1bar, henry:CH4, "
        "table:labels.csv:uptake"
    )


def _table(text: str, rest: str) -> TableLabels:
    path, _, columns = rest.rpartition(":")
    names = tuple(c.strip() for c in columns.split(",") if c.strip())
    if not path or not 1 <= len(names) <= 2:
        raise ValueError(f"--label {text!r}: write table:FILE.csv:COLUMN or table:FILE.csv:UPTAKE,SELECTIVITY")
    from atomlearn.datasets import DATASETS

    if not Path(path).is_file() and path not in DATASETS:
        raise FileNotFoundError(f"--label {text!r}: {path} is not a file, nor a bundled dataset")
    known_units = DATASETS.create(path).meta.units if path in DATASETS else {}
    units = {
        objective: known_units.get(column) or f"as in {Path(path).name}" for objective, column in zip(OBJECTIVES, names)
    }
    source = TableLabels(text, units, Path(path), names)
    source.known()  # a table that does not fit fails here, naming the file, column and row
    return source


def _dataset_columns(name: str, columns: tuple[str, ...]) -> pd.DataFrame:
    """Label columns of a bundled dataset, by id; an unknown column is refused with the ones there are."""
    from atomlearn.datasets import load

    labels = load(name).labels
    unknown = [c for c in columns if c not in labels.columns]
    if unknown:
        raise ValueError(f"{name} has no label column {unknown[0]!r}; it has {', '.join(map(str, labels.columns))}")
    return labels[list(columns)].apply(pd.to_numeric, errors="coerce").astype(float)


def _mixture(text: str, rest: str) -> tuple[dict[str, float], float]:
    gases, at, pressure = rest.partition("@")
    match = re.fullmatch(r"\s*([0-9.eE+-]+)\s*(bar|kPa|Pa)\s*", pressure, flags=re.IGNORECASE)
    if not at or match is None:
        raise ValueError(f"--label {text!r}: end with the pressure, e.g. gcmc:CO2:0.15,N2:0.85@1bar (bar, kPa, Pa)")
    pressure_Pa = check_positive(float(match[1]) * _PRESSURE_UNITS[match[2].lower()], "pressure", "Pa")
    mixture: dict[str, float] = {}
    for part in gases.split(","):
        name, _, fraction = part.partition(":")
        try:
            mixture[get_guest(name.strip()).name] = float(fraction) if fraction.strip() else 1.0
        except ValueError as exc:
            raise ValueError(f"--label {text!r}: {part!r} is not GAS:MOLE_FRACTION ({exc})") from None
    if len(mixture) > 1 or not math.isclose(next(iter(mixture.values())), 1.0):
        mixture = check_mole_fractions(mixture, "--label mixture")
    return mixture, pressure_Pa


def _charged(
    dataset: Dataset, folder: Path, guests: tuple[str, ...], workers: dict[str, Any]
) -> tuple[Dataset, list[pd.DataFrame]]:
    """EQeq charges when a guest is charged (the charged dataset and its failures), else the dataset as it is."""
    if not any(get_guest(name).charged for name in guests):
        return dataset, [dataset.errors]
    from atomlearn.workflows.co2_labels import charged_dataset

    charged, failures = charged_dataset(dataset, folder / "charges", workers)
    return charged, [failures]


def _rows(dataset: Dataset, values: pd.DataFrame, failures: list[pd.DataFrame], empty: str = "") -> pd.DataFrame:
    """One row per id asked for (readable or not): the values, or NaN and why."""
    ids = list(dataset.ids) + [str(i) for i in dataset.errors["item_id"] if str(i) not in set(dataset.ids)]
    frame = values.reindex(ids)
    reasons: dict[str, str] = {}
    for table in failures:
        for record in table.itertuples():
            reasons.setdefault(str(record.item_id), f"{record.stage}: {record.reason}")
    finite = np.isfinite(frame[[c for c in OBJECTIVES if c in frame]].to_numpy(dtype=float)).all(axis=1)
    frame["error"] = ["" if ok else reasons.get(i) or empty or "no label computed" for i, ok in zip(ids, finite)]
    return frame
