"""The regularisation path of kernel ridge regression: cross-validated residuals for many λ at once.

The model is ``f(x) = b + Σ_i a_i k(x, x_i)`` with an unpenalised intercept ``b`` (the
bordered system ``[[K+λI, 1], [1ᵀ, 0]] [a; b] = [y; 0]``). With ``G = (K+λI)⁻¹``,
``g = G1``, ``s = 1ᵀg`` and ``M = G - ggᵀ/s``, the residuals of the models trained
without fold V, on V, are exactly

    e_V = (M_VV)⁻¹ (M y)_V

(block inversion of the bordered system), and for leave-one-out ``e_i = (My)_i / M_ii``.
Without intercept, ``M = G``. So one factorisation of the full kernel per λ, or one
eigendecomposition ``K = QΛQᵀ`` for the whole path, gives every fold's error; no refit.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial

import numpy as np
import scipy.linalg as sl

from atomlearn.models.kernels import lapack_threads

Folds = Sequence[np.ndarray] | None  # test indices of each fold; None = leave-one-out
ROUNDOFF_FACTOR = 100.0  # K + λI counts as singular when its smallest eigenvalue is below this × eps × the largest


def _usable_floor(evals: np.ndarray) -> float:
    """Smallest eigenvalue of K + λI that this precision resolves."""
    return ROUNDOFF_FACTOR * float(np.finfo(evals.dtype).eps) * max(float(np.abs(evals).max()), 1e-300)


def _eigen_block(Q: np.ndarray, d: np.ndarray, g: np.ndarray, s: float, fold: np.ndarray) -> np.ndarray:
    """M_VV = Q_V diag(d) Q_Vᵀ - g_V g_Vᵀ / s."""
    return (Q[fold] * d) @ Q[fold].T - np.outer(g[fold], g[fold]) / s


def _inverse_block(G: np.ndarray, g: np.ndarray, s: float, fold: np.ndarray) -> np.ndarray:
    """M_VV = G_VV - g_V g_Vᵀ / s."""
    return G[np.ix_(fold, fold)] - np.outer(g[fold], g[fold]) / s


def _fold_residuals(
    block: Callable[[np.ndarray], np.ndarray], My: np.ndarray, folds: Folds, diagonal: np.ndarray | None
) -> np.ndarray:
    """Held-out residual of every sample, from blocks of M."""
    if folds is None:
        return My / diagonal
    residuals = np.empty_like(My)
    for fold in folds:
        residuals[fold] = np.linalg.solve(block(fold), My[fold])
    return residuals


def _symmetrize_from_lower(G: np.ndarray, block: int = 1024) -> None:
    """Copy the lower triangle onto the upper one in place, a block of rows at a time."""
    n = len(G)
    for start in range(0, n, block):
        stop = min(n, start + block)
        G[start:stop, stop:] = G[stop:, start:stop].T
        tile = G[start:stop, start:stop]
        G[start:stop, start:stop] = np.tril(tile) + np.tril(tile, -1).T


def residuals_eigh(
    evals: np.ndarray, Q: np.ndarray, y: np.ndarray, alphas: Sequence[float], folds: Folds, fit_intercept: bool
) -> np.ndarray:
    """Held-out residuals, shape (n_alphas, n), from the eigendecomposition of the kernel."""
    Qy = Q.T @ y
    Q1 = Q.sum(axis=0)
    out = np.full((len(alphas), len(y)), np.inf)
    floor = _usable_floor(evals)
    for a, alpha in enumerate(alphas):
        shifted = evals + alpha
        if shifted.min() <= floor:  # not positive definite in this precision
            continue
        d = 1.0 / shifted
        Gy = Q @ (d * Qy)
        if fit_intercept:
            g = Q @ (d * Q1)
            s = g.sum()
            My = Gy - g * (Gy.sum() / s)
        else:
            g, s, My = np.zeros_like(Gy), 1.0, Gy
        diagonal = np.einsum("ij,j,ij->i", Q, d, Q) - g * g / s if folds is None else None
        block = partial(_eigen_block, Q, d, g, s)
        out[a] = _fold_residuals(block, My, folds, diagonal)
    return out


def residuals_cholesky(
    K: np.ndarray, y: np.ndarray, alphas: Sequence[float], folds: Folds, fit_intercept: bool
) -> np.ndarray:
    """Held-out residuals, shape (n_alphas, n): per λ, Cholesky factor and inverse of K + λI."""
    out = np.full((len(alphas), len(y)), np.inf)
    potrf, potri = sl.get_lapack_funcs(("potrf", "potri"), (K,))
    for a, alpha in enumerate(alphas):
        shifted = K.copy(order="F")
        shifted.flat[:: len(y) + 1] += alpha
        with lapack_threads(len(K)):
            factor, info = potrf(shifted, lower=True, overwrite_a=True, clean=False)
            if info != 0:  # not positive definite in this precision
                continue
            G, info = potri(factor, lower=True, overwrite_c=True)
        if info != 0:
            continue
        _symmetrize_from_lower(G)
        Gy = G @ y
        if fit_intercept:
            g = G.sum(axis=1)
            s = g.sum()
            My = Gy - g * (Gy.sum() / s)
        else:
            g, s, My = np.zeros_like(Gy), 1.0, Gy
        diagonal = np.diag(G) - g * g / s if folds is None else None
        out[a] = _fold_residuals(partial(_inverse_block, G, g, s), My, folds, diagonal)
        del G  # before the next λ's copy: at most two n² arrays at a time
    return out


def log_marginal_likelihood_eigh(
    evals: np.ndarray, Q: np.ndarray, y: np.ndarray, alphas: Sequence[float], fit_intercept: bool
) -> np.ndarray:
    """GP log marginal likelihood per λ (noise-to-signal variance ratio), signal variance profiled out.

    ``y ~ N(b1, σ²(K + λI))`` with ``σ² = (y-b)ᵀ(K+λI)⁻¹(y-b)/n`` at its optimum and ``b``
    the generalised-least-squares mean. Returns -inf where K + λI is not positive definite.
    """
    n = len(y)
    Qy = Q.T @ y
    Q1 = Q.sum(axis=0)
    out = np.full(len(alphas), -np.inf)
    floor = _usable_floor(evals)
    for a, alpha in enumerate(alphas):
        shifted = evals + alpha
        if shifted.min() <= floor:
            continue
        d = 1.0 / shifted
        b = (Q1 @ (d * Qy)) / (Q1 @ (d * Q1)) if fit_intercept else 0.0
        r = Qy - b * Q1
        quadratic = float(r @ (d * r))
        signal = quadratic / n
        out[a] = -0.5 * (n * np.log(signal) + np.sum(np.log(shifted)) + n + n * np.log(2 * np.pi))
    return out
