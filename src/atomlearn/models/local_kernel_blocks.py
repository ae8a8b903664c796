"""Local (atom-environment) structure kernels: K(A, B) = Σ_{i∈A} Σ_{j∈B, Z_i = Z_j} k(x_i, x_j).

The energy of a structure is a sum of atomic contributions, each a function of the atom's
neighbourhood (the locality approximation); a kernel between two structures is then the sum
of the kernels between their atoms' environments, only atoms of the same element compared.

Computed per element block: the squared distances ‖x‖² + ‖y‖² − 2xyᵀ of a chunk of atoms
against all atoms of that element by one matrix product (BLAS, float32 or float64), then for
every width of a grid k = exp(−γ d²) (Gaussian, γ = 1/2σ²) or exp(−γ d₁) (Laplacian,
γ = 1/σ), and the atom → structure sums by ``np.add.reduceat`` accumulated in float64. The
chunks run on all cores (one BLAS thread each); memory is bounded by ``CHUNK_BYTES`` per
thread; a symmetric kernel computes only the chunks on and above the diagonal.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
from scipy.spatial.distance import cdist

LOCAL_KERNELS = ("rbf", "laplacian")
NORMALIZATIONS = ("sum", "mean")
CHUNK_BYTES = 64 * 2**20  # distance block of one thread


@dataclass(frozen=True)
class Environments:
    """The atom environments of a list of structures, atoms in structure order.

    Attributes
    ----------
    features : ndarray of shape (n_atoms, n_features)
    numbers : ndarray of shape (n_atoms,)
        Atomic numbers.
    owner : ndarray of shape (n_atoms,)
        Index of each atom's structure, non-decreasing.
    n_structures : int
    """

    features: np.ndarray
    numbers: np.ndarray
    owner: np.ndarray
    n_structures: int

    @classmethod
    def from_arrays(
        cls, per_structure: Sequence[np.ndarray], numbers: Sequence[np.ndarray], dtype: type = np.float32
    ) -> Environments:
        """Join per-structure (n_atoms_i, n_features) arrays and their atomic numbers.

        Entries below √(smallest normal number of ``dtype``) are set to 0: their products
        would be subnormal, which slows the matrix products 2x (FCHL19's decays give them)
        and changes no distance at this precision."""
        sizes = np.array([len(z) for z in numbers], dtype=np.int64)
        width = per_structure[0].shape[1] if len(per_structure) else 0
        features = np.concatenate(per_structure).astype(dtype) if len(per_structure) else np.zeros((0, width), dtype)
        features[np.abs(features) < np.sqrt(np.finfo(dtype).tiny)] = 0.0
        return cls(
            np.ascontiguousarray(features),
            np.concatenate(numbers).astype(np.int64) if len(numbers) else np.zeros(0, np.int64),
            np.repeat(np.arange(len(sizes)), sizes),
            len(sizes),
        )

    @property
    def sizes(self) -> np.ndarray:
        """Atoms per structure, shape (n_structures,)."""
        return np.bincount(self.owner, minlength=self.n_structures)

    def take(self, structures: np.ndarray) -> Environments:
        """The environments of the given structures, in that order (renumbered 0..len-1)."""
        structures = np.asarray(structures, dtype=np.int64).ravel()
        starts = np.concatenate([[0], np.cumsum(self.sizes)])
        counts = starts[structures + 1] - starts[structures]
        atoms = np.repeat(starts[structures] - np.concatenate([[0], np.cumsum(counts)[:-1]]), counts) + np.arange(
            counts.sum()
        )
        return Environments(
            self.features[atoms], self.numbers[atoms], np.repeat(np.arange(len(structures)), counts), len(structures)
        )

    def element(self, z: int) -> tuple[np.ndarray, np.ndarray]:
        """Features and owners of the atoms of element ``z`` (owners still non-decreasing)."""
        mask = self.numbers == z
        return np.ascontiguousarray(self.features[mask]), self.owner[mask]


def _boundaries(owner: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start index of each run of equal owners, and the owner of each run."""
    starts = np.flatnonzero(np.concatenate([[True], owner[1:] != owner[:-1]])) if len(owner) else np.zeros(0, np.int64)
    return starts, owner[starts]


def _row_chunks(starts: np.ndarray, n_rows: int, rows_per_chunk: int) -> list[tuple[int, int]]:
    """(first, stop) row ranges of about ``rows_per_chunk`` rows that begin and end on a structure boundary."""
    chunks, first = [], 0
    edges = np.concatenate([starts, [n_rows]])
    while first < n_rows:
        stop = (
            int(edges[np.searchsorted(edges, first + rows_per_chunk, side="left")])
            if first + rows_per_chunk < n_rows
            else n_rows
        )
        stop = max(stop, int(edges[np.searchsorted(edges, first, side="right")]))  # at least one structure
        chunks.append((first, stop))
        first = stop
    return chunks


def _distances(kernel: str, a: np.ndarray, b: np.ndarray, b_squared: np.ndarray) -> np.ndarray:
    """Squared Euclidean (Gaussian) or L1 (Laplacian) distances of the rows of ``a`` to those of ``b``."""
    if kernel == "laplacian":
        return cdist(a, b, "cityblock").astype(a.dtype, copy=False)
    return squared_distances(a, b, b_squared)


def squared_distances(a: np.ndarray, b: np.ndarray, b_squared: np.ndarray) -> np.ndarray:
    """‖a_i − b_j‖², shape (len(a), len(b)), by one matrix product (``b_squared``: ‖b_j‖²), clipped at 0."""
    out = a @ b.T
    out *= -2.0
    out += np.einsum("ij,ij->i", a, a)[:, None]
    out += b_squared[None, :]
    np.maximum(out, 0.0, out=out)
    return out


def local_kernels(
    A: Environments,
    B: Environments | None = None,
    *,
    gammas: Sequence[float],
    kernel: str = "rbf",
    normalization: str = "sum",
    n_jobs: int = -1,
) -> np.ndarray:
    """Structure kernels K_w[a, b] = Σ_{i∈a} Σ_{j∈b, Z_i=Z_j} k_w(x_i, x_j), for every width w at once.

    Parameters
    ----------
    A, B : Environments
        Rows and columns; ``B=None`` gives the symmetric kernel of A (half the work). The
        distances are computed in the features' dtype (float32 halves the time).
    gammas : sequence of float
        Widths: ``exp(-γ‖x-y‖²)`` for "rbf" (γ = 1/2σ²), ``exp(-γ‖x-y‖₁)`` for "laplacian".
    kernel : {"rbf", "laplacian"}
    normalization : {"sum", "mean"}
        "sum": the plain double sum (extensive targets, energies); "mean": divided by the two
        atom counts (intensive targets).
    n_jobs : int
        Threads (-1: all cores).

    Returns
    -------
    list of ndarray of shape (A.n_structures, B.n_structures), float64
        One kernel matrix per width.
    """
    if kernel not in LOCAL_KERNELS:
        raise ValueError(f"local kernel must be one of {', '.join(LOCAL_KERNELS)}, got {kernel!r}")
    if normalization not in NORMALIZATIONS:
        raise ValueError(f"normalization must be one of {', '.join(NORMALIZATIONS)}, got {normalization!r}")
    symmetric = B is None
    B = A if B is None else B
    if A.features.shape[1] != B.features.shape[1]:
        raise ValueError(f"environments of {A.features.shape[1]} and {B.features.shape[1]} features cannot be compared")
    gammas = np.asarray(gammas, dtype=float)
    out = [np.zeros((A.n_structures, B.n_structures)) for _ in gammas]  # separate arrays: each can be freed alone
    threads = (os.cpu_count() or 1) if n_jobs in (-1, None) else max(1, int(n_jobs))
    by_element = []  # the chunks of one element write disjoint rows, so they run at once
    for z in np.intersect1d(np.unique(A.numbers), np.unique(B.numbers)):
        a, a_owner = A.element(int(z))
        b, b_owner = (a, a_owner) if symmetric else B.element(int(z))
        centre = b.mean(axis=0, dtype=np.float64).astype(
            b.dtype
        )  # distances unchanged, less cancellation in ‖a‖²+‖b‖²-2ab
        a = a - centre
        b = a if symmetric else b - centre
        a_starts, _ = _boundaries(a_owner)
        rows = max(1, CHUNK_BYTES // max(1, len(b) * a.itemsize))
        b_squared = np.einsum("ij,ij->i", b, b)
        by_element.append(
            [(a, a_owner, b, b_owner, b_squared, first, stop) for first, stop in _row_chunks(a_starts, len(a), rows)]
        )

    def run(task) -> None:
        a, a_owner, b, b_owner, b_squared, first, stop = task
        column = first if symmetric else 0  # symmetric: the blocks on and right of the diagonal
        d = _distances(kernel, a[first:stop], b[column:], b_squared[column:])
        row_starts, row_owner = _boundaries(a_owner[first:stop])
        col_starts, col_owner = _boundaries(b_owner[column:])
        values = np.empty_like(d)
        for w, gamma in enumerate(gammas):
            np.multiply(d, -gamma, out=values)
            np.exp(values, out=values)
            # one structure's few atoms summed in the working precision, the structure sums in float64
            by_column = np.add.reduceat(values, col_starts, axis=1).astype(np.float64)
            out[w][np.ix_(row_owner, col_owner)] += np.add.reduceat(by_column, row_starts, axis=0)

    from threadpoolctl import threadpool_limits

    with threadpool_limits(1, user_api="blas"), ThreadPoolExecutor(max_workers=threads) as pool:
        for tasks in by_element:  # elements one after another: they add to the same rows
            list(pool.map(run, tasks))
    return finish_kernels(out, A, B, symmetric, normalization)


def finish_kernels(
    kernels: list[np.ndarray], A: Environments, B: Environments, symmetric: bool, normalization: str
) -> list[np.ndarray]:
    """Complete the kernel matrices in place: mirror a symmetric one's upper triangle, divide by the
    atom counts for "mean"."""
    for kernel_matrix in kernels:
        if symmetric:
            mirror_upper(kernel_matrix)
        if normalization == "mean":
            kernel_matrix /= np.outer(A.sizes, B.sizes)
    return kernels


def mirror_upper(matrix: np.ndarray, block: int = 1024) -> None:
    """Copy the upper triangle onto the lower one in place, a block of rows at a time (no n² temporary)."""
    n = len(matrix)
    for start in range(0, n, block):
        stop = min(n, start + block)
        matrix[stop:, start:stop] = matrix[start:stop, stop:].T
        tile = matrix[start:stop, start:stop]
        tile[...] = np.triu(tile) + np.triu(tile, 1).T


def local_kernel_diagonal(A: Environments, gamma: float, kernel: str = "rbf", normalization: str = "sum") -> np.ndarray:
    """k(a, a) of each structure, shape (A.n_structures,): its atoms against its own atoms."""
    diagonal = np.zeros(A.n_structures)
    starts = np.concatenate([[0], np.cumsum(A.sizes)])
    for s in range(A.n_structures):
        features, numbers = A.features[starts[s] : starts[s + 1]].astype(float), A.numbers[starts[s] : starts[s + 1]]
        for z in np.unique(numbers):
            x = features[numbers == z]
            d = _distances(kernel, x, x, np.einsum("ij,ij->i", x, x))
            diagonal[s] += np.exp(-gamma * d).sum()
    if normalization == "mean":
        diagonal /= A.sizes.astype(float) ** 2
    return diagonal
