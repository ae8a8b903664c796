"""Does the active screen find the best MOFs with fewer labels than random or one-shot selection?

The pool is the bundled label set (``coremof2019-co2``: flue-gas GCMC of CoRE MOF 2019 MOFs by atomlearn),
every MOF with a finite label. A hit is a MOF of the pool's true top 1 % (``--objective uptake``: log10 CO2
uptake; ``selectivity``; ``pareto``: the first Pareto layers holding 1 %). With a budget of ``--budget``
labels each strategy runs over ``--seeds`` seeds:

- random: ``atomlearn screen --acquisition random`` (and the exact hypergeometric mean, budget x top / pool);
- one-shot: label a random ``--budget``, fit the same GP, label its predicted top (as many as the true top):
  the usual screening pipeline, given its confirmation labels on top of the budget;
- active: ``atomlearn screen`` with each acquisition (seed batch ``--batch``, then batches of ``--batch``).

Prints one JSON line per strategy (hits after each round: mean and sd over the seeds) and a summary line
with the ratios the issue asks for (active / random, active / one-shot).

    python benchmarks/bench_screen.py > benchmarks/results/screen_DATE.jsonl
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from atomlearn.datasets import load
from atomlearn.evaluate import pareto_layers
from atomlearn.featurizers import featurize_table, make_featurizer
from atomlearn.workflows.active_learning import active_screen
from atomlearn.workflows.screen_acquisition import fit_surrogate, one_torch_thread, predict, unit_cube
from atomlearn.workflows.screen_labels import parse_label_spec
from atomlearn.workflows.screen_rounds import top_ids

COLUMNS = {"uptake": "log10_co2_uptake_mol_kg", "selectivity": "log10_co2_n2_selectivity"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=int, default=100)
    parser.add_argument("--batch", type=int, default=10)
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--objective", default="uptake", choices=("uptake", "selectivity", "pareto"))
    parser.add_argument("--acquisitions", default="ei,ucb,thompson,greedy")
    parser.add_argument("--featurizer", default="energy_histogram,henry_grid", help="comma-separated, guest CO2")
    parser.add_argument("--top-fraction", type=float, default=0.01)
    parser.add_argument("--n-jobs", type=int, default=2)
    args = parser.parse_args()

    pool = load("coremof2019-co2")
    labels = pool.labels[list(COLUMNS.values())].dropna()
    pool = pool.subset(list(labels.index))
    work = Path(tempfile.mkdtemp(prefix="bench-screen-"))
    table = work / "labels.csv"
    labels.rename_axis("id").reset_index().to_csv(table, index=False)
    objectives = ("uptake", "selectivity") if args.objective == "pareto" else (args.objective,)
    spec = f"table:{table}:" + ",".join(COLUMNS[o] for o in objectives)
    featurizers = [
        make_featurizer(
            name,
            n_jobs=args.n_jobs,
            cache=True,
            **({"guest": "CO2"} if name in ("energy_histogram", "henry_grid") else {}),
        )
        for name in args.featurizer.split(",")
    ]
    truth = labels.rename(columns={v: k for k, v in COLUMNS.items()})[list(objectives)]
    hits = top_ids(truth, args.top_fraction)
    clock = time.perf_counter()
    features, _ = featurize_table(featurizers, pool.structures, pool.ids)
    featurize_s = time.perf_counter() - clock
    usable = np.isfinite(features.to_numpy(dtype=float)).all(axis=1)
    n_pool = int(usable.sum())
    budgets = list(range(args.batch, args.budget + 1, args.batch))
    results = {}
    for acquisition in ["random", *args.acquisitions.split(",")]:
        curves, seconds = [], []
        for seed in range(args.seeds):
            clock = time.perf_counter()
            result = active_screen(
                pool,
                parse_label_spec(spec),
                featurizers,
                work / f"{acquisition}-{seed}",
                budget=args.budget,
                batch=args.batch,
                n_seed=args.batch,
                acquisition=acquisition,
                objective=args.objective,
                top_fraction=args.top_fraction,
                random_state=seed,
            )
            seconds.append(time.perf_counter() - clock)
            curves.append(result.rounds.set_index("n_labelled")["hits"].reindex(budgets).to_numpy(dtype=float))
        results[acquisition] = _line(acquisition, budgets, np.array(curves), seconds)
    X = unit_cube(features.to_numpy(dtype=float)[usable])
    ids = list(features.index[usable])
    Y = truth.reindex(ids).to_numpy(dtype=float)
    one_shot = [_one_shot(X, Y, ids, hits, args.budget, seed) for seed in range(args.seeds)]
    results["one-shot"] = {
        "strategy": "one-shot",
        "labels": args.budget + len(hits),
        "hits_mean": float(np.mean(one_shot)),
        "hits_sd": float(np.std(one_shot)),
        "hits_per_seed": one_shot,
    }
    for line in results.values():
        print(json.dumps(line))
    expected = args.budget * len(hits) / n_pool
    final = {name: line["hits_mean"] for name, line in results.items()}
    best = max((name for name in final if name not in ("random", "one-shot")), key=final.get)
    print(
        json.dumps(
            {
                "summary": True,
                "pool": n_pool,
                "n_top": len(hits),
                "objective": args.objective,
                "featurizer": args.featurizer,
                "featurize_s": round(featurize_s, 1),
                "budget": args.budget,
                "random_expected": expected,
                "final_hits": final,
                "best_acquisition": best,
                "ratio_to_random": final[best] / expected,
                "ratio_to_one_shot": final[best] / final["one-shot"] if final["one-shot"] else None,
            }
        )
    )


def _line(acquisition: str, budgets: list[int], curves: np.ndarray, seconds: list[float]) -> dict:
    return {
        "strategy": acquisition,
        "labels": budgets[-1],
        "hits_mean": float(curves[:, -1].mean()),
        "hits_sd": float(curves[:, -1].std()),
        "curve_budgets": budgets,
        "curve_mean": np.round(curves.mean(axis=0), 2).tolist(),
        "curve_sd": np.round(curves.std(axis=0), 2).tolist(),
        "seconds_per_screen": round(float(np.mean(seconds)), 1),
    }


def _one_shot(X: np.ndarray, Y: np.ndarray, ids: list[str], hits: set[str], budget: int, seed: int) -> int:
    """Hits of: a random ``budget`` labelled, the GP fitted on them, its predicted top (as many as the hits)."""
    rng = np.random.default_rng(seed)
    train = rng.choice(len(X), size=budget, replace=False)
    with one_torch_thread():
        model = fit_surrogate(X[train], Y[train], seed)
        mean, _ = predict(model, X)
    rest = np.setdiff1d(np.arange(len(X)), train)
    if mean.shape[1] == 1:
        order = np.argsort(-mean[rest, 0], kind="stable")
    else:  # the predicted Pareto layers, the first objective within each
        layer = pareto_layers(mean[rest, 0], mean[rest, 1])
        order = np.lexsort((-mean[rest, 0], np.where(layer < 0, len(rest), layer)))
    picked = rest[order[: len(hits)]]
    found = {ids[i] for i in np.r_[train, picked]} & hits
    return len(found)


if __name__ == "__main__":
    pd.set_option("display.width", 200)
    main()
