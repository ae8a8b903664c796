import numpy as np
import pytest
from ase.build import bulk, molecule
from dscribe.descriptors import CoulombMatrix as DScribeCoulombMatrix

from atomlearn.featurizers import BagOfBonds, CoulombMatrix


def test_eigenspectrum_matches_dscribe(qm9_molecules):
    ours = CoulombMatrix().fit(qm9_molecules)
    theirs = DScribeCoulombMatrix(n_atoms_max=ours.max_atoms_, permutation="eigenspectrum")
    np.testing.assert_allclose(ours.transform(qm9_molecules), theirs.create(qm9_molecules), rtol=1e-10, atol=1e-10)


def test_bag_of_bonds_of_water_by_hand():
    water = molecule("H2O")
    featurizer = BagOfBonds().fit([water])
    row = dict(zip(featurizer.get_feature_names_out(), featurizer.transform([water])[0]))
    d_oh = np.linalg.norm(water.positions[0] - water.positions[1])
    d_hh = np.linalg.norm(water.positions[1] - water.positions[2])
    assert row["bob_H_0"] == row["bob_H_1"] == 0.5
    assert row["bob_O_0"] == pytest.approx(0.5 * 8**2.4)
    assert row["bob_H-H_0"] == pytest.approx(1 / d_hh)
    assert row["bob_H-O_0"] == pytest.approx(8 / d_oh) and row["bob_H-O_1"] == pytest.approx(8 / d_oh)
    assert len(row) == 6


def test_molecule_only_and_unseen_bags_are_reported():
    featurizer = BagOfBonds().fit([molecule("H2O")])
    values = featurizer.transform([bulk("Si"), molecule("H2O2"), molecule("CH4")])
    assert np.isnan(values).all()
    reasons = " ".join(featurizer.errors_table().reason)
    assert "periodic" in reasons and "bag(s) O-O never seen in fit" in reasons and "element(s) C" in reasons


def test_padding_follows_the_largest_molecule():
    featurizer = CoulombMatrix().fit([molecule("H2O"), molecule("C6H6")])
    values = featurizer.transform([molecule("H2O")])
    assert values.shape == (1, 12) and (values[0, 3:] == 0).all()
