"""The structure networks (SchNet, PaiNN): symmetry, forces, learning, bad input."""

import numpy as np
import pytest
from ase import Atoms
from ase.calculators.lj import LennardJones

from atomlearn.featurizers.invariance import check_energy_model
from atomlearn.models.nn import PaiNNRegressor, SchNetRegressor
from atomlearn.models.nn.pooling import reference_energies

NETWORKS = [SchNetRegressor, PaiNNRegressor]


@pytest.fixture(scope="module", params=NETWORKS, ids=lambda cls: cls.__name__)
def untrained_float64(request, qm9_molecules):
    """A float64 network after one epoch: random but fixed weights, for exact symmetry checks."""
    y = np.arange(len(qm9_molecules), dtype=float)
    return request.param(n_features=16, n_interactions=2, n_rbf=12, max_epochs=1, dtype="float64").fit(qm9_molecules, y)


def test_energy_is_invariant_and_extensive_and_forces_equivariant(untrained_float64, qm9_molecules, small_mofs):
    structures = qm9_molecules[:5] + small_mofs[:2]  # supercells (MOFs): periodic images through cell shifts
    table = check_energy_model(untrained_float64.predict, untrained_float64.predict_forces, structures, tolerance=1e-9)
    assert set(table["symmetry"]) == {"translation", "rotation", "permutation", "supercell"}
    assert table["holds"].all(), table.to_string()
    assert (table.loc[table["symmetry"] == "supercell", "n_structures"] == 2).all()


def test_the_checker_catches_a_model_that_breaks_symmetry(qm9_molecules):
    def depends_on_x(structures):
        return np.array([atoms.positions[:, 0].sum() for atoms in structures])

    table = check_energy_model(depends_on_x, None, qm9_molecules[:4], symmetries=("translation", "permutation"))
    assert table.set_index("symmetry")["holds"].to_dict() == {"translation": False, "permutation": True}
    with pytest.raises(ValueError, match="unknown symmetry"):
        check_energy_model(depends_on_x, None, qm9_molecules[:4], symmetries=("reflection",))


def test_forces_are_minus_the_gradient(untrained_float64, qm9_molecules):
    atoms = qm9_molecules[3]
    forces = untrained_float64.predict_forces([atoms])[0]
    step = 1e-5
    for atom, axis in [(0, 0), (2, 1), (len(atoms) - 1, 2)]:
        plus, minus = atoms.copy(), atoms.copy()
        plus.positions[atom, axis] += step
        minus.positions[atom, axis] -= step
        numeric = -(untrained_float64.predict([plus])[0] - untrained_float64.predict([minus])[0]) / (2 * step)
        assert forces[atom, axis] == pytest.approx(numeric, rel=1e-5, abs=1e-7)
    assert np.abs(forces.sum(axis=0)).max() < 1e-9  # no net force on an isolated molecule


@pytest.mark.parametrize("network", NETWORKS, ids=lambda cls: cls.__name__)
def test_training_lowers_the_loss_and_learns_beyond_composition(network, qm9):
    data = qm9.take(range(0, 60_000, 150))  # 400 molecules spread over QM9
    structures, y = data.structures.materialize(), data.labels["U0_atomization_kcal_mol"].to_numpy()
    model = network(n_features=32, learning_rate=2e-3, max_epochs=30, patience=50, random_state=0).fit(
        structures[:320], y[:320]
    )
    history = model.history_
    assert history["train_loss"][-1] < 0.5 * history["train_loss"][0]
    reference = reference_energies(structures[:320], y[:320])
    composition_only = np.array([reference[a.numbers].sum() for a in structures[320:]])
    predicted = model.predict(structures[320:])
    assert np.abs(predicted - y[320:]).mean() < 0.8 * np.abs(composition_only - y[320:]).mean()


@pytest.mark.parametrize("network", NETWORKS, ids=lambda cls: cls.__name__)
def test_fits_forces_of_lennard_jones_clusters(network):
    rng = np.random.default_rng(0)
    clusters, energies, forces = [], [], []
    for _ in range(60):
        cluster = Atoms(
            "Ar4", positions=[[0, 0, 0], [3.8, 0, 0], [0, 3.8, 0], [0, 0, 3.8]] + rng.normal(scale=0.15, size=(4, 3))
        )
        cluster.calc = LennardJones(sigma=3.405, epsilon=0.0104, rc=7.0, smooth=True)
        clusters.append(cluster)
        energies.append(cluster.get_potential_energy())
        forces.append(cluster.get_forces())
    model = network(cutoff_A=7.0, n_features=32, n_interactions=2, max_epochs=40, patience=100, learning_rate=2e-3).fit(
        clusters[:50], energies[:50], forces=forces[:50]
    )
    assert model.history_["validation_loss"].min() < 0.5 * model.history_["validation_loss"][0]
    predicted = np.concatenate(model.predict_forces(clusters[50:]))
    true = np.concatenate(forces[50:])
    assert np.abs(predicted - true).mean() < 0.6 * np.abs(true).mean()


@pytest.mark.parametrize("network", NETWORKS, ids=lambda cls: cls.__name__)
def test_bad_input_names_the_problem(network, qm9_molecules):
    lonely = Atoms("H2O", positions=[[0, 0, 0], [0.96, 0, 0], [30.0, 0, 0]])
    with pytest.raises(ValueError, match=r"atom\(s\) \[2\] have no neighbour"):
        network(max_epochs=1).fit([qm9_molecules[0], lonely], [1.0, 2.0])
    with pytest.raises(ValueError, match="not finite"):
        network(max_epochs=1).fit(qm9_molecules[:2], [1.0, np.nan])
    with pytest.raises(ValueError, match="expected"):
        network(max_epochs=1).fit(qm9_molecules[:2], [1.0, 2.0], forces=[np.zeros((2, 3)), np.zeros((1, 3))])
