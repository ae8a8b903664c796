import numpy as np
import pytest
from ase.build import bulk, molecule
from sklearn.base import clone
from sklearn.linear_model import Ridge
from sklearn.pipeline import make_pipeline

from atomlearn.errors import FeaturizationError
from atomlearn.featurizers import ElementFraction, make_featurizer


def test_fractions_counts_and_names():
    water, methane = molecule("H2O"), molecule("CH4")
    featurizer = ElementFraction().fit([water, methane])
    assert featurizer.species_ == ["H", "C", "O"]
    assert list(featurizer.get_feature_names_out()) == [
        "frac_H",
        "frac_C",
        "frac_O",
        "count_H",
        "count_C",
        "count_O",
        "n_atoms",
    ]
    X = featurizer.transform([water, methane])
    np.testing.assert_allclose(X[0], [2 / 3, 0, 1 / 3, 2, 0, 1, 3])
    np.testing.assert_allclose(X[1], [4 / 5, 1 / 5, 0, 4, 1, 0, 5])
    assert len(featurizer.errors_table()) == 0


def test_declared_symmetries_hold():
    rutile = bulk("NaCl", "rocksalt", a=5.64)
    fractions = ElementFraction(counts=False).fit([rutile])
    assert "supercell" in fractions.symmetries
    np.testing.assert_allclose(fractions.transform([rutile]), fractions.transform([rutile * (2, 2, 1)]))
    counts = ElementFraction(counts=True).fit([rutile])
    assert "supercell" not in counts.symmetries
    rotated = rutile.copy()
    rotated.rotate(37, "z", rotate_cell=True)
    shuffled = rotated[np.random.default_rng(0).permutation(len(rotated))]
    np.testing.assert_allclose(counts.transform([rutile]), counts.transform([shuffled]))


def test_unseen_element_gives_nan_row_and_error_or_raises():
    featurizer = ElementFraction().fit([molecule("H2O")])
    ammonia = molecule("NH3")
    ammonia.info["id"] = "ammonia"
    X = featurizer.transform([molecule("H2O"), ammonia])
    assert np.isfinite(X[0]).all() and np.isnan(X[1]).all()
    error = featurizer.errors_table().iloc[0]
    assert error.item_id == "ammonia" and "N not seen in fit" in error.reason
    with pytest.raises(FeaturizationError, match="ammonia"):
        ElementFraction(on_error="raise").fit([molecule("H2O")]).transform([ammonia])
    with pytest.raises(ValueError, match="empty"):
        featurizer.transform([])


def test_sklearn_composition_and_parallel_agree(qm9):
    structures = qm9.sample(60, random_state=0).structures.materialize()
    y = np.arange(60.0)
    pipe = make_pipeline(make_featurizer("composition"), Ridge()).fit(structures, y)
    assert pipe.predict(structures).shape == (60,)
    serial = ElementFraction().fit(structures)
    parallel = clone(serial).set_params(n_jobs=2).fit(structures)
    np.testing.assert_array_equal(serial.transform(structures), parallel.transform(structures))


def test_cache_serves_rows_without_recomputing(tmp_path, monkeypatch):
    monkeypatch.setenv("ATOMLEARN_CACHE_DIR", str(tmp_path))
    structures = [molecule("H2O"), molecule("CH4")]
    featurizer = ElementFraction(cache=True).fit(structures)
    first = featurizer.transform(structures)

    def broken(atoms):
        raise AssertionError("should have come from the cache")

    monkeypatch.setattr(featurizer, "featurize", broken)
    np.testing.assert_array_equal(featurizer.transform(structures), first)
    other_species = ElementFraction(cache=True, species=["H", "C", "O", "N"]).fit(structures)
    assert other_species.transform(structures).shape == (2, 9)  # different state, different key
