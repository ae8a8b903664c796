"""KRR hyperparameter search, 5 widths × 10 λ, 5 folds: atomlearn FastKernelRidge against
scikit-learn GridSearchCV(KernelRidge) on the same grid and the same folds.

Features: Bag of Bonds of QM9 molecules (standardised), target U0 atomization energy
centred on its mean (KernelRidge has no intercept, so both fit without one). Prints one
JSON line per method (seconds, selected γ and λ, best CV MAE), then each method's speed ratio
and whether it selected sklearn's (γ, λ). The exact methods score every grid point on all
rows; the screened ones score the grid on 2,000 rows first (see ``FastKernelRidge``). Then
the peak memory of one KRR fit at ``--memory-n`` samples in float64 and float32, each in
a fresh process (peak resident set size).

    python benchmarks/bench_krr_search.py --n 8000 --memory-n 16000
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time

import numpy as np
from sklearn.kernel_ridge import KernelRidge
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.preprocessing import StandardScaler

from atomlearn.datasets import load
from atomlearn.featurizers import BagOfBonds
from atomlearn.models import FastKernelRidge
from atomlearn.models.kernels import median_gamma

N_ALPHAS = 10
N_GAMMAS = 5


def data(n: int) -> tuple[np.ndarray, np.ndarray]:
    qm9 = load("qm9").sample(n, random_state=0)
    X = StandardScaler().fit_transform(BagOfBonds().fit_transform(qm9.structures))
    y = qm9.labels["U0_atomization_kcal_mol"].to_numpy()
    return X, y - y.mean()


METHODS = {  # name: FastKernelRidge options
    "exact-eigh": {"solver": "eigh"},  # every width on all rows, one eigendecomposition each
    "exact-cholesky": {"solver": "cholesky"},
    "exact-eigh-float32": {"solver": "eigh", "dtype": "float32"},
    "screen": {"width_subsample": 2000},  # widths × λ on 2,000 rows, then the whole λ path on all rows
    "screen-refine3": {"width_subsample": 2000, "refine_alphas": 3},  # ... then 3 λ around the screened best
}


def search(n: int, methods: list[str]) -> None:
    X, y = data(n)
    gammas = list(median_gamma(X, "rbf") * 4.0 ** np.arange(-3, 2))[:N_GAMMAS]
    alphas = list(10.0 ** np.arange(-9, 1))[:N_ALPHAS]
    folds = KFold(5, shuffle=True, random_state=0)
    results, chosen = {}, {}
    for name in [m for m in methods if m != "sklearn"]:
        clock = time.perf_counter()
        model = FastKernelRidge(
            kernel="rbf", gamma=gammas, alpha=alphas, cv=folds, scoring="mae", fit_intercept=False, **METHODS[name]
        ).fit(X, y)
        results[name], chosen[name] = time.perf_counter() - clock, (model.gamma_, model.alpha_)
        print(
            json.dumps(
                {
                    "benchmark": "krr_search",
                    "n": n,
                    "method": f"atomlearn {name}",
                    "seconds": round(results[name], 2),
                    "gamma": model.gamma_,
                    "alpha": model.alpha_,
                    "cv_mae": round(model.best_score_, 4),
                }
            ),
            flush=True,
        )
    if "sklearn" not in methods:
        return
    clock = time.perf_counter()
    grid = GridSearchCV(
        KernelRidge(kernel="rbf"), {"gamma": gammas, "alpha": alphas}, cv=folds, scoring="neg_mean_absolute_error"
    ).fit(X, y)
    seconds = time.perf_counter() - clock
    reference = (grid.best_params_["gamma"], grid.best_params_["alpha"])
    print(
        json.dumps(
            {
                "benchmark": "krr_search",
                "n": n,
                "method": "sklearn GridSearchCV(KernelRidge)",
                "seconds": round(seconds, 2),
                "gamma": reference[0],
                "alpha": reference[1],
                "cv_mae": round(-grid.best_score_, 4),
            }
        ),
        flush=True,
    )
    for name, own in results.items():
        print(
            json.dumps(
                {
                    "benchmark": "krr_search",
                    "n": n,
                    "method": f"atomlearn {name}",
                    "speedup_vs_sklearn": round(seconds / own, 2),
                    "same_model_as_sklearn": bool(np.allclose(chosen[name], reference, rtol=1e-12)),
                }
            ),
            flush=True,
        )


def _peak_rss_bytes() -> int:
    """This process's resident-set high-water mark (VmHWM). Unlike ``ru_maxrss``, which after
    fork + exec still holds the parent's peak, it belongs to this process alone."""
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("no VmHWM in /proc/self/status (Linux only)")


def peak_memory(n: int, dtype: str) -> None:
    """Run in a child: fit one (γ, λ) on n random 100-dimensional rows, print the peak RSS."""
    X = np.random.default_rng(0).normal(size=(n, 100))
    y = X[:, 0] + np.sin(X[:, 1])
    base = _peak_rss_bytes()
    clock = time.perf_counter()
    FastKernelRidge(gamma=0.01, alpha=1e-3, dtype=dtype).fit(X, y)
    peak = _peak_rss_bytes()
    print(
        json.dumps(
            {
                "benchmark": "krr_fit_memory",
                "n": n,
                "dtype": dtype,
                "peak_rss_gib": round(peak / 2**30, 2),
                "above_start_gib": round((peak - base) / 2**30, 2),
                "kernel_matrix_gib": round(n * n * np.dtype(dtype).itemsize / 2**30, 2),
                "seconds": round(time.perf_counter() - clock, 1),
            }
        ),
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=8000)
    parser.add_argument("--memory-n", type=int, default=16000)
    parser.add_argument(
        "--methods",
        default="exact-eigh,screen,screen-refine3,sklearn",
        help=f"comma-separated, of {', '.join(METHODS)}, sklearn",
    )
    parser.add_argument("--child-memory", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_memory:
        peak_memory(args.memory_n, args.child_memory)
        return
    if args.n:
        search(args.n, args.methods.split(","))
    for dtype in ("float64", "float32"):
        subprocess.run(
            [sys.executable, __file__, "--memory-n", str(args.memory_n), "--child-memory", dtype], check=True
        )


if __name__ == "__main__":
    main()
