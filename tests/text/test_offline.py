"""The offline corpora: Webster's dictionary (dict-gcide) and WordNet's glosses (wordnet-base) read
from their Debian packages as plain text, each entry once; a source this machine lacks is refused
with the package to install; the command writes a corpus that ``text train`` reads."""

from __future__ import annotations

import json
import os

import pytest

from atomlearn.cli import main
from atomlearn.text import offline
from atomlearn.text.offline import available_sources, gcide_entries, wordnet_glosses, write_offline_corpus


@pytest.fixture(scope="module")
def debian_corpora():
    if {"gcide", "wordnet"} <= set(available_sources()):
        return
    if os.environ.get("ATOMLEARN_REQUIRE_CORPORA"):
        pytest.fail("dict-gcide and wordnet-base are not installed; `make test` installs them with apt-get")
    pytest.skip("dict-gcide and wordnet-base are not installed (make test installs them)")


def test_gcide_entries_are_plain_text_each_once(debian_corpora):
    entries = [entry["text"] for entry in gcide_entries()]
    assert len(entries) > 100_000 and len(set(entries)) > 0.99 * len(entries)
    bismuth = next(text for text in entries if text.startswith("Bismuth , n."))
    assert "Symbol Bi." in bismuth and "507 degrees Fahr." in bismuth and "thermo-electric piles" in bismuth
    assert not any(mark in bismuth for mark in "{}[]\\")  # mark-up, pronunciation, "[1913 Webster]" gone
    assert any(
        text.startswith("Thermoelectricity , n.") and "Electricity developed in the action of heat" in text
        for text in entries
    )


def test_wordnet_glosses_carry_their_lemmas(debian_corpora):
    glosses = [entry["text"] for entry in wordnet_glosses()]
    assert len(glosses) == 117_659  # WordNet 3.0's synsets
    assert "thermoelectricity: electricity produced by heat (as in a thermocouple)" in glosses
    assert glosses[0].startswith("entity: that which is perceived")


def test_the_command_writes_a_corpus_text_train_reads(debian_corpora, tmp_path, capsys):
    corpus = tmp_path / "corpus.jsonl"
    assert (
        main(["text", "corpus", "--sources", "gcide,wordnet,elements", "--max-documents", "400", "--out", str(corpus)])
        == 0
    )
    assert "400 documents from gcide, 400 documents from wordnet, 400 documents from elements" in " ".join(
        capsys.readouterr().out.split()
    )
    lines = [json.loads(line) for line in corpus.read_text().splitlines()]
    assert [line["source"] for line in lines].count("gcide") == 400 and len(lines) == 1200
    assert (
        main(
            [
                "text",
                "train",
                str(corpus),
                "--min-count",
                "3",
                "--epochs",
                "1",
                "--vector-size",
                "16",
                "--out",
                str(tmp_path / "emb"),
            ]
        )
        == 0
    )
    assert "1200 documents" in " ".join(capsys.readouterr().out.split())


def test_a_missing_source_names_its_package(tmp_path, monkeypatch):
    monkeypatch.setattr(offline, "GCIDE_DIR", tmp_path / "nowhere")
    with pytest.raises(FileNotFoundError, match=r"apt-get install dict-gcide"):
        write_offline_corpus(tmp_path / "c.jsonl", ("gcide",))
    assert "gcide" not in available_sources()
    assert not (tmp_path / "c.jsonl").exists()
    with pytest.raises(ValueError, match="unknown corpus source"):
        write_offline_corpus(tmp_path / "c.jsonl", ("webster",))
