"""Throughput of atomlearn's materials-aware preprocessing and of word2vec training, side by side
with gensim's own word2vec on plain tokens (split on whitespace, lower-cased, no formula parsing),
on the offline corpus (`atomlearn text corpus`) repeated to a given size, in one run.

Prints one JSON line per stage: words/s of our tokenizer, of gensim's `simple_preprocess`, and of
word2vec training on each token stream; the ratio says what the chemistry-aware step costs
against training.

Usage: python benchmarks/bench_text.py [--repeat 20] [--epochs 5] [--workers 2]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from atomlearn.text.corpus import read_corpus
from atomlearn.text.offline import write_offline_corpus
from atomlearn.text.tokens import tokenize


def word2vec_seconds(path: Path, epochs: int, workers: int) -> tuple[float, int]:
    from gensim.models import Word2Vec

    model = Word2Vec(vector_size=200, window=8, negative=15, min_count=5, sample=1e-4, sg=1, workers=workers, seed=0)
    model.build_vocab(corpus_file=str(path))
    started = time.perf_counter()
    model.train(corpus_file=str(path), total_words=model.corpus_total_words, epochs=epochs)
    return time.perf_counter() - started, model.corpus_total_words


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20, help="copies of the offline corpus (757 documents each)")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    from gensim.utils import simple_preprocess

    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        write_offline_corpus(folder / "one.jsonl")
        one = (folder / "one.jsonl").read_text()
        (folder / "corpus.jsonl").write_text(one * args.repeat)
        texts = [document.text for document in read_corpus(folder / "corpus.jsonl")]
        raw_words = sum(len(text.split()) for text in texts)
        for name, tokenizer, out in (
            ("atomlearn tokenize", tokenize, "ours.txt"),
            ("gensim simple_preprocess", simple_preprocess, "plain.txt"),
        ):
            started = time.perf_counter()
            lines = [" ".join(tokenizer(text)) for text in texts]
            seconds = time.perf_counter() - started
            (folder / out).write_text("\n".join(lines) + "\n")
            print(
                json.dumps(
                    {
                        "stage": name,
                        "documents": len(texts),
                        "words": raw_words,
                        "seconds": seconds,
                        "words_per_second": raw_words / seconds,
                    }
                ),
                flush=True,
            )
        for name, out in (("word2vec on atomlearn tokens", "ours.txt"), ("word2vec on plain tokens", "plain.txt")):
            seconds, words = word2vec_seconds(folder / out, args.epochs, args.workers)
            print(
                json.dumps(
                    {
                        "stage": name,
                        "epochs": args.epochs,
                        "workers": args.workers,
                        "seconds": seconds,
                        "words_per_second": words * args.epochs / seconds,
                    }
                ),
                flush=True,
            )


if __name__ == "__main__":
    main()
