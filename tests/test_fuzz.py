"""The reader against a seeded corpus of 1,600 corrupted CIF and XYZ files (``tests/fuzz_corpus.py``):
no exception but ``StructureError``, no hang, no broken file read as if it were fine, no good
file refused, and a folder of them accounts for every file."""

from __future__ import annotations

import warnings

import pytest

from atomlearn.datasets.folder import load_folder
from atomlearn.structures import read_structure
from tests.fuzz_corpus import corpus, fuzz_table


@pytest.fixture(scope="module")
def table(coremof, qm9):
    return fuzz_table(coremof, qm9, read_structure, seed=0)


def test_no_crash_hang_or_broken_file_read_as_fine(table):
    totals, results = table
    assert len(results) >= 1000
    bad = [
        f"{outcome}: {mutant.name}: {detail}"
        for mutant, outcome, detail in results
        if outcome in ("crash", "hang", "accepted_but_wrong", "refused_but_fine")
    ]
    assert not bad, "\n".join(bad[:20])
    assert totals["refused"] > 1000 and totals["ok"] > 400  # both kinds are there: the test can fail either way
    # what no reader can see: a P1 file without a formula cut exactly at a row boundary
    assert totals["undetectable_prefix"] < 0.05 * len(results)


def test_every_refusal_names_the_file(table):
    _, results = table
    for mutant, outcome, detail in results:
        if outcome == "refused":
            assert mutant.name in detail, detail


def test_a_folder_of_corrupted_files_accounts_for_every_file(coremof, qm9, tmp_path):
    _, mutants = corpus(coremof, qm9, seed=1)
    chosen = mutants[::4]
    for mutant in chosen:
        (tmp_path / mutant.name).write_bytes(mutant.data)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        dataset = load_folder(tmp_path, labels=None, n_jobs=2)
    failed = set(dataset.errors["item_id"])
    assert len(dataset) + len(failed) == len(chosen)
    assert not failed & set(dataset.ids)
    refused = {m.name.rsplit(".", 1)[0] for m in chosen if m.expect == "refuse"}
    assert refused <= failed  # every file that must be refused is listed with its reason
