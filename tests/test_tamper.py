"""Every folder atomlearn writes, tampered with as an attacker would and resealed: the command that reads it
exits with one ``error:`` line naming the file (never a traceback, never code run, never a huge allocation),
or, for a free-form record a reader does not rely on, goes on unharmed.

Each JSON field (the first entry of each list and dict, to three levels) is rewritten to a value of a
wrong type and the folder's ``complete.json`` recomputed, so the seal cannot be what refuses it: the
declared schemas (``atomlearn.schema``) must. Then the classic attacks: a seal listing paths outside
its folder, or leaving out a file the reader needs; pickles where tensors or arrays belong; forged
sizes; a truncated binary; a file where a folder belongs.
"""

from __future__ import annotations

import json
import pickle
import shutil
from pathlib import Path

import pytest

from atomlearn.cli.app import main
from atomlearn.files import COMPLETION_FILE, mark_complete

#: free-form parts of the records (results a reader shows as they are, versions, parameters, timings):
#: a wrong type there may be accepted, as long as nothing breaks
FREE_FORM = (
    "results",
    "versions",
    "featurizer.name",
    "featurizer.params",
    "featurizer.citations",
    "model.estimator",
    "model.fitted",
    "split.test_size",
    "split.group_column",
    "split.kind",
    "counts.dataset",
    "test_metrics",
    "metrics",
    "timings_s",
    "predictions",
    "errors",
    "params",
    "data_hash",
    "documents",
    "corpus",
    "tokens",
    "formulas",
    "elements",
    "numbers",
    "unparsed",
    "phrases",
    "train_seconds",
    "words_per_second",
    "tokenize_seconds",
    "gensim",
    "atomlearn",
    "python",
    "parameters.window",
    "parameters.negative",
    "parameters.min_count",
    "parameters.epochs",
    "parameters.sample",
    "parameters.phrase",
    "parameters.random_state",
    "parameters.sg",
    "formula",
    "n_atoms",
    "periodic",
    "energy_unit",
    "force_unit",
    "training_file",
    "training_sha256",
    "test_file",
    "target_unit",
    "dataset",
    "model_file",
    "importance",
    "selection",
    "map",
)


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    """One small folder of each kind: a run (fit + explain), a Boltzmann generator, embeddings, a force field."""
    from atomlearn.simulate.xtb import MDSettings, xtb_md
    from atomlearn.structures import from_smiles
    from tests.text.test_embeddings import planted_corpus

    root = tmp_path_factory.mktemp("tamper")
    assert (
        main(
            [
                "fit",
                "qm9",
                "--target",
                "U0_atomization_kcal_mol",
                "--model",
                "ridge",
                "--n",
                "60",
                "--out",
                str(root / "run"),
            ]
        )
        == 0
    )
    assert main(["explain", str(root / "run"), "--select", "lasso"]) == 0
    assert main(["datasets", "export", "qm9", "--out", str(root / "new"), "--n", "2", "--seed", "1"]) == 0
    assert (
        main(
            [
                "sample",
                "train",
                "double-well",
                "--out",
                str(root / "bg"),
                "--samples",
                "300",
                "--iterations",
                "5",
                "--energy-steps",
                "0",
                "--n-eval",
                "100",
            ]
        )
        == 0
    )
    planted_corpus(root / "corpus.txt", n_documents=300)
    assert (
        main(
            [
                "text",
                "train",
                str(root / "corpus.txt"),
                "--out",
                str(root / "emb"),
                "--vector-size",
                "8",
                "--min-count",
                "2",
                "--epochs",
                "1",
                "--no-phrases",
            ]
        )
        == 0
    )
    xtb_md(from_smiles("CCO"), root / "frames.extxyz", 12, MDSettings(temperature_K=500, equilibration_steps=10))
    assert (
        main(
            [
                "forcefield",
                "train",
                str(root / "frames.extxyz"),
                "--n-train",
                "8",
                "--epochs",
                "1",
                "--features",
                "8",
                "--interactions",
                "1",
                "--out",
                str(root / "ff"),
            ]
        )
        == 0
    )
    return root


def commands(root: Path) -> dict[str, list[str]]:
    """The command that reads each folder."""
    return {
        "run": ["report", str(root / "run"), "-o", str(root / "report.html")],
        "run/bundle": ["predict", str(root / "run"), str(root / "new"), "--out", str(root / "p.csv")],
        "bg": ["sample", "draw", str(root / "bg"), "--n", "5", "--out", str(root / "s.csv")],
        "emb": ["text", "similar", str(root / "emb"), "Fe"],
        "ff": [
            "forcefield",
            "md",
            str(root / "ff"),
            str(root / "frames.extxyz"),
            "--steps",
            "2",
            "--out",
            str(root / "md"),
        ],
    }


TAMPERED = [
    ("run", "results.json", "run"),
    ("run", "explain.json", "run"),
    ("run", "bundle/card.json", "run/bundle"),
    ("bg", "generator.json", "bg"),
    ("emb", "card.json", "emb"),
    ("ff", "card.json", "ff"),
]


def _leaves(value, path=(), depth=0):
    """(path, value) of the fields to tamper: every key at the top, then the first entry of each list and dict."""
    if depth == 3 or not isinstance(value, (dict, list)) or not value:
        yield path, value
        return
    if isinstance(value, dict):
        keys = list(value) if depth == 0 else list(value)[:1]
        if depth > 0:
            yield path, value
        for key in keys:
            yield from _leaves(value[key], (*path, key), depth + 1)
    else:
        yield path, value
        yield from _leaves(value[0], (*path, 0), depth + 1)


def _wrong(value):
    """A value of another type than ``value``."""
    if isinstance(value, bool) or isinstance(value, str):
        return 12345
    if isinstance(value, (int, float)):
        return "12345"
    if isinstance(value, list):
        return {"not": "a list"}
    if isinstance(value, dict):
        return [1, "two"]
    return {"was": "null"}


def _set(record, path, value):
    target = record
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value


def _reseal(folder: Path) -> None:
    """Recompute the seal over the files it lists: the attacker's last step."""
    listed = list(json.loads((folder / COMPLETION_FILE).read_text())["files"])
    mark_complete(folder, listed)


def _refused_in_one_line(command: list[str], capsys) -> tuple[int, str]:
    code = main(command)
    captured = capsys.readouterr()
    text = captured.out + captured.err
    assert "Traceback" not in text and code in (0, 1, 2), (code, text[-500:])
    if code == 2:
        assert captured.err.count("\n") == 1 and captured.err.startswith("error:"), captured.err
    return code, captured.err


@pytest.mark.slow
@pytest.mark.parametrize(("folder_name", "file_name", "reader"), TAMPERED)
def test_every_field_rewritten_to_a_wrong_type_is_refused_or_harmless(folders, folder_name, file_name, reader, capsys):
    folder, path = folders / folder_name, folders / folder_name / file_name
    original, seal = path.read_text(), (folders / folder_name / COMPLETION_FILE).read_text()
    record = json.loads(original)
    accepted, refused = [], []
    try:
        for where, value in _leaves(record):
            if not where:
                continue
            tampered = json.loads(original)
            _set(tampered, where, _wrong(value))
            path.write_text(json.dumps(tampered))
            _reseal(folder)
            code, err = _refused_in_one_line(commands(folders)[reader], capsys)
            dotted = ".".join(map(str, where))
            (refused if code == 2 else accepted).append(dotted)
            if code == 2:
                assert folder_name in err, err  # the message names the file or folder
    finally:
        path.write_text(original)
        (folders / folder_name / COMPLETION_FILE).write_text(seal)
    unchecked = [p for p in accepted if not p.startswith(FREE_FORM)]
    assert not unchecked, f"{file_name}: wrong types accepted in fields readers rely on: {unchecked}"
    assert refused, f"{file_name}: nothing was refused"
    assert _refused_in_one_line(commands(folders)[reader], capsys)[0] in (0, 1)  # restored: it works again


@pytest.mark.parametrize("folder_name", ["run", "bg", "emb", "ff"])
def test_a_seal_that_reaches_outside_or_leaves_a_file_out_is_refused(folders, folder_name, capsys):
    folder = folders / folder_name
    seal_path = folder / COMPLETION_FILE
    seal = seal_path.read_text()
    reader = commands(folders)["run" if folder_name == "run" else folder_name]
    files = json.loads(seal)["files"]
    attacks = {
        "outside": {**files, "../../etc/hostname": "0" * 64},
        "empty": {},
        "a list": [],
        "one left out": dict(list(files.items())[1:]),
    }
    try:
        for name, attack in attacks.items():
            seal_path.write_text(json.dumps({"files": attack}))
            code, err = _refused_in_one_line(reader, capsys)
            assert code == 2 and "complete.json" in err, (name, err)
    finally:
        seal_path.write_text(seal)


def test_pickles_forged_sizes_and_truncated_binaries_are_refused_in_our_words(folders, capsys, tmp_path):
    class Payload:
        def __reduce__(self):
            return (print, ("pwned",))

    unsafe = ("weights_only", "allow_pickle", "Re-running")
    for folder_name, file_name in (("bg", "flow.pt"), ("run", "features.npz")):
        copy = tmp_path / folder_name
        shutil.copytree(folders / folder_name, copy)
        (copy / file_name).write_bytes(pickle.dumps(Payload()))
        _reseal(copy)
        command = (
            ["sample", "draw", str(copy), "--n", "5", "--out", str(tmp_path / "s.csv")]
            if folder_name == "bg"
            else ["explain", str(copy), "--select", "lasso"]
        )
        code, err = _refused_in_one_line(command, capsys)
        assert code == 2 and file_name in err and not any(word in err for word in unsafe), err
        assert "pwned" not in err
    big = tmp_path / "big"
    shutil.copytree(folders / "bg", big)
    record = json.loads((big / "generator.json").read_text())
    record["flow"]["hidden"] = 10**12  # a 4 TB allocation if it reached the constructor
    (big / "generator.json").write_text(json.dumps(record))
    _reseal(big)
    code, err = _refused_in_one_line(["sample", "draw", str(big), "--n", "5", "--out", str(tmp_path / "s.csv")], capsys)
    assert code == 2 and "flow.hidden" in err
    record["flow"]["hidden"], record["settings"]["temperature"] = 64, -1.0
    (big / "generator.json").write_text(json.dumps(record))
    _reseal(big)
    code, err = _refused_in_one_line(["sample", "draw", str(big), "--n", "5", "--out", str(tmp_path / "s.csv")], capsys)
    assert code == 2 and "settings.temperature" in err
    for forged in (b"100000000000 8\n", None):  # a header claiming 1e11 words; a file cut in half
        emb = tmp_path / f"emb{forged is None}"
        shutil.copytree(folders / "emb", emb)
        data = (emb / "vectors.bin").read_bytes()
        body = data.split(b"\n", 1)[1]
        (emb / "vectors.bin").write_bytes(data[: len(data) // 2] if forged is None else forged + body)
        _reseal(emb)
        code, err = _refused_in_one_line(["text", "similar", str(emb), "Fe"], capsys)
        assert code == 2 and "vectors.bin" in err, err
    shutil.rmtree(tmp_path / "bg")
    (tmp_path / "bg").write_text("a file where a folder belongs")
    code, err = _refused_in_one_line(
        ["sample", "draw", str(tmp_path / "bg"), "--n", "5", "--out", str(tmp_path / "s.csv")], capsys
    )
    assert code == 2 and "bg" in err


def test_a_resumed_training_refuses_a_settings_record_that_is_not_one(tmp_path):
    from atomlearn.files import check_resume_request

    (tmp_path / "checkpoint.pt").write_bytes(b"x")
    settings = {"epochs": 60, "n_train": 150}
    check_resume_request(tmp_path, settings, ("checkpoint.pt",), "settings.json")  # records the request
    check_resume_request(tmp_path, settings, ("checkpoint.pt",), "settings.json")  # the same: resumed
    with pytest.raises(ValueError, match="different epochs"):
        check_resume_request(tmp_path, {**settings, "epochs": 20}, ("checkpoint.pt",), "settings.json")
    for broken in ("{not json", "[1, 2]", "\udcff"):
        (tmp_path / "settings.json").write_text(broken, errors="surrogateescape")
        with pytest.raises(ValueError, match="settings.json is not the settings record of a training run"):
            check_resume_request(tmp_path, settings, ("checkpoint.pt",), "settings.json")
