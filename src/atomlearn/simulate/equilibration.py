"""Honest error bars of a Monte Carlo series: equilibration detected, correlation counted, doubt flagged.

A block average over a few blocks of a correlated series that is still relaxing is not a standard
error: a short GCMC run gave 0.22 ± 0.01 mol/kg where the converged value is 0.40. Here the
equilibrated part is found by maximising the number of independent samples (Chodera 2016,
J. Chem. Theory Comput. 12, 1799; ``pymbar.timeseries.detect_equilibration``), the standard error of
the mean of what remains is σ √(g / n) with g the statistical inefficiency (``pymbar.timeseries``), and
an estimate is marked unconverged when it rests on fewer than ``MIN_EFFECTIVE_SAMPLES`` independent
samples, when the series never changed, or when its two halves still disagree (a drift).
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field

import numpy as np

#: fewer independent samples than this and the error bar cannot be trusted: a short series underestimates its
#: own correlation time (CoRE MOFs, CH4, 50 + 200 cycles: half of the runs that claimed 20-32 independent
#: samples lay 3-9 of their standard errors from a 20,000-cycle run; ``benchmarks/bench_gcmc_error_bars.py``)
MIN_EFFECTIVE_SAMPLES = 50
#: the two halves of the equilibrated part differ by more than this many combined standard errors: a drift
DRIFT_SIGMAS = 4.0
#: equilibration is looked for at about this many start points (pymbar's ``nskip``), enough for its resolution
EQUILIBRATION_PROBES = 100


@dataclass(frozen=True)
class SeriesEstimate:
    """Means of a correlated series and what can be trusted of their error bars.

    Attributes
    ----------
    mean, standard_error : ndarray of shape (n_components,)
        Over the equilibrated samples; the error accounts for their correlation.
    equilibrated_from : int
        Index of the first sample kept (those before it were still relaxing).
    statistical_inefficiency : ndarray of shape (n_components,)
        g = 1 + 2 Σ C(t): samples per independent sample.
    effective_samples : float
        Independent samples of the least-sampled component, (n - equilibrated_from) / max g.
    problems : list of str
        Why the error bar cannot be trusted; empty when it can.
    """

    mean: np.ndarray
    standard_error: np.ndarray
    equilibrated_from: int
    statistical_inefficiency: np.ndarray
    effective_samples: float
    problems: list[str] = field(default_factory=list)

    @property
    def converged(self) -> bool:
        """True when nothing casts doubt on the error bar."""
        return not self.problems


def estimate_mean(
    series: np.ndarray, min_effective_samples: int = MIN_EFFECTIVE_SAMPLES, what: str = "the series"
) -> SeriesEstimate:
    """Mean and standard error of each column of a correlated, possibly unequilibrated series.

    Parameters
    ----------
    series : array of shape (n_samples,) or (n_samples, n_components)
        Consecutive samples (a GCMC loading per cycle, say); one column per quantity.
    min_effective_samples : int
        Fewer independent samples than this mark the estimate unconverged.
    what : str
        Name of the series in the problems listed.

    Returns
    -------
    SeriesEstimate
        All components share one equilibration point, the latest any of them needs.
    """
    samples = np.asarray(series, dtype=float)
    samples = samples[:, None] if samples.ndim == 1 else samples
    n = len(samples)
    if n < 4:
        return SeriesEstimate(
            samples.mean(axis=0) if n else np.full(samples.shape[1], math.nan),
            np.full(samples.shape[1], math.nan),
            0,
            np.full(samples.shape[1], math.nan),
            float(n),
            [f"{what}: only {n} samples; no error estimate"],
        )
    start = max(_equilibration_start(samples[:, c]) for c in range(samples.shape[1]))
    kept = samples[start:]
    g = np.array([_inefficiency(kept[:, c]) for c in range(kept.shape[1])])
    standard_error = kept.std(axis=0, ddof=1) * np.sqrt(g / len(kept))
    effective = float(len(kept) / g.max())
    problems = []
    if np.all(kept.std(axis=0) == 0):
        problems.append(f"{what} never changed in {len(kept)} samples: no error estimate")
    elif effective < min_effective_samples:
        problems.append(
            f"{what} holds only {effective:.0f} independent samples (fewer than {min_effective_samples}): "
            "run more cycles"
        )
    if start > n // 2:
        problems.append(f"{what} relaxed for {start} of {n} samples: still drifting, run more cycles")
    elif _halves_disagree(kept, g):
        problems.append(f"{what} drifts: its two halves differ by more than {DRIFT_SIGMAS:g} standard errors")
    return SeriesEstimate(kept.mean(axis=0), standard_error, int(start), g, effective, problems)


def _timeseries():  # noqa: ANN202 - the pymbar.timeseries module
    """pymbar's timeseries module, with its import-time notices (JAX missing, a general caution) silenced."""
    logging.getLogger("pymbar").setLevel(logging.ERROR)
    from pymbar import timeseries

    return timeseries


def _equilibration_start(values: np.ndarray) -> int:
    """First index of the equilibrated part (0 for a constant series)."""
    if np.ptp(values) == 0:
        return 0
    step = max(1, len(values) // EQUILIBRATION_PROBES)
    start, _, _ = _timeseries().detect_equilibration(values, fast=True, nskip=step)
    return int(start)


def _inefficiency(values: np.ndarray) -> float:
    """Statistical inefficiency g ≥ 1 (1 for a constant series)."""
    if len(values) < 2 or np.ptp(values) == 0:
        return 1.0
    return max(1.0, float(_timeseries().statistical_inefficiency(values, fast=False)))


def _halves_disagree(kept: np.ndarray, g: np.ndarray) -> bool:
    """Whether the means of the first and second half differ by more than ``DRIFT_SIGMAS`` combined errors."""
    half = len(kept) // 2
    first, second = kept[:half], kept[half:]
    se = np.sqrt((first.var(axis=0, ddof=1) / len(first) + second.var(axis=0, ddof=1) / len(second)) * g)
    gap = np.abs(first.mean(axis=0) - second.mean(axis=0))
    return bool(np.any((se > 0) & (gap > DRIFT_SIGMAS * se)))
