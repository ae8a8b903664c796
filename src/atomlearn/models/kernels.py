"""Kernel matrices (linear, RBF, Laplacian, Matérn) and the memory check before allocating one.

Every kernel takes one width parameter ``gamma`` (1/feature-unit²; feature units for the
Laplacian): RBF ``exp(-γ‖x-x'‖²)`` and Laplacian ``exp(-γ‖x-x'‖₁)`` as in scikit-learn;
Matérn with length scale ``ℓ = 1/√(2γ)``, so that it tends to the RBF kernel of the same
``gamma`` as ν → ∞. The linear kernel ignores ``gamma``.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, nullcontext

import numpy as np
from scipy.spatial.distance import cdist

KERNELS = ("linear", "rbf", "laplacian", "matern12", "matern32", "matern52")
ROW_BLOCK = 4096  # rows of the kernel computed at a time, to bound temporaries
#: OpenBLAS's threaded Cholesky (numpy 2.4 / scipy 1.17 wheels, SkylakeX kernels) segfaults from
#: n ≈ 15,800 on the 2-core machines (measured: 15,500 fine; 15,800, 16,000 and 20,000 crash; one
#: thread fine): factorizations of larger matrices run on one BLAS thread
THREADED_LAPACK_MAX_N = 12_000


def _squared_distances(A: np.ndarray, B: np.ndarray, out: np.ndarray) -> np.ndarray:
    """‖a-b‖² into ``out`` via one matrix product (clipped at 0 against round-off)."""
    np.matmul(A, B.T, out=out)
    out *= -2.0
    out += np.einsum("ij,ij->i", A, A)[:, None]
    out += np.einsum("ij,ij->i", B, B)[None, :]
    np.maximum(out, 0.0, out=out)
    return out


def _cityblock_threaded(A: np.ndarray, B: np.ndarray, out: np.ndarray, rows: int = 256) -> None:
    """L1 distances into ``out``; scipy's cdist releases the GIL, so row blocks run on all cores."""

    def fill(start: int) -> None:
        out[start : start + rows] = cdist(A[start : start + rows], B, "cityblock")

    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        list(pool.map(fill, range(0, len(A), rows)))


def _distances(kind: str, A: np.ndarray, B: np.ndarray, out: np.ndarray) -> None:
    """What the kernel is a function of: L1 distances (Laplacian), products (linear), else squared L2."""
    if kind == "linear":
        np.matmul(A, B.T, out=out)
    elif kind == "laplacian":
        _cityblock_threaded(A, B, out)
    else:
        _squared_distances(A, B, out)


def _from_distances(kind: str, out: np.ndarray, gamma: float) -> None:
    """Turn the output of ``_distances`` into kernel values, in place."""
    if kind == "linear":
        return
    if kind in ("laplacian", "rbf"):
        out *= -gamma
        np.exp(out, out=out)
        return
    np.sqrt(out, out=out)  # distance
    out *= np.sqrt(2.0 * gamma)  # d / ℓ
    if kind == "matern12":
        np.exp(-out, out=out)
    elif kind == "matern32":
        out *= np.sqrt(3.0)
        out[...] = (1.0 + out) * np.exp(-out)
    elif kind == "matern52":
        out *= np.sqrt(5.0)
        out[...] = (1.0 + out + out * out / 3.0) * np.exp(-out)
    else:
        raise ValueError(f"unknown kernel {kind!r}; choose one of {', '.join(KERNELS)}")


def _cityblock_symmetric(A: np.ndarray, out: np.ndarray, rows: int = 256) -> None:
    """L1 distances into ``out``: the upper triangle by row blocks on all cores, then mirrored
    (half the work of a full square)."""
    n = len(A)

    def fill(start: int) -> None:
        out[start : start + rows, start:] = cdist(A[start : start + rows], A[start:], "cityblock")

    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        list(pool.map(fill, range(0, n, rows)))
    for start in range(0, n, rows):
        stop = start + rows
        out[stop:, start:stop] = out[start:stop, stop:].T


def distance_matrix(
    A: np.ndarray, B: np.ndarray | None = None, *, kernel: str = "rbf", dtype: type = np.float64
) -> np.ndarray:
    """The distances a kernel is built from (see ``_distances``), in row blocks; B defaults to A.

    ``kernel_from_distances`` turns them into a kernel matrix for any width, so a search over
    widths computes them once."""
    if kernel not in KERNELS:
        raise ValueError(f"unknown kernel {kernel!r}; choose one of {', '.join(KERNELS)}")
    A = np.ascontiguousarray(A, dtype=dtype)
    B = A if B is None else np.ascontiguousarray(B, dtype=dtype)
    out = np.empty((len(A), len(B)), dtype=dtype)
    if kernel == "laplacian" and B is A:
        _cityblock_symmetric(A, out)
        return out
    for start in range(0, len(A), ROW_BLOCK):
        stop = min(len(A), start + ROW_BLOCK)
        _distances(kernel, A[start:stop], B, out[start:stop])
    if B is A and kernel != "linear":
        # ‖a‖² + ‖a‖² - 2a·a leaves round-off of ~1e-16 ‖a‖², whose square root (~1e-8) made the
        # Matérn diagonal 1 - 3e-8: a negative ridge larger than the smallest λ searched
        np.fill_diagonal(out, 0.0)
    return out


def kernel_from_distances(distances: np.ndarray, *, kernel: str, gamma: float, copy: bool = True) -> np.ndarray:
    """Kernel values from ``distance_matrix`` output (a new array unless ``copy=False``)."""
    out = distances.copy() if copy else distances
    for start in range(0, len(out), ROW_BLOCK):
        _from_distances(kernel, out[start : start + ROW_BLOCK], gamma)
    return out


def kernel_matrix(
    A: np.ndarray, B: np.ndarray | None = None, *, kernel: str = "rbf", gamma: float = 1.0, dtype: type = np.float64
) -> np.ndarray:
    """The kernel matrix K[i, j] = k(A[i], B[j]) (B defaults to A), computed in ``dtype``."""
    return kernel_from_distances(
        distance_matrix(A, B, kernel=kernel, dtype=dtype), kernel=kernel, gamma=gamma, copy=False
    )


def kernel_diagonal(X: np.ndarray, kernel: str) -> np.ndarray:
    """k(x, x) for each row: 1 for the stationary kernels, ‖x‖² for the linear one."""
    if kernel == "linear":
        return np.einsum("ij,ij->i", X, X)
    return np.ones(len(X))


def lapack_threads(n: int) -> AbstractContextManager:
    """Context for factorizing an n×n matrix: one BLAS thread above ``THREADED_LAPACK_MAX_N``, else unchanged."""
    if n <= THREADED_LAPACK_MAX_N:
        return nullcontext()
    from threadpoolctl import threadpool_limits

    return threadpool_limits(1, user_api="blas")


def median_gamma(X: np.ndarray, kernel: str, n_sample: int = 1000, random_state: int | None = 0) -> float:
    """The median heuristic: 1 / median pairwise distance (L1 for Laplacian, squared L2 otherwise)."""
    rng = np.random.default_rng(random_state)
    rows = X[rng.choice(len(X), size=min(n_sample, len(X)), replace=False)]
    metric = "cityblock" if kernel == "laplacian" else "sqeuclidean"
    distances = cdist(rows, rows, metric)[np.triu_indices(len(rows), k=1)]
    median = float(np.median(distances[distances > 0])) if (distances > 0).any() else 1.0
    return 1.0 / median


def available_memory_bytes() -> int:
    """Memory the system can give without swapping (psutil's ``available``)."""
    import psutil

    return int(psutil.virtual_memory().available)


def require_memory(n_bytes: float, what: str, advice: str) -> None:
    """Raise ``MemoryError`` with ``advice`` when ``n_bytes`` exceed ~90 % of the available memory."""
    available = available_memory_bytes()
    if n_bytes > 0.9 * available:
        raise MemoryError(
            f"{what} needs {n_bytes / 2**30:.1f} GiB but only {available / 2**30:.1f} GiB "
            f"of memory is available; {advice}"
        )


def require_two_samples(n_samples: int, estimator: str) -> None:
    """A kernel model needs two samples to choose its width and λ (scikit-learn's wording for one)."""
    if n_samples < 2:
        raise ValueError(f"{estimator} needs at least 2 samples to fit; got n_samples = {n_samples}")
