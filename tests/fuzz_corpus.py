"""A seeded corpus of corrupted structure files, each with what a reader must do with it.

Made from real files: CoRE MOF 2019 CIFs (P1 and space-group symmetric), the same CIFs with
the formula they hold stated (``_chemical_formula_sum``), and QM9 molecules as XYZ and
extended XYZ. Each mutant carries an expectation:

- ``refuse``: a ``StructureError`` (the file is broken in a way that can be seen);
- ``same``: the original structure (a harmless change: comments, line endings, encodings, a
  repairable quote, symmetry given by its symbol instead of its operators);
- ``same_or_refuse``: the original, or a ``StructureError``;
- ``prefix_or_refuse``: the original's first k atoms or a ``StructureError`` — a P1 file
  without a stated formula cut at a row boundary cannot be told from a smaller structure;
- ``any``: anything but a crash or a hang (random byte flips: a changed digit is still a number).

``python scripts/fuzz_table.py`` prints the table of outcomes; ``tests/test_fuzz.py`` asserts it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

import gemmi
import numpy as np

from atomlearn.errors import StructureError
from atomlearn.structures import cif_text_to_atoms

EXPECTATIONS = ("refuse", "same", "same_or_refuse", "prefix_or_refuse", "any")
SYMMETRIC_IDS = ("DONNAW01_SL", "POZHUI_ion_b", "ja406030p_si_002_manual", "ja406030p_si_007_manual")


@dataclass(frozen=True)
class Mutant:
    name: str  # file name (id + mutation + extension)
    source: str  # id of the original
    family: str  # mutation family
    data: bytes
    expect: str


@dataclass(frozen=True)
class Original:
    source: str
    suffix: str
    text: str
    has_formula: bool = False
    symmetric: bool = False


# ------------------------------------------------------------------ originals


def cif_originals(coremof, n_p1: int = 30, n_formula: int = 6) -> list[Original]:
    """P1 CoRE MOF CIFs, the symmetric ones, and P1 ones with their formula stated."""
    loader = coremof.structures.loader
    ids = [i for i in coremof.ids[::300] if i not in SYMMETRIC_IDS and _reads(loader.cif_text(i))][: n_p1 + n_formula]
    originals = [Original(i, ".cif", loader.cif_text(i)) for i in ids[:n_p1]]
    originals += [Original(i, ".cif", loader.cif_text(i), symmetric=True) for i in SYMMETRIC_IDS]
    for item_id in ids[n_p1:]:
        text = loader.cif_text(item_id)
        small = gemmi.make_small_structure_from_block(gemmi.cif.read_string(text).sole_block())
        symbols = Counter(site.element.name for site in small.get_all_unit_cell_sites())
        formula = " ".join(f"{s}{n}" for s, n in sorted(symbols.items()))
        stated = text.replace(
            "_cell_length_a", f"_chemical_formula_sum '{formula}'\n_cell_formula_units_Z 1\n_cell_length_a", 1
        )
        originals.append(Original(item_id + "_formula", ".cif", stated, has_formula=True))
    return originals


def _reads(text: str) -> bool:
    """Whether an original reads as it is (a CoRE MOF with overlapping sites does not: not a valid original)."""
    try:
        cif_text_to_atoms(text)
    except StructureError:
        return False
    return True


def xyz_originals(qm9, n: int = 20) -> list[Original]:
    """QM9 molecules as plain XYZ and extended XYZ, and periodic extended XYZ crystals."""
    import io

    import ase.io
    from ase.build import bulk

    originals = []
    for atoms in qm9.take(range(0, 130_000, 130_000 // n)).structures.materialize()[:n]:
        plain = atoms.copy()
        plain.info = {}
        buffer = io.StringIO()
        ase.io.write(buffer, plain, format="xyz")
        originals.append(Original(f"qm9_{atoms.info['id']}", ".xyz", buffer.getvalue()))
    for index, element in enumerate(("Cu", "Al", "Si")):
        crystal = bulk(element, cubic=element != "Si").repeat(2)
        buffer = io.StringIO()
        ase.io.write(buffer, crystal, format="extxyz")
        originals.append(Original(f"crystal_{index}", ".extxyz", buffer.getvalue()))
    return originals


# ------------------------------------------------------------------ CIF mutations


def _atom_rows(lines: list[str]) -> tuple[int, int, list[str]]:
    """First and last (exclusive) line index of the atom-site rows, and the loop's tags."""
    start = next(i for i, line in enumerate(lines) if line.strip() == "_atom_site_fract_x")
    while not lines[start].strip().startswith("_atom_site"):
        start -= 1
    while start > 0 and lines[start - 1].strip().startswith("_atom_site"):
        start -= 1
    tags = []
    i = start
    while lines[i].strip().startswith("_"):
        tags.append(lines[i].strip())
        i += 1
    end = i
    while end < len(lines) and lines[end].strip() and not lines[end].strip().startswith(("loop_", "_", "data_")):
        end += 1
    return i, end, tags


def _replace_value(text: str, tag: str, value: str) -> str:
    return re.sub(rf"^({re.escape(tag)}\s+)\S+.*$", rf"\g<1>{value}", text, count=1, flags=re.M)


def _set_column(text: str, tag: str, row: int, value: str) -> str:
    lines = text.splitlines()
    first, _, tags = _atom_rows(lines)
    fields = lines[first + row].split()
    fields[tags.index(tag)] = value
    lines[first + row] = "  " + " ".join(fields)
    return "\n".join(lines) + "\n"


def _drop_column(text: str, tag: str, keep_values: bool = False) -> str:
    lines = text.splitlines()
    first, end, tags = _atom_rows(lines)
    column = tags.index(tag)
    out = lines[: first - len(tags)] + [t for t in tags if t != tag]
    for line in lines[first:end]:
        fields = line.split()
        if not keep_values:
            del fields[column]
        out.append("  " + " ".join(fields))
    return "\n".join(out + lines[end:]) + "\n"


def _add_charges(text: str, value: str | None) -> str:
    """A charge column: 0.1 e on each site (balanced so the net charge is 0), one value replaced."""
    lines = text.splitlines()
    first, end, tags = _atom_rows(lines)
    n = end - first
    charges = [0.1 if i % 2 == 0 else -0.1 for i in range(n)]
    out = lines[:first] + ["  _atom_site_charge"]
    for index, line in enumerate(lines[first:end]):
        out.append(line + f" {value if (index == 0 and value is not None) else f'{charges[index]:.4f}'}")
    return "\n".join(out + lines[end:]) + "\n"


def cif_mutants(original: Original, rng: np.random.Generator) -> Iterator[Mutant]:
    text = original.text
    lines = text.splitlines()
    first, end, tags = _atom_rows(lines)

    def make(family: str, data: str | bytes, expect: str) -> Mutant:
        name = f"{original.source}__{family}{original.suffix}"
        return Mutant(name, original.source, family, data.encode() if isinstance(data, str) else data, expect)

    raw = text.encode()
    if not original.symmetric:  # a cut asymmetric unit expands to another structure: only P1 files here
        for k in range(3):
            cut = int(rng.integers(len(lines[0]) + 1, len(raw)))
            tail = raw[:cut].split(b"\n")[-1]
            last_token = bool(tail.strip()) and cut < len(raw) and not raw[cut : cut + 1].isspace()
            if last_token and cut > len("\n".join(lines[:end]).encode()) - 4:
                expect = "any"  # cut inside the last row's last value ("Cl" -> "C"): still a valid file
            elif original.has_formula:
                expect = "same_or_refuse"
            else:
                expect = "prefix_or_refuse"
            yield make(f"truncate_byte{k}", raw[:cut], expect)
        row = int(rng.integers(first + 1, end - 1))
        yield make(
            "truncate_row", "\n".join(lines[:row]) + "\n", "refuse" if original.has_formula else "prefix_or_refuse"
        )
    for k in range(4):
        position = int(rng.integers(0, len(raw)))
        flipped = bytearray(raw)
        flipped[position] = int(rng.choice(list(b"0123456789.-+eE?'\"#_ xyzCXQ\n")))
        yield make(f"flip{k}", bytes(flipped), "any")
    for tag in ("_atom_site_fract_x", "_atom_site_fract_y", "_atom_site_fract_z"):
        if tag in tags:
            yield make(f"drop_column{tag[-1]}", _drop_column(text, tag), "refuse")
    yield make("drop_tag_fract_y", _drop_column(text, "_atom_site_fract_y", keep_values=True), "refuse")
    if "_atom_site_occupancy" in tags:
        yield make("drop_occupancy", _drop_column(text, "_atom_site_occupancy"), "same")
        bad = str(rng.choice(["abc", "-0.5", "1.5", "0"]))
        yield make("occupancy_bad", _set_column(text, "_atom_site_occupancy", 0, bad), "refuse")
    if "_atom_site_type_symbol" in tags:
        bad = str(rng.choice(["C1x", "X", "Qq", "Xx", "1C"]))
        yield make("type_symbol_bad", _set_column(text, "_atom_site_type_symbol", 0, bad), "refuse")
    axis = str(rng.choice(["x", "y", "z"]))
    yield make(
        "coordinate_nan",
        _set_column(text, f"_atom_site_fract_{axis}", 1, str(rng.choice(["nan", "?", "abc"]))),
        "refuse",
    )
    for k, tag in enumerate(rng.choice(["_cell_length_a", "_cell_length_b", "_cell_length_c"], 2, replace=False)):
        value = str(rng.choice(["?", ".", "-10", "0", "1e6", "1e300", "nan", "abc"]))
        yield make(f"cell_length_bad{k}", _replace_value(text, str(tag), value), "refuse")
    tag = str(rng.choice(["_cell_angle_alpha", "_cell_angle_beta", "_cell_angle_gamma"]))
    value = str(rng.choice(["0", "180", "-90", "200", "abc"]))
    yield make("cell_angle_bad", _replace_value(text, tag, value), "refuse")
    yield make("cell_missing", re.sub(r"^_cell_length_b.*\n", "", text, flags=re.M), "refuse")
    yield make("charges", _add_charges(text, None), "same")
    yield make("charge_bad", _add_charges(text, str(rng.choice(["nan", "inf", "abc", "40"]))), "refuse")
    operators = re.search(
        r"loop_[ \t]*\r?\n[ \t]*_symmetry_equiv_pos_as_xyz[ \t]*\r?\n"
        r"((?:[ \t]*'?[-+xyzXYZ0-9/,. ]+'?[ \t]*\r?\n)+)",
        text,
    )
    if operators is not None:
        yield make("no_operators", text.replace(operators.group(0), ""), "same")
        first_operator = operators.group(1).splitlines()[0].strip()
        bad = str(rng.choice(["'x,y'", "'a,b,c'", "'x+1/0,y,z'", "'foo'"]))
        yield make(
            "operator_bad",
            text.replace(operators.group(0), operators.group(0).replace(first_operator, bad, 1)),
            "refuse",
        )
        if not original.symmetric:
            yield make(
                "symbol_disagrees", _replace_value(text, "_symmetry_space_group_name_H-M", "'F m -3 m'"), "refuse"
            )
    yield make(
        "number_bad",
        _replace_value(text, "_symmetry_int_tables_number", "!")
        if "_symmetry_int_tables_number" in text
        else text + "_symmetry_Int_Tables_number !\n",
        "refuse",
    )
    data_line = lines[0]
    yield make(
        "quote_comma",
        text.replace(data_line, data_line + "\n_citation_author_name 'M. Eddaoudi, O.M. Yaghi',", 1),
        "same",
    )
    yield make("utf16", text.encode("utf-16"), "refuse")
    yield make("latin1_comment", ("# structure from café Müller\n" + text).encode("latin-1"), "same")
    yield make("crlf", text.replace("\n", "\r\n"), "same")
    yield make("bom", b"\xef\xbb\xbf" + raw, "same")
    yield make("empty", b"", "refuse")
    yield make("whitespace", b"   \n\n  \t\n", "refuse")
    yield make("huge_comment", ("#" + "x" * 99 + "\n") * 50_000 + text, "same")
    yield make("binary_junk", bytes(rng.integers(0, 256, 200_000, dtype=np.uint8)), "refuse")
    yield make("two_blocks", text + "\n" + text.replace(data_line, data_line + "_copy"), "same")


# ------------------------------------------------------------------ XYZ mutations


def xyz_mutants(original: Original, rng: np.random.Generator) -> Iterator[Mutant]:
    text = original.text
    lines = text.splitlines()

    def make(family: str, data: str | bytes, expect: str) -> Mutant:
        name = f"{original.source}__{family}{original.suffix}"
        return Mutant(name, original.source, family, data.encode() if isinstance(data, str) else data, expect)

    def atom_line(index: int, replace_field: int, value: str) -> str:
        fields = lines[2 + index].split()
        fields[replace_field] = value
        return "\n".join(lines[: 2 + index] + [" ".join(fields)] + lines[3 + index :]) + "\n"

    n = int(lines[0])
    row = int(rng.integers(0, n))
    yield make("element_X", atom_line(row, 0, str(rng.choice(["X", "Xx", "Q"]))), "refuse")
    yield make("coordinate_nan", atom_line(row, 1 + int(rng.integers(0, 3)), str(rng.choice(["nan", "inf"]))), "refuse")
    yield make("count_larger", "\n".join([str(n + 2)] + lines[1:]) + "\n", "refuse")
    yield make("count_smaller", "\n".join([str(n - 1)] + lines[1:]) + "\n", "refuse")
    yield make("count_text", "\n".join(["many"] + lines[1:]) + "\n", "refuse")
    raw = text.encode()
    for k in range(2):
        cut = int(rng.integers(len(lines[0]) + 1, len(raw) - 1))
        inside_last = cut > len(raw) - len(lines[-1]) - 2
        yield make(f"truncate_byte{k}", raw[:cut], "any" if inside_last else "refuse")
    for k in range(2):
        position = int(rng.integers(0, len(raw)))
        flipped = bytearray(raw)
        flipped[position] = int(rng.choice(list(b"0123456789.-+eE XQ\n")))
        yield make(f"flip{k}", bytes(flipped), "any")
    yield make("utf16", text.encode("utf-16"), "refuse")
    yield make("crlf", text.replace("\n", "\r\n"), "same")
    if original.suffix == ".extxyz":
        lattice = re.search(r'Lattice="([^"]*)"', lines[1])
        yield make("lattice_zero", text.replace(lattice.group(0), 'Lattice="0 0 0 0 0 0 0 0 0"'), "refuse")
        yield make("lattice_nan", text.replace(lattice.group(0), 'Lattice="nan 0 0 0 nan 0 0 0 nan"'), "refuse")
        yield make("lattice_huge", text.replace(lattice.group(0), 'Lattice="1e6 0 0 0 1e6 0 0 0 1e6"'), "refuse")


def corpus(coremof, qm9, seed: int = 0) -> tuple[list[Original], list[Mutant]]:
    """The originals and their mutants (same seed, same corpus)."""
    rng = np.random.default_rng(seed)
    originals = cif_originals(coremof) + xyz_originals(qm9)
    mutants = []
    for original in originals:
        generate = cif_mutants if original.suffix == ".cif" else xyz_mutants
        mutants.extend(generate(original, rng))
    return originals, mutants


# ------------------------------------------------------------------ judging a reader

#: undetectable_prefix: a P1 file without a stated formula cut at a row boundary, read as the smaller
#: structure it now describes (nothing in the file says otherwise)
OUTCOMES = ("ok", "refused", "undetectable_prefix", "crash", "hang", "accepted_but_wrong", "refused_but_fine")


def _same(atoms, reference, prefix: bool = False) -> bool:
    n = len(atoms)
    if n == 0 or n > len(reference) or (not prefix and n != len(reference)):
        return False
    return (
        np.array_equal(atoms.numbers, reference.numbers[:n])
        and np.allclose(atoms.positions, reference.positions[:n], atol=1e-4)
        and np.allclose(np.asarray(atoms.cell), np.asarray(reference.cell), atol=1e-4)
        and np.array_equal(atoms.pbc, reference.pbc)
    )


def judge(mutant: Mutant, reference, read, timeout_s: int = 30) -> tuple[str, str]:
    """(outcome, detail) of ``read(path)`` on the mutant, against the original structure ``reference``."""
    import signal
    import tempfile
    import warnings
    from pathlib import Path

    from atomlearn.errors import StructureError

    class Hang(Exception):
        pass

    def alarm(*_):
        raise Hang()

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / mutant.name
        path.write_bytes(mutant.data)
        previous = signal.signal(signal.SIGALRM, alarm)
        signal.alarm(timeout_s)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                atoms = read(path)
        except Hang:
            return "hang", f"no answer in {timeout_s} s"
        except StructureError as exc:
            fine = mutant.expect == "same"
            return ("refused_but_fine" if fine else "refused"), str(exc)[:200]
        except Exception as exc:  # noqa: BLE001 - what the fuzz test counts
            return "crash", f"{type(exc).__name__}: {exc}"[:200]
        finally:
            signal.alarm(0)
            signal.signal(signal.SIGALRM, previous)
    expect = mutant.expect
    if expect == "refuse":
        return "accepted_but_wrong", f"read {len(atoms)} atoms from a file that must be refused"
    if expect in ("same", "same_or_refuse") and not _same(atoms, reference):
        return "accepted_but_wrong", f"read {len(atoms)} atoms, not the original {len(reference)}"
    if expect == "prefix_or_refuse" and not _same(atoms, reference, prefix=True):
        return "accepted_but_wrong", f"read {len(atoms)} atoms, not a prefix of the original {len(reference)}"
    if expect == "prefix_or_refuse" and len(atoms) < len(reference):
        return "undetectable_prefix", f"{len(atoms)} of {len(reference)} atoms"
    return "ok", f"{len(atoms)} atoms"


def fuzz_table(coremof, qm9, read, seed: int = 0) -> tuple[Counter, list[tuple[Mutant, str, str]]]:
    """Outcome counts over the whole corpus and the per-mutant results."""
    originals, mutants = corpus(coremof, qm9, seed)
    import tempfile
    from pathlib import Path

    references = {}
    with tempfile.TemporaryDirectory() as folder:
        for original in originals:
            path = Path(folder) / f"{original.source}{original.suffix}"
            path.write_text(original.text)
            references[original.source] = read(path)
    results = [(m, *judge(m, references[m.source], read)) for m in mutants]
    return Counter(outcome for _, outcome, _ in results), results
