import numpy as np
import pytest

from atomlearn.featurizers import (
    FEATURIZERS,
    CartesianCoordinates,
    CoulombMatrix,
    make_featurizer,
)
from atomlearn.featurizers.invariance import TOLERANCE, augment, check

MOLECULAR = ["composition", "element_fraction", "coulomb_matrix", "bag_of_bonds", "acsf", "soap", "morgan", "rdkit2d"]
CRYSTAL = ["composition", "acsf", "soap", "racs"]


@pytest.mark.parametrize("name", MOLECULAR)
def test_declared_symmetries_hold_on_qm9(name, qm9_molecules):
    table = check(make_featurizer(name), qm9_molecules[:6]).set_index("symmetry")
    declared = table[table.declared & (table.n_structures > 0)]
    assert (declared.max_relative_change < TOLERANCE).all(), declared


@pytest.mark.parametrize("name", CRYSTAL)
def test_declared_symmetries_hold_on_coremof(name, small_mofs):
    params = {"species": sorted({s for a in small_mofs[:3] for s in a.get_chemical_symbols()})} if name == "soap" else {}
    table = check(make_featurizer(name, **params), small_mofs[:3], n_trials=1).set_index("symmetry")
    declared = table[table.declared]
    assert (declared.n_structures == 3).all() and (declared.max_relative_change < TOLERANCE).all(), declared


def test_every_featurizer_declares_a_known_set():
    for cls in FEATURIZERS.values():
        assert set(cls().symmetries) <= {"translation", "rotation", "permutation", "supercell"}


def test_raw_cartesian_coordinates_fail_as_the_lecture_shows(qm9_molecules):
    table = check(CartesianCoordinates(), qm9_molecules[:6]).set_index("symmetry")
    for symmetry in ("translation", "rotation", "permutation"):
        assert table.loc[symmetry, "max_relative_change"] > 1e-2
        assert table.loc[symmetry, "status"] == "not invariant"


def test_augment_makes_moved_copies_with_the_same_invariant_features(qm9_molecules):
    originals = qm9_molecules[:3]
    copies = augment(originals, n_copies=4, random_state=1)
    assert len(copies) == 15 and [c.info["id"] for c in copies[:5]] == [originals[0].info["id"]] * 5
    cartesian = CartesianCoordinates().fit(originals).transform(copies)
    assert not np.allclose(cartesian[0], cartesian[1])
    coulomb = CoulombMatrix().fit(originals).transform(copies)
    np.testing.assert_allclose(coulomb, np.repeat(coulomb[::5], 5, axis=0), rtol=1e-10)
    with pytest.raises(ValueError, match="supercell"):
        augment(originals, operations=["supercell"])
