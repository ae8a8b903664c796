import json

import pandas as pd

from atomlearn.cli import main
from atomlearn.explain.run import explain_run


def test_explain_a_qm9_run_from_the_command_line_and_from_python(tmp_path, capsys):
    run = tmp_path / "run"
    assert main(["fit", "qm9", "--target", "U0_atomization_kcal_mol", "--featurizer", "element_fraction",
                 "--model", "ridge", "--n", "300", "--bootstrap", "100", "--out", str(run)]) == 0
    capsys.readouterr()
    code = main(["explain", str(run), "--importance", "--select", "lasso", "--map", "tsne", "--perplexity", "15"])
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
    assert len(pd.read_csv(run / "map.csv")) == 300 and set(pd.read_csv(run / "map.csv")["set"]) == {"train", "test"}

    again = explain_run(run, importance=False, projection="pca")
    assert again.map_params["method"] == "pca" and len(again.map) == 300
    assert "importance" in json.loads((run / "explain.json").read_text())  # earlier parts stay in the summary


def test_explain_refuses_a_folder_that_is_not_a_run(tmp_path, capsys):
    assert main(["explain", str(tmp_path), "--importance"]) == 2
    assert "results.json" in capsys.readouterr().err
