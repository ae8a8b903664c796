"""Overlapping sites are refused on reading, naming the pair and what to do; the shortest real bonds are not; the
criterion holds pymatgen's ``Structure.is_valid`` and agrees with CoRE MOF's own disorder flag."""

import numpy as np
import pytest
from ase import Atoms
from ase.build import bulk, molecule

from atomlearn.errors import StructureError
from atomlearn.structures import check_structure, cif_text_to_atoms, overlapping_pairs, to_pymatgen


def test_a_duplicated_atom_is_refused_naming_the_pair():
    water = molecule("H2O")
    doubled = water + Atoms("O", positions=[water.positions[0] + [0.3, 0.0, 0.0]])
    with pytest.raises(StructureError, match=r"water.xyz: atoms 1 \(O\) and 4 \(O\) are 0.30 Å apart.*leave the"):
        check_structure(doubled, "water.xyz")


def test_the_shortest_real_bonds_are_not_overlaps():
    for name in ("H2", "N2", "CO", "HCN", "C2H2", "CH4"):  # triple bonds: 0.77-0.80 of the covalent sum
        check_structure(molecule(name), name)
    uranyl = Atoms("OUO", positions=[[0, 0, -1.76], [0, 0, 0], [0, 0, 1.76]])  # U=O: 0.67 of the covalent sum
    check_structure(uranyl, "uranyl")
    check_structure(bulk("Cu", "fcc", a=3.61), "copper")
    hydrogens = Atoms("HH", positions=[[0, 0, 0], [0, 0, 0.45]])  # 0.73 of the sum, but closer than 0.5 Å
    assert len(overlapping_pairs(hydrogens)[0]) == 1


def test_a_coremof_framework_with_overlapping_sites_is_refused_and_readable_on_request(coremof):
    with pytest.raises(StructureError, match="ERANAO_clean.cif: atoms .* Å apart.*overlapping sites"):
        coremof.structure("ERANAO_clean")
    atoms = cif_text_to_atoms(coremof.structures.loader.cif_text("ERANAO_clean"), check_overlaps=False)
    i, j, distance = overlapping_pairs(atoms)
    assert len(distance) > 100 and distance[0] == pytest.approx(0.41, abs=0.01)


@pytest.mark.slow
def test_agrees_with_pymatgen_and_with_the_disorder_flag_of_coremof(coremof):
    """Every framework pymatgen's ``is_valid`` (no two sites within 0.5 Å) rejects is refused; most refused ones
    are those CoRE MOF itself marks DISORDER (over all 12,020: 1,311 of the 1,440 refused)."""
    ids = [coremof.ids[k] for k in np.random.default_rng(0).permutation(len(coremof))[:150]]
    refused, invalid, flagged = set(), set(), set()
    disorder = dict(zip(coremof.ids, coremof.labels["DISORDER"].fillna("")))
    for item_id in ids:
        atoms = cif_text_to_atoms(coremof.structures.loader.cif_text(item_id), check_overlaps=False)
        if len(overlapping_pairs(atoms)[0]):
            refused.add(item_id)
        if not to_pymatgen(atoms).is_valid(tol=0.5):
            invalid.add(item_id)
        if disorder[item_id] == "DISORDER":
            flagged.add(item_id)
    assert invalid <= refused and len(refused) >= 8
    assert len(refused & flagged) >= 0.8 * len(refused)


def test_a_molecule_spread_over_hundreds_of_thousands_of_angstrom_is_checked_without_a_crash():
    # a bit flip in an XYZ file put one atom at 4e5 Å: vesin's cell list died of a floating-point trap on it
    stretched = molecule("CH4")
    stretched.positions[0, 2] = 4e5
    check_structure(stretched, "flipped.xyz")  # no overlap, no crash
    stretched.positions[1] = stretched.positions[0] + [0.2, 0.0, 0.0]
    with pytest.raises(StructureError, match="0.20 Å apart"):
        check_structure(stretched, "flipped.xyz")
