"""Pareto layers of points whose two objectives are both maximised (non-dominated sorting)."""

from __future__ import annotations

import numpy as np

__all__ = ["pareto_layers"]


def pareto_layers(x: np.ndarray, y: np.ndarray, max_layers: int | None = None) -> np.ndarray:
    """Pareto layer of each point when both ``x`` and ``y`` are to be maximised, shape (n,) -> (n,).

    Layer 0 is the front (no other point is at least as good in both and better in one); layer 1
    the front of the rest, and so on. Non-finite points, and points beyond ``max_layers``, get -1.

    Parameters
    ----------
    x, y : numpy.ndarray, shape (n,)
        The two objectives.
    max_layers : int, optional
        Layers to peel (default: all).

    Returns
    -------
    numpy.ndarray of int, shape (n,)
    """
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    layer = np.full(len(x), -1)
    remaining = np.flatnonzero(np.isfinite(x) & np.isfinite(y))
    current = 0
    while len(remaining) and (max_layers is None or current < max_layers):
        order = remaining[np.lexsort((-y[remaining], -x[remaining]))]  # x descending, ties by y descending
        best_y = -np.inf
        front = []
        for index in order:
            if y[index] > best_y:
                front.append(index)
                best_y = y[index]
        layer[front] = current
        remaining = np.setdiff1d(remaining, front, assume_unique=True)
        current += 1
    return layer
