"""The local-kernel model inside the supervised workflow: `atomlearn fit`/`predict`/`curve` on QM9."""

import json

import numpy as np
import pandas as pd
from ase import Atoms
from ase.io import write

from atomlearn.cli import main
from atomlearn.runs import load_bundle


def test_fit_predict_and_curve_of_the_local_kernel_from_the_command_line(tmp_path, qm9, capsys):
    run = tmp_path / "run"
    assert (
        main(
            [
                "fit",
                "qm9",
                "--target",
                "U0_atomization_kcal_mol",
                "--n",
                "200",
                "--model",
                "krr_local",
                "--bootstrap",
                "50",
                "--out",
                str(run),
            ]
        )
        == 0
    )
    assert "krr_local on the structures" in " ".join(capsys.readouterr().out.split())
    results = json.loads((run / "results.json").read_text())
    metrics = results["metrics"]
    assert metrics["model"]["test"]["mae"] < 0.2 * metrics["dummy"]["test"]["mae"]  # ~8 kcal/mol against ~40
    assert metrics["model"]["test"]["mae"] < 0.5 * metrics["ridge"]["test"]["mae"]  # far better than composition alone
    assert results["calibration"] is not None  # the GP's standard deviations were scored

    folder = tmp_path / "new"
    folder.mkdir()
    predictions = pd.read_csv(run / "predictions.csv")
    test_ids = predictions.loc[predictions["set"] == "test", "id"].tolist()[:3]
    for item_id in test_ids:
        write(folder / f"{item_id}.xyz", qm9.take([qm9.ids.index(item_id)]).structures.materialize()[0])
    write(folder / "hcl.xyz", Atoms("HCl", positions=[[0, 0, 0], [0, 0, 1.27]]))
    assert main(["predict", str(run), str(folder), "--out", str(tmp_path / "p.csv")]) == 0
    new = pd.read_csv(tmp_path / "p.csv").set_index("id")
    assert len(new) == 4 and "element(s) Cl absent from the training structures" in new.loc["hcl", "error"]
    expected = predictions.set_index("id").loc[test_ids]
    np.testing.assert_allclose(new.loc[test_ids, "y_pred"], expected["y_pred"], rtol=1e-6)  # the bundle's model
    np.testing.assert_allclose(new.loc[test_ids, "y_std"], expected["y_std"], rtol=1e-5)
    model = load_bundle(run).model
    assert model.train_features_.shape[0] == model.train_sizes_.sum()  # the training environments travel with it

    assert (
        main(
            [
                "curve",
                "qm9",
                "--target",
                "U0_atomization_kcal_mol",
                "--n",
                "120",
                "--model",
                "krr_local",
                "--sizes",
                "20,80",
                "--repeats",
                "1",
            ]
        )
        == 0
    )
    assert "learning curve of krr_local on the structures" in " ".join(capsys.readouterr().out.split())
