"""A corpus of documents (abstracts), read as a stream so that millions never sit in memory.

Three layouts: a text file with one document per line; a folder of ``.txt`` files, one document
each; JSON lines (``.jsonl``) with a ``text`` field and an optional ``year``. Every document is
either yielded or counted as skipped with its reason (``CorpusCounts``): in = out + skipped.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

JSON_SUFFIXES = (".jsonl", ".ndjson", ".json")


@dataclass(frozen=True)
class Document:
    """One document of a corpus.

    Attributes
    ----------
    text : str
    year : int or None
        When the corpus gives one (JSON lines).
    source : str
        Where it came from (``file:line``).
    """

    text: str
    year: int | None
    source: str


@dataclass
class CorpusCounts:
    """Documents read and skipped (by reason) so far.

    Attributes
    ----------
    read : int
    skipped : collections.Counter
    """

    read: int = 0
    skipped: Counter = field(default_factory=Counter)

    def summary(self) -> str:
        """``N documents read, M skipped (reason: k, ...)``."""
        skipped = sum(self.skipped.values())
        reasons = ", ".join(f"{reason}: {n}" for reason, n in self.skipped.most_common())
        return f"{self.read} documents read, {skipped} skipped" + (f" ({reasons})" if reasons else "")


def corpus_files(path: str | Path) -> list[Path]:
    """The files of a corpus: the file itself, or a folder's ``.txt``/``.jsonl`` files in name order.
    An empty, missing or binary file is an error naming it."""
    path = Path(path)
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in (".txt", *JSON_SUFFIXES))
        if not files:
            raise ValueError(
                f"{path}: the folder holds no .txt or .jsonl files; a corpus is a text file with one "
                "document per line, a folder of .txt files, or JSON lines with a 'text' field"
            )
    elif path.is_file():
        files = [path]
    else:
        raise ValueError(f"{path}: no such file or folder")
    for file in files:
        with file.open("rb") as handle:
            head = handle.read(8192)
        if not head.strip():
            raise ValueError(f"{file}: the file is empty; a corpus needs documents")
        if b"\x00" in head:
            raise ValueError(
                f"{file}: holds binary data, not text; give a text file, a folder of .txt files or JSON lines"
            )
    return files


def corpus_fingerprint(files: list[Path]) -> str:
    """SHA-256 over the corpus files' names and bytes (what the embedding card records)."""
    digest = hashlib.sha256()
    for file in files:
        digest.update(file.name.encode())
        with file.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


def read_corpus(
    path: str | Path, counts: CorpusCounts | None = None, one_per_file: bool | None = None
) -> Iterator[Document]:
    """Stream the documents of a corpus (see the module docstring), counting what is read and skipped.

    Parameters
    ----------
    path : str or Path
        A file (``.txt``: one document per line; ``.jsonl``/``.json``: records with ``text`` and
        ``year``) or a folder of them.
    counts : CorpusCounts, optional
        Updated as documents are read.
    one_per_file : bool, optional
        Each file is one document (default: for a folder of ``.txt``).

    Yields
    ------
    Document
    """
    path = Path(path)
    counts = counts if counts is not None else CorpusCounts()
    one_per_file = path.is_dir() if one_per_file is None else one_per_file
    for file in corpus_files(path):
        if file.suffix.lower() in JSON_SUFFIXES:
            yield from _json_lines(file, counts)
        elif one_per_file:
            text = file.read_bytes().decode("utf-8", errors="replace")
            yield from _counted(text, None, str(file), counts)
        else:
            with file.open(encoding="utf-8", errors="replace") as handle:
                for number, line in enumerate(handle, start=1):
                    yield from _counted(line, None, f"{file}:{number}", counts)


def _counted(text: str, year: int | None, source: str, counts: CorpusCounts) -> Iterator[Document]:
    if not text.strip():
        counts.skipped["empty"] += 1
        return
    if "\ufffd" in text and text.count("\ufffd") > 0.1 * len(text):
        counts.skipped["not UTF-8 text"] += 1
        return
    counts.read += 1
    yield Document(text, year, source)


def _json_lines(file: Path, counts: CorpusCounts) -> Iterator[Document]:
    with file.open(encoding="utf-8", errors="replace") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                counts.skipped["empty"] += 1
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                counts.skipped["not JSON"] += 1
                continue
            if not isinstance(record, dict) or not isinstance(record.get("text"), str):
                counts.skipped["no 'text' field"] += 1
                continue
            year = record.get("year")
            try:
                year = int(year) if year is not None else None
            except (TypeError, ValueError):
                counts.skipped["year is not a number"] += 1
                continue
            yield from _counted(record["text"], year, f"{file}:{number}", counts)
