"""The Featurizer contract of DESIGN.md, checked on every registered featurizer.

For each one, on a few QM9 molecules (or CoRE MOFs for the featurizers of frameworks):
parameters survive ``clone`` and ``set_params``; ``get_feature_names_out`` names every column
once; a broken structure gives a NaN row and one error record naming it, while the other rows
are exactly what they are without it; a skops round trip gives identical rows; and the
symmetries the featurizer declares hold numerically.
"""

from __future__ import annotations

import numpy as np
import pytest
import skops.io as sio
from sklearn.base import clone

from atomlearn.featurizers import FEATURIZERS, make_featurizer
from atomlearn.featurizers.invariance import TOLERANCE, check

FRAMEWORK_ONLY = {"pores", "coremof_pores", "energy_histogram", "henry_grid", "racs"}
MOLECULE_ONLY = {"coulomb_matrix", "bag_of_bonds", "fchl19", "morgan", "rdkit2d"}


@pytest.fixture(params=sorted(FEATURIZERS.builtin()))  # text_embedding: tests/text/test_featurizer.py
def fitted(request, qm9_molecules, small_mofs):
    """(name, fitted featurizer, its structures, their features)."""
    name = request.param
    structures = small_mofs[:3] if name in FRAMEWORK_ONLY else qm9_molecules[:4]
    featurizer = make_featurizer(name)
    return name, featurizer, structures, featurizer.fit_transform(structures)


def test_parameters_survive_clone_and_set_params(fitted):
    _, featurizer, _, _ = fitted
    params = featurizer.get_params()
    twin = clone(featurizer)
    assert type(twin) is type(featurizer) and twin.get_params() == params
    assert not hasattr(twin, "feature_names_out_")  # a clone is unfitted
    assert twin.set_params(**params).get_params() == params


def test_every_column_is_named_once(fitted):
    _, featurizer, structures, X = fitted
    names = featurizer.get_feature_names_out()
    assert X.shape == (len(structures), len(names)) == (len(structures), featurizer.n_features_out_)
    assert len(set(names)) == len(names) and all(isinstance(n, str) and n for n in names)
    assert np.isfinite(X).all(), featurizer.errors_table()


def test_a_broken_structure_is_a_nan_row_and_one_record(fitted):
    _, featurizer, structures, X = fitted
    broken = [structures[0].copy(), structures[0].copy()]
    for index, (atoms, value) in enumerate(zip(broken, (np.nan, np.inf))):
        atoms.positions[index, 0] = value
        atoms.info["id"] = f"broken-{index}"
    mixed = featurizer.transform([structures[0], broken[0], structures[1], broken[1]])
    assert np.isnan(mixed[[1, 3]]).all()
    np.testing.assert_array_equal(mixed[[0, 2]], X[[0, 1]])
    assert [(e["item_id"], e["stage"]) for e in featurizer.errors_] == [
        ("broken-0", f"featurize:{featurizer.name}"),
        ("broken-1", f"featurize:{featurizer.name}"),
    ]
    assert all("non-finite coordinates" in e["reason"] for e in featurizer.errors_)


def test_a_skops_round_trip_gives_identical_rows(fitted):
    _, featurizer, structures, X = fitted
    data = sio.dumps(featurizer)
    loaded = sio.loads(data, trusted=sio.get_untrusted_types(data=data))
    assert loaded.get_params() == featurizer.get_params()
    np.testing.assert_array_equal(loaded.transform(structures), X)


def test_the_declared_symmetries_hold(fitted, qm9_molecules, small_mofs):
    # on molecules and on crystals, where the featurizer takes both (a supercell needs a crystal)
    name, featurizer, _, _ = fitted
    kinds = [qm9_molecules[:3]] * (name not in FRAMEWORK_ONLY) + [small_mofs[:2]] * (name not in MOLECULE_ONLY)
    tables = [check(clone(featurizer), structures, n_trials=1).set_index("symmetry") for structures in kinds]
    for symmetry in featurizer.symmetries:
        rows = [table.loc[symmetry] for table in tables if table.loc[symmetry, "n_structures"] > 0]
        assert rows, f"{name}: no structure to check {symmetry} on"
        assert all(row["max_relative_change"] < TOLERANCE for row in rows), (symmetry, rows)
