import numpy as np
import pytest

from atomlearn.datasets import load_coremof
from atomlearn.units import AMU_PER_A3_TO_G_PER_CM3


def test_asr_ids_labels_and_units(coremof):
    assert len(coremof) == 12_020
    for column in ["LCD_A", "PLD_A", "density_g_cm3", "ASA_m2_g", "void_fraction", "metals", "has_open_metal_site"]:
        assert column in coremof.labels
    assert coremof.meta.units["LCD_A"] == "Å"
    assert (coremof.labels["LCD_A"] >= coremof.labels["PLD_A"] - 1e-6).all()  # a pore is wider than its window
    assert coremof.labels["has_open_metal_site"].isin([True, False]).all()
    assert len(coremof.errors) == 0


def test_structure_density_matches_zeopp_table(coremof, readable):
    """Mass / volume of the structures read by atomlearn equals the density column of the table."""
    sample = coremof.subset(readable(coremof.sample(40, random_state=1).ids))
    for item_id, atoms in zip(sample.ids, sample.structures):
        assert atoms.info["id"] == item_id and atoms.pbc.all()
        density = atoms.get_masses().sum() / atoms.get_volume() * AMU_PER_A3_TO_G_PER_CM3
        assert density == pytest.approx(sample.labels.loc[item_id, "density_g_cm3"], rel=2e-3), item_id


def test_other_subsets_and_unknown_id():
    fsr = load_coremof("2019-FSR")
    assert len(fsr) == 7_061 and "LCD_A" in fsr.labels
    assert len(load_coremof("2014")) == 4_764
    with pytest.raises(KeyError, match="NOT_A_MOF"):
        fsr.structure("NOT_A_MOF")
    with pytest.raises(ValueError, match="unknown CoRE MOF subset"):
        load_coremof("2020")


def test_loader_survives_pickling(coremof, readable):
    import pickle

    part = coremof.subset(readable(coremof.ids[:10], 3))
    clone = pickle.loads(pickle.dumps(part.structures))
    assert [a.get_chemical_formula() for a in clone] == [a.get_chemical_formula() for a in part.structures]
    np.testing.assert_array_equal(clone[1].positions, part.structures[1].positions)


def test_readable_keeps_what_reads_and_moves_the_rest_to_the_errors(coremof):
    part = coremof.subset(["ERANAO_clean", "UZUNAF_clean"]).readable()
    assert part.ids == ["UZUNAF_clean"] and len(part.structures) == len(part.labels) == 1
    assert part.errors["item_id"].tolist() == ["ERANAO_clean"] and "overlapping sites" in part.errors["reason"][0]
