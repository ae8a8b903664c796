"""The core install works without the extras, and what needs an extra says in one line what to install.

The extras' packages are hidden from a fresh interpreter (an import hook refuses them, as a machine
without them would); the README's core path (``fit`` with BoB, ``predict``, ``report``) runs there,
and a network, a Boltzmann generator, xTB or the text corpus each stop with one ``pip install`` line.
"""

from __future__ import annotations

import json
import subprocess
import sys

from atomlearn.extras import EXTRAS

HIDDEN = sorted({package for packages in EXTRAS.values() for package in packages})

SCRIPT = """
import contextlib, importlib.abc, io, json, sys

HIDDEN = set(sys.argv[1].split(","))

class Hidden(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name.split(".")[0] in HIDDEN:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None

sys.meta_path.insert(0, Hidden())
from atomlearn.cli import main

outcomes = []
for command in json.loads(sys.argv[2]):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(command)
    outcomes.append({"code": code, "err": err.getvalue()})
python = []
for statement in json.loads(sys.argv[3]):
    try:
        exec(statement)
        python.append("ran")
    except ImportError as exc:
        python.append(f"{type(exc).__name__}: {exc}")
outcomes.append({"python": python})
print(json.dumps(outcomes))
"""


def test_the_core_runs_without_the_extras_and_each_extra_names_what_to_install(tmp_path, qm9_molecules):
    from ase.io import write

    for index, molecule in enumerate(qm9_molecules[:3]):
        write(tmp_path / f"new_{index}.xyz", molecule)
    qm9 = ["qm9", "--target", "U0_atomization_kcal_mol", "--n", "60"]
    commands = [
        ["fit", *qm9, "--featurizer", "bag_of_bonds", "--model", "krr_laplacian", "--out", str(tmp_path / "run")],
        ["predict", str(tmp_path / "run"), *(str(tmp_path / f"new_{i}.xyz") for i in range(3)), "--out", "p.csv"],
        ["report", str(tmp_path / "run"), "-o", str(tmp_path / "report.html")],
        ["featurize", "--list"],  # the text plug-in listed with what it needs
        ["bias-variance", "--degrees", "1-3", "--rounds", "20", "--out", str(tmp_path / "bv.csv")],
        ["fit", *qm9, "--model", "painn", "--out", str(tmp_path / "net")],
        ["sample", "train", "double-well", "--out", str(tmp_path / "bg")],
        ["simulate", "xtb-md", "--smiles", "CCO", "--frames", "4", "--out", str(tmp_path / "md.extxyz")],
        ["text", "corpus", "--sources", "elements", "--out", str(tmp_path / "c.jsonl")],
    ]
    statements = [
        "from atomlearn.models import make_model; make_model('painn')",
        "from atomlearn.simulate import gcmc",
        "import atomlearn.workflows",  # the CH4 demo and bias-variance need no extra
    ]
    *cli, python = _run_hidden(HIDDEN, commands, statements, tmp_path)
    assert [c["code"] for c in cli[:5]] == [0] * 5, [c["err"][-500:] for c in cli[:5]]
    assert (tmp_path / "report.html").is_file() and len((tmp_path / "p.csv").read_text().splitlines()) == 4
    for outcome, extra in zip(cli[5:], ("nn", "sampling", "sim", "text"), strict=True):
        lines = outcome["err"].strip().splitlines()
        assert outcome["code"] == 2 and len(lines) == 1, outcome
        assert lines[0].endswith(f'pip install "atomlearn[{extra}]"') and "Traceback" not in outcome["err"]
    assert python["python"] == [
        'MissingExtraError: painn needs torch (the "nn" extra): pip install "atomlearn[nn]"',
        'MissingExtraError: atomlearn.simulate.gcmc needs tblite (the "sim" extra): pip install "atomlearn[sim]"',
        "ran",
    ]


def test_one_extra_needs_no_other(tmp_path):
    """The text extra trains embeddings without PyTorch (resuming is checked by a torch-free helper)."""
    corpus, out = str(tmp_path / "c.jsonl"), str(tmp_path / "emb")
    commands = [
        ["text", "corpus", "--sources", "elements", "--out", corpus, "--max-documents", "60"],
        ["text", "train", corpus, "--out", out, "--epochs", "1", "--min-count", "1"],
    ]
    *cli, _ = _run_hidden({"torch", "botorch", "gpytorch", "zuko", "openmm"}, commands, [], tmp_path)
    assert [c["code"] for c in cli] == [0, 0], [c["err"][-500:] for c in cli]


def _run_hidden(hidden, commands: list[list[str]], statements: list[str], folder) -> list[dict]:
    """Run CLI commands and Python statements in a fresh interpreter that cannot import ``hidden``."""
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, ",".join(sorted(hidden)), json.dumps(commands), json.dumps(statements)],
        capture_output=True,
        text=True,
        cwd=folder,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.splitlines()[-1])


def test_every_extra_named_is_one_pip_installs():
    import tomllib
    from pathlib import Path

    from atomlearn.featurizers import FEATURIZERS
    from atomlearn.models import MODELS

    declared = tomllib.loads((Path(__file__).resolve().parents[1] / "pyproject.toml").read_text())["project"]
    optional = declared["optional-dependencies"]
    named = set(EXTRAS) | {e.extra for registry in (MODELS, FEATURIZERS) for e in registry.values() if e.extra}
    assert named <= set(optional) and set(EXTRAS) <= set(optional["all"][0].split("[")[1].rstrip("]").split(","))
    for extra, packages in EXTRAS.items():  # each extra installs the packages it covers (gpytorch comes with botorch)
        listed = {requirement.split("==")[0].lower() for requirement in optional[extra]}
        assert set(packages) - {"gpytorch"} <= listed, (extra, listed)
