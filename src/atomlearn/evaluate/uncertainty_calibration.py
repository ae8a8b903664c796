"""Is a predicted standard deviation honest? Coverage, z-scores and Gaussian log-likelihood on a test set."""

from __future__ import annotations

import numpy as np
from scipy.stats import norm

LEVELS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99)


def calibration(y_true: np.ndarray, mean: np.ndarray, std: np.ndarray) -> dict[str, object]:
    """Calibration of Gaussian predictive distributions N(mean, std²) against observed values.

    Parameters
    ----------
    y_true, mean, std : ndarray, shape (n,)
        Observed values, predicted means and standard deviations (target units; std > 0).

    Returns
    -------
    dict
        ``coverage`` (the observed coverage of the central interval at each nominal level; calibrated:
        coverage ≈ level), ``miscalibration_area`` (mean |coverage - level|, 0 is perfect), ``z_mean``
        and ``z_rms`` of the z-scores (y - mean)/std (ideally 0 and 1) and the mean negative
        log-likelihood (lower is better).
    """
    y_true, mean, std = (np.asarray(a, dtype=float) for a in (y_true, mean, std))
    if not (y_true.shape == mean.shape == std.shape) or y_true.ndim != 1:
        raise ValueError("y_true, mean and std must be 1-D arrays of the same length")
    if not (np.isfinite(std).all() and (std > 0).all()):
        raise ValueError("every predicted standard deviation must be finite and positive")
    z = (y_true - mean) / std
    coverage = {f"{level:g}": float(np.mean(np.abs(z) <= norm.ppf(0.5 + level / 2))) for level in LEVELS}
    return {
        "coverage": coverage,
        "miscalibration_area": float(np.mean([abs(c - float(level)) for level, c in coverage.items()])),
        "z_mean": float(z.mean()),
        "z_rms": float(np.sqrt(np.mean(z**2))),
        "nll": float(np.mean(0.5 * z**2 + np.log(std) + 0.5 * np.log(2 * np.pi))),
        "n": int(len(z)),
    }
