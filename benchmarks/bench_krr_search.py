"""KRR hyperparameter search, 5 widths × 10 λ, 5 folds: atomlearn FastKernelRidge against
scikit-learn GridSearchCV(KernelRidge) on the same grid and the same folds.

Features: Bag of Bonds of QM9 molecules (standardised), target U0 atomization energy
centred on its mean (KernelRidge has no intercept, so both fit without one). Prints one
JSON line per method (seconds, selected γ and λ, best CV MAE) and the speed ratio; then
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


def search(n: int) -> None:
    X, y = data(n)
    gammas = list(median_gamma(X, "rbf") * 4.0 ** np.arange(-3, 2))[:N_GAMMAS]
    alphas = list(10.0 ** np.arange(-9, 1))[:N_ALPHAS]
    folds = KFold(5, shuffle=True, random_state=0)
    results = {}
    for name, solver, dtype in (("atomlearn eigh float64", "eigh", "float64"), ("atomlearn cholesky float64", "cholesky", "float64"),
                                ("atomlearn eigh float32", "eigh", "float32")):
        clock = time.perf_counter()
        model = FastKernelRidge(kernel="rbf", gamma=gammas, alpha=alphas, cv=folds, scoring="mae", fit_intercept=False,
                                solver=solver, dtype=dtype).fit(X, y)
        results[name] = time.perf_counter() - clock
        print(json.dumps({"benchmark": "krr_search", "n": n, "method": name, "seconds": round(results[name], 2),
                          "gamma": model.gamma_, "alpha": model.alpha_, "cv_mae": round(model.best_score_, 4)}), flush=True)
    clock = time.perf_counter()
    grid = GridSearchCV(KernelRidge(kernel="rbf"), {"gamma": gammas, "alpha": alphas}, cv=folds,
                        scoring="neg_mean_absolute_error").fit(X, y)
    results["sklearn"] = time.perf_counter() - clock
    print(json.dumps({"benchmark": "krr_search", "n": n, "method": "sklearn GridSearchCV(KernelRidge)",
                      "seconds": round(results["sklearn"], 2), "gamma": grid.best_params_["gamma"],
                      "alpha": grid.best_params_["alpha"], "cv_mae": round(-grid.best_score_, 4)}), flush=True)
    fastest = min((v, k) for k, v in results.items() if k != "sklearn")
    print(json.dumps({"benchmark": "krr_search", "n": n, "speedup_vs_sklearn": round(results["sklearn"] / fastest[0], 2),
                      "fastest": fastest[1]}), flush=True)


def peak_memory(n: int, dtype: str) -> None:
    """Run in a child: fit one (γ, λ) on n random 100-dimensional rows, print the peak RSS."""
    import resource

    X = np.random.default_rng(0).normal(size=(n, 100))
    y = X[:, 0] + np.sin(X[:, 1])
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    clock = time.perf_counter()
    FastKernelRidge(gamma=0.01, alpha=1e-3, dtype=dtype).fit(X, y)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"benchmark": "krr_fit_memory", "n": n, "dtype": dtype, "peak_rss_gib": round(peak / 2**20, 2),
                      "above_start_gib": round((peak - base) / 2**20, 2), "kernel_matrix_gib": round(n * n * np.dtype(dtype).itemsize / 2**30, 2),
                      "seconds": round(time.perf_counter() - clock, 1)}), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=8000)
    parser.add_argument("--memory-n", type=int, default=16000)
    parser.add_argument("--child-memory", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_memory:
        peak_memory(args.memory_n, args.child_memory)
        return
    if args.n:
        search(args.n)
    for dtype in ("float64", "float32"):
        subprocess.run([sys.executable, __file__, "--memory-n", str(args.memory_n), "--child-memory", dtype], check=True)


if __name__ == "__main__":
    main()
