"""Kennard–Stone selection: a training set that covers feature space evenly."""

from __future__ import annotations

import numpy as np

CHUNK_ROWS = 2048  # rows of the distance matrix computed at a time (memory: CHUNK_ROWS * n * 8 bytes)


def _squared_distances(X: np.ndarray, rows: np.ndarray, norms: np.ndarray) -> np.ndarray:
    """Squared Euclidean distances from X[rows] to every row of X (clipped at 0)."""
    block = norms[rows, None] + norms[None, :] - 2.0 * X[rows] @ X.T
    return np.maximum(block, 0.0)


def kennard_stone(X: np.ndarray, n_select: int) -> np.ndarray:
    """Rows picked by the Kennard–Stone algorithm (Technometrics 11, 137, 1969).

    Start from the two rows farthest apart, then repeatedly add the row whose distance to its nearest
    selected row is largest. Deterministic; O(n * n_select) time and O(n) memory beyond the data. Ties
    go to the lowest index.

    Parameters
    ----------
    X : ndarray, shape (n_samples, n_features)
    n_select : int

    Returns
    -------
    ndarray of int, shape (n_select,)
        Row indices, in the order picked.
    """
    X = np.asarray(X, dtype=float)
    n = len(X)
    if not 2 <= n_select <= n:
        raise ValueError(f"Kennard-Stone selects between 2 and {n} rows; asked for {n_select}")
    if not np.isfinite(X).all():
        raise ValueError("Kennard-Stone needs finite features; drop or impute NaN rows first")
    norms = np.einsum("ij,ij->i", X, X)
    best, first, second = -1.0, 0, 0
    for start in range(0, n, CHUNK_ROWS):
        rows = np.arange(start, min(n, start + CHUNK_ROWS))
        block = _squared_distances(X, rows, norms)
        flat = int(np.argmax(block))
        if block.flat[flat] > best:
            best, first, second = float(block.flat[flat]), int(rows[flat // n]), int(flat % n)
    selected = [first, second]
    nearest = np.minimum(
        _squared_distances(X, np.array([first]), norms)[0], _squared_distances(X, np.array([second]), norms)[0]
    )
    nearest[selected] = -1.0
    while len(selected) < n_select:
        chosen = int(np.argmax(nearest))
        selected.append(chosen)
        np.minimum(nearest, _squared_distances(X, np.array([chosen]), norms)[0], out=nearest)
        nearest[selected] = -1.0
    return np.array(selected)
