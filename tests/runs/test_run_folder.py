"""Run folders (runs/run_folder.py): written whole by ``write_run``, refused when incomplete or changed."""

import pytest

from atomlearn.featurizers import ElementFraction
from atomlearn.models import make_model
from atomlearn.runs import HoldoutResult, run_holdout
from atomlearn.runs.run_folder import CORE_FILES, require_complete_run, write_run


@pytest.fixture(scope="module")
def small_run(qm9):
    return run_holdout(qm9.take(range(0, 6000, 100)), "U0_atomization_kcal_mol", ElementFraction(), make_model("ridge"))


def test_a_result_read_from_json_round_trips_and_write_run_refuses_it_before_writing(small_run, tmp_path):
    result = small_run
    assert result.fitted is not None and result.fitted.features["X"].shape[0] == result.counts["used"]
    result.to_json(tmp_path / "r.json")
    again = HoldoutResult.from_json(tmp_path / "r.json")
    assert again.to_json() == result.to_json() and again.fitted is None  # numbers, not models, in the JSON
    with pytest.raises(ValueError, match="holds no fitted featurizer and model"):
        write_run(tmp_path / "run", again)
    assert not (tmp_path / "run").exists()  # nothing half-written


def test_a_written_run_is_complete_and_a_changed_or_unfinished_one_is_refused(small_run, tmp_path):
    folder = write_run(tmp_path / "run", small_run)
    assert all((folder / name).is_file() for name in CORE_FILES)
    require_complete_run(folder)
    assert HoldoutResult.from_json(folder / "results.json").to_json() == small_run.to_json()
    (folder / "predictions.csv").write_text("id,y_pred\nx,1\n")
    with pytest.raises(ValueError, match="predictions.csv"):
        require_complete_run(folder)
    (folder / "complete.json").unlink()
    with pytest.raises(ValueError, match="incomplete run folder"):
        require_complete_run(folder)


def test_rewriting_a_run_removes_what_was_derived_from_the_earlier_one(small_run, tmp_path):
    folder = write_run(tmp_path / "run", small_run)
    (folder / "importance.csv").write_text("feature,importance_mean\n")
    write_run(folder, small_run)
    assert not (folder / "importance.csv").exists()
    with pytest.raises(ValueError, match="give a run folder"):
        write_run(tmp_path / "results.json", small_run)


def test_two_featurizers_of_one_kind_fit_save_and_predict_side_by_side(qm9, tmp_path):
    """A featurizer used twice with different parameters (a grid of CH4 beside one of CO2) gets numbered steps."""
    from atomlearn.runs.bundle import load_bundle

    data = qm9.take(range(0, 6000, 100))
    parts = [ElementFraction(counts=True), ElementFraction(counts=False)]
    result = run_holdout(data, "U0_atomization_kcal_mol", parts, make_model("ridge"))
    assert result.featurizer["names"] == ["element_fraction", "element_fraction_2"]
    assert result.featurizer["params"]["element_fraction_2"]["counts"] is False
    names = list(result.fitted.featurizer.get_feature_names_out())
    assert len(names) == len(set(names))
    assert {n.split("__")[0] for n in names} == {"element_fraction", "element_fraction_2"}
    folder = write_run(tmp_path / "run", result)
    structures = [data.structure(i) for i in data.ids[:5]]
    predicted = load_bundle(folder).predict(structures, [str(i) for i in range(5)])["y_pred"].to_numpy()
    expected = result.fitted.model.predict(result.fitted.featurizer.transform(structures))
    assert predicted == pytest.approx(expected, rel=1e-9)
