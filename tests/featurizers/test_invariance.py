import numpy as np
import pytest

from atomlearn.featurizers import (
    FEATURIZERS,
    CartesianCoordinates,
    CoulombMatrix,
)
from atomlearn.featurizers.invariance import augment, check


def test_every_featurizer_declares_a_known_set():
    for cls in (FEATURIZERS.load(name) for name in FEATURIZERS):
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
