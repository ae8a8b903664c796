"""CIF through gemmi (C++ parser, symmetry expansion), ~100x faster than pymatgen and giving
the same atoms and cell (checked in the tests against pymatgen); every value checked first
(``cif_checks``), so that a broken file is refused, never read as if it were fine.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import gemmi
import numpy as np
from ase import Atoms

from atomlearn.errors import StructureError
from atomlearn.structures import cif_checks, overlaps

CIF_SUFFIXES = frozenset({".cif"})
OCCUPANCY_TOLERANCE = 1e-6
#: fractional coordinates within this relative tolerance of 1/3 or 2/3 are set to the exact
#: value (a CIF's 0.3333 means 1/3), as pymatgen's CifParser does, so symmetry images coincide
IDEAL_FRACTION_TOLERANCE = 1e-4


class PartialOccupancyWarning(UserWarning):
    """A CIF has sites with occupancy below 1; they are kept and reported."""


class CifRepairWarning(UserWarning):
    """A CIF broke the syntax in a non-structural item and was read with that item repaired."""


def read_cif(path: str | Path, check_formula: bool = True, check_overlaps: bool = True) -> Atoms:
    """Read the first structure of a CIF file with gemmi.

    Symmetry operations are applied (equivalent positions merged; from the space-group symbol or number
    when the file gives no operators), fractional coordinates are wrapped into [0, 1) and turned into
    Cartesian Å with the cell in the standard ASE/PDB orientation (a along x, b in the xy plane). Sites
    with occupancy < 1 are kept; their occupancies are stored in ``atoms.arrays["occupancy"]`` and their
    labels in ``atoms.info["partial_occupancy_labels"]``, and a ``PartialOccupancyWarning`` names the file.

    Parameters
    ----------
    path : str or Path
    check_formula : bool
        Refuse atoms that do not add up to the formula the file states (a file cut at a row boundary).
    check_overlaps : bool
        Refuse overlapping sites (``overlaps``: unresolved disorder, duplicated atoms); False reads them, e.g.
        to repair the structure.

    Returns
    -------
    ase.Atoms
        ``pbc=True``, positions in Å, partial charges (e) as initial charges when the file has
        ``_atom_site_charge``.

    Raises
    ------
    StructureError
        Naming the file (and line) for an empty, broken or non-CIF file, a missing or impossible cell, a
        malformed symmetry operator or operators that disagree with the space group, an unknown element,
        a missing coordinate column, a non-numeric or out-of-range occupancy or charge, atoms that do
        not add up to the stated formula, and overlapping sites.
    """
    path = Path(path)
    return cif_text_to_atoms(
        read_text(path), source=str(path), check_formula=check_formula, check_overlaps=check_overlaps
    )


def cif_text_to_atoms(
    text: str, source: str = "<string>", check_formula: bool = True, check_overlaps: bool = True
) -> Atoms:
    """Parse CIF text (as :func:`read_cif` does a file).

    Parameters
    ----------
    text : str
    source : str
        What error messages call the text.
    check_formula : bool
        Refuse atoms that do not add up to the formula the text states.
    check_overlaps : bool
        Refuse overlapping sites.

    Returns
    -------
    ase.Atoms
    """
    if not text.strip():
        raise StructureError(f"{source}: the CIF is empty; re-export or re-download the file.")
    document = _parse_cif(text, source)
    block = _structure_block(document, source)
    cif_checks.check_cell_values(block, source)
    cif_checks.check_space_group_items(block, source)
    cif_checks.check_site_columns(block, source)
    try:
        small = gemmi.make_small_structure_from_block(block)
    except (RuntimeError, ValueError) as exc:
        raise StructureError(
            f"{source}: gemmi cannot build the structure ({exc}); check the cell, symmetry and atom-site items."
        ) from None
    _check_cell(block, small, source)
    cif_checks.check_symmetry(block, text, small, source)
    asymmetric = _site_table(small.sites)
    _check_sites(block, small, asymmetric, source)
    snapped = _snap_ideal_fractions(asymmetric.fractional)
    operations = len(small.spacegroup.operations()) if small.spacegroup is not None else len(small.symops)
    if operations > 1:  # gemmi expands symmetry (merging images on special positions)
        for index in np.flatnonzero((snapped != asymmetric.fractional).any(axis=1)):
            small.sites[int(index)].fract = gemmi.Fractional(*snapped[index])
        sites = _site_table(small.get_all_unit_cell_sites())
    else:
        sites = replace(asymmetric, fractional=snapped)
    if check_formula:
        cif_checks.check_formula(block, sites.numbers, sites.occupancy, source)
    atoms = _sites_to_atoms(small, sites, block.name, source)
    charges = _site_charges(block, sites.labels, source)
    if charges is not None:
        atoms.set_initial_charges(charges)
    if check_overlaps:
        overlaps.check_overlaps(atoms, source)
    return atoms


def _parse_cif(text: str, source: str) -> gemmi.cif.Document:
    """gemmi's CIF document; one non-conformant quote in a non-structural item is repaired with a warning."""
    try:
        return gemmi.cif.read_string(text)
    except (RuntimeError, ValueError) as exc:
        repaired = cif_checks.repair_unterminated_string(text, str(exc))
        if repaired is not None:
            text, line = repaired
            warnings.warn(
                f"{source}: line {line}: a closing quote followed by a comma (not valid CIF) in a "
                "non-structural item; read without the comma",
                CifRepairWarning,
                stacklevel=4,
            )
            return _parse_cif(text, source)
        message = re.sub(r"^string:(\d+)(:\d+\(\d+\))?:\s*", r"line \1: ", str(exc))
        raise StructureError(
            f"{source}: not a readable CIF ({message}). Check that the file is a CIF and "
            "is not truncated; other formats need their own extension (.xyz, .vasp, ...)."
        ) from None


def _site_charges(block: gemmi.cif.Block, labels: Sequence[str], source: str) -> np.ndarray | None:
    """Partial charges (e) from ``_atom_site_charge`` for each expanded site, by label; None without them."""
    table = block.find("_atom_site_", ["label", "charge"])
    if not len(table):
        return None
    by_label = {}
    for row in table:
        try:
            by_label[row.str(0)] = float(row.str(1))
        except ValueError:
            raise StructureError(
                f"{source}: site '{row.str(0)}' has a non-numeric _atom_site_charge "
                f"'{row.str(1)}'; give partial charges in units of e."
            ) from None
    return np.array([by_label.get(label, 0.0) for label in labels])


@dataclass(frozen=True)
class _SiteTable:
    """The atom sites of a CIF as arrays, read from gemmi in one pass."""

    labels: list[str]
    numbers: np.ndarray
    fractional: np.ndarray
    occupancy: np.ndarray


def _site_table(sites: Sequence[Any]) -> _SiteTable:
    rows = [(site.element.atomic_number, *site.fract.tolist(), site.occ) for site in sites]
    table = np.array(rows, dtype=float).reshape(len(rows), 5)
    return _SiteTable(
        labels=[site.label for site in sites],
        numbers=table[:, 0].astype(int),
        fractional=table[:, 1:4],
        occupancy=table[:, 4],
    )


def read_text(path: Path) -> str:
    """The text of a file (UTF-8, a byte-order mark dropped; else Latin-1); ``StructureError`` for a missing or binary
    file."""
    if not path.is_file():
        raise StructureError(f"{path}: no such file.")
    raw = path.read_bytes()
    if b"\x00" in raw[:4096]:
        raise StructureError(
            f"{path}: holds binary data, not text; it is not a {path.suffix or 'text'} file. "
            "Check the file or give it the extension of its real format."
        )
    try:
        return raw.decode("utf-8-sig")  # a byte-order mark, as some Windows editors write, is not content
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _structure_block(document: gemmi.cif.Document, source: str) -> gemmi.cif.Block:
    if len(document) == 0:
        raise StructureError(f"{source}: the CIF holds no data block (no 'data_' line).")
    for block in document:
        if block.find_value("_atom_site_fract_x") is not None or block.find_loop("_atom_site_fract_x"):
            return block
    raise StructureError(
        f"{source}: no atom sites with fractional coordinates (_atom_site_fract_x/y/z) "
        "in any data block; the file may hold only Cartesian coordinates or no structure."
    )


def _check_cell(block: gemmi.cif.Block, small: gemmi.SmallStructure, source: str) -> None:
    cell = small.cell
    if not (cell.volume > 1e-6 and np.isfinite(cell.volume)):
        raise StructureError(
            f"{source}: the unit cell ({cell.a}, {cell.b}, {cell.c} Å; {cell.alpha}, "
            f"{cell.beta}, {cell.gamma}°) has no volume; check the _cell_ items."
        )


def _check_sites(block: gemmi.cif.Block, small: gemmi.SmallStructure, sites: _SiteTable, source: str) -> None:
    if len(sites.labels) == 0:
        raise StructureError(f"{source}: the atom-site loop is empty.")
    unknown = np.flatnonzero(sites.numbers == 0)  # no type symbol, and a label gemmi reads no element from
    if len(unknown):  # (type symbols and coordinates were checked by cif_checks.check_site_columns)
        row = int(unknown[0])
        symbol = small.sites[row].type_symbol or sites.labels[row]
        raise StructureError(
            f"{source}: {cif_checks.loop_row_line(block, '_atom_site_fract_x', row)}site '{sites.labels[row]}' has "
            f"unknown element symbol '{symbol}'. Use a chemical symbol (e.g. C, Cu) in _atom_site_type_symbol."
        )


def _snap_ideal_fractions(fractional: np.ndarray) -> np.ndarray:
    """Coordinates written as 0.3333/0.6667 set to exactly 1/3 and 2/3 (a new array)."""
    snapped = fractional.copy()
    for ideal in (1 / 3, 2 / 3):
        snapped[np.abs(fractional / ideal - 1.0) <= IDEAL_FRACTION_TOLERANCE] = ideal
    return snapped


def _sites_to_atoms(small: gemmi.SmallStructure, sites: _SiteTable, block_name: str, source: str) -> Atoms:
    fractional = sites.fractional - np.floor(sites.fractional)
    fractional[fractional >= 1.0 - 1e-12] = 0.0
    cell = np.array(small.cell.orth.mat.tolist()).T  # rows are lattice vectors, Å
    atoms = Atoms(numbers=sites.numbers, scaled_positions=fractional, cell=cell, pbc=True)
    atoms.info["source"] = source
    atoms.info["cif_block"] = block_name
    atoms.info["spacegroup"] = small.spacegroup_hm or "P 1"
    partial = sites.occupancy < 1.0 - OCCUPANCY_TOLERANCE
    if partial.any():
        labels = sorted({sites.labels[i] for i in np.flatnonzero(partial)})
        atoms.arrays["occupancy"] = sites.occupancy.copy()
        atoms.info["partial_occupancy_labels"] = labels
        warnings.warn(
            f"{source}: {int(partial.sum())} of {len(atoms)} atoms sit on partially occupied "
            f"sites ({', '.join(labels[:5])}{', ...' if len(labels) > 5 else ''}); they are "
            "kept with their occupancies in atoms.arrays['occupancy'].",
            PartialOccupancyWarning,
            stacklevel=3,
        )
    return atoms
