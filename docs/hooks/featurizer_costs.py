"""MkDocs hook: the measured cost of each featurizer, from the newest
``benchmarks/results/featurizer_costs_*.jsonl`` (``benchmarks/bench_featurizer_costs.py``), where a
page writes ``<!-- featurizer-costs -->``."""

from __future__ import annotations

import json
from pathlib import Path

MARKER = "<!-- featurizer-costs -->"
RESULTS = Path(__file__).resolve().parents[2] / "benchmarks" / "results"


def on_page_markdown(markdown: str, page, config, files) -> str:  # noqa: ARG001 (MkDocs hook signature)
    if MARKER not in markdown:
        return markdown
    newest = sorted(RESULTS.glob("featurizer_costs_*.jsonl"))[-1]
    rows = [json.loads(line) for line in newest.read_text().splitlines() if line.strip()]
    table = {}
    for row in rows:  # a variant (energy histogram of CO2) is its own row: "energy_histogram (guest=CO2)"
        params = ", ".join(f"{key}={value}" for key, value in row.get("params", {}).items())
        name = f"{row['featurizer']}` ({params})" if params else f"{row['featurizer']}`"
        table.setdefault(name, {})[row["kind"]] = row
    kinds = {kind: next(r for r in rows if r["kind"] == kind) for kind in ("molecule", "crystal")}
    lines = [
        f"| featurizer | ms per QM9 molecule ({kinds['molecule']['mean_atoms']:g} atoms) | features "
        f"| ms per CoRE MOF ({kinds['crystal']['mean_atoms']:g} atoms) | features | refused (of "
        f"{kinds['molecule']['structures']} / {kinds['crystal']['structures']}) |",
        "|---|---|---|---|---|---|",
    ]
    for name, by_kind in table.items():
        cells = []
        for kind in ("molecule", "crystal"):
            row = by_kind.get(kind)
            cells += [f"{row['ms_per_structure']:.3g}", str(row["n_features"])] if row else ["–", "–"]
        refused = " / ".join(str(by_kind[k]["refused"]) if k in by_kind else "–" for k in ("molecule", "crystal"))
        lines.append(f"| `{name} | {' | '.join(cells)} | {refused} |")
    source = f"`benchmarks/results/{newest.name}` (one process, {rows[0]['cores']} cores, {rows[0]['cpu']})"
    return markdown.replace(
        MARKER, "\n".join(lines) + f"\n\nMeasured by `benchmarks/bench_featurizer_costs.py`: {source}."
    )
