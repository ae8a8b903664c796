"""Checks that keep a broken CIF from being read as if it were fine.

gemmi parses what it can: a cell length ``?`` becomes 1 Å, an angle ``-90`` becomes 90°, a
type symbol ``C1x`` becomes carbon, a missing coordinate column becomes zeros, a space-group
symbol without operators gives the asymmetric unit. Each check here reads the raw CIF values
before gemmi interprets them and raises ``StructureError`` naming the file, the line and what
to fix. ``check_formula`` compares the atoms read with the formula a file states, which is
what catches a file cut at a row boundary.
"""

from __future__ import annotations

import re
from collections import Counter

import gemmi
import numpy as np
from ase.data import chemical_symbols

from atomlearn.errors import StructureError

CELL_LENGTH_TAGS = ("_cell_length_a", "_cell_length_b", "_cell_length_c")
CELL_ANGLE_TAGS = ("_cell_angle_alpha", "_cell_angle_beta", "_cell_angle_gamma")
#: Å; unit cells of crystals, MOFs and even protein crystals stay well below this
MAX_CELL_LENGTH_A = 1000.0
MIN_CELL_LENGTH_A = 0.1
OCCUPANCY_TOLERANCE = 1e-3  # occupancies like 1.001 are rounding
#: e; the largest partial charge a force field assigns is about ±3; formal charges reach ±8
MAX_ABS_CHARGE_E = 8.0
#: a type symbol: element, then an optional oxidation state or site number (Fe3+, O2-, C1, Cu+2)
STANDARD_UNCERTAINTY = re.compile(r"\(\d+\)$")
TYPE_SYMBOL = re.compile(r"^([A-Z][a-z]?)(\d*[+-]?\d*)$")
OPERATOR = re.compile(r"^[\sxyzXYZ0-9+\-*/.]+,[\sxyzXYZ0-9+\-*/.]+,[\sxyzXYZ0-9+\-*/.]+$")
OPERATOR_TAGS = ("_space_group_symop_operation_xyz", "_symmetry_equiv_pos_as_xyz")
STRUCTURAL_PREFIXES = ("_cell_", "_atom_site_", "_symmetry_", "_space_group_", "_chemical_formula_", "_atom_type_")


def _line(item: gemmi.cif.Item | None) -> str:
    return f"line {item.line_number}: " if item is not None and item.line_number > 0 else ""


def loop_row_line(block: gemmi.cif.Block, tag: str, row: int) -> str:
    """'line ~N: ' for a row of the loop holding ``tag`` (rows follow the loop_ line and its tags)."""
    item = block.find_loop_item(tag)
    if item is None or item.line_number <= 0:
        return ""
    return f"line ~{item.line_number + len(item.loop.tags) + 1 + row}: "


def check_cell_values(block: gemmi.cif.Block, source: str) -> None:
    """Every cell length a finite number in (0.1, 1000] Å, every angle strictly between 0 and 180°."""
    for tags, low, high, unit in (
        (CELL_LENGTH_TAGS, MIN_CELL_LENGTH_A, MAX_CELL_LENGTH_A, "Å"),
        (CELL_ANGLE_TAGS, 0.0, 180.0, "°"),
    ):
        for tag in tags:
            item = block.find_pair_item(tag)
            if item is None:
                if unit == "°":
                    continue  # angles default to 90°
                raise StructureError(f"{source}: the unit cell is incomplete: {tag} is missing; add it.")
            raw = gemmi.cif.as_string(item.pair[1])
            value = gemmi.cif.as_number(item.pair[1])
            inside = low < value <= high if unit == "Å" else low < value < high
            if not np.isfinite(value) or not inside:
                bound = f"between {low} and {high} {unit}" if unit == "Å" else "strictly between 0 and 180°"
                raise StructureError(
                    f"{source}: {_line(item)}{tag} is {raw!r}; it must be a number {bound}. Fix the cell in the file."
                )


def _site_columns(block: gemmi.cif.Block) -> dict[str, list[str]]:
    """The raw strings of each ``_atom_site_*`` column (lower-case tags), from the loop or pair items."""
    item = block.find_loop_item("_atom_site_fract_x") or block.find_loop_item("_atom_site_label")
    if item is not None:
        loop, values = item.loop, list(item.loop.values)
        return {
            tag.lower(): values[i :: loop.width()]
            for i, tag in enumerate(loop.tags)
            if tag.lower().startswith("_atom_site_")
        }
    return {
        entry.pair[0].lower(): [entry.pair[1]]
        for entry in block
        if entry.pair is not None and entry.pair[0].lower().startswith("_atom_site_")
    }


def _numbers(raw: list[str]) -> np.ndarray:
    """CIF numbers ('0.1234(5)' -> 0.1234); NaN for '?', '.' and anything that is not a number."""
    if not any("_" in value for value in raw):  # Python and numpy read '0_32' as 32; CIF does not
        try:
            return np.array(raw, dtype=float)  # the common case: plain numbers, parsed by numpy at C speed
        except ValueError:
            pass
    return np.array([_strict_number(value) for value in raw], dtype=float)


def _strict_number(value: str) -> float:
    """A CIF number with an optional standard uncertainty, or NaN: '0.12(3)' -> 0.12, but '0_32' is not a
    number (gemmi's ``as_number`` reads its prefix 0 while its structure builder reads NaN)."""
    if "_" in value:
        return float("nan")
    try:
        return float(STANDARD_UNCERTAINTY.sub("", value))
    except ValueError:
        return float("nan")


def check_site_columns(block: gemmi.cif.Block, source: str) -> None:
    """The atom-site loop has all three fractional coordinates, and every type symbol, occupancy
    and charge it gives is valid."""
    columns = _site_columns(block)
    if not columns:
        return
    missing = [t for t in ("_atom_site_fract_x", "_atom_site_fract_y", "_atom_site_fract_z") if t not in columns]
    if missing:
        loop_item = block.find_loop_item(next(iter(columns)))
        raise StructureError(
            f"{source}: {_line(loop_item)}the atom-site loop has no {', '.join(missing)} column; "
            "every site needs three fractional coordinates."
        )
    labels = columns.get("_atom_site_label")

    def refuse(row: int, what: str) -> None:
        label = gemmi.cif.as_string(labels[row]) if labels else f"#{row + 1}"
        where = loop_row_line(block, "_atom_site_fract_x", row)
        raise StructureError(f"{source}: {where}site '{label}' {what}")

    unknown_values = ("?", ".")
    for symbol in dict.fromkeys(columns.get("_atom_site_type_symbol", [])):
        match = TYPE_SYMBOL.match(gemmi.cif.as_string(symbol))
        if symbol not in unknown_values and (match is None or match.group(1) not in chemical_symbols[1:]):
            refuse(
                columns["_atom_site_type_symbol"].index(symbol),
                f"has type symbol '{gemmi.cif.as_string(symbol)}', which is not an element symbol (with an "
                "optional charge, e.g. Fe3+); fix _atom_site_type_symbol.",
            )
    checks = (
        (
            "_atom_site_occupancy",
            lambda v: (v > 0) & (v <= 1 + OCCUPANCY_TOLERANCE),
            "occupancy '{}'; it must be a number in (0, 1]. Fix _atom_site_occupancy.",
        ),
        (
            "_atom_site_charge",
            lambda v: np.abs(v) <= MAX_ABS_CHARGE_E,
            f"charge '{{}}'; a partial charge must be a finite number of e within ±{MAX_ABS_CHARGE_E:g}. "
            "Fix _atom_site_charge.",
        ),
    )
    for tag, valid, message in checks:
        raw = columns.get(tag)
        if raw is not None:
            bad = np.flatnonzero(~valid(_numbers(raw)) & ~np.isin(raw, unknown_values))
            if len(bad):
                refuse(int(bad[0]), "has " + message.format(gemmi.cif.as_string(raw[bad[0]])))
    for axis in "xyz":
        raw = columns[f"_atom_site_fract_{axis}"]
        bad = np.flatnonzero(~np.isfinite(_numbers(raw)))
        if len(bad):
            refuse(
                int(bad[0]),
                f"has fractional {axis} '{gemmi.cif.as_string(raw[bad[0]])}', not a number. Fix the coordinates.",
            )


def check_symmetry(block: gemmi.cif.Block, text: str, small: gemmi.SmallStructure, source: str) -> None:
    """Every symmetry operator parses, and operators and space-group symbol (when both are given) agree."""
    for tag in OPERATOR_TAGS:
        for value in block.find_values(tag):
            operator = gemmi.cif.as_string(value)
            try:
                if not OPERATOR.match(operator):  # gemmi also reads basis changes such as 'a,b,c'
                    raise ValueError("only x, y, z, numbers, fractions and + - may appear")
                gemmi.Op(operator)
            except (RuntimeError, ValueError) as exc:
                raise StructureError(
                    f"{source}: {_text_line(text, operator)}symmetry operator '{operator}' is malformed "
                    f"({exc}); write it as a triplet such as '-x, y+1/2, -z'."
                ) from None
    problem = small.check_spacegroup().strip()
    if problem:
        raise StructureError(
            f"{source}: the symmetry operators and the space group disagree ({problem}); "
            "fix the operator loop or the space-group symbol/number so that they describe one group."
        )


def _text_line(text: str, needle: str) -> str:
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return f"line {number}: "
    return ""


def check_space_group_items(block: gemmi.cif.Block, source: str) -> None:
    """The space-group number, where given, is an integer from 1 to 230."""
    for tag in ("_symmetry_Int_Tables_number", "_space_group_IT_number"):
        item = block.find_pair_item(tag)
        if item is None or item.pair[1] in ("?", "."):
            continue
        raw = gemmi.cif.as_string(item.pair[1])
        if not raw.isdigit() or not 1 <= int(raw) <= 230:
            raise StructureError(
                f"{source}: {_line(item)}{tag} is {raw!r}; a space-group number is an integer "
                "from 1 to 230. Fix or remove it."
            )


# ---------------------------------------------------------------- stated formula

FORMULA_TERM = re.compile(r"([A-Z][a-z]?)\s*(\d*\.?\d*)")


def _formula_counts(text: str) -> Counter:
    counts: Counter = Counter()
    for symbol, number in FORMULA_TERM.findall(text):
        counts[symbol] += float(number) if number not in ("", ".") else 1.0
    return counts


def stated_formula(block: gemmi.cif.Block) -> tuple[Counter, str, float | None] | None:
    """Element counts per formula unit the file states, how it states them, and Z (formula units in the
    cell; None when not given); None without a readable formula."""
    z_value = block.find_value("_cell_formula_units_Z")
    z = gemmi.cif.as_number(z_value) if z_value is not None else float("nan")
    formula = block.find_value("_chemical_formula_sum")
    if formula is not None and formula not in ("?", "."):
        counts = _formula_counts(gemmi.cif.as_string(formula))
        described = f"_chemical_formula_sum '{gemmi.cif.as_string(formula)}'"
    else:
        moiety = block.find_value("_chemical_formula_moiety")
        if moiety is None or moiety in ("?", "."):
            return None
        counts = Counter()
        for part in gemmi.cif.as_string(moiety).split(","):  # "C24 H12 O13 Zn4, 2(C3 H7 N O)"
            match = re.match(r"\s*(\d*\.?\d*)\s*\((.*)\)\s*$", part)
            factor, body = (float(match.group(1) or 1), match.group(2)) if match else (1.0, part)
            for symbol, count in _formula_counts(body).items():
                counts[symbol] += factor * count
        described = f"_chemical_formula_moiety '{gemmi.cif.as_string(moiety)}'"
    if not counts or any(s not in chemical_symbols[1:] for s in counts):
        return None  # a formula we cannot read says nothing
    return counts, described, (float(z) if np.isfinite(z) and z > 0 else None)


def check_formula(block: gemmi.cif.Block, numbers: np.ndarray, occupancy: np.ndarray, source: str) -> None:
    """The atoms read (weighted by occupancy) match the formula the file states (times Z; without
    Z, a whole multiple of it). A mismatch means lost rows (a truncated file) or a wrong formula."""
    stated = stated_formula(block)
    if stated is None:
        return
    per_unit, described, z = stated
    found: Counter = Counter()
    for number, weight in zip(numbers, occupancy):
        found[chemical_symbols[int(number)]] += float(weight)
    symbols = sorted(set(per_unit) | set(found))
    want = np.array([per_unit.get(s, 0.0) for s in symbols])
    have = np.array([found.get(s, 0.0) for s in symbols])
    if z is not None:
        ratio = z
        described += f" with Z = {z:g}"
    else:  # formula units in the cell as the atoms say, a whole number when nearly one
        ratio = have.sum() / want.sum() if want.sum() else 0.0
        if abs(ratio - round(ratio)) < 0.02 and round(ratio) >= 1:
            ratio = round(ratio)
    if np.allclose(have, ratio * want, atol=0.05 * max(1.0, ratio), rtol=0.01):
        return
    differences = ", ".join(
        f"{s} {have[i]:g} (stated {ratio * want[i]:g})"
        for i, s in enumerate(symbols)
        if abs(have[i] - ratio * want[i]) > 0.05 * max(1.0, ratio)
    )
    raise StructureError(
        f"{source}: the sites give {have.sum():g} atoms but the file states {described}: {differences}. "
        "The file may be truncated (rows lost); if the formula is what is wrong (e.g. hydrogens "
        "not located), remove it from the file or read with check_formula=False."
    )


# ---------------------------------------------------------------- repairs

UNTERMINATED = re.compile(r"^string:(\d+):.*unterminated")
QUOTE_COMMA = re.compile(r"^(.*['\"])\s*,\s*$")


def repair_unterminated_string(text: str, message: str) -> tuple[str, int] | None:
    """Repair the one non-conformant quoting that files written by RASPA and others carry: a closing
    quote followed by a comma (``_citation_author_name 'M. Eddaoudi, ..., O.M. Yaghi',``), which CIF
    does not allow but pymatgen and ASE read. The comma is dropped when the line belongs to a
    non-structural item; returns the repaired text and the 1-based line, or None."""
    match = UNTERMINATED.match(message)
    if match is None:
        return None
    lines = text.splitlines(keepends=True)
    number = int(match.group(1))
    if not 1 <= number <= len(lines):
        return None
    quoted = QUOTE_COMMA.match(lines[number - 1].rstrip("\r\n"))
    tag = next((line.split()[0] for line in reversed(lines[:number]) if line.lstrip().startswith("_")), "")
    if quoted is None or not tag or tag.lower().startswith(STRUCTURAL_PREFIXES):
        return None
    lines[number - 1] = quoted.group(1) + "\n"
    return "".join(lines), number
