"""The screening demo end to end on a small slice: bookkeeping, consistency with direct simulation, report."""

import json

import numpy as np
import pandas as pd
import pytest

from atomlearn.cli import main
from atomlearn.simulate import widom_henry
from atomlearn.workflows.families import family_key

N_SCREEN, N_SIMULATE, N_CONFIRM, TARGET_ERROR = 120, 36, 3, 0.3
ROUNDS, BATCH = 2, 5


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo") / "run"
    status = main(
        [
            "demo",
            "mof",
            "--n-screen",
            str(N_SCREEN),
            "--n-simulate",
            str(N_SIMULATE),
            "--confirm",
            str(N_CONFIRM),
            "--rounds",
            str(ROUNDS),
            "--batch",
            str(BATCH),
            "--top",
            "8",
            "--nested",
            "3x3",
            "--target-error",
            str(TARGET_ERROR),
            "--out",
            str(folder),
        ]
    )
    assert status == 0
    return folder


@pytest.mark.slow
def test_every_mof_is_accounted_for(demo):
    summary = json.loads((demo / "screening.json").read_text())
    counts = summary["counts"]
    screened = pd.read_csv(demo / "screened.csv", keep_default_na=False, na_values=[""])
    assert len(screened) == counts["screened_requested"] == N_SCREEN
    assert counts["screened_predicted"] + counts["screened_failed"] == N_SCREEN
    failed = screened[screened["predicted"].isna()]
    assert (failed["error"].str.len() > 0).all()  # each MOF without a prediction says why
    sample = pd.read_csv(demo / "widom_sample.csv")
    assert len(sample) + counts["simulation_failed"] == counts["simulated"] == N_SIMULATE
    assert counts["simulated_closed"] == int((sample["henry_mol_kg_Pa"] == 0).sum())
    assert counts["train_random"] + counts["test_random"] == N_SIMULATE
    # the active screen started from the random training MOFs and spent ROUNDS x BATCH labels, none of the test set
    labels = pd.read_csv(demo / "screen" / "labels.csv", keep_default_na=False, na_values=[""])
    assert (labels["round"] == 0).sum() <= counts["train_random"]
    assert (labels["round"] > 0).sum() == counts["screen_labels"] == ROUNDS * BATCH
    assert labels["id"].is_unique and not set(labels["id"]) - set(screened["id"])
    predictions = pd.read_csv(demo / "predictions.csv")
    test_ids = set(predictions.loc[predictions["set"] == "test", "id"])
    assert test_ids and not test_ids & set(labels["id"]) and test_ids <= set(sample["id"])
    results = json.loads((demo / "results.json").read_text())
    # the regression saw exactly the simulated MOFs, random and active: used + excluded = simulated
    assert results["counts"]["requested"] == N_SIMULATE + ROUNDS * BATCH
    assert results["counts"]["used"] + results["counts"]["failed"] == N_SIMULATE + ROUNDS * BATCH
    assert results["split"]["kind"] == "predefined"
    assert screened["set"].str.endswith("(active screen)").sum() <= ROUNDS * BATCH


@pytest.mark.slow
def test_the_confirmed_are_the_best_predicted_never_simulated(demo):
    screened = pd.read_csv(demo / "screened.csv")
    confirmed = pd.read_csv(demo / "confirmed.csv")
    sample = set(pd.read_csv(demo / "widom_sample.csv")["id"]) | set(pd.read_csv(demo / "screen" / "labels.csv")["id"])
    families = {family_key(i) for i in sample}
    ranked = screened[(screened["p_open"] >= 0.5) & ~screened["id"].map(family_key).isin(families)]
    ranked = ranked.sort_values("predicted", ascending=False)
    best_of_family = ranked[~ranked["id"].map(family_key).duplicated()]
    # one per framework, best first: the best of each refcode family (unless a better one has the same cell)
    assert confirmed["id"].iloc[0] == best_of_family["id"].iloc[0]
    assert confirmed["id"].map(family_key).is_unique
    positions = [best_of_family["id"].tolist().index(i) for i in confirmed["id"]]
    assert positions == sorted(positions)
    ranked = ranked.set_index("id").loc[confirmed["id"]].reset_index()
    np.testing.assert_allclose(confirmed["predicted"], ranked["predicted"])
    np.testing.assert_allclose(confirmed["error"], confirmed["simulated"] - confirmed["predicted"])
    # percentile among the simulated sample, recomputed by hand
    henry = np.sort(pd.read_csv(demo / "widom_sample.csv")["henry_mol_kg_Pa"].to_numpy())
    first = confirmed.iloc[0]
    assert first["percentile_in_sample"] == pytest.approx(
        100 * np.searchsorted(henry, first["henry_mol_kg_Pa"], "right") / len(henry)
    )


@pytest.mark.slow
def test_confirmation_equals_a_direct_simulation(demo, coremof):
    first = pd.read_csv(demo / "confirmed.csv").iloc[0]
    direct = widom_henry(coremof.structure(first["id"]), "CH4", 298.0, target_relative_error=TARGET_ERROR)
    if direct.henry_mol_kg_Pa == 0:
        assert first["henry_mol_kg_Pa"] == 0
    else:
        assert first["simulated"] == pytest.approx(np.log10(direct.henry_mol_kg_Pa), abs=1e-9)


@pytest.mark.slow
def test_the_report_leads_with_the_screening(demo, render_page):
    errors, sizes = render_page(demo / "report.html")
    assert errors is None, errors
    assert {"confirmed", "screened", "parity", "importance", "map", "curve"} <= set(sizes), sizes
    assert all(w > 300 and h > 300 for w, h in sizes.values()), sizes
    page = (demo / "report.html").read_text()
    assert page.index("Screening: simulate, learn, predict all, confirm") < page.index("Test performance")
    for name in ("confirmed", "screened", "importance", "map", "curve"):
        assert f'data-figure="{name}"' in page
    summary = json.loads((demo / "screening.json").read_text())
    assert set(summary["timings_s"]) >= {
        "simulation (sample)",
        "featurization (all)",
        "learning",
        "prediction (all)",
        "simulation (confirm)",
    }


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--guest", "H2O2"], "H2O2"),
        (["--acquisition", "nonsense"], "invalid choice"),
        (["--featurizer", "racs,nonsense"], "unknown featurizer"),
        (["--n-simulate", "5"], "at least 20 MOFs"),
    ],
)
def test_a_bad_request_is_refused_before_any_simulation(tmp_path, capsys, arguments, message):
    assert main(["demo", "mof", "--out", str(tmp_path / "run"), *arguments]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "run" / "widom_sample.csv").exists()
