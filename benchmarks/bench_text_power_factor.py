"""The mat2vec paper's thermoelectric table as a small supervised task: the computed power factor
(log10 of the largest of its three DFT + BoltzTraP values, μW/(cm K²)) from the composition alone,
with ``TextEmbedding`` features (word vectors of the elements) against ``CompositionStats``
(element-property statistics), the same honest hold-out (test set put aside first, baselines,
bootstrap intervals) and the same model, side by side in one run.

Usage: python benchmarks/bench_text_power_factor.py --embeddings EMB_DIR [--n 3000]
       (EMB_DIR from `atomlearn text train`; the offline corpus of `atomlearn text corpus` works)
"""

from __future__ import annotations

import argparse
import json

import numpy as np
import pandas as pd
from ase import Atoms
from sklearn.ensemble import HistGradientBoostingRegressor

from atomlearn.datasets.base import Dataset, DatasetMeta
from atomlearn.featurizers import make_featurizer
from atomlearn.runs.holdout import run_holdout
from atomlearn.text.embeddings import MAT2VEC_THERMOELECTRICS
from atomlearn.text.featurizer import TextEmbedding


def power_factor_dataset(n: int | None, seed: int = 0) -> Dataset:
    """Compositions with a computed power factor, as atoms without geometry (composition-only features)."""
    from pymatgen.core import Composition

    table = json.loads(MAT2VEC_THERMOELECTRICS.read_text())
    rows = [(formula, max(values)) for formula, (_, _, values) in table.items() if values]
    rng = np.random.default_rng(seed)
    if n is not None and n < len(rows):
        rows = [rows[i] for i in sorted(rng.choice(len(rows), n, replace=False))]
    ids, structures, targets = [], [], []
    for formula, power_factor in rows:
        amounts = Composition(formula).get_el_amt_dict()
        symbols = [s for s, a in amounts.items() for _ in range(int(round(a)))]
        if len(symbols) > 200:  # a formula of hundreds of atoms stands for a doped composition: left out
            continue
        ids.append(formula)
        structures.append(Atoms(symbols, positions=np.arange(3 * len(symbols)).reshape(-1, 3) * 3.0))
        targets.append(np.log10(power_factor))
    labels = pd.DataFrame({"log10_power_factor": targets}, index=ids)
    return Dataset(
        ids,
        structures,
        labels,
        DatasetMeta("mat2vec-thermoelectrics", units={"log10_power_factor": "log10(μW/(cm K²))"}),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--embeddings", required=True)
    parser.add_argument("--n", type=int, default=3000)
    args = parser.parse_args()
    dataset = power_factor_dataset(args.n)
    for name, featurizer in (
        ("text_embedding", TextEmbedding(embeddings=args.embeddings)),
        ("composition", make_featurizer("composition")),
    ):
        result = run_holdout(
            dataset,
            "log10_power_factor",
            featurizer,
            HistGradientBoostingRegressor(random_state=0),
            baselines=("dummy",),
            n_bootstrap=200,
        )
        model, dummy = result.metrics["model"]["test"], result.metrics["dummy"]["test"]
        print(
            json.dumps(
                {
                    "featurizer": name,
                    "counts": result.counts,
                    "test_mae": model["mae"],
                    "test_r2": model["r2"],
                    "dummy_mae": dummy["mae"],
                    "seconds": sum(result.timings_s.values()),
                }
            ),
            flush=True,
        )


if __name__ == "__main__":
    main()
