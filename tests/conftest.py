"""Shared fixtures: small slices of the bundled datasets (the cache folder holds their conversions)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

if os.environ.get("PYTEST_XDIST_WORKER"):  # `make test` runs one worker per core (at most 4): share the cores
    _cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    _threads = str(max(1, _cores // int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))))
    for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
        os.environ.setdefault(_name, _threads)

import pytest

from atomlearn.datasets import load_coremof, load_qm9

#: the longest test files, started first so that the workers finish together (``--dist loadfile`` keeps a
#: file's tests and its module fixtures on one worker; ``--no-loadscope-reorder`` keeps this order)
SLOWEST_FILES = (
    "tests/docs/test_site.py",
    "tests/test_readme.py",
)


def pytest_collection_modifyitems(config, items):
    """Run the slowest files first (the rest keep their order)."""
    rank = {name: position for position, name in enumerate(SLOWEST_FILES)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::")[0], len(rank)))


@pytest.fixture(scope="session")
def qm9():
    return load_qm9()


@pytest.fixture(scope="session")
def coremof():
    return load_coremof("2019-ASR")


@pytest.fixture(scope="session")
def coremof_cifs(coremof, tmp_path_factory):
    """60 CoRE MOF 2019 CIF files on disk: every 200th id plus the four with space-group symmetry."""
    folder = tmp_path_factory.mktemp("coremof_cifs")
    symmetric = ["DONNAW01_SL", "POZHUI_ion_b", "ja406030p_si_002_manual", "ja406030p_si_007_manual"]
    ids = coremof.ids[::200][:56] + symmetric
    loader = coremof.structures.loader
    paths = []
    for item_id in ids:
        path = folder / f"{item_id}.cif"
        path.write_text(loader.cif_text(item_id))
        paths.append(path)
    return paths


@pytest.fixture(scope="session")
def qm9_molecules(qm9):
    """40 QM9 molecules spread over the set (ids every 3,000th)."""
    return qm9.take(range(0, 120_000, 3000)).structures.materialize()


@pytest.fixture(scope="session")
def small_mof_dataset(coremof):
    """A CoRE MOF 2019 slice of 12 structures with at most 200 atoms, readable (no overlapping sites)."""
    from atomlearn.errors import StructureError

    chosen = []
    for index in range(0, 12_000, 97):
        try:
            atoms = coremof.structure(coremof.ids[index])
        except StructureError:
            continue
        if len(atoms) > 200:
            continue
        chosen.append(index)
        if len(chosen) == 12:
            break
    return coremof.take(chosen)


@pytest.fixture(scope="session")
def readable(coremof):
    """``readable(ids, n=None)``: the CoRE MOF ids of ``ids`` whose structures read (about 12 % have overlapping
    sites and are refused), at most ``n``, in order."""
    from atomlearn.errors import StructureError

    def pick(ids, n=None):
        chosen = []
        for item_id in ids:
            try:
                coremof.structure(item_id)
            except StructureError:
                continue
            chosen.append(item_id)
            if n is not None and len(chosen) == n:
                break
        return chosen

    return pick


@pytest.fixture(scope="session")
def small_mofs(small_mof_dataset):
    """The first 8 structures of ``small_mof_dataset``."""
    return small_mof_dataset.take(range(8)).structures.materialize()


BROWSER_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _browser_command(tmp_path: Path) -> list[str]:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if os.environ.get("ATOMLEARN_REQUIRE_BROWSER"):
            pytest.fail("chromium is not installed; `make test` installs it with apt-get")
        pytest.skip("chromium is not installed (make test installs it)")
    profile = tmp_path / "browser-profile"
    profile.mkdir(exist_ok=True)
    return [found, *BROWSER_FLAGS, f"--user-data-dir={profile}", "--window-size=1280,2400"]


@pytest.fixture
def browser_command(tmp_path) -> list[str]:
    """Headless Chromium with a fresh profile, 1280 px wide, and no network: a dead proxy for
    everything but the loopback, so a page that needs the internet shows it."""
    return [*_browser_command(tmp_path), "--proxy-server=127.0.0.1:9", "--proxy-bypass-list=<-loopback>"]


@pytest.fixture
def render_page(tmp_path):
    """Open an HTML report in headless Chromium, 1280 px wide: (script errors or None, drawn size of each
    figure); ``render.overflow`` then lists the sections wider than the window (the page measures itself)."""

    def render(page: Path) -> tuple[str | None, dict[str, list[int]]]:
        dom = subprocess.run(
            [*_browser_command(tmp_path), "--virtual-time-budget=20000", "--dump-dom", page.as_uri()],
            capture_output=True,
            text=True,
            timeout=180,
        ).stdout
        root = re.search(r"<html[^>]*>", dom).group(0)
        errors = re.search(r"data-script-errors=\"([^\"]*)\"", root)
        sizes = json.loads(re.search(r"data-figure-sizes=\"([^\"]*)\"", root).group(1).replace("&quot;", '"'))
        overflow = re.search(r"data-overflow=\"([^\"]*)\"", root)
        render.overflow = json.loads(overflow.group(1).replace("&quot;", '"')) if overflow else None
        return (errors.group(1) if errors else None), sizes

    return render


@pytest.fixture
def screenshot_page(tmp_path):
    """A PNG screenshot of an HTML page in headless Chromium; returns its path."""

    def shoot(page: Path) -> Path:
        shot = tmp_path / "shot.png"
        subprocess.run(
            [*_browser_command(tmp_path), f"--screenshot={shot}", page.as_uri()], capture_output=True, timeout=180
        )
        return shot

    return shoot
