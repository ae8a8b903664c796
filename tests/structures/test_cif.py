"""CIF through gemmi (structures/cif.py, cif_checks.py): the same atoms as pymatgen, symmetry
expansion, partial occupancy, and clear errors for broken files."""

import warnings

import numpy as np
import pytest
from ase import Atoms
from pymatgen.core import Structure
from scipy.optimize import linear_sum_assignment

from atomlearn.errors import StructureError
from atomlearn.structures import PartialOccupancyWarning, read_cif


def _max_matched_distance(ours: Atoms, theirs: Structure) -> float:
    """Largest minimum-image distance (Å) between matched atoms of the same element."""
    cell = np.array(ours.cell)
    worst = 0.0
    their_frac = np.array([site.frac_coords for site in theirs])
    their_z = np.array([site.specie.Z for site in theirs])
    our_frac = ours.get_scaled_positions()
    for z in np.unique(ours.numbers):
        a, b = our_frac[ours.numbers == z], their_frac[their_z == z]
        delta = a[:, None, :] - b[None, :, :]
        delta -= np.round(delta)
        distance = np.linalg.norm(delta @ cell, axis=-1)
        rows, cols = linear_sum_assignment(distance)
        worst = max(worst, distance[rows, cols].max())
    return worst


def test_gemmi_reader_matches_pymatgen_on_coremof(coremof_cifs):
    assert len(coremof_cifs) >= 50
    for path in coremof_cifs:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ours = read_cif(path, check_overlaps=False)  # the parse compared, overlapping sites too
            theirs = Structure.from_file(path)
        our_counts = dict(zip(*np.unique(ours.numbers, return_counts=True)))
        assert our_counts == {el.Z: int(n) for el, n in theirs.composition.items()}, path.name
        assert len(ours) == len(theirs), path.name
        np.testing.assert_allclose(ours.cell.cellpar()[:3], theirs.lattice.abc, atol=1e-4)
        np.testing.assert_allclose(ours.cell.cellpar()[3:], theirs.lattice.angles, atol=1e-4)
        # same metric tensor: the cells differ only by a rotation
        np.testing.assert_allclose(ours.cell @ ours.cell.T, theirs.lattice.matrix @ theirs.lattice.matrix.T, atol=1e-3)
        assert _max_matched_distance(ours, theirs) < 1e-3, path.name


def test_symmetry_expansion_gives_full_cell(coremof_cifs):
    path = next(p for p in coremof_cifs if p.stem == "DONNAW01_SL")
    atoms = read_cif(path)
    assert atoms.info["spacegroup"] == "PNMA"
    assert len(atoms) == 76  # 13 asymmetric sites expanded by Pnma's 8 operations, specials merged
    assert (atoms.get_scaled_positions() >= 0).all() and (atoms.get_scaled_positions() < 1).all()


def test_partial_occupancy_is_kept_and_reported(tmp_path):
    cif = """data_x
_cell_length_a 5
_cell_length_b 5
_cell_length_c 5
_cell_angle_alpha 90
_cell_angle_beta 90
_cell_angle_gamma 90
loop_
_atom_site_label
_atom_site_type_symbol
_atom_site_fract_x
_atom_site_fract_y
_atom_site_fract_z
_atom_site_occupancy
Na1 Na 0 0 0 1.0
Cl1 Cl 0.5 0.5 0.5 0.5
"""
    path = tmp_path / "partial.cif"
    path.write_text(cif)
    with pytest.warns(PartialOccupancyWarning, match="partial.cif"):
        atoms = read_cif(path)
    assert atoms.get_chemical_symbols() == ["Na", "Cl"]
    np.testing.assert_allclose(atoms.arrays["occupancy"], [1.0, 0.5])
    assert atoms.info["partial_occupancy_labels"] == ["Cl1"]
    np.testing.assert_allclose(atoms.positions[1], [2.5, 2.5, 2.5])


@pytest.mark.parametrize(
    "content, message",
    [
        ("", "empty"),
        ("3\nwater\nO 0 0 0\nH 0 0 1\nH 0 1 0\n", "not a readable CIF"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00binary", "binary"),
        (
            "data_x\n_cell_length_a 5\nloop_\n_atom_site_label\n_atom_site_fract_x\n_atom_site_fract_y\nA 0 0\nB 0.5\n",
            "line",
        ),
        (
            "data_x\n_cell_length_a 5\n_cell_length_b 5\n_cell_length_c "
            "5\nloop_\n_atom_site_label\n_atom_site_type_symbol\n"
            "_atom_site_fract_x\n_atom_site_fract_y\n_atom_site_fract_z\nC1 C 0 0 0\nQ1 Qq 0.5 0.5 0.5\n",
            "line ~12: site 'Q1' has type symbol 'Qq', which is not an element symbol",
        ),
        (
            "data_x\nloop_\n_atom_site_label\n_atom_site_fract_x\n_atom_site_fract_y\n_atom_site_fract_z\nC1 0 0 0\n",
            "unit cell is incomplete",
        ),
        ("data_x\n_cell_length_a 5\n_cell_length_b 5\n_cell_length_c 5\n", "no atom sites"),
    ],
)
def test_bad_cif_gives_clear_error_naming_the_file(tmp_path, content, message):
    path = tmp_path / "bad.cif"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    with pytest.raises(StructureError, match="bad.cif") as raised:
        read_cif(path)
    assert message in str(raised.value)


def test_a_coordinate_with_an_underscore_is_not_a_number(tmp_path):
    # Python and numpy read '0_32320' as 32320, gemmi's number parser as 0: both would be a wrong atom
    path = tmp_path / "flipped.cif"
    path.write_text(
        "data_x\n_cell_length_a 5\n_cell_length_b 5\n_cell_length_c 5\nloop_\n_atom_site_label\n"
        "_atom_site_type_symbol\n_atom_site_fract_x\n_atom_site_fract_y\n_atom_site_fract_z\n"
        "C1 C 0 0 0\nH1 H 0.5 0_32320 0.5\n"
    )
    with pytest.raises(StructureError, match="line ~12: site 'H1' has fractional y '0_32320', not a number"):
        read_cif(path)
