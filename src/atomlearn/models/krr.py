"""Fast kernel ridge regression: the whole (width, λ) grid from one kernel per width, no refits.

For each kernel width the kernel matrix is built once; the held-out error of every λ then
comes from one eigendecomposition (or one Cholesky factor and inverse per λ) through the
exact formulas in ``krr_path``: closed-form leave-one-out, or any k folds. The best pair is
refitted once by Cholesky.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import pandas as pd
import scipy.linalg as sl
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.model_selection import KFold
from sklearn.utils.validation import check_is_fitted, validate_data

from atomlearn.models.kernels import (
    KERNELS,
    available_memory_bytes,
    distance_matrix,
    kernel_from_distances,
    kernel_matrix,
    lapack_threads,
    median_gamma,
    require_memory,
    require_two_samples,
)
from atomlearn.models.krr_path import Folds, residuals_cholesky, residuals_eigh

DEFAULT_ALPHAS = tuple(10.0 ** np.arange(-10, 1))  # λ, in units of the kernel (k(x, x) = 1)
AUTO_GAMMA_FACTORS = tuple(4.0 ** np.arange(-4, 2))  # times the median-heuristic width
PREDICT_BLOCK = 2048  # test rows per kernel block in predict
SCORINGS = ("mae", "rmse")


def _as_grid(value: float | Sequence[float]) -> list[float]:
    return [float(v) for v in np.atleast_1d(np.asarray(value, dtype=float))]


def _window(grid: list[float], centre: float, size: int) -> list[float]:
    """``size`` consecutive values of the sorted grid, centred on ``centre`` where the ends allow."""
    ordered = sorted(grid)
    size = min(size, len(ordered))
    start = int(np.clip(ordered.index(centre) - size // 2, 0, len(ordered) - size))
    return ordered[start : start + size]


class FastKernelRidge(RegressorMixin, BaseEstimator):
    """Kernel ridge regression with the kernel width and λ chosen on the training data.

    Parameters
    ----------
    kernel : {"linear", "rbf", "laplacian", "matern12", "matern32", "matern52"}
    gamma : float, sequence of float or "auto"
        Kernel width (see ``atomlearn.models.kernels``); a list is searched; "auto" searches
        4^k times the median heuristic, k = -4..1.
    alpha : float or sequence of float
        Regularisation λ, in units of the kernel (k(x, x) = 1); a list is searched.
    cv : "loo", int or splitter
        "loo" (closed-form leave-one-out), a number of shuffled folds, or a scikit-learn splitter.
    scoring : {"mae", "rmse"}
        Error of the held-out residuals that chooses the pair.
    fit_intercept : bool
        Fit an unpenalised constant b (predictions far from the data tend to b, not to 0).
    dtype : {"float64", "float32"}
        float32 halves the memory and is ~2x faster; λ below ~1e-5 of the largest kernel
        eigenvalue is then unresolved and skipped.
    solver : {"auto", "eigh", "cholesky"}
        "eigh": one eigendecomposition per width serves every λ; "cholesky": one factor and
        inverse per λ; "auto": eigh for more than 3 λ.
    width_subsample : int, optional
        Screen the widths on a random subsample of this many rows (the widths × λ grid there),
        then compute the λ path of the best width on all rows: one full-size decomposition
        instead of one per width. None: all widths on all rows.
    refine_alphas : int, optional
        With a width screen, compute on all rows only this many λ of the grid, centred on the
        screen's best λ (1: fit the screened pair directly, no held-out error on all rows).
        None: the whole λ path on all rows. Few λ use Cholesky, ~6x cheaper than the
        eigendecomposition at equal size.
    random_state : int or None
        Seed of the folds, the subsample and the median heuristic's sample.

    Attributes
    ----------
    gamma_, alpha_ : float
        The chosen width and λ.
    dual_coef_ : ndarray of shape (n_samples,)
    intercept_ : float
    X_fit_ : ndarray of shape (n_samples, n_features)
        The training rows (the kernel of new rows is taken against them).
    best_score_ : float
        Held-out error of the chosen pair (NaN when nothing was searched).
    cv_results_ : dict of lists
        gamma, alpha, score and stage of every grid point; ``cv_scores_`` gives them as a DataFrame.

    Examples
    --------
    >>> model = FastKernelRidge(kernel="laplacian").fit(X_train, y_train)  # doctest: +SKIP
    >>> model.gamma_, model.alpha_  # doctest: +SKIP
    """

    def __init__(
        self,
        kernel: str = "rbf",
        gamma: float | Sequence[float] | str = "auto",
        alpha: float | Sequence[float] = DEFAULT_ALPHAS,
        cv: str | int | Any = "loo",
        scoring: str = "mae",
        fit_intercept: bool = True,
        dtype: str = "float64",
        solver: str = "auto",
        width_subsample: int | None = None,
        refine_alphas: int | None = None,
        random_state: int | None = 0,
    ) -> None:
        self.kernel = kernel
        self.gamma = gamma
        self.alpha = alpha
        self.cv = cv
        self.scoring = scoring
        self.fit_intercept = fit_intercept
        self.dtype = dtype
        self.solver = solver
        self.width_subsample = width_subsample
        self.refine_alphas = refine_alphas
        self.random_state = random_state

    def _gammas(self, X: np.ndarray) -> list[float]:
        if isinstance(self.gamma, str):
            if self.gamma != "auto":
                raise ValueError(f"gamma must be a number, a list or 'auto', got {self.gamma!r}")
            if self.kernel == "linear":
                return [1.0]
            return [median_gamma(X, self.kernel, random_state=self.random_state) * f for f in AUTO_GAMMA_FACTORS]
        return _as_grid(self.gamma)

    def _folds(self, X: np.ndarray, y: np.ndarray) -> Folds:
        if isinstance(self.cv, str):
            if self.cv != "loo":
                raise ValueError(f"cv must be 'loo', a number of folds or a splitter, got {self.cv!r}")
            return None
        splitter = (
            KFold(int(self.cv), shuffle=True, random_state=self.random_state)
            if isinstance(self.cv, (int, np.integer))
            else self.cv
        )
        return [np.asarray(test) for _, test in splitter.split(X, y)]

    def _require_memory(self, n: int, itemsize: int, what: str) -> None:
        require_memory(
            3 * n * n * itemsize,
            f"kernel ridge regression on {n} samples ({self.dtype}, {what})",
            "use dtype='float32', the Nyström model (krr_nystroem) or fewer training samples",
        )

    # -- fit --------------------------------------------------------------------------
    def _path(self, K: np.ndarray, y: np.ndarray, alphas: list[float], folds: Folds) -> np.ndarray:
        """Held-out residuals of every λ for one kernel matrix (overwritten by the eigh solver)."""
        if choose_solver(self.solver, len(alphas)) == "cholesky":
            return residuals_cholesky(K, y.astype(K.dtype), alphas, folds, self.fit_intercept)
        with lapack_threads(len(K)):
            evals, Q = sl.eigh(K, overwrite_a=True, check_finite=False, driver="evd")
        return residuals_eigh(evals, Q, y.astype(K.dtype), alphas, folds, self.fit_intercept)

    def fit(self, X: np.ndarray, y: np.ndarray) -> FastKernelRidge:
        """Choose the width and λ on the training data (held-out error of the whole grid), then fit the dual
        coefficients.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)

        Returns
        -------
        self

        Raises
        ------
        MemoryError
            When the n² kernel would not fit in the memory available (the message says what to use instead).
        """
        dtype = check_params(self)
        X, y = validate_data(self, X, y, y_numeric=True)
        y = np.asarray(y, dtype=float)
        require_two_samples(len(X), type(self).__name__)
        self._require_memory(len(X), dtype.itemsize, "kernel + factor")
        self._select(X, y, dtype)
        self._after_fit(self._fit_final(X, y, dtype), y)
        return self

    def _select(self, X: np.ndarray, y: np.ndarray, dtype: np.dtype) -> None:
        """Choose ``gamma_`` and ``alpha_`` by held-out error over the grid; record ``cv_results_``."""
        gammas, alphas = self._gammas(X), _as_grid(self.alpha)
        rows: list[dict[str, Any]] = []
        screen_best = None
        narrows = len(gammas) > 1 or (self.refine_alphas is not None and len(alphas) > self.refine_alphas)
        if narrows and self.width_subsample and len(X) > self.width_subsample:
            # screen on a random subsample; the (narrowed) λ path is then computed on all the data
            sub = np.random.default_rng(self.random_state).choice(len(X), self.width_subsample, replace=False)
            rows = self._grid_scores(X[sub], y[sub], gammas, alphas, dtype, stage="screen")
            screened = pd.DataFrame(rows)
            if np.isfinite(screened["score"]).any():
                screen_best = screened.loc[screened["score"].idxmin()]
                gammas = _window(gammas, float(screen_best["gamma"]), self._refined_widths())
                if self.refine_alphas is not None:
                    alphas = _window(alphas, float(screen_best["alpha"]), int(self.refine_alphas))
        if len(gammas) * len(alphas) > 1:
            rows += self._grid_scores(X, y, gammas, alphas, dtype, stage="all data")
            final = pd.DataFrame(rows).query("stage == 'all data'")
            if not np.isfinite(final["score"]).any():
                raise np.linalg.LinAlgError(
                    "the kernel plus λ was not positive definite for any grid point; "
                    "use larger alpha values or dtype='float64'"
                )
            best = final.loc[final["score"].idxmin()]
        elif screen_best is not None:  # refine_alphas=1: the screened pair, scored on the subsample only
            best = screen_best
        else:
            best = {"gamma": gammas[0], "alpha": alphas[0], "score": np.nan}
            rows = [dict(best, stage="fixed")]
        self.gamma_, self.alpha_, self.best_score_ = float(best["gamma"]), float(best["alpha"]), float(best["score"])
        self.cv_results_ = pd.DataFrame(rows).to_dict(orient="list")

    def _refined_widths(self) -> int:
        """How many widths around the screened one are scored again on all rows (here 1: the screened one)."""
        return 1

    def _after_fit(self, factor: tuple[np.ndarray, bool], y: np.ndarray) -> None:
        """What a subclass keeps from the final Cholesky factor (nothing here: predict needs only dual_coef_)."""

    def _kernels(self, X: np.ndarray, gammas: list[float], dtype: np.dtype) -> Iterator[tuple[float, np.ndarray]]:
        """(γ, kernel matrix) per width; for several widths the distances are computed once
        (when one more n² array fits in memory) and each kernel is made from them."""
        shared = len(gammas) > 1 and 4 * len(X) ** 2 * dtype.itemsize < 0.5 * available_memory_bytes()
        distances = distance_matrix(X, kernel=self.kernel, dtype=dtype) if shared else None
        for gamma in gammas:
            if distances is not None:
                yield gamma, kernel_from_distances(distances, kernel=self.kernel, gamma=gamma)
            else:
                yield gamma, kernel_matrix(X, kernel=self.kernel, gamma=gamma, dtype=dtype)

    def _grid_scores(
        self, X: np.ndarray, y: np.ndarray, gammas: list[float], alphas: list[float], dtype: np.dtype, stage: str
    ) -> list[dict[str, Any]]:
        """Held-out score of every (γ, λ): one kernel matrix per γ."""
        folds = self._folds(X, y)
        rows = []
        # on all rows, scored by Cholesky (which leaves K intact): keep the best width's K for the final fit
        keep = stage == "all data" and len(gammas) <= 3 and choose_solver(self.solver, len(alphas)) == "cholesky"
        self._kept_kernel, best = None, np.inf
        for gamma, K in self._kernels(X, gammas, dtype):
            scores = held_out_score(self._path(K, y, alphas, folds).astype(float), self.scoring)
            rows += [
                {"gamma": gamma, "alpha": alpha, "score": float(v), "stage": stage} for alpha, v in zip(alphas, scores)
            ]
            if keep and np.nanmin(scores) < best:
                self._kept_kernel, best = (gamma, K), float(np.nanmin(scores))
            del K
        return rows

    def _fit_final(self, X: np.ndarray, y: np.ndarray, dtype: np.dtype) -> tuple[np.ndarray, bool]:
        """Dual coefficients and intercept of the chosen (gamma, alpha); returns the Cholesky factor."""
        kept, self._kept_kernel = getattr(self, "_kept_kernel", None), None
        K = kept[1] if kept is not None and kept[0] == self.gamma_ else self._kernel(X, None, self.gamma_, dtype)
        del kept
        self.dual_coef_, self.intercept_, factor = cholesky_dual(K, y, self.alpha_, self.fit_intercept)
        self.X_fit_ = np.ascontiguousarray(X, dtype=dtype)
        return factor

    def _kernel(self, A: np.ndarray, B: np.ndarray | None, gamma: float, dtype: np.dtype) -> np.ndarray:
        """The kernel matrix of rows A against rows B (None: A against itself), shape (len(A), len(B))."""
        return kernel_matrix(A, B, kernel=self.kernel, gamma=gamma, dtype=dtype)

    @property
    def cv_scores_(self) -> pd.DataFrame:
        """The searched grid with the held-out score (or log marginal likelihood) of each point."""
        check_is_fitted(self, "cv_results_")
        return pd.DataFrame(self.cv_results_)

    # -- predict ----------------------------------------------------------------------
    def _kernel_blocks(self, X: np.ndarray):
        for start in range(0, len(X), PREDICT_BLOCK):
            yield start, self._kernel(X[start : start + PREDICT_BLOCK], self.X_fit_, self.gamma_, self.X_fit_.dtype)

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Predict the target for each row (kernel against the training rows, in blocks of ``PREDICT_BLOCK`` rows).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,)
        """
        check_is_fitted(self, "dual_coef_")
        X = validate_data(self, X, reset=False)
        out = np.empty(len(X))
        coef = self.dual_coef_.astype(self.X_fit_.dtype)
        for start, block in self._kernel_blocks(X):
            out[start : start + len(block)] = block @ coef
        return out + self.intercept_


def check_params(model: FastKernelRidge) -> np.dtype:
    """Validate the settings of a kernel ridge model (``ValueError`` naming the bad one); its dtype."""
    if model.kernel not in KERNELS:
        raise ValueError(f"unknown kernel {model.kernel!r}; choose one of {', '.join(KERNELS)}")
    if model.scoring not in SCORINGS:
        raise ValueError(f"scoring must be one of {SCORINGS}, got {model.scoring!r}")
    if model.solver not in ("auto", "eigh", "cholesky"):
        raise ValueError(f"solver must be 'auto', 'eigh' or 'cholesky', got {model.solver!r}")
    if model.dtype not in ("float64", "float32"):
        raise ValueError(f"dtype must be 'float64' or 'float32', got {model.dtype!r}")
    if model.refine_alphas is not None and (
        not isinstance(model.refine_alphas, (int, np.integer)) or model.refine_alphas < 1
    ):
        raise ValueError(f"refine_alphas must be a positive integer or None, got {model.refine_alphas!r}")
    return np.dtype(model.dtype)


def held_out_score(residuals: np.ndarray, scoring: str) -> np.ndarray:
    """MAE or RMSE over the last axis of held-out residuals, shape (..., n_samples) -> (...)."""
    with np.errstate(invalid="ignore", over="ignore"):
        if scoring == "mae":
            return np.mean(np.abs(residuals), axis=-1)
        return np.sqrt(np.mean(residuals**2, axis=-1))


def choose_solver(solver: str, n_alphas: int) -> str:
    """ "eigh" or "cholesky" for a λ path of ``n_alphas`` values ("auto": eigh from 4 λ, where it wins, measured)."""
    if solver != "auto":
        return solver
    return "eigh" if n_alphas > 3 else "cholesky"


def cholesky_dual(
    K: np.ndarray, y: np.ndarray, alpha: float, fit_intercept: bool
) -> tuple[np.ndarray, float, tuple[np.ndarray, bool]]:
    """Solve (K + λI) c = y - b for the dual coefficients, with the unpenalised intercept b when asked.

    Parameters
    ----------
    K : ndarray of shape (n_samples, n_samples)
        Symmetric kernel matrix, C-ordered; overwritten by its Cholesky factor.
    y : ndarray of shape (n_samples,)
    alpha : float
        λ, in the units of the kernel.
    fit_intercept : bool

    Returns
    -------
    dual_coef : ndarray of shape (n_samples,), float64
    intercept : float
    factor : (ndarray, bool)
        The upper Cholesky factor U of K + λI (K = UᵀU), as ``scipy.linalg.cho_factor`` gives it.
    """
    dtype = K.dtype
    K.flat[:: len(y) + 1] += alpha
    try:
        # K is symmetric and C-ordered: its transpose is the Fortran-ordered array LAPACK
        # factors in place (no n² copy); the result is the upper factor U, K = UᵀU
        with lapack_threads(len(K)):
            factor = sl.cho_factor(K.T, lower=False, overwrite_a=True, check_finite=False)
    except np.linalg.LinAlgError as exc:
        raise np.linalg.LinAlgError(
            f"K + {alpha:g} I is not positive definite in {dtype}; use a larger alpha or dtype='float64'"
        ) from exc
    Gy = sl.cho_solve(factor, y.astype(dtype), check_finite=False).astype(float)
    if not fit_intercept:
        return Gy, 0.0, factor
    g = sl.cho_solve(factor, np.ones(len(y), dtype=dtype), check_finite=False).astype(float)
    intercept = float(Gy.sum() / g.sum())
    return Gy - intercept * g, intercept, factor
