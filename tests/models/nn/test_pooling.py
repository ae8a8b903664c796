"""Extensive or intensive: the networks sum atomic energies but average for a density."""

import numpy as np
import pytest

from atomlearn.models.nn import SchNetRegressor
from atomlearn.models.nn.pooling import choose_pooling


def test_auto_pooling_sums_energies_and_averages_densities(qm9, coremof, readable):
    molecules = qm9.take(range(0, 120_000, 600))  # 200 molecules spread over QM9
    energies = molecules.labels["U0_atomization_kcal_mol"].to_numpy()
    mofs = coremof.subset(readable(coremof.ids[:12_000:120]))  # the readable of 100 MOFs
    densities = mofs.labels["density_g_cm3"].to_numpy()
    molecule_structures, mof_structures = molecules.structures.materialize(), mofs.structures.materialize()
    assert choose_pooling("auto", molecule_structures, energies, has_forces=False) == "sum"
    assert choose_pooling("auto", mof_structures, densities, has_forces=False) == "mean"
    # the same MOFs' cell mass is extensive: the mass is a sum over atoms
    masses = np.array([atoms.get_masses().sum() for atoms in mof_structures])
    assert choose_pooling("auto", mof_structures, masses, has_forces=False) == "sum"
    assert choose_pooling("auto", mof_structures, densities, has_forces=True) == "sum"  # forces imply an energy
    with pytest.raises(ValueError, match="forces"):
        choose_pooling("mean", mof_structures, densities, has_forces=True)
    with pytest.raises(ValueError, match="pooling must be one of"):
        choose_pooling("max", mof_structures, densities, has_forces=False)


def test_a_mean_pooled_network_is_intensive_and_has_no_forces(small_mofs):
    densities = np.array([atoms.get_masses().sum() / atoms.get_volume() for atoms in small_mofs])  # amu/Å³
    model = SchNetRegressor(
        n_features=16, n_interactions=1, pooling="mean", max_epochs=2, batch_size=4, device="cpu", dtype="float64"
    ).fit(small_mofs, densities)
    assert model.pooling_ == "mean"
    crystal = small_mofs[0]
    single, doubled = model.predict([crystal, crystal.repeat((2, 1, 1))])
    assert doubled == pytest.approx(single, rel=1e-9)  # a density does not double with the cell
    summed = SchNetRegressor(
        n_features=16, n_interactions=1, pooling="sum", max_epochs=2, batch_size=4, device="cpu", dtype="float64"
    ).fit(small_mofs, densities)
    single, doubled = summed.predict([crystal, crystal.repeat((2, 1, 1))])
    assert doubled == pytest.approx(2 * single, rel=1e-9)  # an energy does
    with pytest.raises(ValueError, match="no forces"):
        model.predict_forces([crystal])
