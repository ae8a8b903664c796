"""Every public module, class, function and method of atomlearn has a docstring (inherited ones count:
an override of a documented method, such as a featurizer's ``featurize``, says the same thing), and
every estimator and featurizer documents its parameters and fitted attributes in numpydoc sections."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest
from sklearn.base import BaseEstimator

import atomlearn

MODULES = sorted(
    m.name for m in pkgutil.walk_packages(atomlearn.__path__, "atomlearn.") if not m.name.endswith("__main__")
)


def _public_members(module):
    """(qualified name, object) of the functions and classes defined in ``module``, and their methods."""
    for name, value in vars(module).items():
        if name.startswith("_") or getattr(value, "__module__", None) != module.__name__:
            continue
        if inspect.isfunction(value):
            yield f"{module.__name__}.{name}", value
        elif inspect.isclass(value):
            yield f"{module.__name__}.{name}", value
            for attribute, member in vars(value).items():
                if attribute.startswith("_"):
                    continue
                if isinstance(member, (staticmethod, classmethod)):
                    member = member.__func__
                if inspect.isfunction(member) or isinstance(member, property):
                    yield (
                        f"{module.__name__}.{name}.{attribute}",
                        getattr(value, attribute) if not isinstance(member, property) else member,
                    )


def test_every_public_name_has_a_docstring():
    missing = []
    for module_name in MODULES:
        module = importlib.import_module(module_name)
        if not inspect.getdoc(module):
            missing.append(module_name)
        missing += [name for name, value in _public_members(module) if not inspect.getdoc(value)]
    assert not missing, f"{len(missing)} public names without a docstring: " + ", ".join(missing)


def _estimators():
    from atomlearn.featurizers import FEATURIZERS
    from atomlearn.models import MODELS

    classes = {FEATURIZERS.load(name) for name in FEATURIZERS}
    for name in MODELS:
        model = MODELS.create(name)
        model = model.steps[-1][1] if hasattr(model, "steps") else model
        if type(model).__module__.startswith("atomlearn."):
            classes.add(type(model))
    return sorted(classes, key=lambda cls: cls.__name__)


@pytest.mark.parametrize("cls", _estimators(), ids=lambda cls: cls.__name__)
def test_estimators_document_parameters_and_attributes(cls):
    doc = inspect.getdoc(cls) or ""
    assert issubclass(cls, BaseEstimator)
    assert "Parameters\n----------" in doc, f"{cls.__name__}: no numpydoc Parameters section"
    assert "Attributes\n----------" in doc, f"{cls.__name__}: no numpydoc Attributes section (what fit learns)"
    parameters_section = doc.split("Parameters\n----------")[1].split("\n\n")[0] if "Parameters\n" in doc else ""
    listed = {
        name.strip()
        for line in parameters_section.splitlines()
        if line and not line.startswith(" ")
        for name in line.split(" : ")[0].split(",")
    }  # numpydoc: "name : type" or "a, b : type"
    undocumented = [p for p in inspect.signature(cls.__init__).parameters if p != "self" and p not in listed]
    assert not undocumented, f"{cls.__name__}: parameters not in its docstring: {undocumented}"


def _exported_callables():
    """(qualified name, object) of every function and class a package exports that takes arguments."""
    for module_name in MODULES:
        module = importlib.import_module(module_name)
        if not hasattr(module, "__path__") or module_name.startswith("atomlearn.cli"):
            continue
        for name in getattr(module, "__all__", ()):
            obj = getattr(module, name)
            if not (inspect.isfunction(obj) or inspect.isclass(obj)) or getattr(obj, "__module__", "") == "typing":
                continue
            try:
                arguments = [p for p in inspect.signature(obj).parameters if p != "self"]
            except (TypeError, ValueError):
                continue
            if arguments:
                yield f"{module_name}.{name}", obj


def test_every_exported_name_documents_its_arguments_and_result_in_numpydoc():
    # DESIGN: Parameters and Returns with units and shapes; a class documents its fields under
    # Parameters or Attributes
    missing = []
    for name, obj in _exported_callables():
        doc = obj.__doc__ or ""
        sections = ("Parameters\n", "Attributes\n") if inspect.isclass(obj) else ("Parameters\n",)
        if not any(section in doc for section in sections):
            missing.append(f"{name} (Parameters)")
        returns = inspect.signature(obj).return_annotation
        if (
            inspect.isfunction(obj)
            and returns not in (None, "None", inspect.Signature.empty)
            and not any(section in doc for section in ("Returns\n", "Yields\n"))
        ):
            missing.append(f"{name} (Returns)")
    assert not missing, f"{len(missing)} exported names without numpydoc sections: " + ", ".join(missing)
