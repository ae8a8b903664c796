"""A dense neural network (multilayer perceptron) on any feature matrix, scikit-learn style."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from atomlearn.models.nn.training import (
    LoopSettings,
    load_numpy_state,
    resolve_device,
    seed_torch,
    state_to_numpy,
    train_network,
    validation_split,
)

ACTIVATIONS = ("silu", "relu", "tanh")


def build_mlp(n_inputs: int, hidden_layers: tuple[int, ...], activation: str):
    """Linear layers of the given widths with ``activation`` between them and one output."""
    import torch

    if activation not in ACTIVATIONS:
        raise ValueError(f"unknown activation {activation!r}; choose one of {', '.join(ACTIVATIONS)}")
    layers: list[torch.nn.Module] = []
    width = n_inputs
    for size in hidden_layers:
        layers += [
            torch.nn.Linear(width, int(size)),
            {"silu": torch.nn.SiLU, "relu": torch.nn.ReLU, "tanh": torch.nn.Tanh}[activation](),
        ]
        width = int(size)
    layers.append(torch.nn.Linear(width, 1))
    return torch.nn.Sequential(*layers)


class MLPRegressor(RegressorMixin, BaseEstimator):
    """Dense network regressor in PyTorch.

    Features and target are standardised inside (the means and scales are learnt in ``fit``), so
    raw descriptors go in and target units come out. Adam on the mean squared error in
    minibatches, early stopping on a validation part of the training rows.

    Parameters
    ----------
    hidden_layers : tuple of int
        Width of each hidden layer.
    activation : {"silu", "relu", "tanh"}
    learning_rate : float
        Initial Adam step; halved when the validation loss stalls.
    weight_decay : float
        L2 penalty of Adam.
    batch_size : int
        Samples per minibatch.
    max_epochs : int
        Most passes over the training data.
    patience : int
        Stop after this many epochs without a better validation loss (the best weights are kept).
    validation_fraction : float
        Part of the training data held back for early stopping.
    random_state : int or None
        Seed of the weights, the validation part and the minibatches (None: unseeded).
    device : {"auto", "cpu", "cuda"}
        Where to train; "auto" uses a GPU when one is present.
    checkpoint : str, optional
        A file the training state is saved to every epoch; an interrupted fit resumes from it.

    Attributes
    ----------
    weights_ : dict of str to ndarray
        The best weights (plain arrays).
    x_mean_, x_scale_ : ndarray of shape (n_features,)
    y_mean_, y_scale_ : float
    history_ : dict of str to ndarray
        Losses (standardised units) per epoch; ``pd.DataFrame(model.history_)``.
    best_epoch_, n_epochs_ : int
    """

    def __init__(
        self,
        hidden_layers: tuple[int, ...] = (128, 128),
        activation: str = "silu",
        learning_rate: float = 1e-3,
        weight_decay: float = 0.0,
        batch_size: int = 64,
        max_epochs: int = 1000,
        patience: int = 50,
        validation_fraction: float = 0.1,
        random_state: int | None = 0,
        device: str = "auto",
        checkpoint: str | None = None,
    ) -> None:
        self.hidden_layers = hidden_layers
        self.activation = activation
        self.learning_rate = learning_rate
        self.weight_decay = weight_decay
        self.batch_size = batch_size
        self.max_epochs = max_epochs
        self.patience = patience
        self.validation_fraction = validation_fraction
        self.random_state = random_state
        self.device = device
        self.checkpoint = checkpoint

    def fit(self, X: np.ndarray, y: np.ndarray) -> MLPRegressor:
        """Train the network on standardized features and target, with early stopping on a validation part.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)

        Returns
        -------
        self
        """
        import torch

        X, y = validate_data(self, X, y, y_numeric=True, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64)
        device = resolve_device(self.device)
        seed_torch(self.random_state)
        self.x_mean_, self.x_scale_ = X.mean(axis=0), _scale(X)
        self.y_mean_, self.y_scale_ = float(y.mean()), float(y.std()) or 1.0
        features = torch.as_tensor((X - self.x_mean_) / self.x_scale_, dtype=torch.float32, device=device)
        target = torch.as_tensor((y - self.y_mean_) / self.y_scale_, dtype=torch.float32, device=device)
        train, validation = validation_split(len(y), self.validation_fraction, self.random_state)
        train_t, validation_t = (torch.as_tensor(rows, device=device) for rows in (train, validation))
        module = build_mlp(X.shape[1], tuple(self.hidden_layers), self.activation).to(device)

        def batch_loss(rows: np.ndarray) -> torch.Tensor:
            index = train_t[torch.as_tensor(rows, device=device)]
            return torch.mean((module(features[index]).squeeze(-1) - target[index]) ** 2)

        def validation_loss() -> float:
            with torch.no_grad():
                return float(torch.mean((module(features[validation_t]).squeeze(-1) - target[validation_t]) ** 2))

        self.history_ = train_network(module, batch_loss, validation_loss, len(train), LoopSettings.of(self))
        self.n_epochs_ = len(self.history_["epoch"])
        self.best_epoch_ = int(np.argmin(self.history_["validation_loss"])) + 1 if self.n_epochs_ else 0
        self.weights_ = state_to_numpy(module)
        return self

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Predict the target for each row.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,)
        """
        import torch

        check_is_fitted(self, "weights_")
        X = validate_data(self, X, reset=False, dtype=np.float64)
        module = load_numpy_state(build_mlp(X.shape[1], tuple(self.hidden_layers), self.activation), self.weights_)
        with torch.no_grad():
            scaled = module(torch.as_tensor((X - self.x_mean_) / self.x_scale_, dtype=torch.float32)).squeeze(-1)
        return scaled.double().numpy() * self.y_scale_ + self.y_mean_

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.regressor_tags.poor_score = True  # a small network on sklearn's tiny check datasets
        return tags


def _scale(X: np.ndarray) -> np.ndarray:
    """Column standard deviations, infinite for columns constant in training: nothing can be learnt
    from them, so they are ignored (scaled to 0), and an unseen value there cannot move the
    prediction. A spread within rounding of the mean (a constant 36.86 can have std 7e-14)
    counts as constant; dividing by it would blow a new value up by 1e14."""
    std = X.std(axis=0)
    return np.where(std > 1e-10 * np.maximum(np.abs(X.mean(axis=0)), 1.0), std, np.inf)
