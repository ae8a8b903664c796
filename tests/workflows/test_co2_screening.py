"""The carbon-capture demo end to end on a small slice: bookkeeping through the funnel, a test set no fit
saw, labels, distinct confirmed frameworks, consistency with a direct GCMC run, the report."""

import json

import numpy as np
import pandas as pd
import pytest

from atomlearn.cli import main
from atomlearn.simulate.grand_canonical import gcmc
from atomlearn.structures import read_structure
from atomlearn.workflows.families import family_key

N_SCREEN, N_SIMULATE, N_CONFIRM, N_HENRY, N_SHORTLIST, BATCH = 100, 16, 2, 4, 12, 3
GCMC = ["--cycles", "40", "--init-cycles", "10", "--grid-spacing", "0.3", "--coarse-grid"]


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    folder = tmp_path_factory.mktemp("co2") / "run"
    status = main(
        [
            "demo",
            "co2",
            "--n-screen",
            str(N_SCREEN),
            "--n-simulate",
            str(N_SIMULATE),
            "--confirm",
            str(N_CONFIRM),
            "--n-henry",
            str(N_HENRY),
            "--top",
            "8",
            "--shortlist",
            str(N_SHORTLIST),
            "--rounds",
            "1",
            "--batch",
            str(BATCH),
            *GCMC,
            "--out",
            str(folder),
        ]
    )
    assert status == 0
    return folder


@pytest.mark.slow
def test_every_mof_is_accounted_for(demo):
    counts = json.loads((demo / "screening.json").read_text())["counts"]
    screened = pd.read_csv(demo / "screened.csv", keep_default_na=False, na_values=[""])
    assert len(screened) == counts["screened_requested"] == N_SCREEN
    assert counts["screened_predicted"] + counts["screened_failed"] == N_SCREEN
    assert (screened.loc[screened["predicted_uptake"].isna(), "error"].fillna("").astype(str).str.len() > 0).all()
    # sample: charged + refused by EQeq; simulated + failed = charged
    charged = pd.read_csv(demo / "charges" / "charges.csv")
    assert len(charged) + counts["charges_failed"] == counts["simulated"] == N_SIMULATE
    sample = pd.read_csv(demo / "gcmc_sample.csv")
    assert len(sample) + counts["simulation_failed"] == len(charged)
    assert counts["shortlist"] == N_SHORTLIST and counts["screen_labels"] == BATCH
    results = json.loads((demo / "results.json").read_text())
    simulated = N_SIMULATE + BATCH  # the surrogate saw every label: used + excluded
    assert results["counts"]["requested"] == simulated
    assert results["counts"]["used"] + results["counts"]["failed"] == simulated


@pytest.mark.slow
def test_the_test_set_is_the_random_half_no_fit_saw(demo):
    sample = pd.read_csv(demo / "labels_sample.csv").set_index("id")
    assert (sample["role"] == "test").sum() == N_SIMULATE // 2
    test_ids = set(sample.index[sample["role"] == "test"])
    predictions = pd.read_csv(demo / "predictions.csv")
    tested = set(predictions.loc[predictions["set"] == "test", "id"])
    assert tested <= test_ids and set(predictions.loc[predictions["set"] == "train", "id"]).isdisjoint(test_ids)
    screen_labels = pd.read_csv(demo / "screen" / "labels.csv")
    assert set(screen_labels["id"]).isdisjoint(test_ids)  # the active screen never saw the test half either
    seed = set(screen_labels.loc[screen_labels["round"] == 0, "id"])
    assert seed <= set(sample.index[sample["role"] == "train"])
    picked = set(screen_labels.loc[screen_labels["round"] > 0, "id"])
    screened = pd.read_csv(demo / "screened.csv").set_index("id")
    assert set(screened.index[screened["stage"] == "active screen"]) == picked
    assert (screened.loc[list(picked), "cheap_predicted_uptake"].notna()).all()
    assert (demo / "screen" / "complete.json").exists()


@pytest.mark.slow
def test_the_labels_are_the_mixture_loadings(demo):
    sample = pd.read_csv(demo / "gcmc_sample.csv").set_index("id")
    labels = pd.read_csv(demo / "labels_sample.csv").set_index("id").loc[sample.index]
    assert set(sample["composition"]) == {"CO2:0.15,N2:0.85"} and set(sample["pressure_bar"]) == {1.0}
    np.testing.assert_allclose(labels["co2_uptake_mol_kg"], sample["loading_CO2_mol_kg"])
    both = (sample["loading_CO2_mol_kg"] > 0) & (sample["loading_N2_mol_kg"] > 0)
    selectivity = sample["loading_CO2_mol_kg"] / sample["loading_N2_mol_kg"] / (0.15 / 0.85)
    np.testing.assert_allclose(labels.loc[both, "co2_n2_selectivity"], selectivity[both])
    np.testing.assert_allclose(labels.loc[both, "log10_co2_n2_selectivity"], np.log10(selectivity[both]))
    henry = pd.read_csv(demo / "henry_vs_gcmc.csv")
    assert len(henry) == N_HENRY
    np.testing.assert_allclose(henry["henry_selectivity"], henry["henry_co2_mol_kg_Pa"] / henry["henry_n2_mol_kg_Pa"])


@pytest.mark.slow
def test_the_confirmed_are_distinct_frameworks_never_simulated_and_match_a_direct_run(demo):
    confirmed = pd.read_csv(demo / "confirmed.csv")
    sample = pd.read_csv(demo / "labels_sample.csv")["id"]
    assert len(confirmed) == N_CONFIRM
    assert confirmed["id"].map(family_key).is_unique
    assert not set(confirmed["id"].map(family_key)) & set(sample.map(family_key))
    np.testing.assert_allclose(confirmed["uptake_error"], confirmed["simulated_uptake"] - confirmed["predicted_uptake"])
    first = confirmed.iloc[0]
    atoms = read_structure(demo / "charges_confirm" / f"{first['id']}.cif")
    direct = gcmc(
        atoms,
        {"CO2": 0.15, "N2": 0.85},
        298.0,
        1e5,
        charges="cif",
        cycles=40,
        init_cycles=10,
        grid_spacing_A=0.3,
        allow_coarse_grid=True,
        target_relative_error=0.05,
        random_state=0,
    )
    assert first["co2_uptake_mol_kg"] == pytest.approx(direct.loading_mol_kg[0], rel=1e-12)


@pytest.mark.slow
def test_the_report_leads_with_carbon_capture(demo, render_page):
    errors, sizes = render_page(demo / "report.html")
    assert errors is None, errors
    assert render_page.overflow in ([], None), render_page.overflow  # every table fits the window
    assert {"uptake-selectivity", "parity", "importance", "map"} <= set(sizes), sizes
    assert all(w > 300 and h > 300 for w, h in sizes.values()), sizes
    page = (demo / "report.html").read_text()
    assert page.index("Carbon capture: a funnel") < page.index("Test performance")
    assert "Which label is right?" in page
    assert (demo / "selectivity" / "report.html").exists()


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--acquisition", "best"], "invalid choice"),
        (["--n-simulate", "5"], "at least 12 MOFs"),
    ],
)
def test_a_bad_request_is_refused_before_any_simulation(tmp_path, capsys, arguments, message):
    assert main(["demo", "co2", "--out", str(tmp_path / "run"), *arguments]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "run" / "gcmc_sample.csv").exists()
