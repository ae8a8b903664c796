"""The one-way flow of DESIGN.md, checked on the source: no package imports a package to its right,
and the package import graph has no cycle."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

SOURCE = Path(__file__).resolve().parents[1] / "src" / "atomlearn"

#: shared helpers that belong to no stage: anyone may import them; they import only each other
UTILITIES = {
    "__init__",
    "errors",
    "units",
    "cache",
    "parallel",
    "atomic",
    "progress",
    "threads",
    "schema",
    "validation",
}
#: position along the flow (DESIGN.md); side packages sit right of what they use, left of what uses them
RANK = {
    "structures": 0,
    "datasets": 1,
    "simulate": 1.5,
    "featurizers": 2,
    "splits": 3,
    "models": 4,
    "evaluate": 5,
    "runs": 6,
    "forcefield": 6.5,
    "sampling": 6.7,
    "text": 6.8,
    "explain": 7,
    "report": 7.5,
    "workflows": 8,
    "cli": 9,
}


def _package(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _rank(package: str) -> float:
    if package in UTILITIES:
        return -1
    return RANK[package]


def package_imports() -> dict[str, set[str]]:
    """Package -> the atomlearn packages its modules import (``from atomlearn import x`` counts as ``x``)."""
    edges: dict[str, set[str]] = defaultdict(set)
    for path in SOURCE.rglob("*.py"):
        parts = path.relative_to(SOURCE).with_suffix("").parts
        importer = parts[0] if parts[0] != "__init__" else "__init__"
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "atomlearn":
                if node.module == "atomlearn":
                    edges[importer] |= {alias.name for alias in node.names if alias.name != "__version__"} or {
                        "__init__"
                    }
                    if any(alias.name == "__version__" for alias in node.names):
                        edges[importer].add("__init__")
                else:
                    edges[importer].add(_package(node.module))
            elif isinstance(node, ast.Import):
                edges[importer] |= {_package(a.name) for a in node.names if a.name.split(".")[0] == "atomlearn"}
    return {package: imported - {package} for package, imported in edges.items()}


def test_every_package_has_a_place_in_the_flow():
    unknown = {p for p in package_imports() if p not in UTILITIES and p not in RANK}
    assert not unknown, f"add {sorted(unknown)} to DESIGN.md's flow and to RANK here"


def test_no_package_imports_a_package_to_its_right():
    wrong = sorted(
        f"{importer} -> {imported}"
        for importer, imports in package_imports().items()
        for imported in imports
        if _rank(imported) > _rank(importer) or (_rank(importer) == -1 and imported not in UTILITIES)
    )
    assert not wrong, "imports against the flow: " + ", ".join(wrong)


def test_the_package_graph_has_no_cycle():
    edges = package_imports()
    state: dict[str, str] = {}

    def visit(package: str, path: list[str]) -> None:
        state[package] = "open"
        for imported in sorted(edges.get(package, ())):
            if state.get(imported) == "open":
                raise AssertionError("package cycle: " + " -> ".join(path + [package, imported]))
            if imported not in state:
                visit(imported, path + [package])
        state[package] = "done"

    for package in sorted(edges):
        if package not in state:
            visit(package, [])


def test_every_name_a_package_exports_resolves():
    # a lazy export that names a renamed module fails only when a user reaches for it
    import importlib

    for init in sorted(SOURCE.rglob("__init__.py")):
        name = "atomlearn." + ".".join(init.relative_to(SOURCE).parent.parts) if init.parent != SOURCE else "atomlearn"
        module = importlib.import_module(name.rstrip("."))
        missing = [export for export in getattr(module, "__all__", []) if getattr(module, export, None) is None]
        assert not missing, f"{name} exports {missing}, which do not resolve"
