"""The --label texts of `atomlearn screen`: what each source measures, and clear refusals."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from atomlearn.datasets import load
from atomlearn.units import BAR_TO_PA
from atomlearn.workflows.screen_labels import GCMCLabels, HenryLabels, TableLabels, parse_label_spec


def test_a_gcmc_label_names_its_mixture_and_pressure():
    source = parse_label_spec("gcmc:CO2:0.15,N2:0.85@1bar", 300.0, {"random_state": 3}, {"cycles": 50})
    assert isinstance(source, GCMCLabels)
    assert source.mixture == {"CO2": 0.15, "N2": 0.85} and source.pressure_Pa == BAR_TO_PA
    assert source.temperature_K == 300.0 and source.options == {"random_state": 3, "cycles": 50}
    assert set(source.units) == {"uptake", "selectivity"}
    one = parse_label_spec("gcmc:CH4@500kPa")
    assert one.mixture == {"CH4": 1.0} and one.pressure_Pa == 5e5 and set(one.units) == {"uptake"}


def test_a_henry_label_takes_one_or_two_gases():
    assert isinstance(parse_label_spec("henry:CH4"), HenryLabels)
    assert set(parse_label_spec("henry:CO2,N2").units) == {"uptake", "selectivity"}


@pytest.mark.parametrize(
    "text, message",
    [
        ("gcmc:CO2:0.15,N2:0.8@1bar", "sum to 0.95"),
        ("gcmc:CO2:0.15,N2:0.85", "end with the pressure"),
        ("gcmc:CO2:0.15,N2:0.85@-1bar", "pressure"),
        ("gcmc:CO2:0.15,N2:0.85@nanbar", "end with the pressure"),
        ("gcmc:XX:1@1bar", "XX"),
        ("henry:", "one or two gases"),
        ("henry:CH4,N2,CO2", "one or two gases"),
        ("widom:CH4", "start with gcmc:, henry: or table:"),
        ("table:labels.csv", "table:FILE.csv:COLUMN"),
    ],
)
def test_nonsense_labels_are_refused_where_they_are_parsed(text, message):
    with pytest.raises(ValueError, match=message):
        parse_label_spec(text)
    with pytest.raises(ValueError, match="temperature"):
        parse_label_spec("henry:CH4", 0.0)


def test_a_table_is_checked_when_it_is_named(tmp_path):
    path = tmp_path / "labels.csv"
    pd.DataFrame({"id": ["a", "b"], "uptake": [1.0, "high"]}).to_csv(path, index=False)
    with pytest.raises(ValueError, match="column uptake, row 2: 'high' is not a number"):
        parse_label_spec(f"table:{path}:uptake")
    with pytest.raises(FileNotFoundError, match="missing.csv is not a file"):
        parse_label_spec(f"table:{tmp_path / 'missing.csv'}:uptake")
    pd.DataFrame({"id": ["a", "a"], "uptake": [1.0, 2.0]}).to_csv(path, index=False)
    with pytest.raises(ValueError, match="id 'a' appears twice"):
        parse_label_spec(f"table:{path}:uptake")


def test_a_bundled_dataset_gives_its_columns_with_their_units():
    source = parse_label_spec("table:coremof2019-co2:log10_co2_uptake_mol_kg,log10_co2_n2_selectivity")
    assert source.units == {"uptake": "log10 mol/kg", "selectivity": "log10"}
    known = source.known()
    assert (
        len(known) == 600 and known["uptake"].notna().sum() == 515
    )  # 66 overlapping sites, 9 refused by EQeq, 10 closed
    with pytest.raises(ValueError, match="has no label column 'nope'"):
        parse_label_spec("table:coremof2019-co2:nope")


def test_a_table_labels_every_structure_or_says_why_not(tmp_path):
    pool = load("coremof2019").take(range(4))
    path = tmp_path / "labels.csv"
    pd.DataFrame({"id": pool.ids[:3], "y": [1.0, np.nan, 3.0]}).to_csv(path, index=False)
    source = parse_label_spec(f"table:{path}:y")
    assert isinstance(source, TableLabels)
    labels = source.label(pool, tmp_path)
    assert list(labels.index) == pool.ids and labels["uptake"].iloc[0] == 1.0
    assert labels["error"].tolist() == ["", "no value in labels.csv", "", "no value in labels.csv"]


def test_gcmc_labels_are_the_simulated_loadings(tmp_path):
    """The source's uptake and selectivity are the log10 of what `simulate gcmc` gives for the same MOF."""
    from atomlearn.simulate import gcmc

    pool = load("coremof2019").subset(["UZUNAF_clean"])
    options = {"init_cycles": 10, "cycles": 40, "grid_spacing_A": 0.4, "allow_coarse_grid": True, "random_state": 0}
    source = parse_label_spec("gcmc:CH4:0.5,Kr:0.5@1bar", 298.0, options)
    labels = source.label(pool, tmp_path)
    direct = gcmc(pool.structures[0], {"CH4": 0.5, "Kr": 0.5}, 298.0, BAR_TO_PA, charges="off", **options)
    ch4, kr = direct.loading_mol_kg
    assert labels.loc["UZUNAF_clean", "uptake"] == pytest.approx(math.log10(ch4))
    assert labels.loc["UZUNAF_clean", "selectivity"] == pytest.approx(math.log10(ch4 / kr))
