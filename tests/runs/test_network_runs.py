"""The networks inside the supervised workflow: `atomlearn fit`/`predict`/`curve` on QM9 and a CoRE MOF slice."""

import json

import numpy as np
import pandas as pd
import pytest
from ase import Atoms
from ase.io import write

from atomlearn.cli import main
from atomlearn.featurizers import make_featurizer
from atomlearn.models import make_model
from atomlearn.runs import run_holdout

SMALL = {
    "mlp": {"hidden_layers": [32], "max_epochs": 3},
    "bond_graph": {"n_features": 16, "n_layers": 2, "max_epochs": 3, "batch_size": 4, "verbose": False},
    "schnet": {"n_features": 16, "n_interactions": 2, "max_epochs": 3, "batch_size": 4, "verbose": False},
    "painn": {"n_features": 16, "n_interactions": 2, "max_epochs": 3, "batch_size": 4, "verbose": False},
}


@pytest.mark.parametrize("name", list(SMALL))
def test_all_four_networks_train_and_predict_on_qm9_and_a_mof_slice(name, qm9, small_mof_dataset):
    for dataset, target, n in ((qm9, "U0_atomization_kcal_mol", 40), (small_mof_dataset, "density_g_cm3", None)):
        result = run_holdout(
            dataset,
            target,
            make_featurizer("element_fraction"),
            make_model(name, SMALL[name]),
            model_name=name,
            n=n,
            test_size=0.25,
            n_bootstrap=20,
        )
        counts = result.counts
        assert counts["requested"] == counts["used"] + counts["failed"]
        assert result.model["input"] == ("features" if name == "mlp" else "structures")
        predicted = [row["y_pred"] for row in result.predictions if row["set"] != "excluded"]
        assert len(predicted) == counts["used"] and np.isfinite(predicted).all()
        if name != "mlp":  # energies sum over atoms, a density does not
            assert result.fitted.model.pooling_ == ("sum" if dataset is qm9 else "mean")


def test_fit_predict_and_curve_of_a_network_from_the_command_line(tmp_path, qm9, capsys):
    run = tmp_path / "run"
    assert (
        main(
            [
                "fit",
                "qm9",
                "--target",
                "U0_atomization_kcal_mol",
                "--n",
                "150",
                "--model",
                "schnet",
                "--param",
                "max_epochs=40",
                "--param",
                "n_features=32",
                "--param",
                "learning_rate=0.003",
                "--param",
                "verbose=false",
                "--bootstrap",
                "50",
                "--out",
                str(run),
            ]
        )
        == 0
    )
    assert "schnet on the structures, baselines on element_fraction features" in " ".join(
        capsys.readouterr().out.split()
    )
    results = json.loads((run / "results.json").read_text())
    metrics = results["metrics"]
    assert metrics["model"]["test"]["mae"] < 0.5 * metrics["dummy"]["test"]["mae"]  # it learnt the energies
    assert results["model"]["fitted"]["n_epochs"] == 40

    # predict: the bundle's network on files; a molecule with a far atom is refused by name, the others predicted
    folder = tmp_path / "new"
    folder.mkdir()
    predictions = pd.read_csv(run / "predictions.csv")
    test_ids = predictions.loc[predictions["set"] == "test", "id"].tolist()[:2]
    for item_id in test_ids:
        write(folder / f"{item_id}.xyz", qm9.take([qm9.ids.index(item_id)]).structures.materialize()[0])
    write(
        folder / "far.xyz",
        Atoms("CH4", positions=[[0, 0, 0], [1.09, 0, 0], [-0.5, 0.9, 0], [-0.5, -0.9, 0], [0, 0, 20]]),
    )
    assert main(["predict", str(run), str(folder), "--out", str(tmp_path / "p.csv")]) == 0
    new = pd.read_csv(tmp_path / "p.csv").set_index("id")
    assert len(new) == 3 and "no neighbour within" in new.loc["far", "error"]
    expected = predictions.set_index("id").loc[test_ids, "y_pred"]
    np.testing.assert_allclose(new.loc[test_ids, "y_pred"], expected, rtol=1e-6)  # the same model as in the run

    # explain refuses what needs a model on features, and says what works
    capsys.readouterr()
    assert main(["explain", str(run), "--importance"]) == 2
    assert "learns from the structures" in " ".join(capsys.readouterr().err.split())
    assert (
        main(
            [
                "curve",
                "qm9",
                "--target",
                "U0_atomization_kcal_mol",
                "--n",
                "60",
                "--model",
                "bond_graph",
                "--param",
                "max_epochs=2",
                "--param",
                "verbose=false",
                "--sizes",
                "10,40",
                "--repeats",
                "1",
            ]
        )
        == 0
    )
    assert "learning curve of bond_graph on the structures" in " ".join(capsys.readouterr().out.split())


def test_nested_cv_and_unknown_parameters_are_refused(qm9):
    with pytest.raises(ValueError, match="drop --nested"):
        run_holdout(
            qm9,
            "U0_atomization_kcal_mol",
            make_featurizer("element_fraction"),
            make_model("painn"),
            n=20,
            nested=(2, 2),
        )
    with pytest.raises(ValueError, match="has no parameter n_layer; it takes: .*n_layers"):
        make_model("bond_graph", {"n_layer": 2})


def test_each_network_names_the_structures_it_cannot_take():
    unknown = Atoms("Am2", positions=[[0, 0, 0], [2, 0, 0]], info={"id": "americium"})  # Z = 95: no covalent radius
    far = Atoms("H2", positions=[[0, 0, 0], [0, 0, 30]], info={"id": "far"})
    fine = Atoms("H2", positions=[[0, 0, 0], [0, 0, 0.74]])
    structures = [unknown, Atoms(), far, fine]
    bond_graph = make_model("bond_graph").structure_errors(structures)
    assert bond_graph == {
        0: "americium: atomic number(s) [95] outside the element table (Z = 1-94)",
        1: "structure 1: no atoms",
    }  # a lone atom is fine on the bond graph: it has no bonds
    schnet = make_model("schnet").structure_errors(structures)
    assert sorted(schnet) == [1, 2] and schnet[2].startswith("far: atom(s) [0, 1] have no neighbour within the 5.0 Å")
