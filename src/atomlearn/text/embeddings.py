"""Use trained word embeddings (``EMB_DIR``): nearest words, analogies, materials ranked by their
similarity to a property word, and the analogy benchmark of mat2vec scored per section.

Queries go through the same tokens as the corpus, so ``Te3Bi2`` finds ``Bi2Te3`` and ``solar
cell`` finds the phrase ``solar_cell``. A word not in the vocabulary is an error that names the
nearest spellings present.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
import pandas as pd
from pydantic import Field

from atomlearn.files import require_complete
from atomlearn.schema import FileFormatError, Record, read_checked_json, read_json, read_table
from atomlearn.text.formulas import classify
from atomlearn.text.tokens import tokenize
from atomlearn.text.train import CARD, FORMAT, PHRASES, VECTORS, VOCABULARY

REMEDY = "rerun `atomlearn text train` into a new folder"
#: the widest vectors a card may claim (mat2vec's are 200)
MAX_VECTOR_SIZE = 4096


class EmbeddingParameters(Record):
    """The training parameters a reader relies on."""

    vector_size: Annotated[int, Field(ge=1, le=MAX_VECTOR_SIZE)]
    max_year: int | None = None


class EmbeddingCard(Record):
    """``card.json`` of an embedding folder (``EMB_DIR``)."""

    format: Literal[FORMAT]  # type: ignore[valid-type]
    vocabulary_size: Annotated[int, Field(ge=1)]
    parameters: EmbeddingParameters
    documents: dict[str, Any]


def check_vectors_file(path: Path, n_words: int, vector_size: int) -> None:
    """Refuse a word2vec binary file whose header disagrees with the card, or that is too short to hold it
    (before gensim allocates what a forged header claims)."""
    try:
        with path.open("rb") as handle:
            header = handle.readline(100).decode("ascii").split()
    except (OSError, UnicodeDecodeError):
        header = []
    if len(header) != 2 or not all(part.isdigit() for part in header):
        raise FileFormatError(f"{path} has no word2vec header ('WORDS DIMENSIONS'); {REMEDY}")
    words, size = (int(part) for part in header)
    if (words, size) != (n_words, vector_size):
        raise FileFormatError(
            f"{path} claims {words} words of {size} dimensions; the card says {n_words} of {vector_size}; {REMEDY}"
        )
    if path.stat().st_size < words * (4 * size + 2):
        raise FileFormatError(
            f"{path} is truncated: {path.stat().st_size} bytes cannot hold {words} vectors of {size} floats; {REMEDY}"
        )


#: the analogy benchmark of mat2vec (Tshitoyan et al. 2019), shipped with atomlearn (MIT license beside it)
MAT2VEC_ANALOGIES = Path(__file__).resolve().parents[1] / "package_data" / "mat2vec" / "analogies.txt"
#: the paper's thermoelectric table: formula -> (variants and counts, known thermoelectric, computed power factors)
MAT2VEC_THERMOELECTRICS = MAT2VEC_ANALOGIES.with_name("TE_data_used_in_paper.json")


class Embeddings:
    """Word vectors of a folder written by ``atomlearn text train`` (``train_embeddings``).

    Attributes
    ----------
    vectors : gensim.models.KeyedVectors
        The word vectors (unit length not assumed).
    counts : dict of str to int
        How often each word occurs in the corpus.
    card : dict
        What trained them (corpus hash, document counts, parameters, versions).

    Parameters
    ----------
    folder : str or Path
        A complete folder of ``train_embeddings`` (refused when incomplete or tampered with).

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from atomlearn.text import Embeddings, train_embeddings
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> sentences = ["Fe2O3 is an oxide of iron .", "NiO is an oxide of nickel .", "iron and nickel are metals ."]
    >>> _ = (folder / "abstracts.txt").write_text("\\n".join(sentences * 40) + "\\n")
    >>> _ = train_embeddings(folder / "abstracts.txt", folder / "vectors", vector_size=16, min_count=2, epochs=5)
    >>> embeddings = Embeddings(folder / "vectors")
    >>> embeddings.formulas(), embeddings.counts["Fe2O3"], embeddings.vectors.vector_size
    (['NiO', 'Fe2O3'], 40, 16)
    >>> embeddings.similar("NiO", n=3).columns.tolist()
    ['word', 'similarity', 'count']
    """

    def __init__(self, folder: str | Path) -> None:
        from gensim.models import KeyedVectors

        self.folder = Path(folder)
        require_complete(self.folder, "embedding folder", REMEDY, [CARD, VECTORS, VOCABULARY, PHRASES])
        self.card = read_checked_json(self.folder / CARD, EmbeddingCard, REMEDY)
        vocabulary = read_table(
            self.folder / VOCABULARY, {"word": "text", "count": "positive"}, "a vocabulary", REMEDY, separator="\t"
        )
        if len(vocabulary) != self.card["vocabulary_size"]:
            raise FileFormatError(
                f"{self.folder / VOCABULARY} lists {len(vocabulary)} words; the card says "
                f"{self.card['vocabulary_size']}; {REMEDY}"
            )
        check_vectors_file(self.folder / VECTORS, len(vocabulary), self.card["parameters"]["vector_size"])
        try:
            self.vectors = KeyedVectors.load_word2vec_format(str(self.folder / VECTORS), binary=True)
        except (EOFError, ValueError, UnicodeDecodeError, MemoryError) as exc:
            raise FileFormatError(f"{self.folder / VECTORS} is damaged ({type(exc).__name__}); {REMEDY}") from None
        self.counts = dict(zip(vocabulary["word"].astype(str), vocabulary["count"].astype(int)))
        self.phrases = set(read_json(self.folder / PHRASES, dict[str, float], REMEDY))

    def __contains__(self, word: str) -> bool:
        return word in self.vectors.key_to_index

    def key(self, text: str) -> str:
        """The vocabulary word for ``text`` (a word, a formula in any writing, or a phrase of several
        words); ValueError naming the nearest spellings present when there is none."""
        tokens = tokenize(text)
        for candidate in ("_".join(tokens), text, text.lower()):
            if candidate and candidate in self:
                return candidate
        close = difflib.get_close_matches("_".join(tokens) or text, self.vectors.index_to_key, n=5, cutoff=0.6)
        hint = f"; nearest spellings present: {', '.join(close)}" if close else ""
        raise ValueError(f"{text!r} is not in the vocabulary of {self.folder} ({len(self.counts)} words){hint}")

    def similar(self, word: str, n: int = 10) -> pd.DataFrame:
        """The ``n`` words most similar (cosine) to ``word``: columns word, similarity, count."""
        key = self.key(word)
        if len(self.vectors.index_to_key) < 2:
            raise ValueError(
                f"{self.folder} holds one word only ({key}): nothing to compare it with; train on a larger "
                "corpus or with a smaller --min-count"
            )
        return self._table(self.vectors.most_similar(key, topn=n))

    def analogy(self, a: str, b: str, c: str, n: int = 5) -> pd.DataFrame:
        """Words nearest to a − b + c (``ferromagnetic − NiFe + IrMn`` ≈ ``antiferromagnetic``)."""
        return self._table(
            self.vectors.most_similar(positive=[self.key(a), self.key(c)], negative=[self.key(b)], topn=n)
        )

    def formulas(self) -> list[str]:
        """Vocabulary words that are chemical formulas (canonical form), most frequent first."""
        return [word for word in self.vectors.index_to_key if classify(word) == ("formula", word)]

    def rank(
        self, property_word: str, candidates: list[str] | None = None, max_count: int | None = None, n: int | None = 50
    ) -> pd.DataFrame:
        """Materials ranked by cosine similarity to ``property_word`` (mat2vec's ranking).

        ``candidates``: formulas in any writing (default: every formula of the vocabulary);
        those without a vector are left out and listed in ``attrs["missing"]``. ``max_count``:
        only formulas seen at most that many times (the paper's "not yet studied for it").
        Columns: rank, formula, similarity, count.
        """
        target = self.key(property_word)
        if candidates is None:
            keys, missing = self.formulas(), []
        else:
            normalized = {text: classify(text.strip())[1] for text in candidates}
            keys = list(dict.fromkeys(key for key in normalized.values() if key in self))
            missing = [text for text, key in normalized.items() if key not in self]
        if max_count is not None:
            keys = [k for k in keys if self.counts.get(k, 0) <= max_count]
        if not keys:
            raise ValueError(
                f"no candidate formula with a vector in {self.folder}"
                + (f" seen at most {max_count} times" if max_count is not None else "")
            )
        similarity = self.vectors.cosine_similarities(self.vectors[target], np.array([self.vectors[k] for k in keys]))
        table = pd.DataFrame(
            {"formula": keys, "similarity": similarity, "count": [self.counts.get(k, 0) for k in keys]}
        )
        table = table.sort_values("similarity", ascending=False, kind="stable").head(n).reset_index(drop=True)
        table.insert(0, "rank", np.arange(1, len(table) + 1))
        table.attrs["missing"] = missing
        return table

    def evaluate_analogies(self, path: str | Path = MAT2VEC_ANALOGIES) -> pd.DataFrame:
        """Score an analogy file (``: section`` lines, then ``a b c d`` meaning a : b :: c : d) per
        section: questions, those whose four words have vectors, and the share of those where d
        is the nearest word to b − a + c (gensim's ``evaluate_word_analogies``, case kept)."""
        import tempfile

        totals, lines = _read_analogies(Path(path))
        with tempfile.TemporaryDirectory() as folder:  # the questions with formulas in their canonical form
            canonical = Path(folder) / "analogies.txt"
            canonical.write_text("\n".join(lines) + "\n", encoding="utf-8")
            _, sections = self.vectors.evaluate_word_analogies(
                str(canonical), case_insensitive=False, restrict_vocab=len(self.vectors.index_to_key)
            )
        rows = []
        for section in sections:
            if section["section"] == "Total accuracy":
                name, total = "all sections", sum(totals.values())
            else:
                name, total = section["section"], totals.get(section["section"], 0)
            answered = len(section["correct"]) + len(section["incorrect"])
            rows.append(
                {
                    "section": name,
                    "questions": total,
                    "covered": answered,
                    "accuracy": len(section["correct"]) / answered if answered else float("nan"),
                }
            )
        return pd.DataFrame(rows)

    def _table(self, pairs: list[tuple[str, float]]) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "word": [w for w, _ in pairs],
                "similarity": [s for _, s in pairs],
                "count": [self.counts.get(w, 0) for w, _ in pairs],
            }
        )


def _read_analogies(path: Path) -> tuple[dict[str, int], list[str]]:
    """Questions per section, and the file's lines with every formula in canonical form."""
    if not path.is_file():
        raise ValueError(f"{path}: no such analogy file")
    sizes: dict[str, int] = {}
    lines, section = [], None
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.startswith(":"):
            section = line[1:].strip()
            sizes[section] = 0
            lines.append(line)
        elif line.strip():
            words = line.split()
            if section is None or len(words) != 4:
                raise ValueError(
                    f"{path}, line {number}: an analogy file has ': section' lines and lines of four "
                    f"words a b c d; got {line!r}"
                )
            sizes[section] += 1
            lines.append(" ".join(_canonical(word) for word in words))
    return sizes, lines


def _canonical(word: str) -> str:
    kind, normalized = classify(word)
    return normalized if kind in ("formula", "element") else word
