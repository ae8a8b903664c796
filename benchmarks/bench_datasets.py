"""Dataset access times: QM9 full load from the cache, CoRE MOF structure by id.

Targets (issue 2): QM9 full load < 5 s; CoRE MOF single-structure access < 0.5 s.
The peer for CoRE MOF access is the core-mof package's own get_structure (pymatgen,
reads the .tar.xz). Each step runs in a fresh process; "_s" is the time after imports, "_with_imports_s" the
whole cold process (Python start-up excluded).
Usage: python benchmarks/bench_datasets.py
"""

from __future__ import annotations

import json
import subprocess
import sys

STEPS = {
    "qm9_load_labels_and_lazy_structures_s": "from atomlearn.datasets import load_qm9; d = load_qm9(); d.structures[0]",
    "qm9_load_and_build_all_130831_atoms_s": (
        "from atomlearn.datasets import load_qm9; d = load_qm9(); s = d.structures.materialize(); "
        "assert len(s) == 130831"
    ),
    "coremof_one_structure_by_id_s": (
        "from atomlearn.datasets import load_coremof; d = load_coremof(); d.structure('ZUWXUM_clean')"
    ),
    "peer_core_mof_get_structure_s": "import CoRE_MOF; CoRE_MOF.get_structure('2019-ASR', 'ZUWXUM_clean')",
}


def timed(code: str) -> float:
    imports, _, work = code.partition("; ")
    program = (
        f"import time; t0 = time.perf_counter(); {imports}; t = time.perf_counter(); {work}; "
        "print(time.perf_counter() - t, time.perf_counter() - t0)"
    )
    subprocess.run(
        [sys.executable, "-c", "from atomlearn.datasets import load_qm9, load_coremof; load_qm9(); load_coremof()"],
        check=True,
    )
    out = subprocess.run([sys.executable, "-c", program], check=True, capture_output=True, text=True).stdout
    after_imports, with_imports = out.strip().splitlines()[-1].split()
    return float(after_imports), float(with_imports)


def main() -> None:
    results = {}
    for name, code in STEPS.items():
        after_imports, with_imports = timed(code)
        results[name] = round(after_imports, 3)
        results[name.removesuffix("_s") + "_with_imports_s"] = round(with_imports, 3)
    results["coremof_speedup_vs_peer"] = round(
        results["peer_core_mof_get_structure_s"] / results["coremof_one_structure_by_id_s"], 1
    )
    results["targets"] = {"qm9_full_load_s": 5.0, "coremof_by_id_s": 0.5}
    print(json.dumps(results))


if __name__ == "__main__":
    main()
