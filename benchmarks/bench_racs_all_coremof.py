"""RACs for every CoRE MOF 2019 structure on this machine's cores (target: < 30 min on 2).

Prints one JSON line: structures in, featurized, failed, wall time, structures/second.
"""

from __future__ import annotations

import json
import os
import time

from atomlearn.datasets import load
from atomlearn.featurizers import RACs


def main() -> None:
    dataset = load("coremof2019")
    n_jobs = os.cpu_count() or 1
    start = time.perf_counter()
    featurizer = RACs(n_jobs=n_jobs).fit(dataset.structures)
    values = featurizer.transform(dataset.structures)
    wall = time.perf_counter() - start
    failed = featurizer.errors_table()
    reasons = failed.reason.str.extract(r"^\w+: ([a-z ]+)")[0].value_counts().head(5).to_dict()
    print(
        json.dumps(
            {
                "benchmark": "racs_all_coremof2019",
                "n_jobs": n_jobs,
                "structures": len(values),
                "featurized": int(len(values) - len(failed)),
                "failed": int(len(failed)),
                "top_failure_reasons": reasons,
                "wall_s": round(wall, 1),
                "structures_per_s": round(len(values) / wall, 2),
            }
        )
    )


if __name__ == "__main__":
    main()
