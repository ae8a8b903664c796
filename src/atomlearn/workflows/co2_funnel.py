"""The cheap end of the carbon-capture funnel: which MOFs deserve charges, and which labels the screen starts from.

Charges and a charged guest cost about half a core-second per MOF, GCMC of the mixture several seconds; an
uncharged CH4 grid and the bundled pore geometry cost milliseconds. So every MOF gets the cheap descriptors, a
GP with one length scale per feature and a linear trend learns the random sample's GCMC labels from them, and
only the most optimistic MOFs (the highest mean + 3 sd, where an upper confidence bound would look) get charges
and the charged descriptors the active screen works with. The trend matters: with 30 labels, over a tenth of
the 12,020 MOFs lie far from every labelled one, where a constant-mean GP predicts the mean for all of them
alike; on the bundled label set a 10 % shortlist then holds 5.4 of the top 5 %'s 27 MOFs instead of 1.9 (2.7 at
random; 10 draws). A closed framework (no CO2 adsorbed) enters the GPs as the lowest uptake seen, so that they
learn to stay away from its neighbours.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from atomlearn.featurizers import make_featurizer
from atomlearn.models.ard_gp import ARDGaussianProcess
from atomlearn.workflows.co2_labels import SELECTIVITY, UPTAKE

#: the cheap descriptors every MOF gets: a CH4 grid (no charges) and the bundled pore geometry (~2 ms per MOF)
CHEAP_FEATURIZERS = (("henry_grid", {"guest": "CH4"}), ("coremof_pores", {}))
#: the descriptors of the shortlist: CO2 with EQeq framework charges on a grid (K_H, Q_st, accessible and helium
#: void fractions) beside the CH4 grid every MOF already has. Over 10 random draws of the bundled label set
#: (`benchmarks/bench_co2_funnel.py`) the CH4 grid lifts the surrogate's test R² from 0.71 to 0.77 (the N2 of the
#: mixture is seen by a small apolar guest); the pore geometry instead makes it worse (0.68) with a few dozen labels
CHARGED_FEATURIZERS = (("henry_grid", {"guest": "CO2"}), ("henry_grid", {"guest": "CH4"}))
#: the optimism that ranks the shortlist: mean + this many sd of the cheap GP
SHORTLIST_SD = 3.0


def make_featurizers(spec: Sequence[tuple[str, dict[str, Any]]], n_jobs: int) -> list[Any]:
    """The featurizers of ``spec`` (name, parameters), cached: a rerun reads their rows back."""
    return [make_featurizer(name, n_jobs=n_jobs, cache=True, **params) for name, params in spec]


def uptake_to_fit(labels: pd.DataFrame, ids: Sequence[str]) -> tuple[list[str], np.ndarray]:
    """The ids of ``ids`` a GP can learn from and their log10 uptake: a closed framework (0 mol/kg) as the lowest
    uptake seen, a failed label left out."""
    frame = labels.reindex(list(ids))
    uptake = frame[UPTAKE].to_numpy(dtype=float)
    closed = (frame["co2_uptake_mol_kg"] == 0).to_numpy()
    keep = np.isfinite(uptake) | closed
    floor = np.nanmin(uptake) if np.isfinite(uptake).any() else 0.0
    return [i for i, k in zip(frame.index, keep) if k], np.where(closed, floor, uptake)[keep]


def cheap_predictions(features: pd.DataFrame, labels: pd.DataFrame, ids: Sequence[str], random_state: int):
    """The cheap GP fitted to the labels of ``ids``: mean and sd (log10 mol/kg) of every row of ``features``
    (NaN where a feature is missing).

    Returns
    -------
    mean, sd : numpy.ndarray, shape (n,)
    """
    X = features.to_numpy(dtype=float)
    finite = np.isfinite(X).all(axis=1)
    where = {item: k for k, item in enumerate(features.index)}
    fit_ids, y = uptake_to_fit(labels, [i for i in ids if i in where and finite[where[i]]])
    model = ARDGaussianProcess(trend="linear", random_state=random_state).fit(X[[where[i] for i in fit_ids]], y)
    mean, sd = np.full(len(X), np.nan), np.full(len(X), np.nan)
    mean[finite], sd[finite] = model.predict(X[finite], return_std=True)
    return mean, sd


def shortlist(ids: Sequence[str], mean: np.ndarray, sd: np.ndarray, n: int, exclude: set[str]) -> list[str]:
    """The ``n`` most optimistic ids (mean + ``SHORTLIST_SD`` sd), those in ``exclude`` and without a prediction
    left out."""
    optimism = mean + SHORTLIST_SD * sd
    order = [k for k in np.argsort(-np.where(np.isfinite(optimism), optimism, -np.inf)) if np.isfinite(optimism[k])]
    return [ids[k] for k in order if ids[k] not in exclude][:n]


def seed_labels(labels: pd.DataFrame, failures: pd.DataFrame, ids: Sequence[str]) -> pd.DataFrame:
    """The random sample's labels as an active screen's seed (``uptake``, ``selectivity``, ``error``)."""
    frame = labels.reindex(list(ids))
    failed = {str(r.item_id): f"{r.stage}: {r.reason}" for r in failures.itertuples()}
    seed = pd.DataFrame(
        {"uptake": frame[UPTAKE].to_numpy(dtype=float), "selectivity": frame[SELECTIVITY].to_numpy(dtype=float)},
        index=frame.index,
    )
    seed["error"] = [
        failed.get(i, "")
        or ("" if np.isfinite(u) else "no adsorption of the first gas (closed pores), or none of the second")
        for i, u in zip(seed.index, seed["uptake"])
    ]
    return seed
