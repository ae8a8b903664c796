"""The active screen: it learns (finds the known top of a pool far above random), resumes exactly, refuses
what it cannot do, and keeps every pick and label."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from atomlearn.datasets import load_folder
from atomlearn.featurizers import make_featurizer
from atomlearn.workflows.active_learning import active_screen
from atomlearn.workflows.screen_labels import parse_label_spec


@pytest.fixture(scope="module")
def lcd_pool(tmp_path_factory, coremof, readable):
    """150 readable CoRE MOFs labelled by a smooth function of their largest cavity (the pore-geometry features
    hold it): a GP on those features must find the top quickly."""
    pool = coremof.subset(readable(coremof.ids[0:3000:10], 150))
    lcd = pool.labels["LCD_A"].to_numpy(dtype=float)
    table = pd.DataFrame({"id": pool.ids, "score": -((lcd - 9.0) ** 2), "second": -np.abs(lcd - 6.0)})
    path = tmp_path_factory.mktemp("labels") / "labels.csv"
    table.to_csv(path, index=False)
    return pool, path, table


def _screen(pool, path, folder, columns="score", **options):
    settings = dict(budget=30, batch=5, n_seed=10, acquisition="ei", random_state=0) | options
    source = parse_label_spec(f"table:{path}:{columns}")
    return active_screen(pool, source, [make_featurizer("coremof_pores")], folder, **settings)


def test_the_screen_finds_the_top_that_random_selection_misses(lcd_pool, tmp_path):
    pool, path, table = lcd_pool
    result = _screen(pool, path, tmp_path / "ei")
    hits = result.summary["hits"]
    assert hits["n_top"] == 2  # 1 % of 150
    assert hits["found"] == 2 and hits["random_expected"] == pytest.approx(30 * 2 / 150)
    best = table["score"].max()
    assert result.rounds["best_uptake"].iloc[-1] == pytest.approx(best)
    assert len(result.labels) == 30 and result.labels["id"].is_unique
    # in = usable + refused; every pick is a decision written before its label
    assert len(result.pool) == len(pool) + len(pool.errors)
    assert set(result.labels["id"]) == set(result.decisions["id"])
    assert (result.decisions.groupby("round").size().to_numpy() == [10, 5, 5, 5, 5]).all()
    assert (tmp_path / "ei" / "complete.json").exists() and (tmp_path / "ei" / "report.html").exists()
    # the GP's predictions of each round were kept for the whole pool
    first = pd.read_parquet(tmp_path / "ei" / "predictions" / "round_001.parquet")
    assert len(first) == int(result.pool["usable"].sum()) and first["sd_uptake"].gt(0).all()


@pytest.mark.parametrize("acquisition", ["ucb", "thompson", "greedy"])
def test_every_acquisition_beats_random(lcd_pool, tmp_path, acquisition):
    pool, path, _ = lcd_pool
    result = _screen(pool, path, tmp_path / acquisition, acquisition=acquisition)
    assert result.summary["hits"]["found"] >= 1 > result.summary["hits"]["random_expected"]


def test_a_resumed_or_extended_screen_gives_what_one_run_gives(lcd_pool, tmp_path):
    pool, path, _ = lcd_pool
    whole = _screen(pool, path, tmp_path / "whole", acquisition="thompson")
    _screen(pool, path, tmp_path / "part", budget=20, acquisition="thompson")
    # killed after the last decisions were written, before their labels: drop them from labels.csv
    labels = pd.read_csv(tmp_path / "part" / "labels.csv", dtype={"id": str})
    labels[labels["round"] < 2].to_csv(tmp_path / "part" / "labels.csv", index=False)
    resumed = _screen(pool, path, tmp_path / "part", acquisition="thompson")
    pd.testing.assert_frame_equal(resumed.decisions, whole.decisions, check_dtype=False)
    pd.testing.assert_frame_equal(resumed.rounds, whole.rounds, check_dtype=False)


def test_pareto_screens_count_the_true_front(lcd_pool, tmp_path):
    pool, path, table = lcd_pool
    result = _screen(pool, path, tmp_path / "pareto", columns="score,second", objective="pareto", acquisition="ucb")
    assert {"best_uptake", "best_selectivity"} <= set(result.rounds.columns)
    assert result.summary["hits"]["found"] > result.summary["hits"]["random_expected"]


def test_a_folder_with_other_settings_is_refused(lcd_pool, tmp_path):
    pool, path, _ = lcd_pool
    _screen(pool, path, tmp_path / "s", budget=15)
    with pytest.raises(ValueError, match="other settings \\(acquisition\\)"):
        _screen(pool, path, tmp_path / "s", budget=15, acquisition="ucb")
    settings = json.loads((tmp_path / "s" / "settings.json").read_text())
    assert settings["budget"] == 15 and settings["acquisition"] == "ei"


@pytest.mark.parametrize(
    "options, message",
    [
        ({"budget": 10}, "must exceed the seed batch"),
        ({"acquisition": "pi"}, "choose one of ei, ucb"),
        ({"objective": "selectivity"}, "gives no selectivity"),
        ({"budget": 1000}, "exceeds the 150 usable"),
        ({"top_fraction": 1.5}, "top-fraction"),
    ],
)
def test_requests_that_make_no_sense_are_refused(lcd_pool, tmp_path, options, message):
    pool, path, _ = lcd_pool
    with pytest.raises(ValueError, match=message):
        _screen(pool, path, tmp_path / "bad", **options)


def test_a_pool_of_unreadable_files_is_refused_with_the_first_reason(lcd_pool, tmp_path):
    _, path, _ = lcd_pool
    folder = tmp_path / "broken"
    folder.mkdir()
    (folder / "a.cif").write_text("data_a\n_cell_length_a 5\n")
    with pytest.raises(ValueError, match="no structure of the pool could be read \\(1 failed; the first, a: "):
        _screen(load_folder(folder, labels=None), path, tmp_path / "s")


def test_a_tampered_settings_file_is_one_error_line(lcd_pool, tmp_path):
    from atomlearn.schema import FileFormatError

    pool, path, _ = lcd_pool
    _screen(pool, path, tmp_path / "s", budget=12)
    settings = tmp_path / "s" / "settings.json"
    settings.write_text(settings.read_text().replace('"batch": 5', '"batch": "5"'))
    with pytest.raises(FileFormatError, match="settings.json: field batch"):
        _screen(pool, path, tmp_path / "s", budget=12)


def test_given_seed_labels_are_the_seed_round_and_are_not_labelled_again(lcd_pool, tmp_path):
    pool, path, table = lcd_pool
    given = table.set_index("id").iloc[[3, 40, 77, 110, 140]].rename(columns={"score": "uptake"})[["uptake"]]
    given.iloc[1, 0] = np.nan  # a failed label stays a failed label, with its reason
    given["error"] = ["", "GCMC: no CO2 adsorbed", "", "", ""]
    result = _screen(pool, path, tmp_path / "given", budget=15, seed_labels=given)
    seed = result.labels[result.labels["round"] == 0].set_index("id")
    assert list(seed.index) == list(given.index)
    assert seed.loc[given.index[1], "error"] == "GCMC: no CO2 adsorbed"
    np.testing.assert_allclose(seed["uptake"].dropna(), given["uptake"].dropna())
    assert len(result.labels) == 15 and result.decisions.groupby("round").size().tolist() == [5, 5, 5]
    assert json.loads((tmp_path / "given" / "settings.json").read_text())["seed_ids"] == sorted(given.index)
    with pytest.raises(ValueError, match="other settings .*seed_ids"):
        _screen(pool, path, tmp_path / "given", budget=15, seed_labels=given.iloc[:4])
    outside = given.rename(index={given.index[0]: "NOT_IN_POOL"})
    with pytest.raises(ValueError, match="not usable in the pool .*NOT_IN_POOL"):
        _screen(pool, path, tmp_path / "outside", budget=15, seed_labels=outside)
