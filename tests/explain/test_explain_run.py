import json

import pandas as pd

from atomlearn.cli import main
from atomlearn.explain.run_explanation import explain_run


def test_explain_a_qm9_run_from_the_command_line_and_from_python(tmp_path, capsys):
    run = tmp_path / "run"
    assert (
        main(
            [
                "fit",
                "qm9",
                "--target",
                "U0_atomization_kcal_mol",
                "--featurizer",
                "element_fraction",
                "--model",
                "ridge",
                "--n",
                "300",
                "--bootstrap",
                "100",
                "--out",
                str(run),
            ]
        )
        == 0
    )
    capsys.readouterr()
    code = main(
        [
            "explain",
            str(run),
            "--importance",
            "--select",
            "lasso",
            "--map",
            "tsne",
            "--perplexity",
            "15",
            "--curve",
            "30,60,120,240",
        ]
    )
    text = capsys.readouterr().out
    assert code == 0, text
    assert "Permutation importance" in text and "lasso keeps" in text and "tsne map of 300 structures" in text
    importance = pd.read_csv(run / "importance.csv")
    # atomization energy is close to a sum over atoms: the C and H counts carry most of it
    assert set(importance["feature"].head(3)) == {"count_C", "count_H", "n_atoms"}
    assert importance["importance_mean"].iloc[0] > 10  # kcal/mol rise of the test MAE
    grouped = pd.read_csv(run / "importance_grouped.csv").set_index("feature")
    # n_atoms and the H count move together: grouped, they carry more than either alone
    together = next(name for name in grouped.index if "n_atoms" in name and "count_H" in name)
    single = importance.set_index("feature")["importance_mean"]
    assert grouped.loc[together, "importance_mean"] > max(single["n_atoms"], single["count_H"])
    assert grouped["n_columns"].sum() == len(importance)  # every feature in exactly one group
    summary = json.loads((run / "explain.json").read_text())
    assert summary["map"]["perplexity"] == 15 and summary["importance"]["n_samples"] == 60
    curve = pd.read_csv(run / "curve.csv").groupby("size")["test_mae"].mean()
    assert curve.index.tolist() == [30, 60, 120, 240] and curve.iloc[-1] < curve.iloc[0]  # more data, less error
    assert summary["curve"]["log_log_slope"] < 0
    assert len(pd.read_csv(run / "map.csv")) == 300 and set(pd.read_csv(run / "map.csv")["set"]) == {"train", "test"}

    again = explain_run(run, importance=False, projection="pca")
    assert again.map_params["method"] == "pca" and len(again.map) == 300
    assert "importance" in json.loads((run / "explain.json").read_text())  # earlier parts stay in the summary


def test_explain_refuses_a_folder_that_is_not_a_run(tmp_path, capsys):
    assert main(["explain", str(tmp_path), "--importance"]) == 2
    assert "results.json" in capsys.readouterr().err
    (tmp_path / "results.json").write_text(json.dumps({"target": "y"}))  # an interrupted run, or an older version's
    assert main(["explain", str(tmp_path), "--map", "pca"]) == 2
    assert "incomplete run folder" in " ".join(capsys.readouterr().err.split())
    assert main(["explain", str(tmp_path)]) == 2
    assert "say what to explain" in capsys.readouterr().err


def test_explain_and_report_a_core_mof_run(tmp_path, capsys):
    run = tmp_path / "mofs"
    assert (
        main(
            [
                "fit",
                "coremof2019",
                "--target",
                "density_g_cm3",
                "--featurizer",
                "composition",
                "--model",
                "krr",
                "--n",
                "150",
                "--split",
                "cluster",
                "--bootstrap",
                "100",
                "--out",
                str(run),
            ]
        )
        == 0
    )
    assert (
        main(["explain", str(run), "--importance", "--select", "correlation", "--map", "tsne", "--perplexity", "10"])
        == 0
    )
    assert main(["report", str(run)]) == 0
    capsys.readouterr()
    result = json.loads((run / "results.json").read_text())
    used = result["counts"]["used"]
    importance = pd.read_csv(run / "importance.csv")
    top = importance.iloc[0]
    assert top["importance_mean"] > 2 * top["importance_std"] > 0  # a real rise of the test error (g/cm^3)
    assert len(importance) == result["featurizer"]["n_features"] and len(pd.read_csv(run / "map.csv")) == used
    kept = pd.read_csv(run / "selected_features.csv")["feature"]
    assert 0 < len(kept) < len(importance)  # composition statistics are strongly inter-correlated
    assert "Map of the structures" in (run / "report.html").read_text()

    assert main(["explain", str(run), "--select", "sisso", "--sisso-primaries", "6"]) == 0
    assert "SISSO on 6 primary features" in capsys.readouterr().out
    sisso = pd.read_csv(run / "sisso.csv")
    assert sisso["n_terms"].tolist() == [1, 2] and sisso["rmse"].iloc[1] <= sisso["rmse"].iloc[0]
    assert sisso["test_mae"].iloc[1] < result["metrics"]["dummy"]["test"]["mae"]  # a formula beats the mean
