import json
import re

from atomlearn.cli import main


def test_fit_prints_table_and_writes_json(tmp_path, capsys):
    out = tmp_path / "r.json"
    code = main(["fit", "--dataset", "qm9", "--target", "U0_atomization_kcal_mol", "--featurizer",
                 "composition", "--model", "ridge", "--n", "300", "--out", str(out)])
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
