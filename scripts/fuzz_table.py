"""Print the fuzz table: how atomlearn's reader handles the seeded corpus of corrupted files.

    python scripts/fuzz_table.py [--seed 0] [--show accepted_but_wrong,crash]

Outcomes per mutation family: ok, refused (a clear StructureError), crash (another exception),
hang, accepted_but_wrong (a broken file read as if it were fine) and refused_but_fine.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from atomlearn.datasets import load_coremof, load_qm9  # noqa: E402
from atomlearn.structures import read_structure  # noqa: E402
from tests.fuzz_corpus import OUTCOMES, fuzz_table  # noqa: E402

HEADERS = {
    "ok": "ok",
    "refused": "refused",
    "undetectable_prefix": "undetectable",
    "crash": "crash",
    "hang": "hang",
    "accepted_but_wrong": "wrong",
    "refused_but_fine": "false_refusal",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--show", default="accepted_but_wrong,crash,hang,refused_but_fine")
    args = parser.parse_args()
    totals, results = fuzz_table(load_coremof("2019-ASR"), load_qm9(), read_structure, args.seed)
    families = sorted({m.family.rstrip("0123456789") for m, _, _ in results})
    print(f"{'family':24s}" + "".join(f"{HEADERS[o]:>13s}" for o in OUTCOMES))
    for family in families:
        counts = Counter(o for m, o, _ in results if m.family.rstrip("0123456789") == family)
        print(f"{family:24s}" + "".join(f"{counts.get(o, 0):>13d}" for o in OUTCOMES))
    print(f"{'all (' + str(len(results)) + ')':24s}" + "".join(f"{totals.get(o, 0):>13d}" for o in OUTCOMES))
    shown = set(args.show.split(","))
    for mutant, outcome, detail in results:
        if outcome in shown:
            print(f"  {outcome}: {mutant.name}: {detail}")


if __name__ == "__main__":
    main()
