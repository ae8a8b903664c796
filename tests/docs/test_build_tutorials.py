"""The tutorial build refuses a page whose output contradicts its text (a ``check`` cell that fails) and a page
a reader should not see (a path, a progress bar, a NaN, text on stderr), and writes nothing for it."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def builder():
    spec = importlib.util.spec_from_file_location("build_tutorials", ROOT / "docs" / "build_tutorials.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["build_tutorials"] = module
    spec.loader.exec_module(module)
    return module


def _notebook(*cells: tuple[str, list[str], list[dict]]) -> nbformat.NotebookNode:
    notebook = nbformat.v4.new_notebook()
    for source, tags, outputs in cells:
        cell = nbformat.v4.new_code_cell(source, metadata={"tags": tags})
        cell.outputs = [nbformat.from_dict(output) for output in outputs]
        notebook.cells.append(cell)
    return notebook


def _stream(text: str, name: str = "stdout") -> dict:
    return {"output_type": "stream", "name": name, "text": text}


def test_what_a_reader_should_not_see_is_named_with_its_cell(builder):
    notebook = _notebook(
        ("print(path)", [], [_stream("wrote /tmp/applications-x1/embeddings\n")]),
        ("fit()", [], [_stream("100%|█████| 3/3 [00:01<00:00, 2.1it/s]", "stderr")]),
        (
            "table",
            [],
            [
                {
                    "output_type": "execute_result",
                    "data": {"text/plain": "mae  nan [nan, nan]"},
                    "metadata": {},
                    "execution_count": 1,
                }
            ],
        ),
        ("print(x)", [], [_stream("the interval [754, 1.26e+03]\n")]),
        ("explained", ["nan"], [_stream("coverage nan: no prediction before the seed batch\n")]),
        ("assert ok", ["check"], [_stream("/work/hidden\n")]),
        ("clean", [], [_stream("K_H 3.2e-06 mol/(kg·Pa), 12,020 MOFs, 1.5e+18\n")]),
    )
    problems = builder.page_problems(notebook)
    found = {(index, what.split(" (")[0].split(":")[0]) for index, what in problems}
    assert (0, "a machine or temporary path") in found
    assert (1, "text on stderr") in found and (1, "a progress bar") in found
    assert (2, "a NaN") in found
    assert (3, "scientific notation for a number below 10,000") in found
    assert not any(index in (4, 5, 6) for index, _ in problems)  # explained, hidden, or readable


def test_a_contradicted_claim_stops_the_build_and_writes_nothing(builder, tmp_path, monkeypatch):
    tutorials = tmp_path / "tutorials"
    tutorials.mkdir()
    (tutorials / "01_claim.py").write_text(
        "# %% [markdown]\n# # A claim\n#\n# Two and two make five.\n\n# %%\ntotal = 2 + 2\nprint(total)\n\n"
        '# %% tags=["check"]\nassert total == 5, "the text says five"\n'
    )
    monkeypatch.setattr(builder, "TUTORIALS", tutorials)
    monkeypatch.setattr(builder, "GENERATED", tutorials / "generated")
    assert builder.main(["--small"]) == 1
    assert not (tutorials / "generated" / "01_claim.md").exists()
    (tutorials / "01_claim.py").write_text((tutorials / "01_claim.py").read_text().replace("== 5", "== 4"))
    assert builder.main(["--small"]) == 0
    page = (tutorials / "generated" / "01_claim.md").read_text()
    assert "print(total)" in page and "assert total" not in page  # the check runs, the reader does not see it
