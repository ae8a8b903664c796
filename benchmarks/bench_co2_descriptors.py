"""Which descriptors let a surrogate learn CO2 uptake from flue-gas GCMC labels?

The labels are those of the carbon-capture demo (``atomlearn demo co2 --out demo-co2`` writes
``demo-co2/labels_sample.csv``: log10 CO2 uptake and CO2/N2 selectivity of a random CoRE MOF sample from
mixture GCMC at 1 bar). Each feature set is scored by cross-validated predictions (5-fold, 5 shuffles)
of KRR and gradient boosting against the mean: R² and MAE (log10 units), mean ± spread over the
shuffles. Feature sets: the demo's structure-only descriptors (RACs + CoRE MOF pore geometry), the
charged energy histograms of CO2 and N2 (``energy_histogram``, guest CO2 and N2: EQeq charges, 48
orientations), the grid Henry descriptors (``henry_grid``: log10 K_H, Q_st, accessible fraction, helium
void fraction), and combinations. One JSON line per target, feature set and model.

    python benchmarks/bench_co2_descriptors.py --labels demo-co2/labels_sample.csv \
        > benchmarks/results/co2_descriptors_DATE.jsonl
"""

from __future__ import annotations

import argparse
import json
import warnings

import numpy as np
import pandas as pd
from sklearn.metrics import mean_absolute_error, r2_score
from sklearn.model_selection import KFold, cross_val_predict

from atomlearn.datasets import load
from atomlearn.featurizers import featurize_table, make_featurizer
from atomlearn.models import make_model

TARGETS = ("log10_co2_uptake_mol_kg", "log10_co2_n2_selectivity")
FEATURE_SETS = {
    "racs+coremof_pores": [("racs", {}), ("coremof_pores", {})],
    "energy_histogram CO2+N2": [("energy_histogram", {"guest": "CO2"}), ("energy_histogram", {"guest": "N2"})],
    "henry_grid CO2+N2": [("henry_grid", {"guest": "CO2"}), ("henry_grid", {"guest": "N2"})],
    "energy_histogram + henry_grid CO2+N2": [
        ("energy_histogram", {"guest": "CO2"}),
        ("energy_histogram", {"guest": "N2"}),
        ("henry_grid", {"guest": "CO2"}),
        ("henry_grid", {"guest": "N2"}),
    ],
    "all": [
        ("racs", {}),
        ("coremof_pores", {}),
        ("energy_histogram", {"guest": "CO2"}),
        ("energy_histogram", {"guest": "N2"}),
        ("henry_grid", {"guest": "CO2"}),
        ("henry_grid", {"guest": "N2"}),
    ],
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--labels", required=True, help="labels_sample.csv of an `atomlearn demo co2` run")
    parser.add_argument("--shuffles", type=int, default=5)
    parser.add_argument("--n-jobs", type=int, default=2)
    args = parser.parse_args()
    labels = pd.read_csv(args.labels).set_index("id")
    coremof = load("coremof2019")
    ids = [i for i in labels.index if i in set(coremof.ids)]
    structures = [coremof.structure(i) for i in ids]
    for set_name, parts in FEATURE_SETS.items():
        featurizers = [make_featurizer(name, n_jobs=args.n_jobs, **params) for name, params in parts]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            X = featurize_table(featurizers, structures, ids)[0].to_numpy(dtype=float)
        for target in TARGETS:
            y = labels.loc[ids, target].to_numpy(dtype=float)
            ok = np.isfinite(X).all(axis=1) & np.isfinite(y)
            for model in ("krr", "gbr"):
                scores = []
                for seed in range(args.shuffles):
                    cv = KFold(5, shuffle=True, random_state=seed)
                    predicted = cross_val_predict(make_model(model), X[ok], y[ok], cv=cv)
                    scores.append((r2_score(y[ok], predicted), mean_absolute_error(y[ok], predicted)))
                r2, mae = np.array(scores).T
                print(
                    json.dumps(
                        {
                            "target": target,
                            "features": set_name,
                            "model": model,
                            "n": int(ok.sum()),
                            "r2": round(float(r2.mean()), 3),
                            "r2_spread": round(float(r2.std()), 3),
                            "mae": round(float(mae.mean()), 3),
                            "mae_dummy": round(float(np.abs(y[ok] - y[ok].mean()).mean()), 3),
                        }
                    ),
                    flush=True,
                )


if __name__ == "__main__":
    main()
