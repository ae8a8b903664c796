"""Structure files of any format (structures/files.py)."""

import pytest

from atomlearn.errors import StructureError
from atomlearn.structures import read_frames, read_structure


def test_read_structure_xyz_and_bad_xyz(tmp_path):
    good = tmp_path / "water.xyz"
    good.write_text("3\nwater\nO 0 0 0\nH 0.757 0.586 0\nH -0.757 0.586 0\n")
    atoms = read_structure(good)
    assert atoms.get_chemical_formula() == "H2O" and not atoms.pbc.any()
    unknown = tmp_path / "unknown.xyz"
    unknown.write_text("2\n\nXx 0 0 0\nH 0 0 1\n")
    with pytest.raises(StructureError, match="unknown.xyz.*unknown element"):
        read_structure(unknown)
    nan = tmp_path / "nan.xyz"
    nan.write_text("2\n\nH 0 0 nan\nH 0 0 1\n")
    with pytest.raises(StructureError, match="nan.xyz.*NaN"):
        read_structure(nan)
    two = tmp_path / "two.xyz"
    two.write_text(good.read_text() * 2)
    with pytest.raises(StructureError, match="holds 2 structures"):
        read_structure(two)
    assert len(read_frames(two)) == 2
    with pytest.raises(StructureError, match="no such file"):
        read_structure(tmp_path / "missing.xyz")
