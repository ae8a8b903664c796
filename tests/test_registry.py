"""One registry shape: every name a user gives (featurizer, model, dataset, guest, system, force-field
model) resolves through a Registry of Entry, lists come from it, and an unknown name is refused with the
closest known one."""

from __future__ import annotations

import sys

import pytest

from atomlearn.registry import Entry, Registry, UnknownNameError


def _registries() -> dict[str, Registry]:
    from atomlearn.datasets import DATASETS
    from atomlearn.featurizers import FEATURIZERS
    from atomlearn.forcefield.train import FORCEFIELD_MODELS
    from atomlearn.models import MODELS
    from atomlearn.physics import GUESTS
    from atomlearn.sampling.systems import SYSTEMS

    return {
        "featurizer": FEATURIZERS,
        "model": MODELS,
        "dataset": DATASETS,
        "guest": GUESTS,
        "system": SYSTEMS,
        "force-field model": FORCEFIELD_MODELS,
    }


def test_every_entry_of_every_registry_resolves_and_says_what_it_is():
    for kind, registry in _registries().items():
        assert registry.kind == kind and len(registry) > 0
        for name, entry in registry.items():
            assert isinstance(entry, Entry) and entry.name == name
            assert entry.description, f"{kind} {name} has no description"
            assert entry.load() is not None
        assert list(registry.frame()["name"]) == list(registry)


def test_an_unknown_name_is_refused_with_the_closest_and_the_choices():
    from atomlearn.physics import GUESTS

    with pytest.raises(UnknownNameError, match=r"unknown guest 'C02' \(did you mean CO2\?\); choose one of CH4, Ar"):
        GUESTS["C02"]
    with pytest.raises(KeyError):  # and it is both a KeyError and a ValueError
        GUESTS["H2O"]
    with pytest.raises(ValueError):
        GUESTS["H2O"]
    assert "H2O" not in GUESTS and 3 not in GUESTS


def test_names_aliases_case_and_parameters():
    def kelvin(value=1.0, scale=1.0):
        return value * scale

    registry = Registry(
        "unit", [Entry("K", kelvin, "kelvin", params={"scale": 2.0})], aliases={"kelvin": "K"}, case_sensitive=False
    )
    assert registry["k"].name == "K" and registry["Kelvin"].name == "K" and "KELVIN" in registry
    assert registry.create("K", value=3.0) == 6.0  # the entry's parameters, updated by the call's
    assert registry.create("K", value=3.0, scale=1.0) == 3.0
    assert registry.builtin() == ["K"]


def test_a_string_target_is_imported_only_when_loaded():
    registry = Registry("module", [Entry("wave", "wave:open", "a standard-library module nobody imported")])
    sys.modules.pop("wave", None)
    assert list(registry) == ["wave"] and "wave" not in sys.modules
    assert callable(registry.load("wave")) and "wave" in sys.modules


def test_plug_ins_join_the_registry_they_declare():
    from atomlearn.featurizers import FEATURIZERS

    entry = FEATURIZERS["text_embedding"]
    assert entry.plugin and entry.extra == "text" and "text_embedding" not in FEATURIZERS.builtin()
    assert entry.load().__name__ == "TextEmbedding"
