"""Text that ships with installed packages, for trying ``atomlearn text`` without a corpus of one's own.

* ``elements``: the element texts of ``mendeleev`` (description, uses, sources, name origin; about
  460 short documents, 80 kB): real chemistry, but tiny;
* ``lee``: gensim's Lee background corpus (300 news articles, 360 kB): general English.

Neither is the 3.3 million materials-science abstracts of mat2vec (not public): embeddings trained
on them answer the chemistry of element descriptions, not of the literature.
"""

from __future__ import annotations

import json
from pathlib import Path

from atomlearn.atomic import atomic_file

SOURCES = ("elements", "lee")


def write_offline_corpus(out: str | Path, sources: tuple[str, ...] = SOURCES) -> dict[str, int]:
    """Write the documents of ``sources`` as JSON lines (``text``, ``source``; ``year`` of discovery
    for the element texts) to ``out``, whole or not at all; documents per source."""
    unknown = sorted(set(sources) - set(SOURCES))
    if unknown:
        raise ValueError(f"unknown corpus source(s) {', '.join(unknown)}; choose from {', '.join(SOURCES)}")
    counts = {}
    with atomic_file(out) as partial, partial.open("w", encoding="utf-8") as handle:
        for source in sources:
            documents = _element_texts() if source == "elements" else _lee()
            for document in documents:
                handle.write(json.dumps({**document, "source": source}) + "\n")
            counts[source] = len(documents)
    return counts


def _element_texts() -> list[dict]:
    from mendeleev.fetch import fetch_table

    table = fetch_table("elements")
    documents = []
    for _, row in table.iterrows():
        year = int(row["discovery_year"]) if row["discovery_year"] == row["discovery_year"] else None
        for column in ("description", "uses", "sources", "name_origin"):
            text = row[column]
            if isinstance(text, str) and text.strip():
                documents.append({"text": f"{row['name']} ({row['symbol']}). {text.strip()}", "year": year})
    return documents


def _lee() -> list[dict]:
    import gensim

    path = Path(gensim.__file__).parent / "test" / "test_data" / "lee_background.cor"
    return [{"text": line.strip()} for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
