"""`atomlearn curve`, `bias-variance` and `models`."""

import pandas as pd

from atomlearn.cli import main


def test_curve_bias_variance_and_models_commands(tmp_path, capsys):
    assert (
        main(
            [
                "curve",
                "qm9",
                "--target",
                "U0_atomization_kcal_mol",
                "--featurizer",
                "bag_of_bonds",
                "--model",
                "krr_laplacian",
                "--n",
                "400",
                "--sizes",
                "40,120,300",
                "--out",
                str(tmp_path / "c.csv"),
            ]
        )
        == 0
    )
    text = capsys.readouterr().out
    assert "log-log slope of the test MAE" in text
    assert len(pd.read_csv(tmp_path / "c.csv")) == 9
    assert main(["curve", "qm9", "--target", "U0_atomization_kcal_mol", "--n", "100", "--sizes", "500"]) == 2
    assert "exceed the 80 training structures" in capsys.readouterr().err
    assert (
        main(
            [
                "bias-variance",
                "--degrees",
                "1-3",
                "--lambdas",
                "1,10",
                "--rounds",
                "20",
                "--out",
                str(tmp_path / "bv.csv"),
            ]
        )
        == 0
    )
    assert "lowest expected error: Lennard-Jones form" in capsys.readouterr().out
    assert len(pd.read_csv(tmp_path / "bv.csv")) == 6
    assert main(["models"]) == 0
    assert "gpr" in capsys.readouterr().out
    assert main(["fit", "qm9", "--target", "U0_atomization_kcal_mol", "--nested", "5"]) == 2
    assert "OUTERxINNER" in capsys.readouterr().err
    assert main(["fit", "qm9", "--target", "U0_atomization_kcal_mol", "--n", "50", "--split", "group"]) == 2
    assert "needs a label column naming each structure's group" in capsys.readouterr().err
    (tmp_path / "empty").mkdir()
    assert main(["predict", str(tmp_path), str(tmp_path / "empty")]) == 2
    assert "is not a model bundle" in " ".join(capsys.readouterr().err.split())
