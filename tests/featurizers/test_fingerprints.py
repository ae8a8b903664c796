import numpy as np
import pytest
from ase.build import bulk

from atomlearn.featurizers import MorganFingerprint, RDKitDescriptors
from atomlearn.structures import from_smiles


def test_bond_perception_gives_the_smiles_fingerprint_on_qm9(qm9):
    subset = qm9.take(range(0, 130_000, 1300))
    structures = subset.structures.materialize()
    with_smiles = [atoms.copy() for atoms in structures]
    for atoms, smiles in zip(with_smiles, subset.labels["smiles"]):
        atoms.info["smiles"] = smiles
    featurizer = MorganFingerprint().fit(structures)
    from_geometry, from_smiles_column = featurizer.transform(structures), featurizer.transform(with_smiles)
    assert featurizer.errors_table().empty
    assert (from_geometry == from_smiles_column).all(axis=1).mean() >= 0.98


def test_descriptor_values_of_ethanol():
    ethanol = from_smiles("CCO")
    ethanol.info.pop("smiles")  # force bond perception from 3D
    featurizer = RDKitDescriptors(names=["MolWt", "NumHDonors", "RingCount", "TPSA"]).fit([ethanol])
    np.testing.assert_allclose(featurizer.transform([ethanol])[0], [46.069, 1, 0, 20.23], atol=1e-2)
    counts = MorganFingerprint(radius=1, n_bits=1024).fit([ethanol]).transform([ethanol])[0]
    assert counts.sum() == 6  # 3 heavy atoms x (radius 0 + radius 1 environments)


def test_crystals_are_refused_with_a_reason():
    featurizer = MorganFingerprint().fit([bulk("Si")])
    assert np.isnan(featurizer.transform([bulk("Si")])).all()
    assert "periodic" in featurizer.errors_table().reason[0]
    with pytest.raises(ValueError, match="unknown RDKit descriptor"):
        RDKitDescriptors(names=["NoSuchThing"]).fit([bulk("Si")])
