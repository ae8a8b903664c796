"""Word embeddings on a planted corpus: metals and their oxides share private context words and
differ by role words, so metal − oxide offsets are consistent and word2vec must recover the planted
analogies. Also: the corpus reader's counts, the command line, resuming, and refused folders."""

from __future__ import annotations

import json
import random

import numpy as np
import pytest

from atomlearn.cli import main
from atomlearn.text.corpus import CorpusCounts, read_corpus
from atomlearn.text.embeddings import Embeddings
from atomlearn.text.train import train_embeddings

OXIDES = {
    "Fe": "Fe2O3",
    "Ni": "NiO",
    "Cu": "CuO",
    "Zn": "ZnO",
    "Al": "Al2O3",
    "Ti": "TiO2",
    "Mg": "MgO",
    "Co": "CoO",
    "Cr": "Cr2O3",
    "Mn": "MnO2",
    "Sn": "SnO2",
    "Zr": "ZrO2",
}
SMALL = {"vector_size": 32, "window": 5, "negative": 5, "min_count": 2, "epochs": 20, "sample": 0.0, "phrases": False}


def planted_corpus(path, n_documents: int = 3000, seed: int = 0) -> None:
    """Documents naming one metal or its oxide among role words and the metal's private words."""
    rng = random.Random(seed)
    private = {metal: [f"{metal.lower()}ish{k}" for k in range(3)] for metal in OXIDES}
    roles = {
        False: ["metallic", "ductile", "conducting", "alloyed", "lustrous"],
        True: ["oxide", "insulating", "oxidised", "ceramic", "stoichiometric"],
    }
    filler = ["the", "sample", "was", "studied", "and", "measured", "with", "a", "new", "method"]
    with open(path, "w") as handle:
        for _ in range(n_documents):
            metal, oxide = rng.choice(list(OXIDES)), rng.random() < 0.5
            words = rng.sample(roles[oxide], 2) + rng.sample(private[metal], 2) + rng.sample(filler, 3)
            words.append(OXIDES[metal] if oxide else metal)
            rng.shuffle(words)
            handle.write(" ".join(words) + ". Thermoelectric Te3Bi2 was measured at 300 K.\n")


def planted_analogies(path) -> None:
    with open(path, "w") as handle:
        handle.write(": metals and their oxides\n")
        for a in OXIDES:
            for c in OXIDES:
                if a != c:
                    handle.write(f"{a} {OXIDES[a]} {c} {OXIDES[c]}\n")
        handle.write(": unknown words\nFe Fe2O3 Pt PtO2\n")


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    folder = tmp_path_factory.mktemp("planted")
    planted_corpus(folder / "corpus.txt")
    planted_analogies(folder / "analogies.txt")
    result = train_embeddings(folder / "corpus.txt", folder / "emb", **SMALL)
    return folder, result


def test_word2vec_recovers_the_planted_analogies_and_is_reproducible(planted, tmp_path):
    folder, result = planted
    embeddings = Embeddings(result.folder)
    scores = embeddings.evaluate_analogies(folder / "analogies.txt").set_index("section")
    assert scores.loc["metals and their oxides", "covered"] == 132  # TiO2, ZnO ... read in canonical form
    assert scores.loc["metals and their oxides", "accuracy"] > 0.9
    assert scores.loc["unknown words", "covered"] == 0 and scores.loc["all sections", "questions"] == 133
    assert embeddings.analogy("Fe2O3", "Fe", "Ni")["word"].iloc[0] == "NiO"  # a − b + c
    again = train_embeddings(folder / "corpus.txt", tmp_path / "again", **SMALL)
    assert np.array_equal(Embeddings(again.folder).vectors.vectors, embeddings.vectors.vectors)


def test_queries_read_formulas_in_any_writing_and_missing_words_get_suggestions(planted):
    embeddings = Embeddings(planted[1].folder)
    assert embeddings.key("Te3Bi2") == embeddings.key("Bi2Te3") == "Bi2Te3"
    assert set(embeddings.similar("Fe", n=3)["word"]) <= {"feish0", "feish1", "feish2", "Fe2O3"}
    with pytest.raises(ValueError, match="'oxyde' is not in the vocabulary .* nearest spellings present: oxide"):
        embeddings.key("oxyde")
    ranking = embeddings.rank("oxide", candidates=["Fe2O3", "Ni", "Cu", "O3Al2", "PtO2"], n=None)
    assert list(ranking["formula"][:2]) == ["Fe2O3", "Al2O3"] or set(ranking["formula"][:2]) == {"Fe2O3", "Al2O3"}
    assert ranking.attrs["missing"] == ["PtO2"]
    rare = embeddings.rank("oxide", max_count=embeddings.counts["Fe2O3"] - 1, n=None)
    assert "Fe2O3" not in set(rare["formula"]) and (rare["count"] < embeddings.counts["Fe2O3"]).all()


def test_the_corpus_reader_counts_every_document(tmp_path):
    path = tmp_path / "corpus.jsonl"
    lines = [
        json.dumps({"text": "Bi2Te3 is thermoelectric", "year": 2001}),
        "not json",
        json.dumps({"title": "x"}),
        "",
        json.dumps({"text": "PbTe too", "year": "soon"}),
        json.dumps({"text": "SnSe", "year": 2014}),
    ]
    path.write_text("\n".join(lines) + "\n")
    counts = CorpusCounts()
    documents = list(read_corpus(path, counts))
    assert [d.year for d in documents] == [2001, 2014] and counts.read == 2
    assert dict(counts.skipped) == {"not JSON": 1, "no 'text' field": 1, "empty": 1, "year is not a number": 1}


def test_the_command_line_trains_resumes_and_refuses_what_it_cannot_read(tmp_path, capsys, monkeypatch):
    planted_corpus(tmp_path / "corpus.txt", n_documents=600)
    train = [
        "text",
        "train",
        str(tmp_path / "corpus.txt"),
        "--out",
        str(tmp_path / "emb"),
        "--vector-size",
        "16",
        "--min-count",
        "2",
        "--epochs",
        "4",
        "--sample",
        "0",
        "--no-phrases",
    ]
    from gensim.models import Word2Vec

    calls, original = [], Word2Vec.train

    def interrupted(self, *args, **kwargs):  # the third epoch is killed
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Word2Vec, "train", interrupted)
    assert main(train) == 130
    monkeypatch.setattr(Word2Vec, "train", lambda self, *a, **k: (calls.append(1), original(self, *a, **k))[1])
    assert main(train) == 0
    assert len(calls) == 3 + 2  # two epochs done before the kill, two after: the checkpoint was resumed
    whole = [*train[:4], str(tmp_path / "whole"), *train[5:]]
    assert main(whole) == 0  # resumed equals uninterrupted, to the byte (the random stream is checkpointed too)
    assert (tmp_path / "emb" / "vectors.bin").read_bytes() == (tmp_path / "whole" / "vectors.bin").read_bytes()
    out = capsys.readouterr().out
    assert "600 documents read, 0 skipped" in " ".join(out.split())
    assert main(["text", "similar", str(tmp_path / "emb"), "Te3Bi2", "--n", "3"]) == 0
    (tmp_path / "formulas.txt").write_text("Fe2O3\nNiO\nPtO2\n")
    assert (
        main(
            [
                "text",
                "rank",
                str(tmp_path / "emb"),
                "--property",
                "oxide",
                "--candidates",
                str(tmp_path / "formulas.txt"),
                "--out",
                str(tmp_path / "rank.csv"),
            ]
        )
        == 0
    )
    assert "1 candidate(s) without a vector" in " ".join(capsys.readouterr().out.split())
    assert main(["text", "analogies", str(tmp_path / "emb")]) == 0  # mat2vec's benchmark, shipped
    assert "chemical element names" in capsys.readouterr().out
    assert (
        main(
            [
                "text",
                "map",
                str(tmp_path / "emb"),
                "-o",
                str(tmp_path / "map.html"),
                "--method",
                "pca",
                "--property",
                "oxide",
            ]
        )
        == 0
    )
    page = (tmp_path / "map.html").read_text()
    assert "Nearest to oxide" in page and "Fe2O3" in page
    assert main(train) == 2 and "already holds trained embeddings" in capsys.readouterr().err
    card = tmp_path / "emb" / "card.json"
    card.write_text(card.read_text().replace("atomlearn-text-embedding-1", "atomlearn-text-embedding-0"))
    assert main(["text", "similar", str(tmp_path / "emb"), "Fe"]) == 2
    assert "changed" in capsys.readouterr().err  # the seal sees the edit before the format check would


@pytest.mark.parametrize(
    "content, message",
    [(b"", "is empty"), (b"\x00\x01binary", "binary data"), (b"... !!! ???\n", "no document with recognisable words")],
)
def test_a_corpus_without_words_is_refused_with_what_to_do(tmp_path, capsys, content, message):
    path = tmp_path / "corpus.txt"
    path.write_bytes(content)
    assert main(["text", "train", str(path), "--out", str(tmp_path / "emb")]) == 2
    assert message in " ".join(capsys.readouterr().err.split())
