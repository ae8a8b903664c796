"""One registry shape for everything a user asks for by name: featurizers, models, datasets, guests,
Boltzmann-generator systems and force-field models.

A :class:`Registry` maps a name to an :class:`Entry`: the class, loader or object (or a
``"module:attribute"`` string imported on first use), a one-line description, the citation, the pip
extra it needs, and the keyword arguments its loader is called with. The command line's lists and
``--help`` come from the registries; an unknown name is refused with the closest known one.
A registry may also read an entry-point group (:mod:`atomlearn.plugins`): the plug-ins other packages
offer appear beside the built-in entries.
"""

from __future__ import annotations

import difflib
import importlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from atomlearn.errors import AtomlearnError
from atomlearn.plugins import plugins

__all__ = ["Entry", "Registry", "UnknownNameError"]


class UnknownNameError(AtomlearnError, KeyError, ValueError):
    """A name no registry entry has (a ``KeyError`` and a ``ValueError``, for callers expecting either)."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


@dataclass(frozen=True)
class Entry:
    """One named thing: what it is, what it needs, and how to make it.

    Parameters
    ----------
    name : str
        The name a user gives (command line and Python).
    target : object or str
        The class, loader function or object itself, or ``"module:attribute"``, imported on first
        :meth:`load` (so that listing a registry imports nothing heavy).
    description : str
        One line for lists and ``--help``.
    citation : str
        What to cite when using it ("" when nothing beyond atomlearn).
    extra : str or None
        The pip extra (``atomlearn[extra]``) it needs; None when the core install has everything.
    params : mapping
        Keyword arguments :meth:`create` calls the target with (a dataset version, say).
    info : mapping
        Facts particular to the registry's kind: a dataset's number of structures, the grid a model's
        nested CV searches.
    plugin : bool
        Offered by another package through an entry point.
    """

    name: str
    target: Any
    description: str = ""
    citation: str = ""
    extra: str | None = None
    params: Mapping[str, Any] = field(default_factory=dict)
    info: Mapping[str, Any] = field(default_factory=dict)
    plugin: bool = False

    def load(self) -> Any:
        """The target itself: a ``"module:attribute"`` string imported now (refused in one line when its
        extra is not installed)."""
        if self.extra is not None:
            from atomlearn.extras import require_extra

            require_extra(self.extra, self.name)
        if isinstance(self.target, str):
            module, _, attribute = self.target.partition(":")
            return getattr(importlib.import_module(module), attribute)
        return self.target

    def create(self, **params: Any) -> Any:
        """Call the target with the entry's ``params`` updated by ``params``."""
        return self.load()(**{**self.params, **params})


class Registry(Mapping[str, Entry]):
    """Name -> :class:`Entry` of one kind of thing, built-in entries first, then plug-ins.

    Parameters
    ----------
    kind : str
        What the entries are, for messages ("featurizer", "guest").
    entries : iterable of Entry
        The built-in entries, in the order lists show them.
    plugin_group : str, optional
        An entry-point group whose plug-ins join the registry.
    aliases : mapping, optional
        Other names -> entry names (``"methane"`` -> ``"CH4"``).
    case_sensitive : bool
        Whether ``"co2"`` differs from ``"CO2"``.
    """

    def __init__(
        self,
        kind: str,
        entries: Iterable[Entry],
        plugin_group: str | None = None,
        aliases: Mapping[str, str] | None = None,
        case_sensitive: bool = True,
    ) -> None:
        self.kind = kind
        self._builtin = {entry.name: entry for entry in entries}
        self.plugin_group = plugin_group
        self.aliases = dict(aliases or {})
        self.case_sensitive = case_sensitive
        self._all: dict[str, Entry] | None = None

    def _entries(self) -> dict[str, Entry]:
        """Built-in entries, then the installed plug-ins (read once: entry points do not change in a run)."""
        if self._all is None:
            self._all = dict(self._builtin)
            for name, value in plugins(self.plugin_group).items() if self.plugin_group else ():
                package = value.split(":")[0].split(".")
                extra = package[1] if package[0] == "atomlearn" and len(package) > 1 else None  # our side packages
                self._all.setdefault(name, Entry(name, value, f"plug-in {value}", plugin=True, extra=extra))
        return self._all

    def _key(self, name: str) -> str | None:
        entries = self._entries()
        name = self.aliases.get(name, name)
        if name in entries:
            return name
        if not self.case_sensitive:
            folded = {key.lower(): key for key in entries} | {
                alias.lower(): target for alias, target in self.aliases.items()
            }
            return folded.get(str(name).lower())
        return None

    def __getitem__(self, name: str) -> Entry:
        key = self._key(name)
        if key is None:
            names = list(self._entries())
            close = difflib.get_close_matches(str(name), names, n=1, cutoff=0.6)
            hint = f" (did you mean {close[0]}?)" if close else ""
            raise UnknownNameError(f"unknown {self.kind} {name!r}{hint}; choose one of {', '.join(names)}")
        return self._entries()[key]

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self._key(name) is not None

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries())

    def __len__(self) -> int:
        return len(self._entries())

    def builtin(self) -> list[str]:
        """The names of the entries declared here (plug-ins left out)."""
        return list(self._builtin)

    def load(self, name: str) -> Any:
        """The class, loader or object of ``name``."""
        return self[name].load()

    def create(self, name: str, **params: Any) -> Any:
        """The target of ``name`` called with its parameters and ``params``."""
        return self[name].create(**params)

    def frame(self) -> Any:
        """The entries as a table: name, description, extra, citation (a ``pandas.DataFrame``)."""
        import pandas as pd

        return pd.DataFrame(
            [(e.name, e.description, e.extra or "", e.citation) for e in self.values()],
            columns=["name", "description", "extra", "citation"],
        )

    def __repr__(self) -> str:
        return f"Registry({self.kind!r}: {', '.join(self)})"
