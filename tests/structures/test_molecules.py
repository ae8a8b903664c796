"""SMILES through RDKit (structures/molecules.py)."""

import numpy as np
import pytest

from atomlearn.errors import StructureError
from atomlearn.structures import from_smiles


def test_smiles_embedding_gives_physical_geometry():
    water = from_smiles("O")
    assert water.get_chemical_formula() == "H2O"
    oh = water.get_distance(0, 1)
    assert 0.95 < oh < 0.99  # MMFF94 O-H ~0.97 Å
    assert 100 < water.get_angle(1, 0, 2) < 108  # H-O-H ~104°
    benzene = from_smiles("c1ccccc1")
    carbons = benzene.positions[benzene.numbers == 6]
    centred = benzene.positions - benzene.positions.mean(axis=0)
    normal = np.linalg.svd(centred)[2][-1]
    assert np.abs(centred @ normal).max() < 0.02  # planar
    cc = np.linalg.norm(carbons[:, None] - carbons[None], axis=-1)
    assert np.allclose(np.sort(cc, axis=1)[:, 1], 1.39, atol=0.02)  # aromatic C-C bond
    np.testing.assert_array_equal(
        from_smiles("CCO", random_state=7).positions, from_smiles("CCO", random_state=7).positions
    )
    with pytest.raises(StructureError, match="could not be parsed"):
        from_smiles("C1CC(")
    with pytest.raises(StructureError, match="could not be parsed"):
        from_smiles(float("nan"))


def test_compiled_code_output_is_silenced_only_inside_the_block(capfd):
    import os

    from atomlearn.structures.molecules import _quiet_c_output

    print("before", flush=True)
    with _quiet_c_output():
        os.write(1, b"!!! Warning !!! from C on stdout\n")  # what YAeHMOP writes, below Python's streams
        os.write(2, b"!!! Warning !!! from C on stderr\n")
    os.write(1, b"after\n")
    out, err = capfd.readouterr()
    assert out == "before\nafter\n" and err == ""
