"""The built wheel, installed with only the core's dependencies into a fresh environment, runs the README's
core path: ``fit`` with BoB, ``predict``, ``report``; and a network there says which extra to install.

Offline: the core's dependencies (the closure of the wheel's own ``Requires-Dist``, extras left out) are
linked from this environment into the new one; PyTorch, xTB, pyGAPS, ... are not, so a core module that
imports one, or a data file the wheel leaves out, fails here.
"""

from __future__ import annotations

import re
import subprocess
import sys
import sysconfig
import zipfile
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

import pytest
from packaging.markers import default_environment
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]


def _core_closure(requirements: list[str]) -> dict[str, object]:
    """Distribution name -> installed distribution, for the requirements and everything they pull in."""
    environment = {**default_environment(), "extra": ""}
    found: dict[str, object] = {}
    todo = [Requirement(r) for r in requirements]
    while todo:
        requirement = todo.pop()
        key = re.sub(r"[-_.]+", "-", requirement.name).lower()
        if key in found or (requirement.marker is not None and not requirement.marker.evaluate(environment)):
            continue
        try:
            found[key] = dist = distribution(requirement.name)
        except PackageNotFoundError:
            pytest.fail(f"{requirement.name}, a core dependency, is not installed here")
        todo += [Requirement(r) for r in dist.requires or []]
    return found


@pytest.mark.slow
def test_the_wheel_with_only_the_core_runs_fit_predict_and_report(tmp_path, qm9_molecules):
    from ase.io import write

    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", tmp_path, ROOT],
        capture_output=True,
        text=True,
    )
    assert built.returncode == 0, built.stderr[-2000:]
    (wheel,) = tmp_path.glob("atomlearn-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        metadata = archive.read(next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))).decode()
    requires = [line.split(": ", 1)[1] for line in metadata.splitlines() if line.startswith("Requires-Dist: ")]
    core = [r for r in requires if "extra ==" not in r]
    closure = _core_closure(core)
    assert not {"torch", "botorch", "tblite", "pygaps", "pymbar", "zuko", "openmm", "gensim"} & set(closure)

    venv = tmp_path / "core-venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", venv], check=True)
    python = venv / "bin" / "python"
    site = Path(
        subprocess.check_output(
            [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], text=True
        ).strip()
    )
    here = Path(sysconfig.get_paths()["purelib"])
    for dist in closure.values():  # link each core distribution's top-level files into the new environment
        for top in {Path(str(f)).parts[0] for f in dist.files or [] if not str(f).startswith("..")}:
            if (here / top).exists() and not (site / top).exists():
                (site / top).symlink_to(here / top)
    installed = subprocess.run(
        [sys.executable, "-m", "pip", "--python", python, "install", "-q", "--no-deps", "--no-index", wheel],
        capture_output=True,
        text=True,
    )
    assert installed.returncode == 0, installed.stderr[-2000:]

    for index, molecule in enumerate(qm9_molecules[:3]):
        write(tmp_path / f"new_{index}.xyz", molecule)
    qm9 = ["qm9", "--target", "U0_atomization_kcal_mol", "--n", "60"]
    commands = [
        ["fit", *qm9, "--featurizer", "bag_of_bonds", "--model", "krr_laplacian", "--out", "run"],
        ["predict", "run", *(f"new_{i}.xyz" for i in range(3)), "--out", "p.csv"],
        ["report", "run", "-o", "report.html"],
    ]
    atomlearn = venv / "bin" / "atomlearn"
    for command in commands:
        done = subprocess.run([atomlearn, *command], capture_output=True, text=True, cwd=tmp_path)
        assert done.returncode == 0, f"{command}: {done.stderr[-2000:]}"
    assert len((tmp_path / "p.csv").read_text().splitlines()) == 4 and (tmp_path / "report.html").is_file()
    network = subprocess.run(
        [atomlearn, "fit", *qm9, "--model", "painn", "--out", "net"], capture_output=True, text=True, cwd=tmp_path
    )
    assert network.returncode == 2 and network.stderr.strip().endswith('pip install "atomlearn[nn]"'), network.stderr
    no_torch = subprocess.run([python, "-c", "import torch"], capture_output=True, text=True)
    assert no_torch.returncode != 0  # the environment really lacks the extras
