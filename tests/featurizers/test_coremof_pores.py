import numpy as np
import pytest

from atomlearn.featurizers import CoreMofPores
from atomlearn.featurizers.coremof_pores import COLUMNS, framework_density_g_cm3
from atomlearn.featurizers.invariance import check


def test_rows_are_the_published_zeo_values(coremof):
    mofs = coremof.take([2, 501, 5000])  # readable: no overlapping sites
    featurizer = CoreMofPores()
    X = featurizer.fit_transform(mofs.structures)
    np.testing.assert_array_equal(X, mofs.labels[list(COLUMNS)].to_numpy(dtype=float))
    assert featurizer.get_feature_names_out()[:2].tolist() == ["coremof_LCD_A", "coremof_PLD_A"]
    # the published density is mass over volume of the CIF (the check that guards the lookup)
    for atoms, density in zip(mofs.structures, mofs.labels["density_g_cm3"]):
        assert framework_density_g_cm3(atoms) == pytest.approx(density, rel=2e-3)


def test_unknown_or_altered_structures_are_refused_with_the_reason(coremof):
    atoms = coremof.structure(coremof.ids[2])
    stranger = atoms.copy()
    stranger.info["id"] = "my_new_mof"
    swollen = atoms.copy()
    swollen.set_cell(atoms.cell * 1.05, scale_atoms=True)  # same name, 14 % lower density
    anonymous = atoms.copy()
    del anonymous.info["id"]
    featurizer = CoreMofPores().fit([atoms])
    X = featurizer.transform([stranger, swollen, anonymous, atoms])
    assert np.isnan(X[:3]).all() and np.isfinite(X[3]).all()
    reasons = featurizer.errors_table()["reason"].tolist()
    assert "my_new_mof is not in CoRE MOF 2019-ASR" in reasons[0] and "'pores'" in reasons[0]
    assert "differs from the CoRE MOF table's" in reasons[1]
    assert "has no id" in reasons[2]


def test_lookup_is_invariant_to_every_symmetry(small_mofs):
    table = check(CoreMofPores(), small_mofs[:3]).set_index("symmetry")
    assert table["holds"].all(), table
