"""Periodic energy grids of a rigid framework for one guest site type, and their interpolation.

A grid holds the Lennard-Jones energy (in K, i.e. U/k_B) of a site at the points
(i/n_a, j/n_b, k/n_c) of the unit cell, summed over every framework atom image within
the cutoff (the same interactions as the minimum image in the smallest supercell whose
perpendicular widths exceed twice the cutoff). Points are filled brick by brick: each
brick of 8³ points first selects the atom images within cutoff + its radius, so the
pair loop touches about 1.3x the atoms inside the cutoff sphere. Values are
interpolated with 4-point Lagrange polynomials along each axis (error O(h⁴)); a
stencil touching a point above the overlap energy counts as an overlap.
"""

from __future__ import annotations

import importlib.util
import math

import numpy as np
from numba import config, njit, prange

from atomlearn.physics.lj_parameters import lorentz_berthelot


def _tbb_available() -> bool:
    return importlib.util.find_spec("tbb") is not None


# GNU OpenMP aborts a process that forks after using it, and atomlearn.parallel forks worker
# processes; numba's own work queue is fork-safe (TBB is too, when it is installed).
if config.THREADING_LAYER == "default":
    config.THREADING_LAYER = "safe" if _tbb_available() else "workqueue"

#: energies above this (K) are stored as this value
ENERGY_CAP_K = 1.0e10
BRICK = 8


def perpendicular_widths(cell: np.ndarray) -> np.ndarray:
    """Distances between opposite faces of a cell.

    Parameters
    ----------
    cell : ndarray, shape (3, 3)
        Cell vectors as rows (Å).

    Returns
    -------
    ndarray, shape (3,)
        The width (Å) across each pair of faces.
    """
    cell = np.asarray(cell, dtype=float)
    volume = abs(np.linalg.det(cell))
    return np.array([volume / np.linalg.norm(np.cross(cell[(i + 1) % 3], cell[(i + 2) % 3])) for i in range(3)])


def supercell_for_cutoff(cell: np.ndarray, cutoff_A: float) -> tuple[int, int, int]:
    """Smallest repetition of a cell whose perpendicular widths all exceed twice the cutoff.

    Parameters
    ----------
    cell : ndarray, shape (3, 3)
        Cell vectors as rows (Å).
    cutoff_A : float

    Returns
    -------
    tuple of int
        Repeats (n_a, n_b, n_c): the minimum image then holds every pair within the cutoff.
    """
    widths = perpendicular_widths(cell)
    return tuple(int(n) for n in np.floor(2.0 * cutoff_A / widths + 1e-12).astype(int) + 1)


def images_within(cell: np.ndarray, fractional: np.ndarray, cutoff_A: float) -> tuple[np.ndarray, np.ndarray]:
    """Cartesian positions (Å) of all periodic images within ``cutoff_A`` of the unit cell, and the
    index of the atom each image copies."""
    widths = perpendicular_widths(cell)
    reach = np.ceil(cutoff_A / widths).astype(int)
    shifts = np.stack(np.meshgrid(*[np.arange(-r, r + 1) for r in reach], indexing="ij"), -1).reshape(-1, 3)
    shifted = fractional[None, :, :] + shifts[:, None, :]  # (n_shifts, n_atoms, 3)
    outside = np.maximum(np.maximum(-shifted, shifted - 1.0), 0.0) * widths  # Å beyond each face pair
    keep = (outside <= cutoff_A).all(axis=2)
    index = np.nonzero(keep)[1]
    return shifted[keep] @ cell, index


def grid_shape(cell: np.ndarray, spacing_A: float, max_points: int) -> tuple[tuple[int, int, int], float]:
    """Grid points along each cell vector for a spacing, coarsened to stay under a budget.

    Parameters
    ----------
    cell : ndarray, shape (3, 3)
        Cell vectors as rows (Å).
    spacing_A : float
        The spacing wanted (Å).
    max_points : int
        The most points the grid may have.

    Returns
    -------
    shape : tuple of int
        Points (n_a, n_b, n_c).
    spacing : float
        The largest spacing along any vector (Å); above ``spacing_A`` when coarsened.
    """
    lengths = np.linalg.norm(cell, axis=1)
    spacing = spacing_A
    while True:
        shape = tuple(int(n) for n in np.maximum(np.ceil(lengths / spacing), 4))
        if np.prod(shape, dtype=float) <= max_points:
            return shape, float(np.max(lengths / np.array(shape)))
        spacing *= 1.05


def pair_tables(
    cell: np.ndarray,
    fractional: np.ndarray,
    epsilon_K: np.ndarray,
    sigma_A: np.ndarray,
    site_epsilon_K: np.ndarray,
    site_sigma_A: np.ndarray,
    cutoff_A: float,
    shifted: bool,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The atom images within the cutoff and, per site type and image, 4ε (K), σ² (Å²) and the
    energy at the cutoff to subtract (K; zero unless ``shifted``): (images, index, eps4, sig2, shift)."""
    images, index = images_within(np.asarray(cell, dtype=float), np.asarray(fractional, dtype=float), cutoff_A)
    eps, sig = lorentz_berthelot(
        np.asarray(site_epsilon_K)[:, None],
        np.asarray(site_sigma_A)[:, None],
        np.asarray(epsilon_K)[index][None],
        np.asarray(sigma_A)[index][None],
    )
    eps4, sig2 = 4.0 * eps, sig**2
    s6 = (sig2 / cutoff_A**2) ** 3
    shift = eps4 * (s6 * s6 - s6) if shifted else np.zeros_like(eps4)
    return (
        np.ascontiguousarray(images),
        index,
        np.ascontiguousarray(eps4),
        np.ascontiguousarray(sig2),
        np.ascontiguousarray(shift),
    )


def lj_grids(
    cell: np.ndarray,
    fractional: np.ndarray,
    epsilon_K: np.ndarray,
    sigma_A: np.ndarray,
    site_epsilon_K: np.ndarray,
    site_sigma_A: np.ndarray,
    shape: tuple[int, int, int],
    cutoff_A: float,
    shifted: bool = False,
    charges: np.ndarray | None = None,
    ewald_alpha: float = 0.0,
    coulomb_cutoff_A: float | None = None,
) -> np.ndarray:
    """Lennard-Jones energy grids of a framework, one per guest site type (and an Ewald real-space grid).

    Framework atoms have per-atom ε/k_B (K) and σ (Å); the site types are mixed with them by
    Lorentz–Berthelot. ``shifted`` subtracts each pair's energy at the cutoff. With ``charges`` one
    more grid follows: the real-space Ewald sum Σ q erfc(αr)/r (e/Å) over the images within
    ``coulomb_cutoff_A`` (default ``cutoff_A``; at most ``cutoff_A``).

    Parameters
    ----------
    cell : ndarray, shape (3, 3)
        Cell vectors as rows (Å).
    fractional : ndarray, shape (n_atoms, 3)
        Fractional coordinates of the framework atoms.
    epsilon_K, sigma_A : ndarray, shape (n_atoms,)
        Framework Lennard-Jones parameters (K, Å).
    site_epsilon_K, site_sigma_A : ndarray, shape (n_types,)
        Guest site types (K, Å).
    shape : tuple of int
        Grid points (n_a, n_b, n_c).
    cutoff_A : float
    shifted : bool
    charges : ndarray, shape (n_atoms,), optional
        Framework charges (e).
    ewald_alpha : float
        Ewald splitting parameter (1/Å), with ``charges``.
    coulomb_cutoff_A : float, optional

    Returns
    -------
    ndarray of float32, shape (n_types (+1 with charges), n_a, n_b, n_c)
        Energies (K), capped at ``ENERGY_CAP_K``; the last grid, with charges, in e/Å.
    """
    cell = np.asarray(cell, dtype=float)
    images, index, eps4, sig2, shift = pair_tables(
        cell, fractional, epsilon_K, sigma_A, site_epsilon_K, site_sigma_A, cutoff_A, shifted
    )
    coulomb = charges is not None
    coulomb_cutoff = cutoff_A if coulomb_cutoff_A is None else min(coulomb_cutoff_A, cutoff_A)
    image_charges = np.asarray(charges, dtype=float)[index] if coulomb else np.zeros(len(index))
    out = np.empty((len(site_epsilon_K) + coulomb, *shape), dtype=np.float32)
    radius = enclosing_radius(cell, (BRICK - 1) / np.array(shape, dtype=float))
    counts = tuple(-(-n // BRICK) for n in shape)
    _lj_kernel(
        cell,
        images,
        eps4,
        sig2,
        shift,
        image_charges,
        ewald_alpha,
        coulomb,
        cutoff_A,
        coulomb_cutoff,
        radius,
        *counts,
        out,
    )
    return out


def enclosing_radius(cell: np.ndarray, extent: np.ndarray) -> float:
    """Radius (Å) of the sphere around the centre of a box spanning ``extent`` (fractions of each
    lattice vector) that holds the whole box."""
    corners = np.array([[i, j, k] for i in (0, 1) for j in (0, 1) for k in (0, 1)], dtype=float) * extent
    points = corners @ cell
    return float(np.max(np.linalg.norm(points - points.mean(axis=0), axis=1)))


@njit(parallel=True, fastmath=True, cache=True)
def _lj_kernel(
    cell, images, eps4, sig2, shift, charges, alpha, coulomb, cutoff, coulomb_cutoff, radius, ba, bb, bc, out
):  # pragma: no cover - numba
    n_types = eps4.shape[0]
    na, nb, nc = out.shape[1], out.shape[2], out.shape[3]
    reach2 = (cutoff + radius) ** 2
    coulomb_reach2 = (coulomb_cutoff + radius) ** 2
    rc2 = cutoff * cutoff
    n_images = images.shape[0]
    for brick in prange(ba * bb * bc):
        i0 = (brick // (bb * bc)) * BRICK
        j0 = ((brick // bc) % bb) * BRICK
        k0 = (brick % bc) * BRICK
        i1, j1, k1 = min(i0 + BRICK, na), min(j0 + BRICK, nb), min(k0 + BRICK, nc)
        fa = 0.5 * (i0 + i1 - 1) / na
        fb = 0.5 * (j0 + j1 - 1) / nb
        fc = 0.5 * (k0 + k1 - 1) / nc
        cx = fa * cell[0, 0] + fb * cell[1, 0] + fc * cell[2, 0]
        cy = fa * cell[0, 1] + fb * cell[1, 1] + fc * cell[2, 1]
        cz = fa * cell[0, 2] + fb * cell[1, 2] + fc * cell[2, 2]
        selected = np.empty(n_images, dtype=np.int64)
        m = 0
        for a in range(n_images):
            dx, dy, dz = images[a, 0] - cx, images[a, 1] - cy, images[a, 2] - cz
            if dx * dx + dy * dy + dz * dz <= reach2:
                selected[m] = a
                m += 1
        px = np.empty(m)
        py = np.empty(m)
        pz = np.empty(m)
        le = np.empty((n_types, m))
        ls = np.empty((n_types, m))
        lsh = np.empty((n_types, m))
        qx = np.empty(m)  # the images within the Coulomb reach, and their charges
        qy = np.empty(m)
        qz = np.empty(m)
        lq = np.empty(m)
        mq = 0
        for s in range(m):
            a = selected[s]
            px[s], py[s], pz[s] = images[a, 0], images[a, 1], images[a, 2]
            dx, dy, dz = px[s] - cx, py[s] - cy, pz[s] - cz
            if coulomb and dx * dx + dy * dy + dz * dz <= coulomb_reach2:
                qx[mq], qy[mq], qz[mq], lq[mq] = px[s], py[s], pz[s], charges[a]
                mq += 1
            for t in range(n_types):
                le[t, s] = eps4[t, a]
                ls[t, s] = sig2[t, a]
                lsh[t, s] = shift[t, a]
        for i in range(i0, i1):
            for j in range(j0, j1):
                for k in range(k0, k1):
                    ua, ub, uc = i / na, j / nb, k / nc
                    x = ua * cell[0, 0] + ub * cell[1, 0] + uc * cell[2, 0]
                    y = ua * cell[0, 1] + ub * cell[1, 1] + uc * cell[2, 1]
                    z = ua * cell[0, 2] + ub * cell[1, 2] + uc * cell[2, 2]
                    for t in range(n_types):
                        energy = 0.0
                        for s in range(m):
                            dx, dy, dz = px[s] - x, py[s] - y, pz[s] - z
                            r2 = max(dx * dx + dy * dy + dz * dz, 1e-4)
                            if r2 < rc2:
                                s6 = (ls[t, s] / r2) ** 3
                                energy += le[t, s] * (s6 * s6 - s6) - lsh[t, s]
                        out[t, i, j, k] = min(energy, ENERGY_CAP_K)
                    if coulomb:
                        potential = 0.0
                        for s in range(mq):
                            dx, dy, dz = qx[s] - x, qy[s] - y, qz[s] - z
                            r = math.sqrt(max(dx * dx + dy * dy + dz * dz, 1e-4))
                            if r < coulomb_cutoff:
                                potential += lq[s] * math.erfc(alpha * r) / r
                        out[n_types, i, j, k] = potential


@njit(cache=True, inline="always")
def _weights(t: float) -> tuple[float, float, float, float]:  # pragma: no cover - numba
    """4-point Lagrange weights for nodes -1, 0, 1, 2 at 0 <= t < 1."""
    return (
        -t * (t - 1.0) * (t - 2.0) / 6.0,
        (t + 1.0) * (t - 1.0) * (t - 2.0) / 2.0,
        -(t + 1.0) * t * (t - 2.0) / 2.0,
        (t + 1.0) * t * (t - 1.0) / 6.0,
    )


@njit(cache=True)
def interpolate_one(grid, u, v, w, overlap_K):  # pragma: no cover - numba
    """Energy at fractional (u, v, w); +inf when the stencil touches a point above ``overlap_K``."""
    na, nb, nc = grid.shape
    x, y, z = (u - math.floor(u)) * na, (v - math.floor(v)) * nb, (w - math.floor(w)) * nc
    i0, j0, k0 = int(math.floor(x)), int(math.floor(y)), int(math.floor(z))
    wa = _weights(x - i0)
    wb = _weights(y - j0)
    wc = _weights(z - k0)
    total = 0.0
    for a in range(4):
        ia = (i0 - 1 + a) % na
        for b in range(4):
            jb = (j0 - 1 + b) % nb
            wab = wa[a] * wb[b]
            for c in range(4):
                value = grid[ia, jb, (k0 - 1 + c) % nc]
                if value > overlap_K:
                    return np.inf
                total += wab * wc[c] * value
    return total


class DirectLJ:
    """Exact Lennard-Jones pair sums for guest sites at arbitrary points (validation, short runs).

    Points are sorted into bins of about ``bin_A`` along each lattice vector; each bin selects the atom
    images within cutoff + its radius once, as the grid's bricks do.

    Parameters
    ----------
    cell : ndarray, shape (3, 3)
        Cell vectors as rows (Å).
    fractional : ndarray, shape (n_atoms, 3)
    epsilon_K, sigma_A : ndarray, shape (n_atoms,)
        Framework Lennard-Jones parameters (K, Å).
    site_epsilon_K, site_sigma_A : ndarray, shape (n_types,)
        Guest site types (K, Å).
    cutoff_A : float
    shifted : bool
    bin_A : float
        Bin width (Å).
    """

    def __init__(
        self,
        cell: np.ndarray,
        fractional: np.ndarray,
        epsilon_K: np.ndarray,
        sigma_A: np.ndarray,
        site_epsilon_K: np.ndarray,
        site_sigma_A: np.ndarray,
        cutoff_A: float,
        shifted: bool = False,
        bin_A: float = 4.0,
    ) -> None:
        self.cell, self.cutoff = np.asarray(cell, dtype=float), cutoff_A
        self.images, _, self.eps4, self.sig2, self.shift = pair_tables(
            self.cell, fractional, epsilon_K, sigma_A, site_epsilon_K, site_sigma_A, cutoff_A, shifted
        )
        self.bins = np.maximum(np.floor(np.linalg.norm(self.cell, axis=1) / bin_A), 1).astype(np.int64)
        self.radius = enclosing_radius(self.cell, 1.0 / self.bins)

    def energies(self, fractional: np.ndarray, site_type: int) -> np.ndarray:
        """Energies (K) of one site type at fractional points (n, 3)."""
        wrapped = fractional - np.floor(fractional)
        bin_index = np.minimum((wrapped * self.bins).astype(np.int64), self.bins - 1)
        flat = (bin_index[:, 0] * self.bins[1] + bin_index[:, 1]) * self.bins[2] + bin_index[:, 2]
        order = np.argsort(flat, kind="stable")
        starts = np.searchsorted(flat[order], np.arange(np.prod(self.bins) + 1))
        centres = ((np.indices(self.bins).reshape(3, -1).T + 0.5) / self.bins) @ self.cell
        sorted_points = np.ascontiguousarray(wrapped[order] @ self.cell)
        out_sorted = _lj_points_kernel(
            sorted_points,
            starts,
            centres,
            self.images,
            self.eps4[site_type],
            self.sig2[site_type],
            self.shift[site_type],
            self.cutoff,
            self.radius,
        )
        out = np.empty_like(out_sorted)
        out[order] = out_sorted
        return out


@njit(parallel=True, fastmath=True, cache=True)
def _lj_points_kernel(points, starts, centres, images, eps4, sig2, shift, cutoff, radius):  # pragma: no cover - numba
    rc2 = cutoff * cutoff
    reach2 = (cutoff + radius) ** 2
    out = np.empty(points.shape[0])
    n_images = images.shape[0]
    for b in prange(centres.shape[0]):
        if starts[b + 1] == starts[b]:
            continue
        selected = np.empty(n_images, dtype=np.int64)
        m = 0
        for a in range(n_images):
            dx, dy, dz = images[a, 0] - centres[b, 0], images[a, 1] - centres[b, 1], images[a, 2] - centres[b, 2]
            if dx * dx + dy * dy + dz * dz <= reach2:
                selected[m] = a
                m += 1
        px, py, pz = np.empty(m), np.empty(m), np.empty(m)
        le, ls, lsh = np.empty(m), np.empty(m), np.empty(m)
        for s in range(m):
            a = selected[s]
            px[s], py[s], pz[s] = images[a, 0], images[a, 1], images[a, 2]
            le[s], ls[s], lsh[s] = eps4[a], sig2[a], shift[a]
        for n in range(starts[b], starts[b + 1]):
            x, y, z = points[n, 0], points[n, 1], points[n, 2]
            energy = 0.0
            for s in range(m):
                dx, dy, dz = px[s] - x, py[s] - y, pz[s] - z
                r2 = max(dx * dx + dy * dy + dz * dz, 1e-4)
                if r2 < rc2:
                    s6 = (ls[s] / r2) ** 3
                    energy += le[s] * (s6 * s6 - s6) - lsh[s]
            out[n] = energy
    return out
