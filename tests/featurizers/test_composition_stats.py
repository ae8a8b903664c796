import numpy as np
import pytest
from ase import Atoms
from ase.build import bulk, molecule

from atomlearn.featurizers import CompositionStats
from atomlearn.featurizers.elements import element_table, lookup, property_by_z


def test_element_table_holds_published_values():
    table = element_table()
    assert list(table.index) == list(range(1, 95))
    assert table.loc[6, "electronegativity_pauling"] == pytest.approx(2.55)
    assert table.loc[1, "covalent_radius_A"] == pytest.approx(0.31)  # Cordero 2008
    assert table.loc[26, "atomic_mass_amu"] == pytest.approx(55.845)
    assert table.loc[1, "polarizability_bohr3"] == pytest.approx(4.50711)  # exact value for H
    assert table.loc[8, "ionization_energy_eV"] == pytest.approx(13.618, abs=1e-3)
    assert (table.loc[29, "group"], table.loc[29, "period"]) == (11, 4)
    assert np.isnan(property_by_z("electronegativity_pauling")[2])  # He has none


def test_statistics_of_water_by_hand():
    featurizer = CompositionStats(properties=["electronegativity_pauling"]).fit([molecule("H2O")])
    row = dict(zip(featurizer.get_feature_names_out(), featurizer.transform([molecule("H2O")])[0]))
    wmean = (2 * 2.20 + 3.44) / 3
    assert row["comp_electronegativity_pauling_mean"] == pytest.approx((2.20 + 3.44) / 2)
    assert row["comp_electronegativity_pauling_wmean"] == pytest.approx(wmean)
    assert row["comp_electronegativity_pauling_wstd"] == pytest.approx(
        np.sqrt((2 * (2.20 - wmean) ** 2 + (3.44 - wmean) ** 2) / 3)
    )
    assert row["comp_electronegativity_pauling_wavgdev"] == pytest.approx(
        (2 * abs(2.20 - wmean) + abs(3.44 - wmean)) / 3
    )
    assert row["comp_electronegativity_pauling_range"] == pytest.approx(1.24)


def test_missing_property_gives_a_nan_row_and_a_reason():
    structures = [molecule("H2O"), Atoms("HeH", positions=[[0, 0, 0], [0, 0, 1.5]])]
    featurizer = CompositionStats().fit(structures)
    values = featurizer.transform(structures)
    assert np.isfinite(values[0]).all() and np.isnan(values[1]).all()
    assert "electronegativity_pauling for element(s) He" in featurizer.errors_table().reason[0]
    with pytest.raises(ValueError, match="outside the element table"):
        lookup("atomic_mass_amu", np.array([95]))


def test_intensive_under_supercell():
    crystal = bulk("NaCl", "rocksalt", a=5.64)
    featurizer = CompositionStats().fit([crystal])
    np.testing.assert_allclose(featurizer.transform([crystal]), featurizer.transform([crystal * (2, 3, 1)]))
