"""The main entry points document their parameters and results in numpydoc sections and carry a short
example, and every example runs and prints what its docstring says (DESIGN.md, conventions)."""

from __future__ import annotations

import doctest
import importlib

import pytest

#: (module, name) of the functions and classes a user starts from
ENTRY_POINTS = [
    ("atomlearn.datasets", "load"),
    ("atomlearn.featurizers", "make_featurizer"),
    ("atomlearn.models", "make_model"),
    ("atomlearn.runs", "run_holdout"),
    ("atomlearn.simulate", "widom_henry"),
    ("atomlearn.simulate", "gcmc"),
    ("atomlearn.sampling", "train_generator"),
    ("atomlearn.text", "Embeddings"),
]


@pytest.mark.parametrize(("module", "name"), ENTRY_POINTS, ids=[name for _, name in ENTRY_POINTS])
def test_the_entry_point_documents_itself_and_its_example_runs(module, name, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    obj = getattr(importlib.import_module(module), name)
    text = obj.__doc__ or ""
    missing = [section for section in ("Parameters", "Examples") if f"{section}\n" not in text]
    if not isinstance(obj, type):
        missing += [] if "Returns\n" in text else ["Returns"]
    assert not missing, f"{module}.{name} has no {', '.join(missing)} section"
    tests = doctest.DocTestFinder(recurse=False).find(obj, name, globs={})
    assert tests and tests[0].examples, f"{module}.{name}: no example"
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    for test in tests:
        runner.run(test)
    assert runner.summarize(verbose=False).failed == 0, f"the example of {module}.{name} fails (output above)"
