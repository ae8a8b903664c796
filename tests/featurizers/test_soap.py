import numpy as np
from ase.build import bulk
from dscribe.descriptors import SOAP as DScribeSOAP

from atomlearn.featurizers import SOAP


def test_mean_pooling_is_dscribe_outer_average(qm9_molecules):
    ours = SOAP(r_cut=4.0, n_max=3, l_max=2).fit(qm9_molecules)
    theirs = DScribeSOAP(species=ours.species_, r_cut=4.0, n_max=3, l_max=2, sigma=0.5, average="outer")
    np.testing.assert_allclose(
        ours.transform(qm9_molecules[:10]), theirs.create(qm9_molecules[:10]), rtol=1e-10, atol=1e-12
    )


def test_species_mean_on_crystals():
    crystal = bulk("NaCl", "rocksalt", a=5.64, cubic=True)
    ours = SOAP(pooling="species_mean").fit([crystal])
    per_atom = DScribeSOAP(species=["Cl", "Na"], r_cut=5.0, n_max=4, l_max=3, sigma=0.5, periodic=True).create(crystal)
    row = ours.transform([crystal])[0]
    n = per_atom.shape[1]
    symbols = np.asarray(crystal.get_chemical_symbols())
    assert ours.species_ == ["Na", "Cl"]  # by atomic number
    np.testing.assert_allclose(row[:n], per_atom[symbols == "Na"].mean(axis=0))
    np.testing.assert_allclose(row[n:], per_atom[symbols == "Cl"].mean(axis=0))
    assert ours.get_feature_names_out()[n] == "soap_species_mean_Cl_0"


def test_too_many_species_asks_for_a_list():
    import pytest

    crystals = [bulk(symbol, "fcc", a=4.0) for symbol in ["Cu", "Ag", "Au", "Pt", "Pd", "Ni", "Al", "Pb"]]
    with pytest.raises(ValueError, match="species="):
        SOAP(n_max=12, l_max=12, pooling="species_mean").fit(crystals)
