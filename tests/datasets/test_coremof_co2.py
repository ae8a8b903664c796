"""The bundled CO2/N2 GCMC label set: complete, self-consistent and reproducible from its settings."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from atomlearn.datasets import load
from atomlearn.datasets.coremof_co2 import LABEL_SET_SETTINGS, load_label_set, write_label_set
from atomlearn.schema import FileFormatError
from atomlearn.workflows.co2_labels import label_sample

LABELS = ["co2_uptake_mol_kg", "n2_uptake_mol_kg", "co2_uptake_se_mol_kg", "n2_uptake_se_mol_kg"]


@pytest.fixture(scope="module")
def label_set() -> pd.DataFrame:
    return load_label_set()


def test_every_mof_asked_for_is_labelled_or_says_why(label_set: pd.DataFrame) -> None:
    assert len(label_set) == 600 and label_set["id"].is_unique
    labelled = label_set[LABELS].notna().all(axis=1)
    assert (labelled != (label_set["error"] != "")).all()
    assert labelled.sum() == 525  # the 66 with overlapping sites and the 9 EQeq refused say why
    assert (label_set.loc[labelled, LABELS] >= 0).all().all()


def test_selectivity_is_the_ratio_of_the_uptakes_over_the_gas_fractions(label_set: pd.DataFrame) -> None:
    both = label_set[(label_set["co2_uptake_mol_kg"] > 0) & (label_set["n2_uptake_mol_kg"] > 0)]
    y = LABEL_SET_SETTINGS["mixture"]
    expected = (both["co2_uptake_mol_kg"] / y["CO2"]) / (both["n2_uptake_mol_kg"] / y["N2"])
    np.testing.assert_allclose(both["co2_n2_selectivity"], expected, rtol=1e-9)
    np.testing.assert_allclose(both["log10_co2_n2_selectivity"], np.log10(expected), rtol=1e-9)


def test_flue_gas_uptakes_are_in_the_range_published_for_mofs(label_set: pd.DataFrame) -> None:
    # 15 % CO2 at 1 bar: screening studies of CoRE MOFs find a median near 1 mol/kg and very few above
    # 5 mol/kg (Mg-MOF-74 type open-metal-site MOFs reach ~6, which UFF without polarisation underestimates)
    co2 = label_set["co2_uptake_mol_kg"].dropna()
    assert 0.3 < co2.median() < 2.5
    assert (co2 > 5).mean() < 0.02
    assert (label_set["co2_n2_selectivity"].dropna().median()) > 5  # CO2 is always the stronger adsorbate


def test_dataset_carries_labels_errors_and_pore_geometry(label_set: pd.DataFrame) -> None:
    dataset = load("coremof2019-co2")
    assert len(dataset) == 600
    table = dataset.labels
    first = label_set.set_index("id").loc[dataset.ids]
    np.testing.assert_array_equal(table["co2_uptake_mol_kg"].to_numpy(), first["co2_uptake_mol_kg"].to_numpy())
    assert {"LCD_A", "void_fraction", "label_error", "gcmc_notes"} <= set(table.columns)
    assert any(note.startswith("labelled: 525 of 600") for note in dataset.meta.notes)


def test_a_bundled_label_is_reproduced_exactly_from_the_settings(tmp_path, label_set) -> None:
    mof = "RONZID_clean"  # a small cell that adsorbs both gases: ~1 s of EQeq and GCMC
    sample = load("coremof2019-co2").subset([mof])
    gcmc = {key: LABEL_SET_SETTINGS[key] for key in ("init_cycles", "cycles", "target_relative_error", "random_state")}
    labels, failures, _, _ = label_sample(
        sample, tmp_path, LABEL_SET_SETTINGS["temperature_K"], {"n_jobs": 1}, {"charges": "cif", **gcmc}, {}
    )
    assert failures.empty
    expected = label_set.set_index("id").loc[mof]
    for column in LABELS:
        assert labels.loc[mof, column] == pytest.approx(expected[column], rel=1e-12)


def test_a_tampered_label_set_is_refused(tmp_path, label_set) -> None:
    path = tmp_path / "labels.csv"
    write_label_set(label_set["id"][:3], label_set.set_index("id").iloc[:3], pd.DataFrame(columns=["item_id"]), path)
    assert len(load_label_set(path)) == 3
    path.write_text(path.read_text().replace("co2_uptake_mol_kg,", "co2_uptake,", 1))
    with pytest.raises(FileFormatError, match="co2_uptake_mol_kg"):
        load_label_set(path)
