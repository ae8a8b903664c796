"""One row per framework in a ranked list: CoRE MOF holds several CSD entries of one framework.

The CSD gives re-determinations of a structure refcodes with the same six letters and a
two-digit suffix (MISQIQ, MISQIQ01, ... MISQIQ07); CoRE MOF adds a suffix for its cleaning
(``_clean``, ``_charged``). Entries of one refcode family, and entries with the same
composition and a near-identical cell (Niggli-reduced lengths and volume within
``CELL_TOLERANCE``), are one framework.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from ase import Atoms

#: relative tolerance on the sorted Niggli-reduced cell lengths and the volume
CELL_TOLERANCE = 0.02
_REFCODE = re.compile(r"([A-Z]{6})\d{0,2}")


def family_key(item_id: str) -> str:
    """The CSD refcode family of a CoRE MOF id: ``MISQIQ03_clean`` -> ``MISQIQ``; other ids stay as they are
    up to their first underscore."""
    refcode = str(item_id).split("_")[0]
    match = _REFCODE.fullmatch(refcode)
    return match.group(1) if match else refcode


@dataclass
class _Framework:
    formula: str | None
    lengths: np.ndarray | None
    volume: float

    def same_as(self, other: _Framework) -> bool:
        if self.formula is None or self.formula != other.formula:
            return False
        return bool(
            np.allclose(self.lengths, other.lengths, rtol=CELL_TOLERANCE)
            and abs(self.volume - other.volume) <= CELL_TOLERANCE * other.volume
        )


def _framework(atoms: Atoms | None) -> _Framework:
    if atoms is None:
        return _Framework(None, None, float("nan"))
    cell = atoms.cell.copy()
    try:
        reduced, _ = cell.niggli_reduce()
    except Exception:  # a degenerate cell: compared by composition only, never merged
        return _Framework(None, None, float("nan"))
    return _Framework(
        atoms.get_chemical_formula(mode="hill", empirical=False), np.sort(reduced.lengths()), float(abs(cell.volume))
    )


def distinct_frameworks(
    ranked: pd.DataFrame, structure: Callable[[str], Atoms], n: int, *, exclude: Iterable[str] = ()
) -> pd.DataFrame:
    """The first ``n`` rows of ``ranked`` (best first, an ``id`` column) that are distinct frameworks.

    Parameters
    ----------
    ranked : DataFrame
        Best first; one row per structure, with an ``id`` column.
    structure : callable
        ``structure(id)`` gives the ``ase.Atoms`` (read only for the rows scanned); an exception
        makes that row a framework of its own.
    n : int
        Rows to return.
    exclude : iterable of str
        Ids whose refcode families are left out (e.g. the frameworks already simulated).

    Returns
    -------
    DataFrame
        At most ``n`` rows of ``ranked`` with two more columns: ``members`` (the ids of the same
        framework ranked above the last row returned, the row's own id first, ``;``-joined) and
        ``n_members``.
    """
    excluded = {family_key(i) for i in exclude}
    kept: list[int] = []
    members: list[list[str]] = []
    families: dict[str, int] = {}
    frameworks: list[_Framework] = []
    for position, item_id in enumerate(ranked["id"].astype(str)):
        key = family_key(item_id)
        if key in excluded:
            continue
        if key in families:
            members[families[key]].append(item_id)
            continue
        try:
            framework = _framework(structure(item_id))
        except Exception:
            framework = _framework(None)
        same = next((k for k, other in enumerate(frameworks) if framework.same_as(other)), None)
        if same is not None:
            members[same].append(item_id)
            families[key] = same
            continue
        if len(kept) == n:
            break
        families[key] = len(kept)
        kept.append(position)
        members.append([item_id])
        frameworks.append(framework)
    rows = ranked.iloc[kept].copy()
    rows["members"] = [";".join(m) for m in members]
    rows["n_members"] = [len(m) for m in members]
    return rows
