"""`atomlearn fit` and `atomlearn predict`."""

import json

import pandas as pd

from atomlearn.cli import main


def test_fit_writes_a_run_folder_and_predict_uses_its_bundle(tmp_path, capsys):
    run = tmp_path / "run"
    code = main(
        [
            "fit",
            "qm9",
            "--target",
            "U0_atomization_kcal_mol",
            "--featurizer",
            "element_fraction,coulomb_matrix",
            "--model",
            "krr",
            "--split",
            "stratified",
            "--nested",
            "3x3",
            "--n",
            "300",
            "--bootstrap",
            "200",
            "--out",
            str(run),
        ]
    )
    text = capsys.readouterr().out
    assert code == 0, text
    assert (
        "krr" in text
        and "baselines on the same split: dummy, ridge, gbr" in text
        and "300 structures in: 300 used" in text
    )
    assert "nested CV 3x3" in text
    result = json.loads((run / "results.json").read_text())
    assert result["metrics"]["model"]["test"]["mae"] < result["metrics"]["dummy"]["test"]["mae"] / 4
    assert result["nested"]["test_scored_once"] and result["split"]["kind"] == "stratified"
    predictions = pd.read_csv(run / "predictions.csv")
    assert len(predictions) == 300 and set(predictions["set"]) == {"train", "test"}
    card = json.loads((run / "bundle" / "card.json").read_text())
    assert card["featurizer"]["names"] == ["element_fraction", "coulomb_matrix"] and card["target_unit"] == "kcal/mol"

    # new files: three test molecules of the run and one broken file
    folder = tmp_path / "new"
    assert main(["datasets", "export", "qm9", "--out", str(folder), "--n", "3", "--seed", "5"]) == 0
    (folder / "broken.xyz").write_text("not a structure\n")
    capsys.readouterr()
    assert main(["predict", str(run), str(folder), "--out", str(tmp_path / "p.csv")]) == 0
    assert "4 files in: 3 predicted, 1 failed" in capsys.readouterr().out
    new = pd.read_csv(tmp_path / "p.csv").set_index("id")
    labels = pd.read_csv(folder / "labels.csv").set_index("id")["U0_atomization_kcal_mol"]
    assert new.loc["broken", "error"].startswith("read:")
    errors = (new["y_pred"].dropna() - labels.reindex(new["y_pred"].dropna().index)).abs()
    assert errors.max() < 150  # kcal/mol: the model, not the training mean (the spread is ~240)
    # the bundle's model gives the same numbers as the run's predictions for a molecule it saw
    seen = predictions.set_index("id")["y_pred"]
    both = [i for i in new.index if i in seen.index]
    assert all(abs(new.loc[i, "y_pred"] - seen[i]) < 1e-6 for i in both)

    # a tampered bundle is refused
    with open(run / "bundle" / "model.skops", "ab") as handle:
        handle.write(b"x")
    assert main(["predict", str(run), str(folder)]) == 2
    assert "bundle/model.skops was changed after the run folder was written" in " ".join(
        capsys.readouterr().err.split()
    )
    assert main(["predict", str(run / "bundle"), str(folder)]) == 2  # the bundle alone: its card's checksum
    assert "does not match its card" in capsys.readouterr().err
