import numpy as np
from rdkit import Chem
from rdkit.Chem.rdMolDescriptors import CalcMolFormula

from atomlearn.units import HARTREE_TO_EV

# Experimental 0 K atomization energies D0 (kcal/mol, Active Thermochemical Tables);
# B3LYP/6-31G(2df,p) U0 atomization energies must agree to within 3 %.
EXPERIMENTAL_D0_KCAL_MOL = {"dsgdb9nsd_000001": 392.5, "dsgdb9nsd_000002": 276.7, "dsgdb9nsd_000003": 219.3}


def test_all_molecules_and_properties(qm9):
    assert len(qm9) == 130_831
    assert qm9.labels.index.is_unique
    for column in ["U0_Ha", "HOMO_eV", "LUMO_eV", "gap_eV", "Cv_cal_mol_K", "polarizability_A_zz_bohr3"]:
        assert column in qm9.labels and qm9.labels[column].notna().all()
    for energy in ("U0", "U", "H", "G"):
        for unit in ("eV", "kcal_mol"):
            assert (qm9.labels[f"{energy}_atomization_{unit}"] < 0).all()  # every molecule is bound
    assert qm9.meta.units["U0_atomization_kcal_mol"] == "kcal/mol"
    assert "Ramakrishnan" in qm9.meta.citation


def test_atomization_energies_against_experiment(qm9):
    values = qm9.labels.loc[list(EXPERIMENTAL_D0_KCAL_MOL), "U0_atomization_kcal_mol"]
    for item_id, d0 in EXPERIMENTAL_D0_KCAL_MOL.items():
        assert abs(-values[item_id] - d0) / d0 < 0.03, item_id
    np.testing.assert_allclose(
        qm9.labels["U0_atomization_eV"] * 23.060547830619, qm9.labels["U0_atomization_kcal_mol"], rtol=1e-9
    )
    np.testing.assert_allclose(qm9.labels["gap_eV"], qm9.labels["gap_Ha"] * HARTREE_TO_EV)
    np.testing.assert_allclose(qm9.labels["gap_eV"], qm9.labels["LUMO_eV"] - qm9.labels["HOMO_eV"], atol=3e-3)


def test_structures_match_their_smiles(qm9):
    methane = qm9.structure("dsgdb9nsd_000001")
    assert methane.get_chemical_formula() == "CH4" and not methane.pbc.any()
    assert np.allclose([methane.get_distance(0, i) for i in range(1, 5)], 1.0919, atol=1e-3)
    assert len(methane.info["harmonic_frequencies_cm1"]) == 9  # 3N - 6
    assert abs(methane.arrays["mulliken_charge_e"].sum()) < 1e-5
    sample = qm9.sample(200, random_state=3)
    for item_id, atoms, smiles in zip(sample.ids, sample.structures, sample.labels["smiles"]):
        assert atoms.info["id"] == item_id
        formula = CalcMolFormula(Chem.AddHs(Chem.MolFromSmiles(smiles)))
        assert Chem.MolFromSmiles(smiles) is not None and len(atoms) == sample.labels.loc[item_id, "n_atoms"]
        assert _hill(atoms.get_chemical_symbols()) == formula.replace("+", "").replace("-", ""), item_id


def _hill(symbols):
    counts = {s: symbols.count(s) for s in set(symbols)}
    order = ["C", "H"] + sorted(s for s in counts if s not in ("C", "H"))
    return "".join(f"{s}{counts[s] if counts[s] > 1 else ''}" for s in order if s in counts)


def test_lazy_materialize_matches_indexing(qm9):
    part = qm9[:50]
    listed = part.structures.materialize()
    for index in (0, 17, 49):
        np.testing.assert_array_equal(listed[index].positions, part.structures[index].positions)
