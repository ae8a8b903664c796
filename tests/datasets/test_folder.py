import ase.db
import numpy as np
import pandas as pd
import pytest
from ase.build import molecule

from atomlearn.datasets import export_dataset, load, load_asedb, load_folder
from atomlearn.errors import LabelsError


@pytest.fixture
def user_folder(tmp_path, coremof, readable):
    """Three good CIFs, one broken CIF, one XYZ, a note, and labels with problems."""
    ids = readable(coremof.ids[:10], 3)
    export_dataset(coremof.subset(ids), tmp_path)
    (tmp_path / "broken.cif").write_text("data_broken\n_cell_length_a 5\nloop_\n_atom_site_label\n")
    (tmp_path / "water.xyz").write_text("3\n\nO 0 0 0\nH 0.757 0.586 0\nH -0.757 0.586 0\n")
    (tmp_path / "notes.txt").write_text("measured in 2024")
    (tmp_path / "labels.csv").write_text(
        f"id,uptake_mol_kg\n{ids[0]},1.5\n{ids[1]},\n{ids[2]},2.5\nbroken,3.0\nghost,4.0\n,5.0\n"
    )
    return tmp_path, ids


def test_folder_accounts_for_every_file_and_label(user_folder):
    folder, ids = user_folder
    dataset = load_folder(folder)
    assert dataset.ids == sorted(ids)
    errors = {(row.item_id, row.stage) for row in dataset.errors.itertuples()}
    assert ("broken", "read") in errors  # unreadable file
    assert ("ghost", "match") in errors  # label without a file
    assert ("water", "match") in errors  # file without a label
    assert ("notes.txt", "discover") in errors  # not a structure file
    assert ("labels.csv:7", "labels") in errors  # row without an id
    reasons = " ".join(dataset.errors["reason"])
    assert "labels.csv line 6" in reasons and "water.xyz has no row" in reasons
    # 6 label rows = 3 loaded + 1 unreadable file + 1 without a file + 1 without an id
    assert len(dataset) + len({("broken", "read"), ("ghost", "match"), ("labels.csv:7", "labels")} & errors) == 6
    # 5 structure-like files = 3 loaded + 1 unreadable + 1 without a label
    assert len(dataset.errors) == 5
    usable, y = dataset.with_target("uptake_mol_kg")
    expected = {ids[0]: 1.5, ids[2]: 2.5}
    assert dict(zip(usable.ids, y)) == expected
    assert (ids[1], "label") in {(r.item_id, r.stage) for r in usable.errors.itertuples()}


def test_duplicate_ids_and_missing_id_column_are_refused(tmp_path):
    (tmp_path / "a.xyz").write_text("1\n\nH 0 0 0\n")
    (tmp_path / "labels.csv").write_text("id,y\na,1\nb,2\na,3\n")
    with pytest.raises(LabelsError, match=r"duplicate ids: 'a' on lines 2, 4"):
        load_folder(tmp_path)
    (tmp_path / "labels.csv").write_text("name,y\na,1\n")
    with pytest.raises(LabelsError, match="no id column 'id'.*name, y"):
        load_folder(tmp_path)
    assert load_folder(tmp_path, id_column="name").labels.loc["a", "y"] == 1


def test_export_and_reload_round_trip(qm9, tmp_path):
    part = qm9.sample(15, random_state=4)
    export_dataset(part, tmp_path)
    back = load(str(tmp_path))
    assert back.ids == part.ids and len(back.errors) == 0
    for a, b in zip(part.structures, back.structures):
        np.testing.assert_allclose(a.positions, b.positions, atol=1e-7)
        np.testing.assert_array_equal(a.numbers, b.numbers)
    np.testing.assert_allclose(back.labels["U0_atomization_eV"], part.labels["U0_atomization_eV"])


def test_ase_database(tmp_path):
    path = tmp_path / "mols.db"
    with ase.db.connect(path) as db:
        for name, energy in (("H2O", -14.2), ("CH4", -24.0), ("NH3", -19.5)):
            db.write(molecule(name), name=name, energy_eV=energy)
    dataset = load_asedb(path, id_key="name")
    assert dataset.ids == ["H2O", "CH4", "NH3"]
    assert dataset.labels.loc["CH4", "energy_eV"] == -24.0
    assert dataset.structure("NH3").get_chemical_formula() == "H3N"


def test_unknown_dataset_name():
    with pytest.raises(KeyError, match="atomlearn datasets list"):
        load("qm10")


def test_featurize_accounts_for_every_file_and_label_row(user_folder, tmp_path_factory, capsys, monkeypatch):
    from atomlearn.cli import main

    folder, ids = user_folder
    (folder / "empty.cif").write_text("")
    out = tmp_path_factory.mktemp("out") / "f.csv"
    monkeypatch.chdir(folder.parent)  # the labels path as a user types it: relative to where they are
    assert (
        main(
            [
                "featurize",
                folder.name,
                "--labels",
                f"{folder.name}/labels.csv",
                "--featurizer",
                "composition",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    text = " ".join(capsys.readouterr().out.split())
    # 3 featurized + broken.cif + empty.cif + water.xyz (no label) + ghost (no file) + row without id + notes.txt
    assert "9 inputs in: 3 featurized by all of composition, 6 failed" in text
    errors = pd.read_csv(out.with_name("f.errors.csv"))
    assert {"broken", "empty", "water", "ghost", "labels.csv:7", "notes.txt"} == set(errors["item_id"])
    assert len(pd.read_csv(out, index_col=0)) == 3


def test_labels_path_inside_the_folder_or_as_given(user_folder, monkeypatch):
    folder, ids = user_folder
    assert load_folder(folder, labels="labels.csv").ids == sorted(ids)
    monkeypatch.chdir(folder.parent)
    assert load_folder(folder, labels=f"{folder.name}/labels.csv").ids == sorted(ids)
    with pytest.raises(LabelsError, match="neither .*nope.csv"):
        load_folder(folder, labels="nope.csv")


def test_tables_beside_the_structures_are_not_structures(user_folder):
    folder, ids = user_folder
    (folder / "errors.csv").write_text("item_id,stage,reason\n")
    structures_only = load_folder(folder, labels=None)  # labels.csv and errors.csv: tables, not failed structures
    assert not structures_only.errors["item_id"].isin(["labels.csv", "errors.csv"]).any()
    assert ("notes.txt", "discover") in {(r.item_id, r.stage) for r in structures_only.errors.itertuples()}
