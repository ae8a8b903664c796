"""What each round of an active screen achieved: the best label so far, hits of the true top against random
selection, and how well the surrogate's predictive distribution described the batch it chose."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from atomlearn.evaluate import pareto_layers

__all__ = ["round_table", "top_ids"]

#: |z| within which 68 % and 95 % of labels fall when the predictive sd is honest
Z_68, Z_95 = 1.0, 1.959964


def top_ids(truth: pd.DataFrame, top_fraction: float) -> set[str]:
    """The true top of the pool: the best ``ceil(top_fraction n)`` by one objective, or for two the first Pareto
    layers until they hold that many.

    Parameters
    ----------
    truth : pandas.DataFrame
        Objectives (columns) of every usable structure (index: id), maximised.
    top_fraction : float

    Returns
    -------
    set of str
    """
    n_top = max(1, math.ceil(top_fraction * len(truth)))
    values = truth.to_numpy(dtype=float)
    if values.shape[1] == 1:
        order = np.argsort(-values[:, 0], kind="stable")[:n_top]
        return {str(truth.index[i]) for i in order}
    layer = pareto_layers(values[:, 0], values[:, 1])
    chosen: list[int] = []
    for current in range(int(layer.max()) + 1):
        if len(chosen) >= n_top:
            break
        chosen.extend(np.flatnonzero(layer == current).tolist())
    return {str(truth.index[i]) for i in chosen}


def round_table(
    decisions: pd.DataFrame,
    labels: pd.DataFrame,
    objectives: tuple[str, ...],
    truth: pd.DataFrame | None,
    hits: set[str] | None,
    n_pool: int,
) -> pd.DataFrame:
    """One row per round with labels: counts, best so far, hits, and the batch's calibration.

    Parameters
    ----------
    decisions : pandas.DataFrame
        ``decisions.csv``: round, id, ``mean_<objective>``, ``sd_<objective>``.
    labels : pandas.DataFrame
        ``labels.csv``: round, id, objectives, error.
    objectives : tuple of str
    truth : pandas.DataFrame or None
        Known labels of the pool (retrospective screens).
    hits : set of str or None
        The true top (``top_ids``).
    n_pool : int
        Usable structures.

    Returns
    -------
    pandas.DataFrame
        round, n_labelled, n_failed, ``best_<objective>``, hits, random_expected_hits (hypergeometric mean:
        n_labelled * n_top / n_pool), and for rounds the surrogate chose: batch_mae (mean |label - mean|),
        mean_z, coverage_68 and coverage_95 (the fraction of labels within 1 and 1.96 predictive sd).
    """
    rows = []
    for round_number in sorted(labels["round"].unique()):
        so_far = labels[labels["round"] <= round_number]
        row: dict[str, float] = {
            "round": int(round_number),
            "n_labelled": len(so_far),
            "n_failed": int(so_far["error"].ne("").sum()),
        }
        for name in objectives:
            values = so_far[name].to_numpy(dtype=float)
            row[f"best_{name}"] = float(np.nanmax(values)) if np.isfinite(values).any() else math.nan
        if hits is not None:
            row["hits"] = int(so_far["id"].isin(hits).sum())
            row["random_expected_hits"] = len(so_far) * len(hits) / n_pool
        row |= _calibration(decisions[decisions["round"] == round_number], labels, objectives)
        rows.append(row)
    return pd.DataFrame(rows)


def _calibration(chosen: pd.DataFrame, labels: pd.DataFrame, objectives: tuple[str, ...]) -> dict[str, float]:
    """Residuals of a batch's labels against the predictive distribution it was chosen with (NaN for random picks)."""
    merged = chosen.merge(labels[["id", *objectives]], on="id", how="left")
    errors, z = [], []
    for name in objectives:
        label, mean, sd = (merged[c].to_numpy(dtype=float) for c in (name, f"mean_{name}", f"sd_{name}"))
        ok = np.isfinite(label) & np.isfinite(mean) & (sd > 0)
        errors.append(label[ok] - mean[ok])
        z.append((label[ok] - mean[ok]) / sd[ok])
    residual, score = np.concatenate(errors), np.concatenate(z)
    if not len(score):
        return {"batch_mae": math.nan, "mean_z": math.nan, "coverage_68": math.nan, "coverage_95": math.nan}
    return {
        "batch_mae": float(np.abs(residual).mean()),
        "mean_z": float(score.mean()),
        "coverage_68": float((np.abs(score) <= Z_68).mean()),
        "coverage_95": float((np.abs(score) <= Z_95).mean()),
    }
