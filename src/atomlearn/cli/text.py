"""Command line: `atomlearn text corpus|train|similar|rank|analogies|timesplit|map`: word embeddings of a corpus of
abstracts."""

from __future__ import annotations

import argparse
from pathlib import Path

from atomlearn.cli.common import COUNT, COUNT_OR_ZERO, NON_NEGATIVE, console

ANALOGIES_HELP = "analogy file (': section' lines, then 'a b c d' lines: a is to b as c is to d)"


def register(commands: argparse._SubParsersAction) -> None:
    """Add the ``text`` command group to ``commands``."""
    text = commands.add_parser(
        "text", help="word embeddings of materials text (mat2vec): train, similar, rank, analogies, map"
    )
    text_commands = text.add_subparsers(title="text commands", required=True)
    corpus = text_commands.add_parser("corpus", help="write the text that ships with installed packages, as JSON lines")
    corpus.add_argument("--out", required=True, help="JSON lines file (text, source, year)")
    corpus.add_argument(
        "--sources",
        help="comma-separated: elements (mendeleev's element texts), lee (gensim's 300 "
        "news articles), gcide (Webster's dictionary, Debian dict-gcide), wordnet (WordNet glosses, "
        "Debian wordnet-base); default: every one this machine has",
    )
    corpus.add_argument("--max-documents", type=COUNT, help="at most this many documents per source (a quick try)")
    corpus.set_defaults(handler=_corpus)

    train = text_commands.add_parser("train", help="train word2vec (skip-gram) on a corpus, formulas normalised")
    train.add_argument(
        "corpus",
        help="a text file with one document per line, a folder of .txt files, or JSON lines "
        "with a 'text' field (and optionally 'year')",
    )
    train.add_argument(
        "--out", required=True, help="embedding folder (EMB_DIR); rerunning an interrupted run resumes it"
    )
    train.add_argument("--vector-size", type=COUNT, default=200, help="dimensions (default 200, as mat2vec)")
    train.add_argument("--window", type=COUNT, default=8, help="context window (default 8)")
    train.add_argument("--negative", type=COUNT, default=15, help="negative samples (default 15)")
    train.add_argument("--min-count", type=COUNT, default=5, help="drop words seen fewer times (default 5)")
    train.add_argument("--epochs", type=COUNT, default=30, help="passes over the corpus (default 30)")
    train.add_argument(
        "--sample", type=NON_NEGATIVE, default=1e-4, help="sub-sampling of frequent words (default 1e-4; 0: off)"
    )
    train.add_argument("--no-phrases", action="store_true", help="do not join frequent word pairs (solar_cell)")
    train.add_argument("--phrase-min-count", type=COUNT, default=10, help="a phrase must occur this often (default 10)")
    train.add_argument("--max-year", type=COUNT, help="only documents of this year or earlier (JSON lines with 'year')")
    train.add_argument(
        "--seed", type=COUNT_OR_ZERO, default=0, help="seed (default 0; with --workers 1 the run is reproducible)"
    )
    train.add_argument("--workers", type=COUNT, default=1, help="word2vec threads (default 1: reproducible)")
    train.add_argument("--overwrite", action="store_true", help="replace embeddings already in --out")
    train.set_defaults(handler=_train)

    similar = text_commands.add_parser("similar", help="the words nearest to a word, formula or phrase")
    similar.add_argument("folder", help="embedding folder written by `atomlearn text train`")
    similar.add_argument(
        "word",
        nargs="+",
        help="a word, a formula in any writing (Te3Bi2), or a phrase (solar cell); "
        "with --minus and --plus: a − minus + plus",
    )
    similar.add_argument(
        "--minus", help="analogy: subtract this word's vector (ferromagnetic --minus NiFe --plus IrMn)"
    )
    similar.add_argument("--plus", help="analogy: add this word's vector")
    similar.add_argument("--n", type=COUNT, default=10, help="how many (default 10)")
    similar.set_defaults(handler=_similar)

    rank = text_commands.add_parser("rank", help="materials ranked by similarity to a property word")
    rank.add_argument("folder", help="embedding folder written by `atomlearn text train`")
    rank.add_argument("--property", required=True, help="e.g. thermoelectric, ferroelectric, photocatalyst")
    rank.add_argument(
        "--candidates", help="a file of formulas, one per line (default: every formula of the vocabulary)"
    )
    rank.add_argument(
        "--max-count", type=COUNT, help="only formulas seen at most this many times (never studied for it)"
    )
    rank.add_argument("--n", type=COUNT, default=50, help="how many (default 50)")
    rank.add_argument("--out", help="CSV of the ranking")
    rank.add_argument(
        "--known",
        action="store_true",
        help="score the ranking against the known thermoelectrics of the "
        "mat2vec paper's table (shipped): known ones in the top N, their base rate, ROC AUC",
    )
    rank.set_defaults(handler=_rank)

    analogies = text_commands.add_parser("analogies", help="score an analogy benchmark per section")
    analogies.add_argument("folder", help="embedding folder written by `atomlearn text train`")
    analogies.add_argument(
        "--file",
        help=ANALOGIES_HELP + " (default: mat2vec's benchmark, 35,000 questions in 14 "
        "sections, shipped with atomlearn)",
    )
    analogies.set_defaults(handler=_analogies)

    split = text_commands.add_parser(
        "timesplit", help="the paper's test: train up to a year, rank, check later documents"
    )
    split.add_argument("corpus", help="JSON lines with 'text' and 'year'")
    split.add_argument("--year", type=COUNT, required=True, help="train on the documents of this year and before")
    split.add_argument("--property", required=True, help="the property word, e.g. thermoelectric")
    split.add_argument("--out", required=True, help="embedding folder of the training up to --year (resumable)")
    split.add_argument("--k", type=COUNT, default=50, help="top candidates checked (default 50)")
    split.add_argument("--max-count", type=COUNT, help="only formulas seen at most this many times up to --year")
    split.add_argument("--min-count", type=COUNT, default=5, help="as in `text train` (default 5)")
    split.add_argument("--epochs", type=COUNT, default=30, help="as in `text train` (default 30)")
    split.add_argument("--vector-size", type=COUNT, default=200, help="as in `text train` (default 200)")
    split.add_argument("--seed", type=COUNT_OR_ZERO, default=0, help="as in `text train` (default 0)")
    split.set_defaults(handler=_timesplit)

    mapping = text_commands.add_parser("map", help="HTML map of the elements and formulas (t-SNE or PCA)")
    mapping.add_argument("folder", help="embedding folder written by `atomlearn text train`")
    mapping.add_argument("-o", "--out", help="HTML file (default FOLDER/map.html)")
    mapping.add_argument("--method", choices=("tsne", "pca"), default="tsne", help="projection (default tsne)")
    mapping.add_argument("--n", type=COUNT, default=500, help="elements and most frequent formulas shown (default 500)")
    mapping.add_argument("--property", help="colour by cosine similarity to this word (e.g. thermoelectric)")
    mapping.set_defaults(handler=_map)


def _timesplit(args: argparse.Namespace) -> int:
    from atomlearn.text.embeddings import Embeddings
    from atomlearn.text.evaluate import time_split
    from atomlearn.text.train import CARD, train_embeddings

    if not (Path(args.out) / CARD).exists():
        train_embeddings(
            args.corpus,
            args.out,
            vector_size=args.vector_size,
            min_count=args.min_count,
            epochs=args.epochs,
            max_year=args.year,
            random_state=args.seed,
        )
    embeddings = Embeddings(args.out)
    if embeddings.card["parameters"].get("max_year") != args.year:
        raise ValueError(
            f"{args.out} holds embeddings trained up to {embeddings.card['parameters'].get('max_year')}, "
            f"not {args.year}; choose another --out"
        )
    result = time_split(args.corpus, embeddings, args.year, args.property, k=args.k, max_count=args.max_count)
    console.print(result.table.to_string(index=False, float_format="{:.3f}".format), highlight=False, soft_wrap=True)
    console.print(result.summary(), highlight=False)
    return 0


def _map(args: argparse.Namespace) -> int:
    from atomlearn.text import embedding_map

    path = embedding_map(args.folder, args.out, method=args.method, n=args.n, property_word=args.property)
    console.print(f"map: {path}", highlight=False)
    return 0


def _corpus(args: argparse.Namespace) -> int:
    from atomlearn.text.offline import SOURCES, available_sources, write_offline_corpus

    sources = None if args.sources is None else tuple(s.strip() for s in args.sources.split(",") if s.strip())
    counts = write_offline_corpus(args.out, sources, max_documents=args.max_documents)
    console.print(
        f"{args.out}: "
        + ", ".join(f"{n} documents from {source}" for source, n in counts.items())
        + " (an offline corpus, not the literature)",
        highlight=False,
    )
    absent = sorted(set(SOURCES) - set(available_sources()))
    if sources is None and absent:
        console.print(
            f"not on this machine: {', '.join(absent)} (apt-get install dict-gcide wordnet-base)", highlight=False
        )
    return 0


def _train(args: argparse.Namespace) -> int:
    from atomlearn.text.train import train_embeddings

    result = train_embeddings(
        args.corpus,
        args.out,
        vector_size=args.vector_size,
        window=args.window,
        negative=args.negative,
        min_count=args.min_count,
        epochs=args.epochs,
        sample=args.sample,
        phrases=not args.no_phrases,
        phrase_min_count=args.phrase_min_count,
        max_year=args.max_year,
        random_state=args.seed,
        workers=args.workers,
        overwrite=args.overwrite,
    )
    console.print(result.summary(), highlight=False)
    return 0


def _similar(args: argparse.Namespace) -> int:
    from atomlearn.text.embeddings import Embeddings

    embeddings = Embeddings(args.folder)
    word = " ".join(args.word)
    if (args.minus is None) != (args.plus is None):
        raise ValueError("an analogy needs both --minus and --plus (WORD − minus + plus)")
    table = (
        embeddings.analogy(word, args.minus, args.plus, n=args.n)
        if args.minus is not None
        else embeddings.similar(word, n=args.n)
    )
    console.print(table.to_string(index=False, float_format="{:.3f}".format), highlight=False, soft_wrap=True)
    return 0


def _rank(args: argparse.Namespace) -> int:
    from atomlearn.files import write_csv_atomic
    from atomlearn.text.embeddings import Embeddings

    candidates = None
    if args.candidates:
        path = Path(args.candidates)
        if not path.is_file():
            raise ValueError(f"--candidates {path}: no such file")
        candidates = [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    embeddings = Embeddings(args.folder)
    table = embeddings.rank(args.property, candidates=candidates, max_count=args.max_count, n=args.n)
    console.print(table.to_string(index=False, float_format="{:.3f}".format), highlight=False, soft_wrap=True)
    missing = table.attrs.get("missing", [])
    if missing:
        console.print(
            f"{len(missing)} candidate(s) without a vector (not in the corpus often enough): "
            f"{', '.join(missing[:10])}{' ...' if len(missing) > 10 else ''}",
            highlight=False,
        )
    if args.out:
        write_csv_atomic(table, Path(args.out))
    if args.known:
        from atomlearn.text.evaluate import known_material_ranking

        score = known_material_ranking(embeddings, args.property, k=args.n)
        console.print(
            f"known thermoelectrics (mat2vec's table): {score['known_in_top_k']} in the top {score['k']} "
            f"({score['precision_at_k']:.1%}) against {score['base_rate']:.1%} of the {score['candidates']} "
            f"labelled formulas with a vector; ROC AUC {score['roc_auc']:.3f}",
            highlight=False,
        )
    return 0


def _analogies(args: argparse.Namespace) -> int:
    from atomlearn.text.embeddings import MAT2VEC_ANALOGIES, Embeddings

    table = Embeddings(args.folder).evaluate_analogies(args.file or MAT2VEC_ANALOGIES)
    console.print(table.to_string(index=False, float_format="{:.3f}".format), highlight=False, soft_wrap=True)
    return 0
