"""Read, convert and hash atomic structures; everything becomes an ``ase.Atoms``.

* CIF through gemmi (C++ parser, symmetry expansion), ~100x faster than pymatgen
  and giving the same atoms and cell (checked in the tests against pymatgen).
* Any other format that ``ase.io`` reads (XYZ, extended XYZ, POSCAR, PDB, ...).
* SMILES through RDKit: ETKDG embedding and a force-field relaxation, fixed seed.
* pymatgen ``Structure``/``Molecule`` conversion at the edge.
* ``structure_hash``: a content hash used as the cache key.

Molecules have ``pbc=False``; crystals ``pbc=True`` and a cell in Å.
"""

from __future__ import annotations

import hashlib
import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import gemmi
import numpy as np
from ase import Atoms

from atomlearn import cif_checks
from atomlearn.errors import StructureError

CIF_SUFFIXES = frozenset({".cif"})
BINARY_FORMAT_SUFFIXES = frozenset({".traj", ".db", ".nc", ".bundle", ".gpw", ".npz"})
OCCUPANCY_TOLERANCE = 1e-6
#: fractional coordinates within this relative tolerance of 1/3 or 2/3 are set to the exact
#: value (a CIF's 0.3333 means 1/3), as pymatgen's CifParser does, so symmetry images coincide
IDEAL_FRACTION_TOLERANCE = 1e-4


class PartialOccupancyWarning(UserWarning):
    """A CIF has sites with occupancy below 1; they are kept and reported."""


class CifRepairWarning(UserWarning):
    """A CIF broke the syntax in a non-structural item and was read with that item repaired."""


# --------------------------------------------------------------------------- CIF


def read_cif(path: str | Path, check_formula: bool = True) -> Atoms:
    """Read the first structure of a CIF file with gemmi.

    Symmetry operations are applied (equivalent positions merged; from the space-group
    symbol or number when the file gives no operators), fractional coordinates are
    wrapped into [0, 1) and turned into Cartesian Å with the cell in the standard
    ASE/PDB orientation (a along x, b in the xy plane). Sites with occupancy < 1 are
    kept; their occupancies are stored in ``atoms.arrays["occupancy"]`` and their labels
    in ``atoms.info["partial_occupancy_labels"]``, and a ``PartialOccupancyWarning``
    names the file.

    Raises ``StructureError`` naming the file (and line) for an empty, broken or non-CIF
    file, a missing or impossible cell, a malformed symmetry operator or operators that
    disagree with the space group, an unknown element, a missing coordinate column,
    a non-numeric or out-of-range occupancy or charge, and (``check_formula``) atoms that
    do not add up to the formula the file states (a file cut at a row boundary).
    """
    path = Path(path)
    return cif_text_to_atoms(_read_text(path), source=str(path), check_formula=check_formula)


def cif_text_to_atoms(text: str, source: str = "<string>", check_formula: bool = True) -> Atoms:
    """Parse CIF text (see ``read_cif``); ``source`` names it in error messages."""
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
        raise StructureError(f"{source}: gemmi cannot build the structure ({exc}); check the cell, "
                             "symmetry and atom-site items.") from None
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
    return atoms


def _parse_cif(text: str, source: str) -> gemmi.cif.Document:
    """gemmi's CIF document; one non-conformant quote in a non-structural item is repaired with a warning."""
    try:
        return gemmi.cif.read_string(text)
    except (RuntimeError, ValueError) as exc:
        repaired = cif_checks.repair_unterminated_string(text, str(exc))
        if repaired is not None:
            text, line = repaired
            warnings.warn(f"{source}: line {line}: a closing quote followed by a comma (not valid CIF) in a "
                          "non-structural item; read without the comma", CifRepairWarning, stacklevel=4)
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
            raise StructureError(f"{source}: site '{row.str(0)}' has a non-numeric _atom_site_charge "
                                 f"'{row.str(1)}'; give partial charges in units of e.") from None
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


def _read_text(path: Path) -> str:
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
        if block.find_value("_atom_site_fract_x") is not None or block.find_loop(
            "_atom_site_fract_x"
        ):
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


# ------------------------------------------------------------------ any file


def read_structure(path: str | Path, format: str | None = None) -> Atoms:
    """Read one structure from a file: CIF through gemmi, anything else through ``ase.io``.

    ``format`` is an ``ase.io`` format name when the extension does not tell it.
    Raises ``StructureError`` naming the file for a missing, empty, binary-but-text,
    unreadable or multi-structure file, unknown elements or non-finite coordinates.
    """
    frames = read_frames(path, format=format)
    if len(frames) != 1:
        raise StructureError(
            f"{path}: holds {len(frames)} structures; one was expected. Use "
            "atomlearn.structures.read_frames() for trajectories or multi-frame files."
        )
    return frames[0]


def read_frames(path: str | Path, format: str | None = None) -> list[Atoms]:
    """Read every structure of a (multi-frame) file through ``ase.io``."""
    import ase.io

    path = Path(path)
    if _is_cif(path, format):
        return [read_cif(path)]
    if not path.is_file():
        raise StructureError(f"{path}: no such file.")
    if path.stat().st_size == 0:
        raise StructureError(f"{path}: the file is empty.")
    if path.suffix.lower() not in BINARY_FORMAT_SUFFIXES:
        _read_text(path)  # rejects binary data in a file whose name says text
    try:
        frames = ase.io.read(path, index=":", format=format)
    except KeyError as exc:
        raise StructureError(
            f"{path}: unknown element symbol {exc}; use chemical symbols (H, C, Cu, ...)."
        ) from None
    except Exception as exc:  # ase raises many types for a malformed file
        what = format or f"the format of its extension '{path.suffix}'"
        raise StructureError(
            f"{path}: could not be read as {what} ({type(exc).__name__}: {exc}). "
            "Check the file, or pass format= with the right ase.io format name."
        ) from None
    if not frames:
        raise StructureError(f"{path}: holds no structure.")
    for atoms in frames:
        _check_finite(atoms, str(path))
        atoms.info["source"] = str(path)
    return frames


def _is_cif(path: Path, format: str | None) -> bool:
    return format == "cif" or (format is None and path.suffix.lower() in CIF_SUFFIXES)


def _check_finite(atoms: Atoms, source: str) -> None:
    if len(atoms) == 0:
        raise StructureError(f"{source}: the structure has no atoms.")
    if not np.isfinite(atoms.positions).all():
        raise StructureError(f"{source}: coordinates contain NaN or infinity.")
    if (atoms.numbers <= 0).any():
        index = int(np.flatnonzero(atoms.numbers <= 0)[0])
        raise StructureError(f"{source}: atom {index + 1} has no element (symbol X or a dummy atom); "
                             "use chemical symbols (H, C, Cu, ...).")
    check_cell(atoms, source)


def check_cell(atoms: Atoms, source: str) -> None:
    """A periodic structure's cell: finite lengths within 0.1-1000 Å, angles strictly between 0 and
    180°, positive volume over its periodic directions (``StructureError`` naming ``source``)."""
    if not atoms.pbc.any():
        return
    cell = np.asarray(atoms.cell, dtype=float)
    lengths = np.linalg.norm(cell, axis=1)
    periodic = np.flatnonzero(atoms.pbc)
    low, high = cif_checks.MIN_CELL_LENGTH_A, cif_checks.MAX_CELL_LENGTH_A
    if not np.isfinite(cell).all() or not ((lengths[periodic] > low) & (lengths[periodic] <= high)).all():
        raise StructureError(f"{source}: the cell vectors along the periodic directions must have finite lengths "
                             f"between {low} and {high} Å (got {np.round(lengths, 4).tolist()}); fix the lattice, "
                             "or mark the structure non-periodic (pbc F F F) if it is a molecule.")
    if atoms.pbc.all() and not abs(np.linalg.det(cell)) > 1e-6:
        raise StructureError(f"{source}: the cell has no volume (its vectors are coplanar); fix the lattice.")


# ------------------------------------------------------------------ SMILES


def from_smiles(
    smiles: str,
    *,
    random_state: int = 42,
    force_field: str | None = "MMFF",
    max_iterations: int = 2000,
) -> Atoms:
    """Embed a SMILES string in 3D (RDKit ETKDGv3, hydrogens added) and relax it.

    ``force_field`` is ``"MMFF"`` (MMFF94, falling back to UFF where MMFF lacks
    parameters), ``"UFF"`` or ``None`` (no relaxation). Same seed, same geometry.
    Positions in Å; ``pbc=False``.
    """
    from rdkit import Chem, RDLogger
    from rdkit.Chem import AllChem

    RDLogger.DisableLog("rdApp.*")
    try:
        molecule = Chem.MolFromSmiles(smiles) if isinstance(smiles, str) and smiles.strip() else None
        if molecule is None:
            raise StructureError(
                f"SMILES {smiles!r} could not be parsed by RDKit; check brackets, ring "
                "closures and valences."
            )
        molecule = Chem.AddHs(molecule)
        params = AllChem.ETKDGv3()
        params.randomSeed = int(random_state)
        if AllChem.EmbedMolecule(molecule, params) != 0:
            params.useRandomCoords = True
            if AllChem.EmbedMolecule(molecule, params) != 0:
                raise StructureError(f"SMILES {smiles!r}: RDKit could not embed it in 3D.")
        _relax(molecule, force_field, max_iterations)
    finally:
        RDLogger.EnableLog("rdApp.*")
    numbers = [atom.GetAtomicNum() for atom in molecule.GetAtoms()]
    atoms = Atoms(numbers=numbers, positions=molecule.GetConformer().GetPositions(), pbc=False)
    atoms.info["smiles"] = smiles
    return atoms


def to_rdkit(atoms: Atoms, charge: int | None = None) -> Any:
    """An RDKit molecule (implicit hydrogens) for a finite molecule.

    From ``atoms.info["smiles"]`` when present, otherwise by bond perception from the 3D
    geometry (RDKit ``DetermineBonds``, total charge from ``charge`` or
    ``atoms.info["charge"]``, default 0). Raises ``StructureError`` for periodic
    structures and when no valid bonding pattern is found.
    """
    from rdkit import Chem, RDLogger

    if atoms.pbc.any():
        raise StructureError("RDKit molecules need a finite molecule; this structure is periodic")
    smiles = atoms.info.get("smiles")
    if isinstance(smiles, str) and smiles.strip():
        molecule = Chem.MolFromSmiles(smiles)
        if molecule is None:
            raise StructureError(f"SMILES {smiles!r} in atoms.info could not be parsed by RDKit")
        return molecule
    charge = int(atoms.info.get("charge", 0) if charge is None else charge)
    editable = Chem.RWMol()
    for number in atoms.numbers:
        editable.AddAtom(Chem.Atom(int(number)))
    conformer = Chem.Conformer(len(atoms))
    for index, position in enumerate(atoms.positions):
        conformer.SetAtomPosition(index, position.tolist())
    editable.AddConformer(conformer, assignId=True)
    RDLogger.DisableLog("rdApp.*")
    try:
        molecule = _perceive_bonds(editable, charge)
    finally:
        RDLogger.EnableLog("rdApp.*")
    molecule = Chem.RemoveAllHs(molecule)
    Chem.RemoveStereochemistry(molecule)  # the graph only, as from a plain SMILES
    return molecule


def _perceive_bonds(editable: Any, charge: int) -> Any:
    """Connectivity from covalent radii, then bond orders (xyz2mol); the extended-Hückel
    connectivity is the fallback for strained rings where the radii rule fails."""
    from rdkit import Chem
    from rdkit.Chem import rdDetermineBonds

    error: Exception | None = None
    for use_hueckel in (False, True):
        molecule = Chem.RWMol(editable)
        try:
            rdDetermineBonds.DetermineBonds(molecule, charge=charge, useHueckel=use_hueckel)
            Chem.SanitizeMol(molecule)
            return molecule.GetMol()
        except (ValueError, RuntimeError) as failure:
            error = failure
    raise StructureError(
        f"could not assign bonds from the 3D geometry (charge {charge}): {error}; "
        "give the SMILES in atoms.info['smiles'] or the charge in atoms.info['charge']"
    )


def _relax(molecule: Any, force_field: str | None, max_iterations: int) -> None:
    from rdkit.Chem import AllChem

    if force_field is None:
        return
    if force_field not in ("MMFF", "UFF"):
        raise ValueError(f"force_field must be 'MMFF', 'UFF' or None, not {force_field!r}")
    if force_field == "MMFF" and AllChem.MMFFHasAllMoleculeParams(molecule):
        AllChem.MMFFOptimizeMolecule(molecule, maxIters=max_iterations)
    elif AllChem.UFFHasAllMoleculeParams(molecule):
        AllChem.UFFOptimizeMolecule(molecule, maxIters=max_iterations)


# ------------------------------------------------------------------ pymatgen


def from_pymatgen(structure: Any) -> Atoms:
    """Convert a pymatgen ``Structure`` (pbc=True) or ``Molecule`` (pbc=False) to ``ase.Atoms``."""
    from pymatgen.io.ase import AseAtomsAdaptor

    if not structure.is_ordered:
        raise StructureError(
            "the pymatgen structure is disordered (partial occupancies); order it first, "
            "e.g. with OrderDisorderedStructureTransformation."
        )
    atoms = AseAtomsAdaptor.get_atoms(structure)
    for key in [k for k in atoms.arrays if k not in ("numbers", "positions")]:
        del atoms.arrays[key]  # drop pymatgen's site-property bookkeeping
    atoms.info = {}
    return atoms


def to_pymatgen(atoms: Atoms) -> Any:
    """Convert ``ase.Atoms`` to a pymatgen ``Structure`` (any pbc) or ``Molecule`` (no pbc)."""
    from pymatgen.core import Lattice, Molecule, Structure

    if atoms.pbc.any():
        return Structure(
            Lattice(np.array(atoms.cell)),
            atoms.get_chemical_symbols(),
            atoms.positions,
            coords_are_cartesian=True,
        )
    return Molecule(atoms.get_chemical_symbols(), atoms.positions)


# ------------------------------------------------------------------ hash


def structure_hash(atoms: Atoms, decimals: int = 4) -> str:
    """SHA-256 hex digest of species, positions and cell (rounded to ``decimals`` Å) and pbc.

    Two structures with the same atoms in the same order, the same cell and pbc
    hash alike; metadata in ``atoms.info`` is ignored.
    """
    scale = 10.0**decimals
    digest = hashlib.sha256()
    digest.update(np.asarray(atoms.numbers, dtype="<i2").tobytes())
    digest.update(np.rint(atoms.positions * scale).astype("<i8").tobytes())
    digest.update(np.rint(np.array(atoms.cell) * scale).astype("<i8").tobytes())
    digest.update(np.asarray(atoms.pbc, dtype=bool).tobytes())
    return digest.hexdigest()
