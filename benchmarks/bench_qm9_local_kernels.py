"""QM9 U0: atomlearn's local kernel (FCHL19 environments, ``LocalKernelRidge``) against qmllib's
``get_local_kernel`` KRR on the same FCHL19 representation, side by side in one run.

Same protocol as ``bench_qm9_krr.py``: the fixed 2,000-molecule test set, nested training
sets, hyperparameters chosen on the training set only (atomlearn: closed-form leave-one-out
over 11 σ × 12 λ; qmllib: 5 σ × 3 λ on a 20 % validation part, then a refit, as in
``bench_qm9_krr.py``). Each line is a JSON object: method, training size, test MAE
(kcal/mol), wall time (s) of representation + search + fit + predict, peak memory (MiB,
resident set sampled every 0.1 s); a last line per size gives the ratios.

With ``--mofs N``, the periodic task: CoRE MOF 2019 density (g/cm³, intensive) of N random
frameworks of at most 250 atoms, 25 % held out, the local kernel on SOAP environments
(``krr_local``) against Gaussian KRR on the same SOAP averaged over atoms (the global vector).

    python benchmarks/bench_qm9_local_kernels.py --sizes 1000,4000,16000 --qmllib-max 1000
    python benchmarks/bench_qm9_local_kernels.py --sizes "" --mofs 800 --mof-target density_g_cm3
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from pathlib import Path

import numpy as np
import psutil

sys.path.insert(0, str(Path(__file__).parent))
from bench_qm9_krr import N_TEST, TARGET, qmllib_run, split  # noqa: E402  (the same split and qmllib protocol)

from atomlearn.models import LocalKernelRidge, make_model  # noqa: E402


class PeakMemory:
    """Peak resident set size of this process while the block runs (sampled every 0.1 s)."""

    def __enter__(self) -> PeakMemory:
        self.process, self.peak, self._stop = psutil.Process(), 0, threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self.process.memory_info().rss)
            self._stop.wait(0.1)

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def mib(self) -> int:
        return round(self.peak / 2**20)


def atomlearn_run(
    train_molecules, y_train, test_molecules, y_test, dtype: str
) -> tuple[float, float, LocalKernelRidge]:
    """The `krr_local` model as the CLI builds it (above 2,000 molecules: σ × λ screened on 2,000, the
    3 σ around the best scored on all), on FCHL19 environments."""
    clock = time.perf_counter()
    model = make_model("krr_local", {"representation": "fchl19", "dtype": dtype}).fit(train_molecules, y_train)
    mae = float(np.mean(np.abs(model.predict(test_molecules) - y_test)))
    return mae, time.perf_counter() - clock, model


def periodic_comparison(n: int, target: str, random_state: int = 0) -> None:
    """krr_local (SOAP environments) against global-vector KRR (the same SOAP, atom-averaged) on CoRE MOFs."""
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from atomlearn.datasets import load
    from atomlearn.featurizers.checks import require_no_overlap
    from atomlearn.models import FastKernelRidge

    coremof = load("coremof2019")
    rng = np.random.default_rng(random_state)
    labels = coremof.labels[target].to_numpy(dtype=float)
    chosen, structures = [], []
    for index in rng.permutation(len(coremof)):
        if len(chosen) == n:
            break
        if not np.isfinite(labels[index]):
            continue
        try:
            atoms = coremof.take([index]).structures.materialize()[0]
            require_no_overlap(atoms)
        except Exception:  # unreadable or overlapping: another one
            continue
        if len(atoms) <= 250:
            chosen.append(index)
            structures.append(atoms)
    y = labels[chosen]
    n_test = len(y) // 4
    train, test = np.arange(n_test, len(y)), np.arange(n_test)
    clock = time.perf_counter()
    local = LocalKernelRidge(n_jobs=-1).fit([structures[i] for i in train], y[train])
    refused = local.structure_errors([structures[i] for i in test])  # an element absent from training
    test = np.array([index for position, index in enumerate(test) if position not in refused])
    local_pred = local.predict([structures[i] for i in test])
    local_s = time.perf_counter() - clock
    clock = time.perf_counter()
    soap = local.featurizer_.set_params(pooling="mean", n_jobs=-1)  # the same SOAP, averaged over atoms
    X = soap.transform(structures)
    global_model = make_pipeline(StandardScaler(), FastKernelRidge(kernel="rbf")).fit(X[train], y[train])
    global_pred = global_model.predict(X[test])
    global_s = time.perf_counter() - clock
    dummy_mae = float(np.mean(np.abs(y[test] - y[train].mean())))
    for method, predicted, seconds in (
        ("atomlearn krr_local (SOAP environments, mean kernel)", local_pred, local_s),
        ("global KRR on atom-averaged SOAP", global_pred, global_s),
    ):
        print(
            json.dumps(
                {
                    "benchmark": "coremof_local_vs_global",
                    "target": target,
                    "method": method,
                    "n_train": len(train),
                    "n_test": len(test),
                    "n_test_refused": len(refused),
                    "test_mae": round(float(np.mean(np.abs(predicted - y[test]))), 4),
                    "dummy_mae": round(dummy_mae, 4),
                    "wall_s": round(seconds, 1),
                    "atom_features": int(local.train_features_.shape[1]),
                }
            ),
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="1000,4000,16000")
    parser.add_argument("--qmllib-max", type=int, default=1000, help="run qmllib up to this size (19 min at 1,000)")
    parser.add_argument("--dtype", default="float64")
    parser.add_argument("--mofs", type=int, default=0, help="also the periodic task on this many CoRE MOFs")
    parser.add_argument("--mof-target", default="density_g_cm3")
    args = parser.parse_args()
    if args.mofs:
        periodic_comparison(args.mofs, args.mof_target)
    qm9, test, pool = split()
    y_all = qm9.labels[TARGET].to_numpy()
    test_molecules = qm9.take(test).structures.materialize()
    for size in [int(s) for s in args.sizes.split(",") if s]:
        train = pool[:size]  # nested training sets
        train_molecules = qm9.take(train).structures.materialize()
        with PeakMemory() as memory:
            mae, seconds, model = atomlearn_run(train_molecules, y_all[train], test_molecules, y_all[test], args.dtype)
        ours = {
            "benchmark": "qm9_u0_local_kernel",
            "method": f"atomlearn krr_local (FCHL19, {args.dtype})",
            "n_train": size,
            "n_test": N_TEST,
            "test_mae_kcal_mol": round(mae, 3),
            "wall_s": round(seconds, 1),
            "peak_rss_MiB": memory.mib,
            "sigma": round(model.sigma_, 3),
            "alpha": model.alpha_,
            "selection_mae": round(model.best_score_, 3),
        }
        print(json.dumps(ours), flush=True)
        if size > args.qmllib_max:
            continue
        with PeakMemory() as memory:
            their_mae, their_seconds = qmllib_run("fchl19", train_molecules, y_all[train], test_molecules, y_all[test])
        print(
            json.dumps(
                {
                    "benchmark": "qm9_u0_local_kernel",
                    "method": "qmllib FCHL19 get_local_kernel + KRR",
                    "n_train": size,
                    "n_test": N_TEST,
                    "test_mae_kcal_mol": round(their_mae, 3),
                    "wall_s": round(their_seconds, 1),
                    "peak_rss_MiB": memory.mib,
                }
            ),
            flush=True,
        )
        print(
            json.dumps(
                {
                    "benchmark": "qm9_u0_local_kernel",
                    "n_train": size,
                    "speedup_vs_qmllib": round(their_seconds / seconds, 1),
                    "mae_ratio_vs_qmllib": round(mae / their_mae, 3),
                }
            ),
            flush=True,
        )


if __name__ == "__main__":
    main()
