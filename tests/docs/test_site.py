"""The documentation site builds offline from the repository and shows what it should: every tutorial
executes (small mode), ``mkdocs build --strict`` passes (no broken link, no missing page), no page
loads anything from the network, and three pages (home, an API page, a tutorial with a figure)
render in headless Chromium with the network off, their images loaded and no script error."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """The site built from a copy of docs/ (the repository's own generated pages are left alone)."""
    work = tmp_path_factory.mktemp("docs")
    shutil.copy(ROOT / "mkdocs.yml", work / "mkdocs.yml")
    shutil.copytree(ROOT / "docs", work / "docs", ignore=shutil.ignore_patterns("generated", "__pycache__"))
    (work / "src").symlink_to(ROOT / "src")
    (work / "benchmarks").mkdir()
    (work / "benchmarks" / "results").symlink_to(ROOT / "benchmarks" / "results")
    executed = subprocess.run(
        [sys.executable, str(work / "docs" / "build_tutorials.py"), "--small"],
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert executed.returncode == 0, executed.stderr[-4000:]
    built = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(work / "site")],
        cwd=work,
        capture_output=True,
        text=True,
        timeout=600,
        env={"NO_MKDOCS_2_WARNING": "1", "PATH": "/usr/bin:/bin"},
    )
    assert built.returncode == 0, built.stderr[-4000:]
    return work / "site"


def test_every_tutorial_and_page_is_built(site):
    tutorials = sorted(p.stem for p in (ROOT / "docs" / "tutorials").glob("[0-9][0-9]_*.py"))
    assert tutorials and all((site / "tutorials" / "generated" / f"{t}.html").is_file() for t in tutorials)
    assert all((site / "tutorials" / "generated" / f"{t}.ipynb").is_file() for t in tutorials)  # downloadable
    page = (site / "tutorials" / "generated" / f"{tutorials[0]}.html").read_text()
    assert re.search(r"executed in small mode .* in \d+\.\d min on \d+ cores", page), "the page hides how it was run"
    api = {p.stem for p in (site / "api").glob("*.html")}
    assert {
        "structures",
        "datasets",
        "featurizers",
        "splits",
        "models",
        "evaluate",
        "runs",
        "explain",
        "report",
        "simulate",
        "forcefield",
        "sampling",
        "text",
        "workflows",
    } <= api
    cli = (site / "guide" / "cli.html").read_text()
    for command in ("atomlearn fit", "atomlearn text rank", "atomlearn sample train", "--max-documents"):
        assert command in cli, f"{command} missing from the generated command-line reference"
    costs = (site / "guide" / "featurizers.html").read_text()
    assert "ms per QM9 molecule" in costs and "<code>racs</code>" in costs


def test_no_page_loads_anything_from_the_network(site):
    loads = re.compile(r"<(?:script|img|iframe|source)[^>]*\ssrc=\"(https?:)?//|<link[^>]*\shref=\"(https?:)?//")
    offenders = [str(page.relative_to(site)) for page in site.rglob("*.html") if loads.search(page.read_text())]
    assert not offenders, f"pages that load from the network: {offenders[:5]}"
    styles = [
        str(p.relative_to(site)) for p in site.rglob("*.css") if re.search(r"url\(\s*['\"]?https?://", p.read_text())
    ]
    assert not styles


@pytest.mark.parametrize(
    "page, images",
    [("index.html", 0), ("api/featurizers.html", 0), ("tutorials/generated/01_structures_into_models.html", 1)],
)
def test_three_pages_render_offline(site, browser_command, tmp_path, page, images):
    path = site / page
    dom = subprocess.run(
        [*browser_command, "--virtual-time-budget=10000", "--dump-dom", path.as_uri()],
        capture_output=True,
        text=True,
        timeout=180,
    ).stdout
    root = re.search(r"<html[^>]*>", dom).group(0)
    loaded, total = map(int, re.search(r'data-images="(\d+)/(\d+)"', root).groups())
    assert loaded == total >= images, f"{page}: {loaded} of {total} images loaded"
    assert re.search(r'data-script-errors=""', root), f"{page}: script errors {root}"
    shot = tmp_path / "shot.png"
    subprocess.run([*browser_command, f"--screenshot={shot}", path.as_uri()], capture_output=True, timeout=180)
    from PIL import Image

    pixels = np.asarray(Image.open(shot).convert("L"), dtype=float)
    assert pixels.shape[1] == 1280 and pixels.std() > 20, f"{page}: the screenshot is blank"
    # the page drew its text and navigation: many rows of the left half differ from the background
    assert (np.abs(pixels[:, :640] - np.median(pixels)) > 60).any(axis=1).mean() > 0.2
