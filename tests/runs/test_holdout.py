import json

import numpy as np
import pytest

from atomlearn.datasets import load_folder
from atomlearn.evaluate import regression_metrics
from atomlearn.featurizers import ElementFraction
from atomlearn.models import make_model
from atomlearn.runs import HoldoutResult, run_holdout
from atomlearn.splits import RandomHoldout


def test_metrics_by_hand():
    metrics = regression_metrics(np.array([1.0, 2.0, 3.0, 4.0]), np.array([1.5, 2.0, 2.0, 4.0]))
    assert metrics["mae"] == pytest.approx(0.375)
    assert metrics["rmse"] == pytest.approx(np.sqrt((0.25 + 1.0) / 4))
    assert metrics["r2"] == pytest.approx(1 - 1.25 / 5.0)
    with pytest.raises(ValueError, match="finite"):
        regression_metrics(np.array([1.0, np.nan]), np.array([1.0, 2.0]))


def test_random_holdout_is_a_seeded_partition():
    splitter = RandomHoldout(test_size=0.25, random_state=3)
    ((train, test),) = list(splitter.split(range(100)))
    assert len(test) == 25 and len(train) == 75 and not set(train) & set(test)
    ((train2, test2),) = list(RandomHoldout(test_size=0.25, random_state=3).split(range(100)))
    np.testing.assert_array_equal(test, test2)
    assert splitter.get_n_splits() == 1


def test_ridge_on_composition_beats_the_dummy_on_qm9(qm9, tmp_path):
    result = run_holdout(
        qm9,
        "U0_atomization_kcal_mol",
        ElementFraction(),
        make_model("ridge"),
        model_name="ridge",
        n=600,
        random_state=0,
    )
    test, dummy = result.metrics["model"]["test"], result.metrics["dummy"]["test"]
    # atomization energy is nearly additive in atom counts: a linear model explains most of it
    assert test["r2"] > 0.95 and test["mae"] < dummy["mae"] / 4
    assert result.split["n_train"] == 480 and result.split["n_test"] == 120
    assert result.counts == {"dataset": 130_831, "requested": 600, "used": 600, "failed": 0}
    assert result.target_unit == "kcal/mol"
    assert {p["set"] for p in result.predictions} == {"train", "test"}
    path = tmp_path / "result.json"
    result.to_json(path)
    again = HoldoutResult.from_json(path)
    assert (
        json.dumps(again.metrics) == json.dumps(json.loads(result.to_json())["metrics"])
        and again.data_hash == result.data_hash
    )
    same = run_holdout(
        qm9,
        "U0_atomization_kcal_mol",
        ElementFraction(),
        make_model("ridge"),
        model_name="ridge",
        n=600,
        random_state=0,
    )
    assert json.dumps(same.metrics) == json.dumps(result.metrics)  # same seed, same numbers (NaN too)


def test_failures_are_counted_not_lost(tmp_path):
    rows = ["id,y"]
    for i in range(12):
        n_c = 1 + i % 4
        (tmp_path / f"m{i}.xyz").write_text(f"{n_c}\n\n" + "".join(f"C {1.5 * k} 0 0\n" for k in range(n_c)))
        rows.append(f"m{i},{'' if i == 5 else 10.0 * n_c + 0.1 * i}")
    (tmp_path / "m12.xyz").write_text("garbage\n")
    rows.append("m12,1.0")
    (tmp_path / "labels.csv").write_text("\n".join(rows) + "\n")
    result = run_holdout(load_folder(tmp_path), "y", ElementFraction(), make_model("ridge"), test_size=0.25)
    assert result.counts["requested"] == 13
    assert result.counts["used"] + result.counts["failed"] == 13
    assert {(e["item_id"], e["stage"]) for e in result.errors} == {("m12", "read"), ("m5", "label")}


@pytest.mark.parametrize("seed", [0, 4, 5])  # with 4 and 5 the fluorinated molecule is in the test set
def test_a_valid_test_structure_is_never_refused_for_what_training_lacked(qm9, seed):
    from atomlearn.featurizers import BagOfBonds
    from atomlearn.runs.prepare import featurized_split

    # 30 molecules, one with fluorine and the largest bags: wherever the split puts it, it is featurized
    fluorinated = 180  # dsgdb9nsd_000181, the first QM9 molecule with fluorine
    assert 9 in qm9.take([fluorinated]).structures[0].numbers
    part = qm9.take(list(range(1000, 4000, 100)) + [fluorinated])
    data = featurized_split(part, "U0_atomization_kcal_mol", [ElementFraction(), BagOfBonds()], random_state=seed)
    assert data.ok.all() and data.counts["used"] == len(part) and data.counts["failed"] == 0


@pytest.mark.filterwarnings("ignore:only 15 test structures")
def test_a_predefined_split_tests_exactly_the_structures_named_test(qm9):
    part = qm9.take(range(60))
    part.labels = part.labels.assign(role=["test" if i % 4 == 0 else "train" for i in range(60)])
    result = run_holdout(
        part,
        "U0_atomization_kcal_mol",
        ElementFraction(),
        make_model("ridge"),
        split="predefined",
        group_column="role",
        n_bootstrap=50,
    )
    predictions = result.predictions_frame()
    tested = set(predictions.loc[predictions["set"] == "test", "id"])
    assert tested == {part.ids[i] for i in range(0, 60, 4)}
    part.labels.loc[part.labels.index[0], "role"] = "validation"
    with pytest.raises(ValueError, match='"train" or "test", not validation'):
        run_holdout(
            part,
            "U0_atomization_kcal_mol",
            ElementFraction(),
            make_model("ridge"),
            split="predefined",
            group_column="role",
        )
    with pytest.raises(ValueError, match="predefined split needs a label column"):
        run_holdout(part, "U0_atomization_kcal_mol", ElementFraction(), make_model("ridge"), split="predefined")
