"""Write a periodic structure as a P1 CIF, with its partial charges as ``_atom_site_charge``.

The file names every site's element (``_atom_site_type_symbol``) and gives fractional coordinates
in [0, 1) with six decimals (10⁻⁶ of a 100 Å cell is 10⁻⁴ Å); :func:`atomlearn.structures.read_cif`
reads it back to the same atoms, cell and charges.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from ase import Atoms

from atomlearn.files import write_text_atomic


def cif_text(atoms: Atoms, name: str = "structure") -> str:
    """The CIF text of ``atoms`` in space group P1.

    Partial charges (``atoms.get_initial_charges()``, e) are written when the structure states them
    (``atoms.has("initial_charges")``), all-zero ones included: zeros stated are charges.

    Parameters
    ----------
    atoms : ase.Atoms
        Periodic along all axes.
    name : str
        The CIF block name.

    Returns
    -------
    str
    """
    if not atoms.pbc.all():
        raise ValueError(
            f"{name}: a CIF describes a crystal; this structure is not periodic along all axes (write molecules as XYZ)"
        )
    lengths_angles = atoms.cell.cellpar()
    fractional = np.mod(atoms.get_scaled_positions(wrap=False), 1.0)
    fractional[np.isclose(fractional, 1.0, rtol=0.0, atol=5e-7)] = 0.0  # 0.9999997 would print as 1.000000
    charges = atoms.get_initial_charges()
    with_charges = atoms.has("initial_charges")
    block = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in name) or "structure"
    lines = [f"data_{block}", "_symmetry_space_group_name_H-M 'P 1'", "_symmetry_Int_Tables_number 1"]
    lines += [
        f"_cell_{key} {value:.6f}"
        for key, value in zip(
            ("length_a", "length_b", "length_c", "angle_alpha", "angle_beta", "angle_gamma"), lengths_angles
        )
    ]
    lines += [
        "loop_",
        "_symmetry_equiv_pos_as_xyz",
        "x,y,z",
        "loop_",
        "_atom_site_label",
        "_atom_site_type_symbol",
        "_atom_site_fract_x",
        "_atom_site_fract_y",
        "_atom_site_fract_z",
    ] + ["_atom_site_charge"] * with_charges
    for index, (symbol, (x, y, z), charge) in enumerate(zip(atoms.get_chemical_symbols(), fractional, charges)):
        row = f"{symbol}{index + 1} {symbol} {x:.6f} {y:.6f} {z:.6f}"
        lines.append(row + (f" {charge:.6f}" if with_charges else ""))
    return "\n".join(lines) + "\n"


def write_cif(atoms: Atoms, path: str | Path, name: str | None = None) -> Path:
    """Write :func:`cif_text` of ``atoms`` to ``path``, whole or not at all.

    Parameters
    ----------
    atoms : ase.Atoms
    path : str or Path
    name : str, optional
        The CIF block name (default: the file's stem).

    Returns
    -------
    Path
    """
    path = Path(path)
    write_text_atomic(path, cif_text(atoms, name or path.stem))
    return path
