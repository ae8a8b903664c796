import json
import re

from atomlearn.cli import main


def test_fit_prints_table_and_writes_json(tmp_path, capsys):
    out = tmp_path / "r.json"
    code = main(["fit", "--dataset", "qm9", "--target", "U0_atomization_kcal_mol", "--featurizer",
                 "element_fraction", "--model", "ridge", "--n", "300", "--out", str(out)])
    text = capsys.readouterr().out
    assert code == 0
    assert "ridge" in text and "dummy (mean)" in text and "300 structures in: 300 used" in text
    result = json.loads(out.read_text())
    assert result["metrics"]["model"]["test"]["mae"] < result["metrics"]["dummy"]["test"]["mae"]


def test_datasets_commands(tmp_path, capsys):
    assert main(["datasets", "list"]) == 0
    assert "coremof2019" in capsys.readouterr().out
    assert main(["datasets", "info", "qm9"]) == 0
    assert "U0_atomization_kcal_mol" in capsys.readouterr().out
    assert main(["datasets", "export", "coremof2019", "--out", str(tmp_path / "mofs"), "--n", "40"]) == 0
    assert "wrote 40 structures" in capsys.readouterr().out
    assert len(list((tmp_path / "mofs").glob("*.cif"))) == 40
    assert main(["fit", "--dataset", str(tmp_path / "mofs"), "--target", "density_g_cm3", "--test-size", "0.25"]) == 0
    summary = re.search(r"40 structures in: (\d+) used .* (\d+) failed", capsys.readouterr().out)
    assert int(summary[1]) + int(summary[2]) == 40  # test MOFs with a metal unseen in training fail, reported
    assert main(["fit", "--dataset", str(tmp_path / "mofs"), "--target", "density_g_cm3", "--n", "2"]) == 2
    assert "too few usable structures" in capsys.readouterr().err


def test_cache_commands(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("ATOMLEARN_CACHE_DIR", str(tmp_path))
    assert main(["cache", "info"]) == 0
    assert str(tmp_path) in capsys.readouterr().out.replace("\n", "")
    assert main(["cache", "clear"]) == 0
    assert "removed 0 cached rows" in capsys.readouterr().out


def test_bad_input_gives_clear_error(capsys):
    assert main(["fit", "--dataset", "qm9", "--target", "not_a_column", "--n", "10"]) == 2
    assert "no label column 'not_a_column'" in capsys.readouterr().err
    assert main(["datasets", "info", "nope"]) == 2
    assert "unknown dataset 'nope'" in capsys.readouterr().err


def test_featurize_writes_table_errors_and_reuses_the_cache(tmp_path, capsys):
    out = tmp_path / "features.parquet"
    args = ["featurize", "qm9", "--featurizer", "composition,coulomb_matrix", "--set", "coulomb_matrix.max_atoms=29",
            "--n", "25", "--out", str(out), "--check-invariance", "--check-n", "3"]
    assert main(args) == 0
    text = capsys.readouterr().out
    assert "25 structures in: 25 featurized" in text and "invariance of coulomb_matrix" in text and "VIOLATED" not in text
    import pandas as pd

    from atomlearn.cache import RowCache

    table = pd.read_parquet(out)
    assert table.shape == (25, 70 + 29) and table.index.name == "id"
    rows_after_first = RowCache().info()["rows"].sum()
    assert main(args[:-3]) == 0  # the same rows again: all from the cache, none added
    assert RowCache().info()["rows"].sum() == rows_after_first
    pd.testing.assert_frame_equal(pd.read_parquet(out), table)
    assert (tmp_path / "features.errors.csv").exists()


def test_featurize_list_and_bad_settings(capsys):
    assert main(["featurize", "--list"]) == 0
    text = capsys.readouterr().out
    assert "racs" in text and "Janet" in text and "pores" in text
    assert main(["featurize", "qm9", "--featurizer", "acsf", "--set", "soap.n_max=3"]) == 2
    assert "NAME.PARAM=VALUE" in capsys.readouterr().err
