"""Text that ships with installed packages, for trying ``atomlearn text`` without a corpus of one's own.

* ``elements``: the element texts of ``mendeleev`` (description, uses, sources, name origin; about
  460 short documents, 80 kB): real chemistry, but tiny;
* ``lee``: gensim's Lee background corpus (300 news articles, 360 kB): general English;
* ``gcide``: the GNU Collaborative International Dictionary of English (Webster 1913 and later
  additions; ~120,000 entries, many of them minerals, compounds and elements), read from Debian's
  ``dict-gcide`` package (``apt-get install dict-gcide``);
* ``wordnet``: the glosses of Princeton WordNet 3.0 (~117,000 synsets), read from Debian's
  ``wordnet-base`` package (``apt-get install wordnet-base``).

None of them is the 3.3 million materials-science abstracts of mat2vec (not public): embeddings
trained on them answer the chemistry of dictionaries and element descriptions, not of the literature.
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Iterator
from pathlib import Path

from atomlearn.files import atomic_file

SOURCES = ("elements", "lee", "gcide", "wordnet")
GCIDE_DIR = Path("/usr/share/dictd")
WORDNET_DIR = Path("/usr/share/wordnet")
_DEBIAN_PACKAGE = {"gcide": "dict-gcide", "wordnet": "wordnet-base"}


def available_sources() -> tuple[str, ...]:
    """The sources this machine has (``gcide`` and ``wordnet`` need their Debian packages)."""
    return tuple(source for source in SOURCES if _missing(source) is None)


def write_offline_corpus(
    out: str | Path, sources: tuple[str, ...] | None = None, max_documents: int | None = None
) -> dict[str, int]:
    """Write the documents of ``sources`` as JSON lines to ``out``, whole or not at all.

    Parameters
    ----------
    out : path of the JSON lines file (``text``, ``source``; ``year`` of discovery for the element texts).
    sources : names from :data:`SOURCES`; ``None`` takes every source this machine has.
    max_documents : at most this many documents from each source (the first ones), for a quick try.

    Returns
    -------
    dict
        Documents written per source.
    """
    sources = available_sources() if sources is None else tuple(sources)
    unknown = sorted(set(sources) - set(SOURCES))
    if unknown:
        raise ValueError(f"unknown corpus source(s) {', '.join(unknown)}; choose from {', '.join(SOURCES)}")
    missing = [message for message in map(_missing, sources) if message]
    if missing:
        raise FileNotFoundError("; ".join(missing))
    readers = {"elements": _element_texts, "lee": _lee, "gcide": gcide_entries, "wordnet": wordnet_glosses}
    counts = {}
    with atomic_file(out) as partial, partial.open("w", encoding="utf-8") as handle:
        for source in sources:
            counts[source] = 0
            for document in readers[source]():
                if max_documents is not None and counts[source] >= max_documents:
                    break
                handle.write(json.dumps({**document, "source": source}) + "\n")
                counts[source] += 1
    return counts


def _missing(source: str) -> str | None:
    """Why ``source`` cannot be read here, or None."""
    path = {"gcide": GCIDE_DIR / "gcide.index", "wordnet": WORDNET_DIR / "data.noun"}.get(source)
    if path is None or path.is_file():
        return None
    return (
        f"{source}: {path} not found; install Debian's {_DEBIAN_PACKAGE[source]} "
        f"(apt-get install {_DEBIAN_PACKAGE[source]}) or leave {source} out of --sources"
    )


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


_BASE64 = {c: i for i, c in enumerate("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")}
_PRONUNCIATION = re.compile(r"\\[^\\\n]*\\")
_ACCENTED = re.compile(r"\[['`^=~\"]?([A-Za-z])['`^~\"]?\]")  # [\'e] -> e, [=a] -> a
_BRACKETS = re.compile(r"\[[^\]]*\]")  # etymology, "[1913 Webster]", [PJC]
_LEFT_OVER = re.compile(r"[{}\\]")


def gcide_entries(folder: Path = GCIDE_DIR) -> Iterator[dict]:
    """Each GCIDE entry once, as plain text: mark-up, pronunciation, etymology and sources removed.

    The dictd index (headword, base-64 offset and length) points into the dictzip file, which
    gzip reads; several headwords share an entry, which is written once.
    """
    with gzip.open(folder / "gcide.dict.dz") as handle:
        data = handle.read()
    seen = set()
    with (folder / "gcide.index").open(encoding="utf-8", errors="replace") as index:
        for line in index:
            fields = line.rstrip("\n").split("\t")
            if len(fields) != 3 or fields[0].startswith("00"):  # 00-database-info and similar
                continue
            offset, length = _base64(fields[1]), _base64(fields[2])
            if (offset, length) in seen:
                continue
            seen.add((offset, length))
            text = data[offset : offset + length].decode("utf-8", errors="replace")
            text = _PRONUNCIATION.sub(" ", text).replace("[deg]", " degrees")
            text = _LEFT_OVER.sub("", _BRACKETS.sub(" ", _ACCENTED.sub(r"\1", text)))
            text = " ".join(text.split())
            if text:
                yield {"text": text}


def wordnet_glosses(folder: Path = WORDNET_DIR) -> Iterator[dict]:
    """Each WordNet synset as ``"lemma, lemma: gloss"`` (nouns, verbs, adjectives, adverbs)."""
    for part in ("noun", "verb", "adj", "adv"):
        with (folder / f"data.{part}").open(encoding="utf-8", errors="replace") as handle:
            for line in handle:
                if line.startswith("  ") or " | " not in line:  # the licence at the top
                    continue
                head, gloss = line.split(" | ", 1)
                fields = head.split()
                n_words = int(fields[3], 16)
                lemmas = [re.sub(r"\(.*\)$", "", word).replace("_", " ") for word in fields[4 : 4 + 2 * n_words : 2]]
                yield {"text": f"{', '.join(lemmas)}: {gloss.strip()}"}


def _base64(text: str) -> int:
    value = 0
    for character in text:
        value = value * 64 + _BASE64[character]
    return value
