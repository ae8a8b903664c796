"""Explain benchmarks, side by side with their peers in one run; one JSON line each.

- t-SNE map of 10,000 QM9 molecules (composition + Coulomb-matrix features, standardised):
  atomlearn ``project(..., "tsne")`` (openTSNE) against scikit-learn ``TSNE``; time and the
  fraction of each point's 10 nearest neighbours in feature space kept on the map.
- SISSO: candidates built and time for 10 primary features at complexity 2 (3 terms, n_sis 20,
  200 samples, a planted formula); no peer package runs on these machines (SISSO is Fortran).
- Permutation importance of a gradient-boosting model on 2,000 test molecules: atomlearn
  against ``sklearn.inspection.permutation_importance`` (same repeats), time and rank agreement.

    python benchmarks/bench_explain.py [--n-map 10000]
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np
from scipy.stats import spearmanr
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.inspection import permutation_importance as sklearn_permutation_importance
from sklearn.manifold import TSNE
from sklearn.neighbors import NearestNeighbors
from sklearn.preprocessing import StandardScaler

from atomlearn.datasets import load
from atomlearn.explain import SISSORegressor, permutation_importance, project
from atomlearn.featurizers import CoulombMatrix, ElementFraction


def qm9_features(n: int) -> tuple[np.ndarray, np.ndarray]:
    qm9 = load("qm9").sample(n, random_state=0)
    molecules = qm9.structures.materialize()
    X = np.hstack([ElementFraction().fit_transform(molecules), CoulombMatrix().fit_transform(molecules)])
    return X, qm9.labels["U0_atomization_kcal_mol"].to_numpy()


def neighbours_kept(X: np.ndarray, Y: np.ndarray, k: int = 10) -> float:
    """Mean fraction of each point's k nearest neighbours in X that are also among its k nearest in Y."""
    near_x = NearestNeighbors(n_neighbors=k + 1).fit(X).kneighbors(X, return_distance=False)[:, 1:]
    near_y = NearestNeighbors(n_neighbors=k + 1).fit(Y).kneighbors(Y, return_distance=False)[:, 1:]
    return float(np.mean([len(np.intersect1d(a, b)) / k for a, b in zip(near_x, near_y)]))


def bench_tsne(n: int) -> None:
    X, _ = qm9_features(n)
    X = StandardScaler().fit_transform(X)
    clock = time.perf_counter()
    ours = project(X, "tsne", perplexity=30, standardize=False, n_jobs=-1).coordinates[["dim1", "dim2"]].to_numpy()
    t_ours = time.perf_counter() - clock
    clock = time.perf_counter()
    theirs = TSNE(perplexity=30, random_state=0, n_jobs=-1).fit_transform(X)
    t_theirs = time.perf_counter() - clock
    print(
        json.dumps(
            {
                "benchmark": "tsne_qm9",
                "n": n,
                "atomlearn_openTSNE_s": round(t_ours, 1),
                "sklearn_s": round(t_theirs, 1),
                "speedup": round(t_theirs / t_ours, 2),
                "knn10_kept_atomlearn": round(neighbours_kept(X, ours), 3),
                "knn10_kept_sklearn": round(neighbours_kept(X, theirs), 3),
            }
        ),
        flush=True,
    )


def bench_sisso() -> None:
    rng = np.random.default_rng(0)
    X = rng.uniform(0.5, 2.0, size=(200, 10))
    y = 2.0 * X[:, 0] * X[:, 1] / X[:, 2] - 0.5 * np.sqrt(X[:, 3]) + 0.01 * rng.normal(size=200)
    model = SISSORegressor(complexity=2, n_terms=3, n_sis=20).fit(X, y)
    print(
        json.dumps(
            {
                "benchmark": "sisso_10_primary_complexity_2",
                "candidates_per_rung": model.n_candidates_,
                "candidates": int(sum(model.n_candidates_)),
                "seconds": round(model.fit_seconds_, 2),
                "best_2_terms": model.models_[1]["formulas"],
                "rmse_2_terms": model.models_[1]["rmse"],
            }
        ),
        flush=True,
    )


def bench_importance(n_repeats: int = 5) -> None:
    X, y = qm9_features(6000)
    model = HistGradientBoostingRegressor(random_state=0).fit(X[:4000], y[:4000])
    clock = time.perf_counter()
    ours = permutation_importance(model, X[4000:], y[4000:], n_repeats=n_repeats, random_state=0)
    t_ours = time.perf_counter() - clock
    clock = time.perf_counter()
    theirs = sklearn_permutation_importance(
        model, X[4000:], y[4000:], n_repeats=n_repeats, random_state=0, scoring="neg_mean_absolute_error"
    )
    t_theirs = time.perf_counter() - clock
    ours_by_column = ours.set_index(ours["columns"].map(lambda c: c[0])).sort_index()["importance_mean"].to_numpy()
    print(
        json.dumps(
            {
                "benchmark": "permutation_importance_qm9_gbr",
                "n_test": 2000,
                "n_features": X.shape[1],
                "atomlearn_s": round(t_ours, 2),
                "sklearn_s": round(t_theirs, 2),
                "rank_agreement_spearman": round(
                    float(spearmanr(ours_by_column, theirs.importances_mean).statistic), 3
                ),
            }
        ),
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n-map", type=int, default=10_000)
    args = parser.parse_args()
    bench_sisso()
    bench_importance()
    bench_tsne(args.n_map)


if __name__ == "__main__":
    main()
