"""Linear regression in matrix form: closed form and by gradient descent with autodiff.

Both fit ``y ≈ X_1 w`` where ``X_1 = [1 | X]`` carries an explicit intercept column, as
in the lecture: ``w[0]`` is the intercept, ``w[1:]`` the feature weights.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils.validation import check_is_fitted, validate_data


def with_intercept_column(X: np.ndarray) -> np.ndarray:
    """``[1 | X]``: the design matrix with a leading column of ones."""
    return np.hstack([np.ones((X.shape[0], 1), dtype=X.dtype), X])


class _LinearPredictor(RegressorMixin, BaseEstimator):
    def predict(self, X: np.ndarray) -> np.ndarray:
        check_is_fitted(self, "weights_")
        X = validate_data(self, X, reset=False)
        return X @ self.coef_ + self.intercept_

    def _store(self, weights: np.ndarray) -> None:
        self.weights_ = weights
        self.intercept_ = float(weights[0])
        self.coef_ = weights[1:]


class ClosedFormLinearRegression(_LinearPredictor):
    """Ordinary least squares solved in closed form.

    Parameters
    ----------
    solver : {"lstsq", "normal"}
        "lstsq" (default): an SVD-based least-squares solve, stable for ill-conditioned or
        rank-deficient X; "normal": the normal equation ``(X_1ᵀ X_1) w = X_1ᵀ y`` as written on
        the slide (squares the condition number).

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,)
    intercept_ : float
    weights_ : ndarray of shape (n_features + 1,)
        Intercept, then the coefficients.
    """

    def __init__(self, solver: str = "lstsq") -> None:
        self.solver = solver

    def fit(self, X: np.ndarray, y: np.ndarray) -> ClosedFormLinearRegression:
        """Solve for the intercept and coefficients in one step.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)

        Returns
        -------
        self
        """
        X, y = validate_data(self, X, y, y_numeric=True)
        design = with_intercept_column(X)
        if self.solver == "normal":
            weights = np.linalg.solve(design.T @ design, design.T @ y)
        elif self.solver == "lstsq":
            weights, *_ = np.linalg.lstsq(design, y, rcond=None)
        else:
            raise ValueError(f"solver must be 'lstsq' or 'normal', got {self.solver!r}")
        self._store(weights)
        return self


class AutogradLinearRegression(_LinearPredictor):
    """Linear regression fitted by gradient descent on the mean squared error, gradients from PyTorch autograd.

    The lecture's "go downhill" loop: ``w -= learning_rate * dL/dw`` until the largest gradient
    component falls below ``tol``. Float64 throughout. Features are best standardised first (the
    step size that converges depends on the largest eigenvalue of ``X_1ᵀ X_1 / n``).

    Parameters
    ----------
    learning_rate : float or "auto"
        Step size; "auto" uses 1 / the largest eigenvalue of ``X_1ᵀ X_1 / n``.
    max_steps : int
        Most gradient steps.
    tol : float
        Stop when every gradient component is below this.
    random_state : int or None
        Seed of the initial weights.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,)
    intercept_ : float
    weights_ : ndarray of shape (n_features + 1,)
    loss_history_ : ndarray of shape (n_steps_,)
        The loss after each step.
    n_steps_ : int
    """

    def __init__(
        self,
        learning_rate: float | str = "auto",
        max_steps: int = 100_000,
        tol: float = 1e-10,
        random_state: int | None = 0,
    ) -> None:
        self.learning_rate = learning_rate
        self.max_steps = max_steps
        self.tol = tol
        self.random_state = random_state

    def fit(self, X: np.ndarray, y: np.ndarray) -> AutogradLinearRegression:
        """Run gradient descent from small random weights until the gradient vanishes (``tol``) or ``max_steps``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)

        Returns
        -------
        self

        Raises
        ------
        FloatingPointError
            When the loss diverges (too large a step).
        """
        import torch

        from atomlearn.models.nn.training import seeded_generator

        X, y = validate_data(self, X, y, y_numeric=True, dtype=np.float64)  # float64 throughout, float32 input too
        design = with_intercept_column(X)
        if self.learning_rate == "auto":
            curvature = np.linalg.eigvalsh(design.T @ design / len(y))[-1]  # largest Hessian eigenvalue / 2
            step = 1.0 / curvature
        else:
            step = float(self.learning_rate)
        features = torch.from_numpy(design)
        target = torch.from_numpy(np.asarray(y, dtype=np.float64))
        generator = seeded_generator(self.random_state)
        weights = (0.01 * torch.randn(design.shape[1], dtype=torch.float64, generator=generator)).requires_grad_()
        history: list[float] = []
        for _ in range(self.max_steps):
            loss = torch.mean((features @ weights - target) ** 2)
            (gradient,) = torch.autograd.grad(loss, weights)
            with torch.no_grad():
                weights -= 0.5 * step * gradient  # 0.5: the MSE Hessian is 2 X_1ᵀX_1/n
            history.append(float(loss.detach()))
            if not np.isfinite(history[-1]):
                raise FloatingPointError(
                    f"gradient descent diverged (loss {history[-1]}); lower learning_rate or standardise X"
                )
            if float(gradient.abs().max()) < self.tol:
                break
        self.loss_history_ = np.array(history)
        self.n_steps_ = len(history)
        self._store(weights.detach().numpy().copy())
        return self
