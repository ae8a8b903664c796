import numpy as np
import pytest
from ase.build import bulk
from dscribe.descriptors import ACSF as DScribeACSF

from atomlearn.featurizers import ACSF

PARAMS = dict(
    r_cut=5.0,
    g2_params=[[0.1, 0.0], [0.5, 1.0], [1.0, 2.5]],
    g3_params=[1.0, 2.0],
    g4_params=[[0.01, 1.0, -1.0], [0.05, 4.0, 1.0]],
    g5_params=[[0.02, 2.0, 1.0], [0.1, 1.0, -1.0]],
)


def _relative(ours, theirs):
    return np.max(np.abs(ours - theirs) / np.maximum(np.abs(theirs), 1e-12))


def test_per_atom_values_match_dscribe_on_qm9(qm9_molecules):
    ours = ACSF(**PARAMS).fit(qm9_molecules)
    theirs = DScribeACSF(species=ours.species_, **PARAMS)
    for atoms in qm9_molecules:
        assert _relative(ours.per_atom(atoms), theirs.create(atoms)) < 1e-6


def test_periodic_values_match_dscribe():
    crystals = [bulk("NaCl", "rocksalt", a=5.64), bulk("Si", "diamond", a=5.43, cubic=True) * (1, 2, 1)]
    ours = ACSF(**PARAMS).fit(crystals)
    theirs = DScribeACSF(species=ours.species_, periodic=True, **PARAMS)
    for atoms in crystals:
        assert _relative(ours.per_atom(atoms), theirs.create(atoms)) < 1e-6


def test_pooling_layouts(qm9_molecules):
    atoms = qm9_molecules[5]
    per_atom = ACSF().fit(qm9_molecules).per_atom(atoms)
    species_sum = ACSF().fit(qm9_molecules)
    row = species_sum.transform([atoms])[0]
    n = per_atom.shape[1]
    for block, symbol in enumerate(species_sum.species_):
        mask = np.asarray(atoms.get_chemical_symbols()) == symbol
        np.testing.assert_allclose(row[block * n : (block + 1) * n], per_atom[mask].sum(axis=0))
    mean = ACSF(pooling="mean").fit(qm9_molecules)
    np.testing.assert_allclose(mean.transform([atoms])[0], per_atom.mean(axis=0))
    assert mean.get_feature_names_out()[0] == "acsf_mean_G1_H"
    assert "supercell" in mean.symmetries and "supercell" not in species_sum.symmetries


def test_unknown_species_and_bad_pooling():
    crystal = bulk("Cu")
    featurizer = ACSF().fit([bulk("Si")])
    assert np.isnan(featurizer.transform([crystal])).all()
    assert "Cu" in featurizer.errors_table().reason[0]
    with pytest.raises(ValueError, match="pooling"):
        ACSF(pooling="max").fit([crystal])
