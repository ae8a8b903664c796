"""The Featurizer base class (featurizers/base.py): input handling, on_error, the row cache, and the
checks every structure passes before a featurizer sees it."""

import numpy as np
import pytest
from ase.build import molecule
from sklearn.exceptions import NotFittedError

from atomlearn.errors import FeaturizationError
from atomlearn.featurizers import ElementFraction, make_featurizer


def test_empty_lists_single_atoms_and_none_entries():
    featurizer = make_featurizer("acsf").fit([molecule("H2O")])
    with pytest.raises(ValueError, match="empty"):
        featurizer.transform([])
    with pytest.raises(TypeError, match="list of ase.Atoms"):
        featurizer.transform(molecule("H2O"))
    values = featurizer.transform([molecule("H2O"), None])
    assert np.isfinite(values[0]).all() and np.isnan(values[1]).all()
    assert "None" in featurizer.errors_table().reason[0]


def test_transform_before_fit_and_on_error_raise():
    with pytest.raises(NotFittedError):
        ElementFraction().transform([molecule("H2O")])
    strict = ElementFraction(on_error="raise").fit([molecule("H2O")])
    with pytest.raises(FeaturizationError, match="element_fraction: structure 1: .*N not seen in fit"):
        strict.transform([molecule("H2O"), molecule("NH3")])


def test_the_cache_returns_the_same_rows_and_keys_on_parameters(tmp_path, monkeypatch):
    monkeypatch.setenv("ATOMLEARN_CACHE_DIR", str(tmp_path))
    structures = [molecule("H2O"), molecule("CH4"), molecule("C2H6")]
    computed = make_featurizer("composition", cache=True).fit(structures).transform(structures)
    calls = []
    cached = make_featurizer("composition", cache=True).fit(structures)
    monkeypatch.setattr(type(cached), "featurize", lambda self, atoms: calls.append(atoms) or np.zeros(0))
    np.testing.assert_array_equal(cached.transform(structures), computed)  # every row from the cache
    assert not calls
    other = make_featurizer("composition", cache=True, properties=["group"]).fit(structures)
    with pytest.raises(ValueError):  # other parameters: other keys, so featurize runs (and here refuses)
        other.set_params(on_error="raise").transform(structures)
    assert calls
