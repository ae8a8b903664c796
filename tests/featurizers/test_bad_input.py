import numpy as np
import pytest
from ase import Atoms
from ase.build import bulk, molecule

from atomlearn.errors import StructureError
from atomlearn.featurizers import make_featurizer
from atomlearn.structures import LazyStructures


@pytest.mark.parametrize("length", [1e6, 1e300])
@pytest.mark.parametrize("name", ["racs", "soap", "pores", "energy_histogram", "henry_grid"])
def test_an_absurd_cell_is_a_failed_row_not_a_dead_batch(name, length):
    # RACs on a = 1e6 Å died of SIGFPE inside vesin at n_jobs=1 (exit 136, nothing written)
    good = bulk("Cu", "fcc", a=3.6, cubic=True).repeat(2)
    good.info["id"] = "good"
    huge = good.copy()
    cell = np.array(huge.cell)
    cell[0] *= length / np.linalg.norm(cell[0])
    huge.set_cell(cell, scale_atoms=True)
    huge.info["id"] = "huge"
    featurizer = make_featurizer(name).fit([good])
    values = featurizer.transform([huge, good])
    assert np.isnan(values[0]).all() and np.isfinite(values[1]).all()
    reason = featurizer.errors_table().set_index("item_id").loc["huge", "reason"]
    assert "cell vectors" in reason and "1000" in reason


@pytest.mark.parametrize("name", ["coulomb_matrix", "bag_of_bonds", "acsf", "soap", "morgan", "rdkit2d"])
def test_overlapping_atoms_are_refused(name):
    overlapping = Atoms("H2O", positions=[[0, 0, 0], [0.1, 0, 0], [1.0, 0, 0]])
    featurizer = make_featurizer(name).fit([molecule("H2O")])
    assert np.isnan(featurizer.transform([overlapping])).all()
    reason = featurizer.errors_table().reason[0]
    assert "0.10 Å apart" in reason and "overlapping sites" in reason


def test_fit_transform_reads_a_lazy_dataset_once_and_keeps_unreadable_ids():
    calls = []

    def loader(key):
        calls.append(key)
        if key == "broken":
            raise StructureError("broken.cif: line 3: not a CIF")
        return molecule(key)

    structures = LazyStructures(["H2O", "broken", "CH4"], loader)
    featurizer = make_featurizer("composition")
    values = featurizer.fit_transform(structures)
    assert calls == ["H2O", "broken", "CH4"]
    assert np.isnan(values[1]).all() and np.isfinite(values[[0, 2]]).all()
    error = featurizer.errors_table().iloc[0]
    assert (error.item_id, error.stage) == ("broken", "load") and "broken.cif: line 3" in error.reason


def test_an_unknown_parameter_names_the_valid_ones_in_python_too():
    with pytest.raises(ValueError, match="coulomb_matrix has no parameter 'max_atom'; did you mean max_atoms"):
        make_featurizer("coulomb_matrix", max_atom=10)
    assert make_featurizer("coulomb_matrix", max_atoms=10, n_jobs=2).max_atoms == 10  # runtime parameters pass
