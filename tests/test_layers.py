"""The layout of DESIGN.md, checked on the source.

- The flow runs one way: no package imports a package to its right, and the package graph has no cycle.
- The physics core sits below featurizers and the label engines.
- The side packages (simulate, forcefield, sampling, text) stand beside the flow: they may use the flow,
  a flow package never imports them, and what they offer the flow goes through the one plug-in
  mechanism (entry points, ``atomlearn.plugins``).
- A string that names an atomlearn module (an importlib target, an entry point) counts as an import.
- Every package's ``__all__`` is its API: an import from another package names only what that
  package exports, and no module shares a name with a function its package exports.
"""

from __future__ import annotations

import ast
import functools
import importlib
import re
import tomllib
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "src" / "atomlearn"

#: shared helpers that belong to no stage: anyone may import them; they import only each other
UTILITIES = {
    "__init__",
    "errors",
    "units",
    "cache",
    "parallel",
    "files",
    "plugins",
    "registry",
    "progress",
    "threads",
    "schema",
    "validation",
    "display",
    "extras",
    "package_data",  # data files: element properties, LJ tables, mat2vec
}
#: the physics core and the flow, left to right (DESIGN.md)
FLOW = {
    "structures": 0,
    "physics": 0.5,
    "datasets": 1,
    "featurizers": 2,
    "splits": 3,
    "models": 4,
    "evaluate": 5,
    "runs": 6,
    "explain": 7,
    "report": 7.5,
}
#: beside the flow, all on one rank: they may use any flow package, no flow package uses them
SIDE = {"simulate", "forcefield", "sampling", "text"}
SIDE_RANK = 7.8
#: on top: workflows chain whole stages, the command line calls everything
TOP = {"workflows": 8, "cli": 9}
#: a string constant that names an atomlearn module (``atomlearn.text.featurizer:TextEmbedding``)
MODULE_STRING = re.compile(r"^atomlearn\.([a-z_]+)(\.[a-z_0-9]+)*(:[A-Za-z_]\w*)?$")


def _rank(package: str) -> float:
    if package in UTILITIES:
        return -1
    if package in SIDE:
        return SIDE_RANK
    return {**FLOW, **TOP}[package]


def _package(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _importer(path: Path) -> str:
    return path.relative_to(SOURCE).with_suffix("").parts[0]


def module_references(path: Path) -> list[tuple[str, str | None]]:
    """(atomlearn module, imported name or None) of each import and module-naming string of a file
    (an entry-point group such as ``atomlearn.featurizers`` is a name, not a module)."""
    groups = set(entry_points())
    found: list[tuple[str, str | None]] = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "atomlearn":
            found += [(node.module, alias.name) for alias in node.names]
        elif isinstance(node, ast.Import):
            found += [(alias.name, None) for alias in node.names if alias.name.split(".")[0] == "atomlearn"]
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and MODULE_STRING.match(node.value)
            and node.value not in groups
        ):
            found.append((node.value.partition(":")[0], None))
    return found


def package_imports() -> dict[str, set[str]]:
    """Package -> the atomlearn packages it imports (``from atomlearn import x`` counts as ``x``; strings count)."""
    edges: dict[str, set[str]] = defaultdict(set)
    for path in SOURCE.rglob("*.py"):
        importer = _importer(path)
        for module, name in module_references(path):
            if module == "atomlearn":
                edges[importer].add("__init__" if name in (None, "__version__") else name)
            else:
                edges[importer].add(_package(module))
    return {package: imported - {package} for package, imported in edges.items()}


@functools.cache
def entry_points() -> dict[str, dict[str, str]]:
    """The plug-in groups of pyproject.toml: group -> name -> ``module:attribute``."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return project.get("entry-points", {})


def test_every_package_has_a_place():
    packages = {p.name for p in SOURCE.iterdir() if (p / "__init__.py").exists()}
    modules = {p.stem for p in SOURCE.glob("*.py")}
    unknown = (packages | modules) - UTILITIES - set(FLOW) - SIDE - set(TOP)
    assert not unknown, f"add {sorted(unknown)} to DESIGN.md's layout and to this test"


def test_no_package_imports_a_package_to_its_right():
    wrong = sorted(
        f"{importer} -> {imported}"
        for importer, imports in package_imports().items()
        for imported in imports
        if _rank(imported) > _rank(importer) or (_rank(importer) == -1 and imported not in UTILITIES)
    )
    assert not wrong, "imports against the flow: " + ", ".join(wrong)


def test_the_flow_never_imports_a_side_package():
    # implied by the ranks; said on its own so that a change of RANK cannot quietly allow it
    wrong = sorted(
        f"{importer} -> {imported}"
        for importer, imports in package_imports().items()
        if importer in FLOW or importer in UTILITIES
        for imported in imports & SIDE
    )
    assert not wrong, "a flow package uses a side package (register it as a plug-in instead): " + ", ".join(wrong)


def test_the_physics_core_imports_only_units_structures_and_the_helpers():
    assert package_imports().get("physics", set()) - UTILITIES <= {"structures"}


def test_plug_ins_come_from_side_packages_through_entry_points():
    groups = entry_points()
    assert "atomlearn.featurizers" in groups, "pyproject.toml declares no featurizer plug-in"
    for group, points in groups.items():
        for name, value in points.items():
            module = value.partition(":")[0]
            assert MODULE_STRING.match(value), f"{group}:{name} = {value!r} is not module:attribute"
            assert _package(module) in SIDE, f"{group}:{name} lives in {module}, not in a side package"
            obj = getattr(importlib.import_module(module), value.partition(":")[2])
            assert obj is not None


def test_the_layer_check_sees_strings_and_imports(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text(
        "import importlib\nfrom atomlearn.text import Embeddings\n"
        "importlib.import_module('atomlearn.sampling.flows')\nPLUGIN = 'atomlearn.simulate.widom:widom_henry'\n"
        "MESSAGE = 'see atomlearn.text for more'\n"
    )
    assert sorted(module_references(probe)) == [
        ("atomlearn.sampling.flows", None),
        ("atomlearn.simulate.widom", None),
        ("atomlearn.text", "Embeddings"),
    ]


def _exports(module: str) -> set[str]:
    """The names ``module``'s package (and any package between it and the module) exports."""
    parts = module.split(".")
    names: set[str] = set()
    for end in range(2, len(parts) + 1):
        candidate = importlib.import_module(".".join(parts[:end]))
        if hasattr(candidate, "__path__") or end == 2:
            names |= set(getattr(candidate, "__all__", ()))
    return names


def test_imports_across_packages_name_only_exported_names():
    wrong = []
    for path in sorted(SOURCE.rglob("*.py")):
        importer = _importer(path)
        for module, name in module_references(path):
            if module == "atomlearn" or _package(module) == importer or name is None:
                continue
            if name not in _exports(module):
                wrong.append(f"{path.relative_to(SOURCE)}: {module}.{name}")
    assert not wrong, "names used across packages but not in the target's __all__: " + ", ".join(wrong)


def test_every_module_of_the_helpers_declares_its_api():
    missing = [
        name
        for name in sorted(UTILITIES - {"__init__", "package_data"})
        if not hasattr(importlib.import_module(f"atomlearn.{name}"), "__all__")
    ]
    assert not missing, f"give {missing} an __all__"


def test_no_module_shares_a_name_with_an_exported_function():
    clashes = []
    for init in sorted(SOURCE.rglob("__init__.py")):
        package = "atomlearn" + "".join("." + part for part in init.relative_to(SOURCE).parent.parts)
        exports = set(getattr(importlib.import_module(package), "__all__", ()))
        modules = {p.stem for p in init.parent.glob("*.py")} | {p.name for p in init.parent.iterdir() if p.is_dir()}
        clashes += [f"{package}.{name}" for name in sorted(exports & modules) if name != "invariance"]
    assert not clashes, f"a module and an exported name share these names (the import shadows one): {clashes}"


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
    for init in sorted(SOURCE.rglob("__init__.py")):
        name = "atomlearn" + "".join("." + part for part in init.relative_to(SOURCE).parent.parts)
        module = importlib.import_module(name)
        missing = [export for export in getattr(module, "__all__", []) if getattr(module, export, None) is None]
        assert not missing, f"{name} exports {missing}, which do not resolve"
