"""The bond-graph message-passing network: symmetry, learning on QM9, periodic MOF graphs, bad input."""

import numpy as np
import pytest

from atomlearn.featurizers.invariance import check_energy_model
from atomlearn.models.nn import BondGraphRegressor


def test_predictions_are_invariant_and_sum_pooling_is_extensive(qm9_molecules, small_mofs):
    structures = qm9_molecules[:5] + small_mofs[:2]
    model = BondGraphRegressor(n_features=16, n_layers=2, pooling="sum", max_epochs=1).fit(structures, np.arange(7.0))
    table = check_energy_model(model.predict, None, structures, tolerance=1e-5)  # float32 network
    assert table["holds"].all(), table.to_string()
    mean_pooled = BondGraphRegressor(n_features=16, n_layers=2, pooling="mean", max_epochs=1).fit(
        structures, np.arange(7.0)
    )
    crystal = small_mofs[0]
    assert mean_pooled.predict([crystal.repeat((2, 1, 1))])[0] == pytest.approx(
        mean_pooled.predict([crystal])[0], rel=1e-5
    )


def test_learns_qm9_energies_far_better_than_the_mean(qm9):
    data = qm9.take(range(0, 60_000, 150))  # 400 molecules spread over QM9
    structures, y = data.structures.materialize(), data.labels["U0_atomization_kcal_mol"].to_numpy()
    model = BondGraphRegressor(n_features=32, learning_rate=3e-3, max_epochs=40, patience=100).fit(
        structures[:320], y[:320]
    )
    assert model.history_["train_loss"][-1] < 0.1 * model.history_["train_loss"][0]
    error = np.abs(model.predict(structures[320:]) - y[320:]).mean()
    assert error < 0.15 * np.abs(y[320:] - y[:320].mean()).mean()


def test_trains_on_periodic_mof_graphs(small_mofs):
    y = np.array([len(a) for a in small_mofs], dtype=float)  # the atom count: a sum over the bond graph's nodes
    model = BondGraphRegressor(
        n_features=16, learning_rate=1e-2, max_epochs=150, patience=300, validation_fraction=0.25
    ).fit(small_mofs, y)
    assert np.abs(model.predict(small_mofs) - y).mean() < 0.1 * np.abs(y - y.mean()).mean()


def test_bad_input_is_named(qm9_molecules):
    with pytest.raises(ValueError, match="not finite"):
        BondGraphRegressor(max_epochs=1).fit(qm9_molecules[:3], [1.0, np.nan, 2.0])
    with pytest.raises(ValueError, match="0 sample"):
        BondGraphRegressor(max_epochs=1).fit([], [])
    with pytest.raises(ValueError, match="pooling"):
        BondGraphRegressor(pooling="max", max_epochs=1).fit(qm9_molecules[:3], [1.0, 2.0, 3.0])
