"""`atomlearn datasets`."""

import re

from atomlearn.cli import main


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
