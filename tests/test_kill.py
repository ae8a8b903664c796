"""Kill tests: a command killed (SIGKILL) while it writes leaves its output whole or absent, never
torn; readers refuse what is incomplete; a rerun finishes the work with every id exactly once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable

import pandas as pd
import pytest

from atomlearn.cli import main

CLI = [sys.executable, "-m", "atomlearn.cli"]


def _kill_when(
    command: list[str], ready: Callable[[], bool], timeout_s: float = 300, env: dict[str, str] | None = None
) -> bool:
    """Start ``command``, SIGKILL it as soon as ``ready()``; True when it was killed, False when it ended first."""
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, **(env or {})}
    )
    deadline = time.time() + timeout_s
    while time.time() < deadline and process.poll() is None:
        if ready():
            os.kill(process.pid, signal.SIGKILL)
            process.wait()
            return True
        time.sleep(0.005)
    process.wait()
    return False


def test_a_killed_featurize_leaves_the_earlier_table_whole(tmp_path):
    out = tmp_path / "f.parquet"
    request = ["featurize", "qm9", "--featurizer", "coulomb_matrix", "--no-cache", "--out", str(out)]
    assert main([*request, "--n", "50"]) == 0
    earlier = pd.read_parquet(out)
    # the table is written in a few ms: a hook holds the process for a while after the partial file is written,
    # so the kill lands between the write and the rename every time, not by luck of the polling
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(
        "import time\nimport pandas\n_write = pandas.DataFrame.to_parquet\n"
        "def _slow(self, *args, **kwargs):\n    _write(self, *args, **kwargs)\n    time.sleep(30)\n"
        "pandas.DataFrame.to_parquet = _slow\n"
    )
    killed = _kill_when(
        [*CLI, *request, "--n", "3000"],
        lambda: any(tmp_path.glob(".f.parquet.*.partial")),
        env={"PYTHONPATH": str(hook)},
    )
    assert killed
    assert pd.read_parquet(out).equals(earlier)  # not torn, not replaced by half a table
    assert main([*request, "--n", "3000"]) == 0  # a rerun replaces it whole
    assert len(pd.read_parquet(out)) == 3000


def test_a_run_folder_killed_while_rewritten_is_refused_until_rerun(tmp_path, capsys):
    run = tmp_path / "run"
    request = [
        "fit",
        "qm9",
        "--target",
        "U0_atomization_kcal_mol",
        "--featurizer",
        "coulomb_matrix",
        "--model",
        "ridge",
        "--out",
        str(run),
    ]
    assert main([*request, "--n", "60"]) == 0
    killed = _kill_when([*CLI, *request, "--n", "4000"], lambda: not (run / "complete.json").exists())
    assert killed
    files = tmp_path / "files"
    assert main(["datasets", "export", "qm9", "--out", str(files), "--n", "2"]) == 0
    capsys.readouterr()
    for command in (["predict", str(run), str(files)], ["report", str(run)], ["explain", str(run), "--map", "pca"]):
        assert main(command) == 2
        assert "incomplete run folder" in " ".join(capsys.readouterr().err.split())
    assert main([*request, "--n", "60"]) == 0
    assert main(["predict", str(run), str(files)]) == 0


@pytest.mark.slow
def test_a_killed_henry_batch_resumes_with_every_id_once_and_the_same_values(tmp_path):
    folder = tmp_path / "mofs"
    assert main(["datasets", "export", "coremof2019", "--out", str(folder), "--n", "4", "--seed", "3"]) == 0
    fast = ["--guest", "Kr", "--target-error", "0.2", "--grid-spacing", "0.4", "--coarse-grid"]
    straight = tmp_path / "straight.csv"
    assert main(["simulate", "henry", str(folder), *fast, "--out", str(straight)]) == 0
    out = tmp_path / "h.csv"
    command = [*CLI, "simulate", "henry", str(folder), *fast, "--out", str(out)]
    assert _kill_when(command, lambda: out.exists() and out.read_text().count("\n") >= 2)
    with open(out, "a") as handle:  # and what a kill in the middle of a row leaves
        handle.write("EJEHAD_cl")
    assert main(["simulate", "henry", str(folder), *fast, "--out", str(out)]) == 0
    resumed = pd.read_csv(out, dtype={"id": str}).set_index("id").sort_index()
    expected = pd.read_csv(straight, dtype={"id": str}).set_index("id").sort_index()
    assert list(resumed.index) == list(expected.index)  # every id exactly once
    columns = ["henry_mol_kg_Pa", "henry_se_mol_kg_Pa", "qst_kJ_mol", "insertions"]
    pd.testing.assert_frame_equal(resumed[columns], expected[columns])  # bit-identical values
