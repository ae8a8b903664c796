"""Batch Widom runs: parallel, resumable, failures recorded and counted; the CLI."""

import pandas as pd

from atomlearn.cli import main
from atomlearn.datasets import load
from atomlearn.simulate.henry_batch import henry_labels

FAST = dict(
    target_relative_error=0.2, max_insertions=40_000, grid_spacing_A=0.4, block_size=4_000, allow_coarse_grid=True
)


def test_batch_writes_each_row_resumes_and_counts(tmp_path):
    mofs = load("coremof2019").sample(3, random_state=1)
    out = tmp_path / "henry.csv"
    first = henry_labels(mofs.take([0, 1]), "Kr", 273.0, out, n_jobs=2, **FAST)
    assert (first.n_requested, first.n_skipped, first.n_computed, len(first.errors)) == (2, 0, 2, 0)
    again = henry_labels(mofs, "Kr", 273.0, out, **FAST)
    assert (again.n_requested, again.n_skipped, again.n_computed) == (3, 2, 1)
    table = pd.read_csv(out, dtype={"id": str})
    assert sorted(table["id"]) == sorted(mofs.ids) and (table["henry_mol_kg_Pa"] >= 0).all()
    assert (table["guest"] == "Kr").all() and (table["temperature_K"] == 273.0).all()


def test_a_broken_structure_is_recorded_and_the_rest_go_on(tmp_path):
    folder = tmp_path / "mofs"
    folder.mkdir()
    mofs = load("coremof2019").sample(1, random_state=2)
    mofs.structures[0].write(folder / "good.cif")
    (folder / "nonporous.cif").write_text(
        "data_x\n_cell_length_a 3\n_cell_length_b 3\n_cell_length_c 3\n"
        "_cell_angle_alpha 90\n_cell_angle_beta 90\n_cell_angle_gamma 90\n"
        "loop_\n_atom_site_label\n_atom_site_type_symbol\n_atom_site_fract_x\n"
        "_atom_site_fract_y\n_atom_site_fract_z\nQ1 Q 0 0 0\n"
    )
    out = tmp_path / "h.csv"
    code = main(
        [
            "simulate",
            "henry",
            str(folder),
            "--guest",
            "Xe",
            "--out",
            str(out),
            "--target-error",
            "0.2",
            "--grid-spacing",
            "0.4",
            "--coarse-grid",
        ]
    )
    assert code == 0
    done = pd.read_csv(out, dtype={"id": str})
    assert list(done["id"]) == ["good"]
    folder_errors = load(str(folder), labels=None).errors
    assert "nonporous.cif" in set(folder_errors["item_id"]) or "nonporous" in set(folder_errors["item_id"])


def test_cli_refuses_a_results_file_of_another_guest(tmp_path, capsys):
    out = tmp_path / "h.csv"
    pd.DataFrame([{"id": "x", "guest": "CH4", "temperature_K": 298.0}]).to_csv(out, index=False)
    assert main(["simulate", "henry", "coremof2019", "--n", "1", "--guest", "Xe", "--out", str(out)]) == 2
    assert "holds results for CH4" in " ".join(capsys.readouterr().err.split())
