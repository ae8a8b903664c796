"""Train word embeddings on a corpus: materials-aware tokens (``text.tokens``), phrases (gensim
``Phrases``), then word2vec skip-gram with negative sampling (gensim), as in mat2vec.

Everything streams from disk: the tokens go to ``tokens.txt`` (one document per line), the
phrased tokens to ``phrased.txt``, and word2vec reads that file (gensim's ``corpus_file`` mode).
Training runs epoch by epoch with a checkpoint after each, so a killed run resumes when the same
command is run again. The folder (``EMB_DIR``) ends up holding ``vectors.bin`` (word2vec binary
format: plain arrays, no pickle), ``vocabulary.tsv`` (word, count), ``phrases.json`` and
``card.json``, sealed by ``complete.json``.
"""

from __future__ import annotations

import json
import time
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from atomlearn.files import atomic_file, mark_complete, mark_incomplete, write_text_atomic
from atomlearn.progress import Progress
from atomlearn.schema import FileFormatError, load_arrays
from atomlearn.text.corpus import CorpusCounts, corpus_files, corpus_fingerprint, read_corpus
from atomlearn.text.tokens import TokenCounts, tokenize
from atomlearn.validation import check_count, check_non_negative, check_positive

FORMAT = "atomlearn-text-embedding-1"
CARD, VECTORS, VOCABULARY, PHRASES = "card.json", "vectors.bin", "vocabulary.tsv", "phrases.json"
TOKENS, PHRASED, CHECKPOINT, SETTINGS = "tokens.txt", "phrased.txt", "checkpoint.npz", "training_settings.json"


@dataclass(frozen=True)
class EmbeddingResult:
    """A trained embedding folder and its card.

    Attributes
    ----------
    folder : Path
    card : dict
        Corpus hash, document counts, parameters, versions.
    """

    folder: Path
    card: dict[str, Any]

    def summary(self) -> str:
        """What was read and learnt, in two lines."""
        c = self.card
        return (
            f"{self.folder}: {c['documents']['summary']}; {c['tokens']} tokens ({c['formulas']} formulas, "
            f"{c['unparsed_formulas']} formula-like words pymatgen refused, kept as words)\n"
            f"  vocabulary {c['vocabulary_size']} words ({c['phrases']} phrases), {c['parameters']['vector_size']} "
            f"dimensions, {c['parameters']['epochs']} epochs in {c['train_seconds']:.1f} s "
            f"({c['words_per_second']:.0f} words/s)"
        )


def stable_hash(text: str) -> int:
    """A hash that does not change between processes (Python's ``hash`` of a string does), so
    that gensim's seeded initial vectors are the same in every run."""
    return zlib.crc32(text.encode("utf-8"))


def train_embeddings(
    corpus: str | Path,
    out: str | Path,
    vector_size: int = 200,
    window: int = 8,
    negative: int = 15,
    min_count: int = 5,
    epochs: int = 30,
    sample: float = 1e-4,
    phrases: bool = True,
    phrase_min_count: int = 10,
    phrase_threshold: float = 15.0,
    max_year: int | None = None,
    random_state: int = 0,
    workers: int = 1,
    overwrite: bool = False,
    progress: bool | None = None,
) -> EmbeddingResult:
    """Train skip-gram word2vec embeddings of a corpus into a folder (resumable after a kill).

    Defaults are mat2vec's (200 dimensions, window 8, 15 negative samples, sub-sampling 1e-4).

    Parameters
    ----------
    corpus : str or Path
        See :func:`read_corpus`.
    out : str or Path
    vector_size, window, negative : int
    min_count : int
        Words seen fewer times are dropped.
    epochs : int
    sample : float
        Sub-sampling threshold of frequent words.
    phrases : bool
        Join frequent word pairs (gensim Phrases) first.
    phrase_min_count : int
    phrase_threshold : float
    max_year : int, optional
        Only documents of that year or earlier (JSON lines with ``year``), for the time split.
    random_state : int
    workers : int
        > 1 trains faster but not bit-for-bit reproducibly (gensim's threads race).
    overwrite : bool
    progress : bool, optional

    Returns
    -------
    EmbeddingResult
    """
    from gensim.models import Word2Vec

    for name, value in (
        ("vector_size", vector_size),
        ("window", window),
        ("negative", negative),
        ("min_count", min_count),
        ("epochs", epochs),
        ("phrase_min_count", phrase_min_count),
        ("workers", workers),
    ):
        check_count(value, name)
    check_non_negative(sample, "sample")
    check_positive(phrase_threshold, "phrase_threshold")
    files = corpus_files(corpus)
    out = Path(out)
    if (out / CARD).exists() and not overwrite:
        raise ValueError(f"{out} already holds trained embeddings; choose another --out, or pass --overwrite")
    parameters = {
        "vector_size": vector_size,
        "window": window,
        "negative": negative,
        "min_count": min_count,
        "epochs": epochs,
        "sample": sample,
        "phrases": phrases,
        "phrase_min_count": phrase_min_count,
        "phrase_threshold": phrase_threshold,
        "max_year": max_year,
        "random_state": random_state,
        "sg": 1,
    }
    fingerprint = corpus_fingerprint(files)
    _check_resume(out, {"corpus_sha256": fingerprint, **parameters})
    mark_incomplete(out)
    counts = _tokens_file(corpus, out, max_year, progress)
    phrasegrams = _phrased_file(out, phrase_min_count, phrase_threshold) if phrases else {}
    if not phrases:
        (out / PHRASED).unlink(missing_ok=True)
        (out / TOKENS).rename(out / PHRASED)
    model = Word2Vec(
        vector_size=vector_size,
        window=window,
        negative=negative,
        min_count=min_count,
        sample=sample,
        sg=1,
        seed=random_state,
        workers=workers,
        hashfxn=stable_hash,
    )
    model.build_vocab(corpus_file=str(out / PHRASED))
    if not model.wv.index_to_key:
        raise ValueError(
            f"{corpus}: no word occurs {min_count} times or more ({counts['documents']['summary']}); "
            "give a larger corpus or a smaller --min-count"
        )
    seconds = _train_epochs(model, out, epochs, progress)
    _write_bundle(
        model,
        out,
        {
            "format": FORMAT,
            "corpus": str(Path(corpus).resolve()),
            "corpus_sha256": fingerprint,
            **counts,
            "vocabulary_size": len(model.wv.index_to_key),
            "phrases": len(phrasegrams),
            "parameters": parameters,
            "train_seconds": seconds,
            "words_per_second": model.corpus_total_words * epochs / max(seconds, 1e-9),
            **_versions(),
        },
        phrasegrams,
    )
    return EmbeddingResult(out, json.loads((out / CARD).read_text()))


def _check_resume(out: Path, settings: dict) -> None:
    from atomlearn.files import check_resume_request

    check_resume_request(out, settings, (TOKENS, PHRASED, CHECKPOINT), SETTINGS)


def _tokens_file(corpus: str | Path, out: Path, max_year: int | None, progress: bool | None) -> dict:
    """Tokenize the corpus into ``tokens.txt`` once (a resumed run reuses it); the counts of what was read."""
    counts_file = out / "tokens_counts.json"
    if (out / TOKENS).exists() and counts_file.exists():
        return json.loads(counts_file.read_text())
    documents, tokens = CorpusCounts(), TokenCounts()
    n_tokens = 0
    started = time.perf_counter()
    with (
        atomic_file(out / TOKENS) as partial,
        partial.open("w", encoding="utf-8") as handle,
        Progress("reading the corpus", total=None, show=progress, unit="documents") as bar,
    ):
        for document in read_corpus(corpus, documents):
            if max_year is not None and (document.year is None or document.year > max_year):
                documents.read -= 1
                documents.skipped[
                    f"no year, or after {max_year}" if document.year is None else f"after {max_year}"
                ] += 1
                continue
            words = tokenize(document.text, tokens)
            if not words:
                documents.read -= 1
                documents.skipped["no words"] += 1
                continue
            n_tokens += len(words)
            handle.write(" ".join(words) + "\n")
            bar.advance(1)
    if documents.read == 0:
        (out / TOKENS).unlink(missing_ok=True)
        raise ValueError(f"{corpus}: no document with recognisable words ({documents.summary()})")
    counts = {
        "documents": {"read": documents.read, "skipped": dict(documents.skipped), "summary": documents.summary()},
        "tokens": n_tokens,
        "formulas": tokens.formulas,
        "elements": tokens.elements,
        "numbers": tokens.numbers,
        "unparsed_formulas": sum(tokens.unparsed.values()),
        "unparsed_examples": [word for word, _ in tokens.unparsed.most_common(20)],
        "tokenize_seconds": time.perf_counter() - started,
    }
    write_text_atomic(counts_file, json.dumps(counts, indent=2))
    return counts


def _phrased_file(out: Path, min_count: int, threshold: float) -> dict[str, float]:
    """Learn two-word phrases over ``tokens.txt`` and write ``phrased.txt`` with them joined by ``_``."""
    from gensim.models.phrases import ENGLISH_CONNECTOR_WORDS, Phrases
    from gensim.models.word2vec import LineSentence

    phrases = Phrases(
        LineSentence(str(out / TOKENS)),
        min_count=min_count,
        threshold=threshold,
        connector_words=ENGLISH_CONNECTOR_WORDS,
    ).freeze()
    with atomic_file(out / PHRASED) as partial, partial.open("w", encoding="utf-8") as handle:
        for sentence in LineSentence(str(out / TOKENS)):
            handle.write(" ".join(phrases[sentence]) + "\n")
    return {str(k): float(v) for k, v in phrases.phrasegrams.items()}


def _train_epochs(model, out: Path, epochs: int, progress: bool | None) -> float:
    """Train one epoch at a time, the learning rate falling linearly over all of them as gensim
    would, with a checkpoint (vectors, output weights, the random stream, epochs done) after each, so a
    resumed run goes on exactly where the killed one stopped; seconds spent."""
    corpus, total_words = str(out / PHRASED), model.corpus_total_words
    done = _restore(model, out, epochs)
    first, last = model.alpha, model.min_alpha  # before any train() call: gensim's train() overwrites both
    step = (first - last) / epochs
    seconds = 0.0
    with Progress("word2vec", total=epochs, show=progress, unit="epochs", done=done) as bar:
        for epoch in range(done, epochs):
            started = time.perf_counter()
            model.train(
                corpus_file=corpus,
                total_words=total_words,
                epochs=1,
                start_alpha=first - step * epoch,
                end_alpha=first - step * (epoch + 1),
            )
            seconds += time.perf_counter() - started
            _, keys, position, has_gauss, gauss = model.random.get_state()
            with atomic_file(out / CHECKPOINT) as partial, partial.open("wb") as handle:
                np.savez(
                    handle,
                    vectors=model.wv.vectors,
                    syn1neg=model.syn1neg,
                    epochs=epoch + 1,
                    random_keys=keys,
                    random_position=position,
                    random_gauss=np.array([has_gauss, gauss]),
                )
            bar.advance(1)
    return seconds


def _restore(model, out: Path, total_epochs: int) -> int:
    """Load the last checkpoint into ``model`` (same vocabulary: same tokens and settings): weights and the
    random stream of negative sampling and windows (gensim draws each epoch's seeds from ``model.random``);
    epochs done. A checkpoint that does not fit is refused, never half used."""
    path = out / CHECKPOINT
    if not path.exists():
        return 0
    remedy = f"delete {path} to train from the first epoch"
    saved = load_arrays(
        path,
        {
            "vectors": model.wv.vectors.shape,
            "syn1neg": model.syn1neg.shape,
            "epochs": (),
            "random_keys": (624,),
            "random_position": (),
            "random_gauss": (2,),
        },
        remedy,
    )
    epochs = int(saved["epochs"])
    if not 0 < epochs <= total_epochs:
        raise FileFormatError(f"{path}: epochs done {epochs} is out of range; {remedy}")
    model.wv.vectors[:] = saved["vectors"]
    model.syn1neg[:] = saved["syn1neg"]
    has_gauss, gauss = saved["random_gauss"]
    model.random.set_state(
        ("MT19937", saved["random_keys"].astype(np.uint32), int(saved["random_position"]), int(has_gauss), float(gauss))
    )
    return epochs


def _write_bundle(model, out: Path, card: dict, phrasegrams: dict[str, float]) -> None:
    with atomic_file(out / VECTORS) as partial:
        model.wv.save_word2vec_format(str(partial), binary=True)
    lines = [f"{word}\t{model.wv.get_vecattr(word, 'count')}" for word in model.wv.index_to_key]
    write_text_atomic(out / VOCABULARY, "word\tcount\n" + "\n".join(lines) + "\n")
    write_text_atomic(out / PHRASES, json.dumps(phrasegrams, indent=1))
    write_text_atomic(out / CARD, json.dumps(card, indent=2))
    for name in (TOKENS, PHRASED, CHECKPOINT, SETTINGS, "tokens_counts.json"):
        (out / name).unlink(missing_ok=True)
    mark_complete(out, [CARD, VECTORS, VOCABULARY, PHRASES])


def _versions() -> dict[str, str]:
    import gensim

    from atomlearn import __version__

    return {"atomlearn_version": __version__, "gensim_version": gensim.__version__}
