import numpy as np
import pytest
from ase import Atoms
from ase.build import molecule

from atomlearn.featurizers import RACs
from atomlearn.featurizers.graph import bond_graph
from atomlearn.featurizers.invariance import check

CHI_H, CHI_O, CHI_CU = 2.20, 3.44, 1.90


def _row(featurizer, atoms):
    return dict(zip(featurizer.get_feature_names_out(), featurizer.transform([atoms])[0]))


def test_full_scope_of_water_by_hand():
    water = molecule("H2O")
    row = _row(RACs(scopes=["full"]).fit([water]), water)
    assert row["rac_full_prod_chi_d0"] == pytest.approx((CHI_O**2 + 2 * CHI_H**2) / 3)
    assert row["rac_full_prod_chi_d1"] == pytest.approx(4 * CHI_O * CHI_H / 3)
    assert row["rac_full_prod_chi_d2"] == pytest.approx(2 * CHI_H**2 / 3)
    assert row["rac_full_prod_chi_d3"] == 0
    assert row["rac_full_prod_T_d1"] == pytest.approx((2 * 1 * 2 + 2 * 1 * 2) / 3)
    assert row["rac_full_prod_I_d1"] == pytest.approx(4 / 3)


def _aqua_copper() -> Atoms:
    """Cu bonded to the O of one water, alone in a periodic 15 Å box."""
    water = molecule("H2O")
    water.rotate(180, "x")  # hydrogens point away from the metal
    water.translate(-water.positions[0] + [0, 0, 1.95])
    atoms = Atoms("Cu", positions=[[0, 0, 0]]) + water
    atoms.set_cell([15, 15, 15])
    atoms.pbc = True
    atoms.center()
    return atoms


def test_mof_scopes_by_hand():
    atoms = _aqua_copper()
    assert len(bond_graph(atoms).first) == 6  # Cu-O, 2 O-H, each both ways
    row = _row(RACs().fit([atoms]), atoms)
    assert row["rac_mc_prod_chi_d0"] == pytest.approx(CHI_CU**2)
    assert row["rac_mc_prod_chi_d1"] == pytest.approx(CHI_CU * CHI_O)
    assert row["rac_mc_prod_chi_d2"] == pytest.approx(2 * CHI_CU * CHI_H)
    assert row["rac_mc_diff_chi_d1"] == pytest.approx(CHI_CU - CHI_O)
    assert row["rac_mc_diff_Z_d2"] == pytest.approx(2 * (29 - 1))
    assert row["rac_lc_prod_chi_d1"] == pytest.approx(2 * CHI_O * CHI_H)  # start: O, within the linker
    assert row["rac_lc_diff_chi_d2"] == 0  # the linker has no atom two bonds from O
    assert row["rac_func_prod_chi_d0"] == 0  # no functional-group atom
    assert row["rac_linker_prod_chi_d1"] == pytest.approx(4 * CHI_O * CHI_H / 3)
    assert row["rac_mc_prod_T_d0"] == 1


def test_invariant_on_coremof_including_supercells(small_mofs):
    table = check(RACs(), small_mofs[:4]).set_index("symmetry")
    assert table["holds"].all(), table
    assert (table["n_structures"] == 4).all()


def test_narrow_cells_are_expanded_so_paths_do_not_wrap():
    chain = Atoms("CuO", positions=[[0, 0, 0], [1.9, 0, 0]], cell=[3.8, 12, 12], pbc=True)  # ...Cu-O-Cu-O... chain
    featurizer = RACs(scopes=["mc"]).fit([chain])
    np.testing.assert_allclose(featurizer.transform([chain]), featurizer.transform([chain * (3, 1, 1)]), rtol=1e-12)
    row = _row(featurizer, chain)
    assert row["rac_mc_prod_I_d2"] == 2  # two Cu two bonds away, not one Cu counted once


def test_bad_structures_become_nan_rows_with_reasons():
    isolated = Atoms("CuO", positions=[[0, 0, 0], [5, 5, 5]], cell=[10, 10, 10], pbc=True)
    overlapping = Atoms("CuO", positions=[[0, 0, 0], [0.3, 0, 0]], cell=[10, 10, 10], pbc=True)
    featurizer = RACs().fit([_aqua_copper()])
    values = featurizer.transform([isolated, overlapping, molecule("H2O"), _aqua_copper()])
    assert np.isnan(values[:3]).all() and np.isfinite(values[3]).all()
    reasons = list(featurizer.errors_table().reason)
    assert "isolated atoms" in reasons[0] and "overlapping" in reasons[1] and "no metal atom" in reasons[2]


def test_an_unreadable_cif_in_a_lazy_dataset_is_reported_not_fatal(coremof):
    subset = coremof.subset(["ABAVIJ_clean", "SOTXEG_neutral"])  # the package's SOTXEG CIF does not parse
    featurizer = RACs().fit(subset.structures)
    values = featurizer.transform(subset.structures)
    assert np.isfinite(values[0]).all() and np.isnan(values[1]).all()
    error = featurizer.errors_table().iloc[0]
    assert error.item_id == "SOTXEG_neutral" and error.stage == "load" and "SOTXEG_neutral.cif" in error.reason


def test_bond_graph_finds_the_pairs_of_ase_neighbour_lists(small_mofs):
    from ase.neighborlist import neighbor_list

    from atomlearn.featurizers import elements
    from atomlearn.featurizers.graph import BOND_TOLERANCE_A

    for atoms in [*small_mofs[:4], molecule("CH3CH2OH")]:
        reach = elements.lookup("covalent_radius_A", atoms.numbers) + 0.5 * BOND_TOLERANCE_A
        first, second, length = neighbor_list("ijd", atoms, reach)  # the peer: ASE's per-atom cutoffs
        keep = first != second
        expected = sorted(zip(first[keep].tolist(), second[keep].tolist(), np.round(length[keep], 8).tolist()))
        graph = bond_graph(atoms)
        found = sorted(zip(graph.first.tolist(), graph.second.tolist(), np.round(graph.length, 8).tolist()))
        assert found == expected
