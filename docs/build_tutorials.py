"""Execute the tutorials (``docs/tutorials/NN_name.py``, jupytext percent format) and write each as a
page of the site: ``docs/tutorials/generated/NN_name.md`` with its figures, and the executed notebook.

    python docs/build_tutorials.py            # every tutorial, full size (``make tutorials``)
    python docs/build_tutorials.py --small    # small mode: ATOMLEARN_TUTORIAL_SMALL=1 shrinks the data
    python docs/build_tutorials.py 03 06      # only these

A cell tagged ``solution`` (``# %% tags=["solution"]``) is shown folded under "Solution". A cell tagged
``check`` is executed but not shown: it asserts what the prose around it claims, so that a page whose output
contradicts its text fails the build. A tutorial whose source and mode are unchanged since its last run is
not executed again. A cell that raises stops the build with the tutorial, the cell and the error; nothing of
that tutorial is written. So does an output a reader should not see (``page_problems``): a machine or
temporary path, a progress bar, text on stderr (a warning: prevent it, or tag the cell ``stderr`` and
explain it on the page), a NaN (tag the cell ``nan`` and say why), a number in scientific notation below
10,000.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

import jupytext
import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from atomlearn.files import write_text_atomic
from atomlearn.threads import available_cores

TUTORIALS = Path(__file__).resolve().parent / "tutorials"
GENERATED = TUTORIALS / "generated"
TIMEOUT_S = 900  # one cell, full size


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="tutorial numbers or names (default: all)")
    parser.add_argument("--small", action="store_true", help="small mode (CI): ATOMLEARN_TUTORIAL_SMALL=1")
    parser.add_argument("--force", action="store_true", help="execute even when unchanged")
    args = parser.parse_args(argv)
    sources = sorted(TUTORIALS.glob("[0-9][0-9]_*.py"))
    if args.names:
        sources = [s for s in sources if any(s.stem == n or s.stem.startswith(f"{n}_") for n in args.names)]
        if not sources:
            parser.error(
                f"no tutorial matches {' '.join(args.names)}; there are "
                f"{', '.join(s.stem for s in TUTORIALS.glob('[0-9][0-9]_*.py'))}"
            )
    GENERATED.mkdir(exist_ok=True)
    timings = {}
    for source in sources:
        started = time.perf_counter()
        try:
            executed = build(source, small=args.small, force=args.force)
        except CellExecutionError as error:
            print(f"{source.name}: a cell failed; nothing written for it\n{error}", file=sys.stderr)
            return 1
        except UncleanPage as error:
            print(f"{source.name}: {error}; nothing written for it", file=sys.stderr)
            return 1
        timings[source.stem] = round(time.perf_counter() - started, 1)
        print(f"{source.name}: {'executed' if executed else 'unchanged'} in {timings[source.stem]} s", flush=True)
    return 0


def build(source: Path, small: bool = False, force: bool = False) -> bool:
    """Execute ``source`` and write its page, figures and notebook; False when they are up to date."""
    fingerprint = hashlib.sha256(source.read_bytes() + (b"small" if small else b"full")).hexdigest()
    stamp = GENERATED / f"{source.stem}.json"
    if (
        not force
        and stamp.is_file()
        and json.loads(stamp.read_text()).get("sha256") == fingerprint
        and (GENERATED / f"{source.stem}.md").is_file()
    ):
        return False
    notebook = jupytext.read(source)
    environment = {
        "ATOMLEARN_TUTORIAL_SMALL": "1" if small else "",
        "MPLBACKEND": "module://matplotlib_inline.backend_inline",
    }
    previous = {k: os.environ.get(k) for k in environment}
    os.environ.update(environment)
    started = time.perf_counter()
    try:
        with tempfile.TemporaryDirectory(prefix=f"tutorial-{source.stem}-") as workdir:  # what it writes goes away
            NotebookClient(
                notebook, timeout=TIMEOUT_S, kernel_name="python3", resources={"metadata": {"path": workdir}}
            ).execute()
    finally:
        for key, value in previous.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    seconds = time.perf_counter() - started
    problems = page_problems(notebook)
    if problems:
        raise UncleanPage("its page would show " + "; ".join(f"cell {i}: {what}" for i, what in problems))
    figures = GENERATED / f"{source.stem}_files"
    partial = GENERATED / f".{source.stem}_files.partial"
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir()
    page = to_markdown(notebook, source, partial, figures.name, seconds, small)
    shutil.rmtree(figures, ignore_errors=True)
    partial.rename(figures)
    write_text_atomic(GENERATED / f"{source.stem}.ipynb", nbformat.writes(notebook))
    write_text_atomic(GENERATED / f"{source.stem}.md", page)
    write_text_atomic(stamp, json.dumps({"sha256": fingerprint, "small": small, "seconds": round(seconds, 1)}))
    return True


def to_markdown(
    notebook: nbformat.NotebookNode, source: Path, figures: Path, figures_name: str, seconds: float, small: bool
) -> str:
    """The executed notebook as a page: markdown cells as they are, code with its printed output and
    figures (PNG files in ``figures``), solution cells folded; under the introduction, the download
    button and how long this execution took (``seconds``, in small mode or at full size)."""
    size = (
        "in small mode (`ATOMLEARN_TUTORIAL_SMALL=1`: the outputs below come from shrunken data)"
        if small
        else "at full size"
    )
    download = (
        f"[Download the notebook]({source.stem}.ipynb){{ .md-button }} or run its source, "
        f"`docs/tutorials/{source.name}`, as a script. This page was executed {size} in "
        f"{seconds / 60:.1f} min on {available_cores()} cores."
    )
    parts = []
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type == "markdown":
            text = cell.source
        elif cell.cell_type == "code" and cell.source.strip():
            text = "\n".join([f"```python\n{cell.source}\n```", *_outputs(cell, index, figures, figures_name)])
        else:
            continue
        if "check" in cell.get("metadata", {}).get("tags", []):
            continue
        if "solution" in cell.get("metadata", {}).get("tags", []):
            text = '??? success "Solution"\n\n' + "\n".join(f"    {line}" if line else "" for line in text.splitlines())
        parts.append(text)
        if len(parts) == 1:  # after the title and the introduction
            parts.append(download)
    return "\n\n".join(parts) + "\n"


class UncleanPage(Exception):
    """An executed tutorial whose outputs a reader should not see."""


#: what no page may show, with what to do instead; a cell's tag (the key) allows what it explains
UNCLEAN = {
    "path": (
        re.compile(r"(?<![\w.~/])/(?:tmp|home|work|root|usr|opt|var|private|Users|mnt)/|site-packages|[A-Z]:\\"),
        "a machine or temporary path (print a name relative to the working folder)",
    ),
    "progress": (re.compile(r"\r|\d(?:it/s|s/it)\b|[━█▏▎▍▌▋▊▉]"), "a progress bar (pass progress=False)"),
    "nan": (re.compile(r"\bnan\b", re.IGNORECASE), "a NaN (tag the cell `nan` and say on the page why)"),
    "notation": (
        re.compile(r"(?<![\w.])\d(?:\.\d+)?e\+0[0-3]\b"),
        "scientific notation for a number below 10,000 (format it for reading)",
    ),
}


def page_problems(notebook: nbformat.NotebookNode) -> list[tuple[int, str]]:
    """(cell index, what) for each output of a shown cell that a reader should not see (``UNCLEAN``, and text
    on stderr unless the cell is tagged ``stderr``)."""
    problems = []
    for index, cell in enumerate(notebook.cells):
        tags = set(cell.get("metadata", {}).get("tags", []))
        if cell.cell_type != "code" or "check" in tags:
            continue
        for output in cell.get("outputs", []):
            if output.output_type == "stream" and output.name == "stderr" and "stderr" not in tags:
                problems.append((index, f"text on stderr ({output.text.strip()[:120]!r}): prevent the warning"))
            data = output.get("data", {})
            text = output.get("text", "") + data.get("text/plain", "") + data.get("text/html", "")
            for name, (pattern, what) in UNCLEAN.items():
                found = pattern.search(text)
                if found and name not in tags:
                    problems.append((index, f"{what}: {text[max(0, found.start() - 40) : found.end() + 40]!r}"))
    return problems


def _outputs(cell: nbformat.NotebookNode, index: int, figures: Path, figures_name: str) -> list[str]:
    shown = []
    for number, output in enumerate(cell.get("outputs", [])):
        if output.output_type == "stream":
            shown.append(f"```text\n{output.text.rstrip()}\n```")
        elif output.output_type in ("display_data", "execute_result"):
            data = output.get("data", {})
            if "image/png" in data:
                name = f"cell{index:02d}_{number}.png"
                (figures / name).write_bytes(base64.b64decode(data["image/png"]))
                shown.append(f"![figure of cell {index}]({figures_name}/{name})")
            elif "text/html" in data:  # a pandas table: its inline style goes, the site's stylesheet styles it
                table = re.sub(r"<style scoped>.*?</style>", "", data["text/html"], flags=re.DOTALL)
                shown.append(f'<div class="tutorial-output" markdown="0">\n{table.strip()}\n</div>')
            elif "text/plain" in data:
                shown.append(f"```text\n{data['text/plain'].rstrip()}\n```")
    return shown


if __name__ == "__main__":
    sys.exit(main())
