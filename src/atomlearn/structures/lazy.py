"""Lazy structure lists: each ``ase.Atoms`` built on access from a key (a file name, a row), so that
a dataset of 12,020 CIFs costs nothing until used, and one unreadable file fails alone."""

from __future__ import annotations

import gc
from collections.abc import Callable, Hashable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, overload

from ase import Atoms

from atomlearn.errors import ErrorRecord, StructureError


class LazyStructures(Sequence[Atoms]):
    """A sequence that builds each ``ase.Atoms`` on access with ``loader(key)``.

    Slicing or ``take`` gives another lazy sequence; nothing is loaded until indexed. The loader must be
    picklable (a module-level class instance) for parallel work.

    Parameters
    ----------
    keys : sequence of hashable
        What the loader is called with, one per structure (file paths, ids).
    loader : callable
        ``loader(key) -> ase.Atoms``.
    """

    def __init__(self, keys: Sequence[Hashable], loader: Callable[[Any], Atoms]) -> None:
        self.keys = list(keys)
        self.loader = loader

    def __len__(self) -> int:
        return len(self.keys)

    @overload
    def __getitem__(self, index: int) -> Atoms: ...
    @overload
    def __getitem__(self, index: slice) -> LazyStructures: ...
    def __getitem__(self, index: int | slice) -> Atoms | LazyStructures:
        if isinstance(index, slice):
            return LazyStructures(self.keys[index], self.loader)
        return self.loader(self.keys[index])

    def __iter__(self) -> Iterator[Atoms]:
        for key in self.keys:
            yield self.loader(key)

    def take(self, positions: Sequence[int]) -> LazyStructures:
        """The structures at ``positions``, still lazy."""
        return LazyStructures([self.keys[p] for p in positions], self.loader)

    def materialize(self) -> list[Atoms]:
        """Load every structure into a list (garbage collection paused: ~2x faster)."""
        with _gc_paused():
            return [self.loader(key) for key in self.keys]

    def __repr__(self) -> str:
        return f"LazyStructures({len(self)} structures, loader={self.loader!r})"


def materialize(structures: Sequence[Atoms]) -> list[Atoms]:
    """A plain list of the structures (lazy ones loaded, with the fast path).

    Parameters
    ----------
    structures : sequence of ase.Atoms

    Returns
    -------
    list of ase.Atoms
    """
    if isinstance(structures, LazyStructures):
        return structures.materialize()
    return list(structures)


def load_each(structures: Sequence[Atoms]) -> tuple[list[Atoms | None], list[ErrorRecord]]:
    """Every structure loaded, one broken file not stopping the batch.

    Parameters
    ----------
    structures : sequence of ase.Atoms
        A list, or a ``LazyStructures`` whose files are read now.

    Returns
    -------
    loaded : list of ase.Atoms or None
        One per structure; None where its file cannot be read.
    errors : list of ErrorRecord
        Id, stage "load" and reason of each that failed.
    """
    if not isinstance(structures, LazyStructures):
        return list(structures), []
    loaded: list[Atoms | None] = []
    errors = []
    with _gc_paused():
        for key in structures.keys:
            try:
                loaded.append(structures.loader(key))
            except (StructureError, OSError, ValueError) as error:
                loaded.append(None)
                errors.append(ErrorRecord(str(key), "load", f"{type(error).__name__}: {error}"))
    return loaded, errors


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause garbage collection while many small objects are built (about 2x faster)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def take_structures(structures: Sequence[Atoms], positions: Sequence[int]) -> Sequence[Atoms]:
    """The structures at ``positions``: still lazy when ``structures`` is, a list otherwise.

    Parameters
    ----------
    structures : sequence of ase.Atoms
    positions : sequence of int

    Returns
    -------
    sequence of ase.Atoms
    """
    if isinstance(structures, LazyStructures):
        return structures.take(positions)
    return [structures[p] for p in positions]
