"""The paper's two evaluations on planted corpora: a time split in which a material that shares the
known thermoelectrics' contexts before 2010 is first called thermoelectric after it, and the
ranking against known labels."""

from __future__ import annotations

import json
import random

import pytest

from atomlearn.cli import main
from atomlearn.text import Embeddings, train_embeddings
from atomlearn.text.evaluate import known_material_ranking, time_split

KNOWN = ["Bi2Te3", "PbTe", "SnSe", "CoSb3"]  # thermoelectric before 2010
HIDDEN = "AgSbTe2"  # telluride-like contexts before 2010, called thermoelectric only after
OTHERS = ["Fe2O3", "MgO", "Al2O3", "ZnO", "TiO2", "NiO"]


def planted(path, seed: int = 0) -> None:
    rng = random.Random(seed)
    semiconductor = ["telluride", "narrow", "gap", "seebeck", "phonon", "doping"]
    oxide = ["oxide", "insulating", "ceramic", "catalyst", "sintered", "ferrite"]
    records = []
    for year in range(2000, 2016):
        for _ in range(120):
            if rng.random() < 0.5:
                material = rng.choice(KNOWN + [HIDDEN])
                words = rng.sample(semiconductor, 3)
                if material != HIDDEN or year > 2010:
                    words.append("thermoelectric")
            else:
                material, words = rng.choice(OTHERS), rng.sample(oxide, 4)
            words.append(material)
            rng.shuffle(words)
            records.append({"text": " ".join(words) + " were studied.", "year": year})
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    path = tmp_path_factory.mktemp("timesplit") / "corpus.jsonl"
    planted(path)
    return path


def test_the_time_split_finds_the_material_named_thermoelectric_only_later(corpus, tmp_path):
    trained = train_embeddings(
        corpus,
        tmp_path / "emb",
        vector_size=16,
        window=5,
        min_count=2,
        epochs=15,
        sample=0.0,
        phrases=False,
        max_year=2010,
    )
    assert trained.card["documents"]["read"] == 11 * 120  # 2000 ... 2010
    assert trained.card["documents"]["skipped"] == {"after 2010": 5 * 120}
    result = time_split(corpus, Embeddings(trained.folder), 2010, "thermoelectric", k=5)
    top = result.table.set_index("formula")
    assert HIDDEN in top.index and bool(top.loc[HIDDEN, "hit"]) and top.loc[HIDDEN, "first_year"] == 2011
    assert result.table["hit"].mean() > result.hit_rate_all  # better than picking candidates at random
    assert "of the top 5 candidates for thermoelectric" in result.summary()


def test_the_ranking_scores_against_known_labels(corpus, tmp_path):
    trained = train_embeddings(
        corpus, tmp_path / "emb", vector_size=16, window=5, min_count=2, epochs=15, sample=0.0, phrases=False
    )
    labels = {
        **{formula: True for formula in ["Bi2Te3", "PbTe", "SnSe", "CoSb3", "AgSbTe2"]},
        **{formula: False for formula in ["Fe2O3", "MgO", "Al2O3", "OZn", "O2Ti", "NiO", "PtO2"]},
    }
    score = known_material_ranking(Embeddings(trained.folder), "thermoelectric", labels=labels, k=5)
    assert score["candidates"] == 11 and score["known"] == 5  # PtO2 is not in the corpus
    assert score["known_in_top_k"] == 5 and score["roc_auc"] == 1.0 and score["base_rate"] == pytest.approx(5 / 11)


def test_the_command_line_runs_the_time_split(corpus, tmp_path, capsys):
    assert (
        main(
            [
                "text",
                "timesplit",
                str(corpus),
                "--year",
                "2010",
                "--property",
                "thermoelectric",
                "--out",
                str(tmp_path / "emb"),
                "--k",
                "5",
                "--min-count",
                "2",
                "--epochs",
                "5",
                "--vector-size",
                "16",
            ]
        )
        == 0
    )
    assert "after 2010:" in " ".join(capsys.readouterr().out.split())
    assert main(["text", "rank", str(tmp_path / "emb"), "--property", "thermoelectric", "--known", "--n", "5"]) == 0
    assert "known thermoelectrics (mat2vec's table)" in " ".join(capsys.readouterr().out.split())
