"""Counts add up on the command line: every input is used or failed once, whatever the options."""

from __future__ import annotations

import pandas as pd

from atomlearn.cli import main


def _molecules_and_a_mof(tmp_path, n_molecules: int = 30):
    folder = tmp_path / "mixed"
    assert main(["datasets", "export", "qm9", "--out", str(folder), "--n", str(n_molecules), "--seed", "4"]) == 0
    mof = tmp_path / "mof"
    assert main(["datasets", "export", "coremof2019", "--out", str(mof), "--n", "1"]) == 0
    cif = next(mof.glob("*.cif"))
    cif.rename(folder / cif.name)
    labels = pd.read_csv(folder / "labels.csv")
    labels = pd.concat([labels, pd.DataFrame([{"id": cif.stem, "U0_atomization_kcal_mol": -500.0}])])
    labels.loc[len(labels)] = {"id": "orphan", "U0_atomization_kcal_mol": -100.0}  # a label row without a file
    labels.to_csv(folder / "labels.csv", index=False)
    (folder / "broken.xyz").write_text("3\n\nO 0 0 0\n")  # no label row, and unreadable
    return folder, cif.stem


def test_an_item_two_featurizers_refuse_is_one_failure_and_n_beyond_the_data_uses_all(tmp_path, capsys):
    folder, mof = _molecules_and_a_mof(tmp_path)
    capsys.readouterr()
    assert (
        main(
            [
                "fit",
                str(folder),
                "--target",
                "U0_atomization_kcal_mol",
                "--featurizer",
                "coulomb_matrix,bag_of_bonds",
                "--n",
                "100",
                "--out",
                str(tmp_path / "run"),
            ]
        )
        == 0
    )
    captured = capsys.readouterr()
    text = " ".join(captured.out.split())
    # 30 molecules used; the MOF (refused by both featurizers), the orphan row and broken.xyz failed once each
    assert "33 structures in: 30 used" in text and "3 failed" in text
    assert "n=100 exceeds the 31 usable structures" in " ".join(captured.err.split())
    errors = pd.read_csv(tmp_path / "run" / "errors.csv")
    assert set(errors["item_id"]) == {mof, "orphan", "broken"}
    assert (errors["item_id"] == mof).sum() == 2  # both reasons are kept


def test_henry_on_a_folder_counts_unreadable_cifs_and_ids_name_them(tmp_path, capsys):
    folder = tmp_path / "cifs"
    assert main(["datasets", "export", "coremof2019", "--out", str(folder), "--n", "2", "--seed", "5"]) == 0
    (folder / "cut.cif").write_text("data_cut\n_cell_length_a 10\n_cell_length_b 10\n")
    (folder / "labels.csv").unlink()
    fast = ["--guest", "Kr", "--target-error", "0.3", "--grid-spacing", "0.4", "--coarse-grid"]
    capsys.readouterr()
    assert main(["simulate", "henry", str(folder), *fast, "--out", str(tmp_path / "h.csv")]) == 0
    assert "3 structures requested: 0 already in the output, 2 computed, 1 failed" in " ".join(
        capsys.readouterr().out.split()
    )
    assert list(pd.read_csv(tmp_path / "h.errors.csv")["item_id"]) == ["cut"]
    ids = tmp_path / "ids.txt"
    ids.write_text("cut\n")
    assert main(["simulate", "henry", str(folder), *fast, "--ids", str(ids), "--out", str(tmp_path / "h2.csv")]) == 0
    assert "1 structures requested: 0 already in the output, 0 computed, 1 failed" in " ".join(
        capsys.readouterr().out.split()
    )
