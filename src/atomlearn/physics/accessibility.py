"""Blocking of inaccessible pockets: a periodic flood fill of the open region of an energy grid.

A grid point is open when its energy is below a threshold (default 15 k_B T). Open points
are joined to their six neighbours across periodic boundaries; a connected region is
accessible when it percolates, i.e. when walking through it leads back to the same point in
another unit cell (the breadth-first search keeps each point's image offset and finds two
paths that disagree). Closed cages and pockets reachable only over a barrier are blocked.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit


@dataclass(frozen=True)
class Accessibility:
    """Which open points of an energy grid are reachable from the percolating channels.

    Attributes
    ----------
    accessible : ndarray of bool, shape (n_a, n_b, n_c)
        Open points connected to a region that percolates through the periodic cell.
    n_open, n_blocked : int
        Points below the threshold, and those of them in pockets that do not percolate.
    n_pockets : int
        Open regions that do not percolate.
    """

    accessible: np.ndarray  # bool, grid shape
    n_open: int
    n_blocked: int
    n_pockets: int  # non-percolating open regions

    @property
    def blocked_fraction(self) -> float:
        """Blocked share of the open volume."""
        return self.n_blocked / self.n_open if self.n_open else 0.0


def accessible_region(grid_K: np.ndarray, threshold_K: float) -> Accessibility:
    """Flood-fill the points of ``grid_K`` below ``threshold_K`` and keep the regions that percolate.

    Parameters
    ----------
    grid_K : ndarray, shape (n_a, n_b, n_c)
        Energies (K) on a periodic grid of the unit cell.
    threshold_K : float
        Points below this energy (K) are open.

    Returns
    -------
    Accessibility
        The accessible points and how many open points lie in non-percolating pockets.
    """
    open_points = np.ascontiguousarray(grid_K < threshold_K)
    labels, percolates = _label_percolating(open_points)
    accessible = open_points & np.append(percolates, False)[labels]  # label -1 (closed) -> the False
    n_open = int(open_points.sum())
    n_blocked = n_open - int(accessible.sum())
    return Accessibility(accessible, n_open, n_blocked, int((~percolates).sum()))


@njit(cache=True)
def _label_percolating(open_points):  # pragma: no cover - numba
    na, nb, nc = open_points.shape
    n = na * nb * nc
    flat_open = open_points.ravel()
    labels = np.full(n, -1, dtype=np.int32)
    offsets = np.zeros((n, 3), dtype=np.int16)
    queue = np.empty(n, dtype=np.int64)
    percolates = np.zeros(n, dtype=np.bool_)
    dims = (na, nb, nc)
    label = 0
    for start in range(n):
        if not flat_open[start] or labels[start] >= 0:
            continue
        labels[start] = label
        head, tail = 0, 1
        queue[0] = start
        wraps = False
        while head < tail:
            point = queue[head]
            head += 1
            here = (point // (nb * nc), (point // nc) % nb, point % nc)
            for s in range(6):
                axis, step = s // 2, 1 - 2 * (s % 2)
                coord = here[axis] + step
                shift = 0
                if coord < 0:
                    coord += dims[axis]
                    shift = -1
                elif coord >= dims[axis]:
                    coord -= dims[axis]
                    shift = 1
                if axis == 0:
                    neighbour = (coord * nb + here[1]) * nc + here[2]
                elif axis == 1:
                    neighbour = (here[0] * nb + coord) * nc + here[2]
                else:
                    neighbour = (here[0] * nb + here[1]) * nc + coord
                if not flat_open[neighbour]:
                    continue
                if labels[neighbour] < 0:
                    labels[neighbour] = label
                    for d in range(3):
                        offsets[neighbour, d] = offsets[point, d]
                    offsets[neighbour, axis] += shift
                    queue[tail] = neighbour
                    tail += 1
                elif not wraps:
                    for d in range(3):
                        expected = offsets[point, d] + (shift if d == axis else 0)
                        if offsets[neighbour, d] != expected:
                            wraps = True
        percolates[label] = wraps
        label += 1
    return labels.reshape(open_points.shape), percolates[:label]
