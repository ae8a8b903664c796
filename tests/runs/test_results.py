"""Run results (runs/results.py): the data hash, JSON that round-trips, versions recorded."""

import json

import numpy as np
import pytest

from atomlearn.runs.results import HoldoutResult, data_hash, json_default, package_versions


def test_the_data_hash_changes_with_any_id_structure_or_label():
    ids, structures, y = ["a", "b"], ["h1", "h2"], np.array([1.0, 2.0])
    reference = data_hash(ids, structures, y)
    assert data_hash(list(ids), list(structures), y.copy()) == reference
    assert data_hash(["a", "c"], structures, y) != reference
    assert data_hash(ids, ["h1", "h3"], y) != reference
    assert data_hash(ids, structures, np.array([1.0, 2.0 + 1e-12])) != reference
    assert len(reference) == 64


def test_a_result_round_trips_through_json(tmp_path):
    result = HoldoutResult(
        dataset="d",
        target="y",
        target_unit="eV",
        featurizer={"name": "f", "names": ["f"], "n_features": 3},
        model={"name": "m"},
        split={"kind": "random", "random_state": 0, "n_train": 1, "n_test": 1, "describe": []},
        counts={"dataset": 2, "requested": 2, "used": 2, "failed": 0},
        metrics={"model": {"test": {"mae": np.float64(0.5)}}},
        predictions=[{"id": "a", "set": "test", "y_true": 1.0, "y_pred": np.float32(1.5)}],
        errors=[],
        timings_s={"fit": 0.1},
        data_hash="0" * 64,
    )
    result.to_json(tmp_path / "results.json")
    again = HoldoutResult.from_json(tmp_path / "results.json")
    assert again == result and again.to_json() == result.to_json()
    assert json.loads(result.to_json())["metrics"]["model"]["test"]["mae"] == 0.5  # NumPy scalars as numbers
    assert result.predictions_frame().loc[0, "y_pred"] == 1.5
    (tmp_path / "results.json").write_text(result.to_json().replace('"used": 2', '"used": "2"'))
    with pytest.raises(ValueError, match=r"results.json: field counts.used: Input should be a valid integer"):
        HoldoutResult.from_json(tmp_path / "results.json")


def test_versions_and_json_fallbacks():
    versions = package_versions()
    assert {"atomlearn", "numpy", "scikit-learn", "ase"} <= set(versions) and all(versions.values())
    assert json_default(np.arange(3)) == [0, 1, 2] and json_default(np.int64(4)) == 4
    assert json_default(object).startswith("<class")
