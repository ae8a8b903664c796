# %% [markdown]
# # 3. Regression
#
# Linear regression is the model every other one is measured against. In matrix form, with a
# column of ones for the intercept, the predictions are **ŷ = X₁ w**, and the weights that
# minimise the squared error solve the *normal equation* **X₁ᵀX₁ w = X₁ᵀ y**. The lecture shows
# two ways to get there: solve that equation in one step, or walk downhill on the loss with its
# gradient, which is what every neural network does. Here both meet on a real question: how much
# does each atom contribute to the atomization energy of a QM9 molecule? Then a linear model
# learns a non-linear boundary, once the features are non-linear.
#
# **Learning objectives.** After this tutorial you can
#
# - write linear regression in matrix form and solve its normal equation, and say when an SVD
#   solve is needed instead;
# - minimise the same loss by gradient descent, with its gradient from autograd, and choose a step
#   size that converges;
# - read the weights of a linear model of atom counts as energy increments;
# - make a linear model non-linear with a feature map, the idea behind kernels.

# %%
import os

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from atomlearn.datasets import load
from atomlearn.evaluate import regression_metrics_ci
from atomlearn.featurizers import ElementFraction
from atomlearn.models.linear import AutogradLinearRegression, ClosedFormLinearRegression
from atomlearn.splits import train_test_split

SMALL = bool(os.environ.get("ATOMLEARN_TUTORIAL_SMALL"))
qm9 = load("qm9").sample(300 if SMALL else 5000, random_state=0)
y = qm9.labels["U0_atomization_kcal_mol"].to_numpy()

counts = ElementFraction(species=["H", "C", "N", "O", "F"]).fit(qm9.structures)
X_all = counts.transform(qm9.structures)
names = list(counts.get_feature_names_out())
count_columns = [i for i, name in enumerate(names) if "count" in name]
X = X_all[:, count_columns]  # number of H, C, N, O, F atoms in each molecule
print([names[i] for i in count_columns])
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=0)

# %% [markdown]
# ## The closed form
#
# `ClosedFormLinearRegression(solver="normal")` solves the normal equation exactly as written on
# the slide; the default `solver="lstsq"` uses an SVD, which gives the same answer here and stays
# stable when columns are nearly dependent (exercise 1).

# %%
normal = ClosedFormLinearRegression(solver="normal").fit(X_train, y_train)
lstsq = ClosedFormLinearRegression().fit(X_train, y_train)
weights = pd.DataFrame(
    {"normal equation": normal.weights_, "lstsq (SVD)": lstsq.weights_}, index=["intercept", "H", "C", "N", "O", "F"]
)
weights.round(3)

# %% tags=["check"]
assert np.allclose(weights["normal equation"], weights["lstsq (SVD)"], atol=1e-6)
per_atom = weights.drop("intercept")["lstsq (SVD)"]
assert per_atom.idxmin() == "C" and per_atom.idxmax() == "H"

# %% [markdown]
# Each weight is the energy one more atom of that element adds, in kcal/mol: the old idea of
# additive atom (and bond) increments, learned from data. A carbon atom, with four bonds, adds
# the most binding energy; a hydrogen, with one, the least.
#
# ## Gradient descent with autograd
#
# `AutogradLinearRegression` starts from small random weights and repeats
# w ← w − η ∂L/∂w, with the gradient of the mean squared error from PyTorch's autograd, until
# the gradient vanishes. The counts have very different scales, so the features are standardised
# first (the step that converges depends on the largest curvature of the loss).
#
# **What do you expect?** Will gradient descent reach the closed-form weights, and to how many
# digits?

# %%
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

descent = make_pipeline(StandardScaler(), AutogradLinearRegression(max_steps=20_000, tol=1e-8)).fit(X_train, y_train)
scaler, fitted = descent[0], descent[1]
# back from standardised features to counts: w_count = w_std / scale, intercept shifted by the means
w_counts = fitted.coef_ / scaler.scale_
intercept = fitted.intercept_ - (fitted.coef_ * scaler.mean_ / scaler.scale_).sum()
weights["gradient descent"] = np.r_[intercept, w_counts]
print(
    f"{fitted.n_steps_} steps; largest difference to the closed form "
    f"{np.abs(weights['gradient descent'] - weights['lstsq (SVD)']).max():.2e} kcal/mol"
)
weights.round(3)

# %% tags=["check"]
assert np.abs(weights["gradient descent"] - weights["lstsq (SVD)"]).max() < 1e-3

# %%
fig, axes = plt.subplots(1, 2, figsize=(9, 3.2))
axes[0].semilogy(fitted.loss_history_)
axes[0].set_xlabel("gradient step")
axes[0].set_ylabel("training MSE (standardised)")
axes[0].set_title("going downhill")
predicted = lstsq.predict(X_test)
axes[1].scatter(y_test, predicted, s=4, alpha=0.5)
axes[1].plot([y.min(), y.max()], [y.min(), y.max()], "k--", lw=1)
axes[1].set_xlabel("U0 atomization, DFT (kcal/mol)")
axes[1].set_ylabel("linear model (kcal/mol)")
axes[1].set_title("test set")
fig.tight_layout()

mae = regression_metrics_ci(y_test, predicted)["mae"]
print(
    f"test MAE {mae['value']:.1f} kcal/mol (95% interval {mae['low']:.1f}-{mae['high']:.1f}); "
    f"the spread of U0 is {y_test.std():.0f} kcal/mol"
)

# %% tags=["check"]
assert mae["value"] < 0.2 * y_test.std()

# %% [markdown]
# Counting atoms explains most of the atomization energy; what is left (how the atoms are
# bonded) is what the descriptors of tutorial 1 and the kernels of tutorial 6 learn.
#
# ## Non-linear features make a linear model non-linear
#
# Points inside and outside a circle cannot be separated by a line in (x₁, x₂). In the features
# φ(x) = [x₁², x₂², √2·x₁x₂] the circle x₁² + x₂² = r² is a plane, and a linear classifier
# separates them. `QuadraticFeatureMap` is that map (for any number of features).
#
# **What do you expect?** Half the points are inside. What accuracy will a linear classifier
# reach on (x₁, x₂)?

# %%
from sklearn.datasets import make_circles
from sklearn.linear_model import LogisticRegression

from atomlearn.models import QuadraticFeatureMap

points, inside = make_circles(n_samples=200 if SMALL else 1000, factor=0.4, noise=0.08, random_state=0)
P_train, P_test, c_train, c_test = train_test_split(points, inside, test_size=0.3, random_state=0)
linear = LogisticRegression().fit(P_train, c_train)
lifted = make_pipeline(QuadraticFeatureMap(), LogisticRegression()).fit(P_train, c_train)
print(
    f"test accuracy: on (x1, x2) {linear.score(P_test, c_test):.2f}, on [x1², x2², √2·x1x2] {lifted.score(P_test, c_test):.2f}"
)

grid = np.stack(np.meshgrid(np.linspace(-1.5, 1.5, 200), np.linspace(-1.5, 1.5, 200)), axis=-1).reshape(-1, 2)
fig, axes = plt.subplots(1, 2, figsize=(8, 3.8))
for ax, model, title in zip(axes, (linear, lifted), ("features (x1, x2)", "features [x1², x2², √2·x1x2]")):
    ax.contourf(
        grid[:, 0].reshape(200, 200),
        grid[:, 1].reshape(200, 200),
        model.predict_proba(grid)[:, 1].reshape(200, 200),
        levels=20,
        cmap="RdBu",
        alpha=0.6,
    )
    ax.scatter(*P_test.T, c=c_test, cmap="RdBu", edgecolor="k", s=15)
    ax.set_title(f"{title}: accuracy {model.score(P_test, c_test):.2f}")
    ax.set_aspect("equal")
fig.tight_layout()

# %% tags=["check"]
assert linear.score(P_test, c_test) < 0.7 and lifted.score(P_test, c_test) > 0.95

# %% [markdown]
# ## Exercises
#
# 1. Add the element *fractions* next to the counts (`X_all`, all columns). The fractions of a
#    molecule add up to one, exactly like the intercept column: what happens to the normal
#    equation, and to `lstsq`?
# 2. Run gradient descent on the unstandardised counts with `learning_rate=0.05`. What happens,
#    and what does atomlearn tell you?
# 3. The kernel trick: check numerically that φ(x)·φ(z) = (x·z)² for two random points.
# 4. Write gradient descent yourself, in NumPy: complete `descend` so that it repeats
#    w ← w − η ∇L with ∇L = (2/n) X₁ᵀ(X₁w − y) on the standardised counts (with a column of ones)
#    and stops when the gradient's largest component is below `tol`. How many steps does η = 0.1
#    take, and how close do you get to the closed form?

# %%
Z1 = np.c_[np.ones(len(X_train)), StandardScaler().fit_transform(X_train)]  # the standardised design matrix


def descend(X1, y, learning_rate=0.1, tol=1e-6, max_steps=100_000):
    """(weights, steps): gradient descent on the mean squared error of ``X1 @ w`` against ``y``."""
    w = np.zeros(X1.shape[1])
    # your code: the loop
    raise NotImplementedError("Exercise 4")


# %% tags=["solution"]
# Exercise 1: X1ᵀX1 is singular (or numerically so): the normal equation fails or gives huge,
# meaningless weights; lstsq returns the minimum-norm solution. Every other least-squares solution
# differs from it by a direction that is zero on every molecule (the fractions always sum to one),
# so its predictions are the only ones: dropping one fraction column (full rank) gives exactly them.
# They differ from the counts-only model's, since the fractions are new information.
X_train_all, X_test_all = train_test_split(X_all, test_size=0.2, random_state=0)
print(
    "condition number of X1ᵀX1:",
    f"{np.linalg.cond(np.c_[np.ones(len(X_train_all)), X_train_all].T @ np.c_[np.ones(len(X_train_all)), X_train_all]):.1e}",
)
for solver in ("normal", "lstsq"):
    try:
        model = ClosedFormLinearRegression(solver=solver).fit(X_train_all, y_train)
        print(
            f"{solver}: largest |weight| {np.abs(model.weights_).max():,.1f}, "
            f"test MAE {np.abs(model.predict(X_test_all) - y_test).mean():.2f} kcal/mol"
        )
    except np.linalg.LinAlgError as error:
        print(f"{solver}: {error}")
fractions = [i for i, name in enumerate(names) if "count" not in name]
full_rank = np.delete(np.arange(X_all.shape[1]), fractions[-1])
minimum_norm = ClosedFormLinearRegression().fit(X_train_all, y_train).predict(X_test_all)
one_dropped = ClosedFormLinearRegression().fit(X_train_all[:, full_rank], y_train).predict(X_test_all[:, full_rank])
print(
    f"largest difference of the predictions with one fraction dropped: {np.abs(minimum_norm - one_dropped).max():.1e}"
)

# %% tags=["check"]
assert np.abs(minimum_norm - one_dropped).max() < 1e-6 * np.abs(y_test).max()

# %% tags=["solution"]
# Exercise 2: the steps overshoot along the steepest direction and the loss grows without bound.
# (largest curvature of the loss: the top eigenvalue of X1ᵀX1/n; steps above 2/that diverge)
X1 = np.c_[np.ones(len(X_train)), X_train]
print(f"steps above {2 / np.linalg.eigvalsh(X1.T @ X1 / len(X1))[-1]:.4f} diverge")
try:
    AutogradLinearRegression(learning_rate=0.05, max_steps=2000).fit(X_train, y_train)
    print("converged")
except FloatingPointError as error:
    print("FloatingPointError:", error)

# %% tags=["solution"]
# Exercise 3: the explicit map and the kernel agree to rounding.
x, z = np.random.default_rng(0).normal(size=(2, 2))
phi = QuadraticFeatureMap().fit(x[None])
print(
    f"φ(x)·φ(z) = {(phi.transform(x[None]) @ phi.transform(z[None]).T).item():.12f}, (x·z)² = {float(x @ z) ** 2:.12f}"
)


# %% tags=["solution"]
# Exercise 4: the loop, in four lines; the step count depends on the curvature along the flattest direction.
def descend(X1, y, learning_rate=0.1, tol=1e-6, max_steps=100_000):
    """(weights, steps): gradient descent on the mean squared error of ``X1 @ w`` against ``y``."""
    w = np.zeros(X1.shape[1])
    for step in range(1, max_steps + 1):
        gradient = 2 / len(y) * X1.T @ (X1 @ w - y)
        w -= learning_rate * gradient
        if np.abs(gradient).max() < tol:
            return w, step
    return w, max_steps


w_mine, steps = descend(Z1, y_train)
exact = np.linalg.lstsq(Z1, y_train, rcond=None)[0]
print(f"{steps} steps; largest difference to lstsq {np.abs(w_mine - exact).max():.1e} kcal/mol")

# %% tags=["check"]
assert np.abs(w_mine - exact).max() < 1e-4
