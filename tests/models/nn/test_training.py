"""The training loop and its helpers (models/nn/training.py): early stopping keeps the best weights,
a checkpointed run resumes to the same weights, seeds mean what they say, checkpoints run no code."""

import numpy as np
import pytest
import torch

from atomlearn.models.nn import MLPRegressor
from atomlearn.models.nn.training import (
    LoopSettings,
    load_numpy_state,
    seeded_generator,
    state_to_numpy,
    train_network,
    validation_split,
)


def _line_problem(seed: int = 0):
    """y = 3x - 1 with noise: a one-weight linear module learns it; validation on held-back rows."""
    rng = np.random.default_rng(seed)
    x = torch.as_tensor(rng.uniform(-1, 1, size=(64, 1)))
    y = 3 * x[:, 0] - 1 + 0.05 * torch.as_tensor(rng.normal(size=64))
    torch.manual_seed(seed)
    module = torch.nn.Linear(1, 1).double()
    train, validation = np.arange(48), np.arange(48, 64)

    def batch_loss(rows):
        return torch.mean((module(x[train[rows]])[:, 0] - y[train[rows]]) ** 2)

    def validation_loss():
        with torch.no_grad():
            return float(torch.mean((module(x[validation])[:, 0] - y[validation]) ** 2))

    return module, batch_loss, validation_loss


def test_the_loop_learns_stops_early_and_keeps_the_best_weights():
    module, batch_loss, validation_loss = _line_problem()
    history = train_network(
        module,
        batch_loss,
        validation_loss,
        48,
        LoopSettings(learning_rate=0.05, batch_size=16, max_epochs=400, patience=10),
    )
    assert module.weight.item() == pytest.approx(3.0, abs=0.1) and module.bias.item() == pytest.approx(-1.0, abs=0.1)
    best = int(np.argmin(history["validation_loss"]))
    assert len(history["epoch"]) == best + 1 + 10 < 400  # stopped `patience` epochs after the best
    assert validation_loss() == pytest.approx(history["validation_loss"][best])  # the best, not the last, weights
    assert (np.diff(history["learning_rate"]) <= 0).all()  # the step only shrinks


def test_an_interrupted_run_resumes_to_the_same_weights(tmp_path):
    settings = dict(learning_rate=0.05, batch_size=16, patience=1000, random_state=3)
    whole, loss, validation = _line_problem()
    train_network(whole, loss, validation, 48, LoopSettings(max_epochs=30, **settings))
    resumed, loss, validation = _line_problem()
    checkpoint = tmp_path / "run.pt"
    train_network(resumed, loss, validation, 48, LoopSettings(max_epochs=12, checkpoint=checkpoint, **settings))
    history = train_network(
        resumed, loss, validation, 48, LoopSettings(max_epochs=30, checkpoint=checkpoint, **settings)
    )
    assert len(history["epoch"]) == 30
    torch.testing.assert_close(resumed.state_dict(), whole.state_dict(), rtol=0, atol=0)


def test_a_moving_average_of_the_weights_is_validated_returned_and_resumed(tmp_path):
    settings = dict(learning_rate=0.05, batch_size=16, patience=1000, random_state=3, ema_decay=0.9)
    plain, loss, validation = _line_problem()
    train_network(plain, loss, validation, 48, LoopSettings(max_epochs=80, **{**settings, "ema_decay": None}))
    averaged, loss, validation = _line_problem()
    history = train_network(averaged, loss, validation, 48, LoopSettings(max_epochs=80, **settings))
    assert averaged.weight.item() == pytest.approx(3.0, abs=0.1)  # the average learns the line too
    assert not torch.equal(averaged.weight, plain.weight)  # but it is not the last step's weights
    assert validation() == pytest.approx(np.min(history["validation_loss"]))  # the validated average is returned
    resumed, loss, validation = _line_problem()
    checkpoint = tmp_path / "run.pt"
    train_network(resumed, loss, validation, 48, LoopSettings(max_epochs=25, checkpoint=checkpoint, **settings))
    train_network(resumed, loss, validation, 48, LoopSettings(max_epochs=80, checkpoint=checkpoint, **settings))
    torch.testing.assert_close(resumed.state_dict(), averaged.state_dict(), rtol=0, atol=0)


def test_a_loss_that_draws_random_numbers_resumes_to_the_same_weights(tmp_path):
    """Flow matching draws its prior samples and times from torch's global generator: the checkpoint keeps it."""
    settings = dict(learning_rate=0.05, batch_size=16, patience=1000, random_state=3)

    def noisy(problem):
        module, loss, validation = problem

        def batch_loss(rows):
            return loss(rows) + 0.1 * torch.randn(()) * module.weight.sum()

        return module, batch_loss, validation

    torch.manual_seed(0)
    whole, loss, validation = noisy(_line_problem())
    train_network(whole, loss, validation, 48, LoopSettings(max_epochs=30, **settings))
    torch.manual_seed(0)
    resumed, loss, validation = noisy(_line_problem())
    checkpoint = tmp_path / "run.pt"
    train_network(resumed, loss, validation, 48, LoopSettings(max_epochs=12, checkpoint=checkpoint, **settings))
    torch.manual_seed(123)  # a new process: the global generator starts elsewhere
    train_network(resumed, loss, validation, 48, LoopSettings(max_epochs=30, checkpoint=checkpoint, **settings))
    torch.testing.assert_close(resumed.state_dict(), whole.state_dict(), rtol=0, atol=0)


def test_seeds_and_none():
    assert torch.equal(torch.randn(5, generator=seeded_generator(7)), torch.randn(5, generator=seeded_generator(7)))
    assert not torch.equal(
        torch.randn(5, generator=seeded_generator(None)), torch.randn(5, generator=seeded_generator(None))
    )
    train, validation = validation_split(10, 0.2, 0)
    assert len(validation) == 2 and sorted(np.concatenate([train, validation])) == list(range(10))
    with pytest.raises(ValueError, match="at least 2"):
        validation_split(1, 0.2, 0)


def test_numpy_weights_round_trip_exactly():
    module = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.SiLU(), torch.nn.Linear(4, 1))
    state = state_to_numpy(module)
    assert all(isinstance(v, np.ndarray) and v.dtype == np.float64 for v in state.values())
    twin = load_numpy_state(torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.SiLU(), torch.nn.Linear(4, 1)), state)
    torch.testing.assert_close(twin.state_dict(), module.state_dict(), rtol=0, atol=0)


def test_a_training_checkpoint_never_unpickles_code(tmp_path):
    marker = tmp_path / "marker"

    class Payload:
        def __reduce__(self):
            return (open, (str(marker), "w"))

    checkpoint = tmp_path / "mlp.pt"
    torch.save({"module": Payload()}, checkpoint)
    X, y = np.random.default_rng(0).normal(size=(40, 2)), np.arange(40.0)
    with pytest.raises(ValueError, match="not a file atomlearn wrote, and it was refused unread"):
        MLPRegressor(max_epochs=2, checkpoint=str(checkpoint)).fit(X, y)
    assert not marker.exists()
