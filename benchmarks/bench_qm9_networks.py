"""QM9 U0 atomization energy: learning curves of atomlearn's networks beside the best kernel model.

The same split as ``bench_qm9_krr.py`` (a fixed test set of 2,000 molecules; nested training
sets of the first N of the rest). Networks: the dense network (MLP) on Bag of Bonds, the
bond-graph network, SchNet and PaiNN on the structures. Each fit gets a wall-clock budget
per size (its epochs set from a timed 2-epoch fit, so the number of epochs is printed and
the run is reproducible); KRR (Bag of Bonds, Laplacian, leave-one-out search) takes the
time it takes. One JSON line per fit, then a table with each network's MAE over KRR's.

    python benchmarks/bench_qm9_networks.py --sizes 1000,4000,16000 --minutes 2,4,6
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from bench_qm9_krr import N_TEST, TARGET, atomlearn_run, split  # noqa: E402  (the same split and KRR)

from atomlearn.featurizers import BagOfBonds  # noqa: E402
from atomlearn.models.nn import BondGraphRegressor, MLPRegressor, PaiNNRegressor, SchNetRegressor  # noqa: E402

NETWORKS = {  # name: (estimator class, parameters); early stopping is off (patience = epochs): the budget decides
    "mlp": (MLPRegressor, {"hidden_layers": (256, 256), "batch_size": 64}),
    "bond_graph": (BondGraphRegressor, {"n_features": 64, "n_layers": 3, "batch_size": 32}),
    "schnet": (SchNetRegressor, {"n_features": 64, "n_interactions": 3, "batch_size": 32, "learning_rate": 1e-3}),
    "painn": (PaiNNRegressor, {"n_features": 64, "n_interactions": 3, "batch_size": 32, "learning_rate": 1e-3}),
}


def network_inputs(name: str, molecules_train: list, molecules_test: list) -> tuple:
    """Bag of Bonds for the dense network (bags sized on train + test, as for KRR), structures otherwise."""
    if name != "mlp":
        return molecules_train, molecules_test
    featurizer = BagOfBonds(n_jobs=-1).fit(list(molecules_train) + list(molecules_test))
    return featurizer.transform(molecules_train), featurizer.transform(molecules_test)


def fit_network(name: str, X_train, y_train: np.ndarray, X_test, y_test: np.ndarray, seconds: float) -> dict:
    cls, params = NETWORKS[name]
    probe = cls(**params, max_epochs=2, patience=2, device="cpu").fit(X_train, y_train)
    per_epoch = float(np.median(probe.history_["seconds"]))
    epochs = max(2, int(seconds / per_epoch))
    clock = time.perf_counter()
    model = cls(**params, max_epochs=epochs, patience=epochs, device="cpu").fit(X_train, y_train)
    train_seconds = time.perf_counter() - clock
    mae = float(np.mean(np.abs(model.predict(X_test) - y_test)))
    return {"epochs": epochs, "train_s": round(train_seconds, 1), "test_mae_kcal_mol": round(mae, 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="1000,4000,16000")
    parser.add_argument("--minutes", default="2,4,6", help="training budget per fit, one per size")
    parser.add_argument("--models", default="krr," + ",".join(NETWORKS))
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    budgets = [60.0 * float(m) for m in args.minutes.split(",")]
    if len(budgets) != len(sizes):
        raise SystemExit(f"--minutes needs one budget per size ({len(sizes)}), got {len(budgets)}")
    qm9, test, pool = split()
    y_all = qm9.labels[TARGET].to_numpy()
    molecules_test = qm9.take(test).structures.materialize()
    table: dict[tuple[str, int], float] = {}
    for size, budget in zip(sizes, budgets):
        train = pool[:size]
        molecules_train = qm9.take(train).structures.materialize()
        for name in args.models.split(","):
            if name == "krr":
                mae, seconds = atomlearn_run(
                    molecules_train, y_all[train], molecules_test, y_all[test], width_subsample=2000, refine_alphas=3
                )
                row = {"epochs": None, "train_s": round(seconds, 1), "test_mae_kcal_mol": round(mae, 3)}
            else:
                X_train, X_test = network_inputs(name, molecules_train, molecules_test)
                row = fit_network(name, X_train, y_all[train], X_test, y_all[test], budget)
            table[name, size] = row["test_mae_kcal_mol"]
            print(
                json.dumps(
                    {
                        "benchmark": "qm9_u0_networks",
                        "model": name,
                        "n_train": size,
                        "n_test": N_TEST,
                        "budget_s": None if name == "krr" else budget,
                        **row,
                    }
                ),
                flush=True,
            )
    names = list(dict.fromkeys(name for name, _ in table))
    print("\ntest MAE (kcal/mol) | " + " | ".join(f"{s}" for s in sizes))
    for name in names:
        cells = [
            f"{table[name, s]:.2f}"
            + (f" ({table[name, s] / table['krr', s]:.2f}x KRR)" if ("krr", s) in table and name != "krr" else "")
            for s in sizes
            if (name, s) in table
        ]
        print(f"{name} | " + " | ".join(cells))


if __name__ == "__main__":
    main()
