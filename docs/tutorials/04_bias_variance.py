# %% [markdown]
# # 4. The bias–variance trade-off
#
# The lecture's example: the energy of two argon atoms follows the Lennard-Jones potential
# V(r) = 4ε[(σ/r)¹² − (σ/r)⁶]. We only see it through a few noisy "measurements", and fit
# polynomials of increasing degree. The expected squared error of a model on a new point splits
# into three parts, each measured here by refitting on many fresh training sets:
#
# * **bias²**: how far the *average* model (over training sets) is from the truth: too simple a model;
# * **variance**: how much the model changes from one training set to the next: too flexible a model;
# * **noise**: the scatter of the measurements themselves, which no model removes.
#
# Because the data come from a simulator (`atomlearn.simulate.lj`), the noise-free truth is known
# and all three can be separated.
#
# **Learning objectives.** After this tutorial you can
#
# - split the expected error of a model into bias², variance and noise, and measure each by
#   refitting on fresh training sets;
# - say which part a more flexible model, more data and regularisation each change;
# - explain why a physically right functional form beats a flexible one.

# %%
import os

import matplotlib.pyplot as plt
import numpy as np

from atomlearn.simulate.lj import ARGON, lj_dataset
from atomlearn.workflows.bias_variance_study import lj_bias_variance, polynomial_model

SMALL = bool(os.environ.get("ATOMLEARN_TUTORIAL_SMALL"))
N_ROUNDS = 20 if SMALL else 300  # fresh training sets per model
NOISE_EV = 0.002
print(f"argon: ε = {ARGON.epsilon_eV * 1000:.2f} meV, σ = {ARGON.sigma_A} Å; noise {NOISE_EV * 1000:.0f} meV")

r, y, exact = lj_dataset(30, noise_eV=NOISE_EV, random_state=1)  # one training set of 30 separations
grid = np.linspace(r.min(), r.max(), 400)[:, None]
fig, ax = plt.subplots(figsize=(7, 3.6))
ax.plot(grid, ARGON.energy(grid.ravel()) * 1000, "k", lw=2, label="Lennard-Jones (truth)")
for degree, colour in ((1, "#999"), (3, "#48c"), (10, "#c44")):
    fit = polynomial_model(degree).fit(r, y)
    ax.plot(grid, fit.predict(grid) * 1000, color=colour, label=f"polynomial degree {degree}")
ax.scatter(r, y * 1000, color="k", s=12, zorder=3, label="30 noisy samples")
ax.set_ylim(-15, 25)
ax.set_xlabel("separation r (Å)")
ax.set_ylabel("energy (meV)")
ax.legend(fontsize=8)
fig.tight_layout()

# %% [markdown]
# A straight line misses the well entirely (bias); the degree-10 polynomial follows the noise of
# this particular training set and swings between the points (variance). Which degree is best is
# a question about *averages over training sets*, so we measure them.
#
# ## The decomposition, measured
#
# **What do you expect?** Which polynomial degree will have the lowest expected error, and will
# the degree-10 polynomial's error come from bias or from variance?

# %%
table = lj_bias_variance(degrees=range(1, 11), n_rounds=N_ROUNDS, n_train=30, noise_eV=NOISE_EV, random_state=0)
in_meV2 = table[["bias2", "variance", "noise", "expected_mse", "test_mse"]] * 1e6  # eV² -> meV²
in_meV2.round(3)

# %% [markdown]
# %% tags=["check"]
rows = table
assert ((rows["expected_mse"] - rows["test_mse"]).abs() < 0.2 * rows["test_mse"]).all()

# %% [markdown]
# `expected_mse` is bias² + variance + noise; `test_mse` is the squared error measured directly
# against fresh noisy energies. They agree (to the scatter of the finite number of training sets),
# which checks the decomposition.

# %%
polynomials = table[table["family"] == "polynomial"]
fig, ax = plt.subplots(figsize=(6.5, 3.6))
for column, colour in (("bias2", "#48c"), ("variance", "#c44"), ("expected_mse", "k")):
    ax.semilogy(polynomials["complexity"], polynomials[column] * 1e6, "o-", color=colour, label=column)
ax.axhline(NOISE_EV**2 * 1e6, color="#999", ls="--", label="noise")
lj_row = table[table["family"] == "Lennard-Jones"].iloc[0]
ax.axhline(lj_row["expected_mse"] * 1e6, color="#2a2", ls=":", label="the Lennard-Jones form itself")
ax.set_xlabel("polynomial degree")
ax.set_ylabel("meV²")
ax.legend(fontsize=8)
fig.tight_layout()
best = polynomials["expected_mse"].idxmin()
print(
    f"lowest expected error: {best} ({polynomials.loc[best, 'expected_mse'] * 1e6:.2f} meV²); "
    f"the Lennard-Jones form: {lj_row['expected_mse'] * 1e6:.2f} meV², bias² {lj_row['bias2'] * 1e6:.1e} meV²"
)

# %% tags=["check"]
assert 3 <= polynomials.loc[best, "complexity"] <= 8
assert (
    polynomials["bias2"].iloc[0] > 3 * polynomials["bias2"].min()
    and polynomials["variance"].iloc[-1] > 10 * polynomials["variance"].iloc[0]
)
assert lj_row["expected_mse"] < polynomials["expected_mse"].min() and lj_row["bias2"] < 0.1 * polynomials["bias2"].min()

# %% [markdown]
# Bias falls with the degree (until the highest degrees become unstable), variance rises; their
# sum has a minimum at an intermediate degree. A model with the right functional form (the Lennard-Jones terms r⁻¹² and r⁻⁶ as
# features) has almost no bias and little variance: physical knowledge in the features beats
# flexibility.
#
# ## Regularisation: keep the flexible model, restrain it
#
# Ridge regression adds λ‖w‖² to the loss. With the degree-10 polynomial, λ moves the model
# along the same trade-off: large λ shrinks the weights towards a simpler function (bias), small
# λ leaves the variance.

# %%
ridge = table[table["family"] == "ridge"]
fig, ax = plt.subplots(figsize=(6.5, 3.4))
for column, colour in (("bias2", "#48c"), ("variance", "#c44"), ("expected_mse", "k")):
    ax.loglog(ridge["complexity"], ridge[column] * 1e6, "o-", color=colour, label=column)
ax.set_xlabel("ridge λ (degree-10 polynomial)")
ax.set_ylabel("meV²")
ax.legend(fontsize=8)
fig.tight_layout()
by_lambda = (ridge.set_index("complexity")[["bias2", "variance", "expected_mse"]] * 1e6).rename_axis("λ").round(3)
by_lambda.index = [f"{value:g}" for value in by_lambda.index]
by_lambda

# %% tags=["check"]
assert by_lambda["bias2"].iloc[-1] > 5 * by_lambda["bias2"].min()  # large λ: bias
assert by_lambda["variance"].iloc[0] > 5 * by_lambda["variance"].min()  # small λ: variance
assert by_lambda["expected_mse"].min() < 0.2 * by_lambda["expected_mse"].iloc[0]

# %% [markdown]
# The same measurement from the command line writes the table as CSV:
# `atomlearn bias-variance --degrees 1-10 --out bv.csv`.
#
# ## Exercises
#
# 1. Train on 100 instead of 30 separations. Which part of the error changes, and how does the
#    best degree move?
# 2. On real data there is no noise-free truth. `evaluate.bootstrap_sets` draws training sets by
#    resampling one data set. What can and cannot be measured then? Try it on the 30 samples above.
# 3. Why does the degree-10 polynomial's variance explode at the edges of the range? Plot the
#    spread of its predictions over training sets against r.
# 4. Measure the decomposition yourself for the degree-3 polynomial: complete `decompose` so that it
#    fits `polynomial_model(3)` on `n_rounds` fresh training sets (`lj_dataset(30, ...,
#    random_state=seed)`), predicts on `r_eval`, and returns bias² (the mean over r of the squared
#    difference between the average prediction and `exact_eval`) and the variance (the mean over r
#    of the variance of the predictions over training sets), in meV². Does bias² + variance + noise
#    match the error against fresh noisy energies?

# %%
r_eval, y_eval_noisy, exact_eval = lj_dataset(500, noise_eV=NOISE_EV, random_state=99)


def decompose(degree=3, n_rounds=N_ROUNDS):
    """(bias², variance, mean squared error against ``y_eval_noisy``), each in meV²."""
    # your code: fit, predict, average over the rounds
    raise NotImplementedError("Exercise 4")


# %% tags=["solution"]
# Exercise 1: with more data the variance falls while the bias stays, so the best degree moves up.
# For the stiff low degrees the variance falls about as 1/n (30/100 = 0.3); for the high degrees far
# faster: 30 points barely pin a degree-10 polynomial, whose coefficients then follow the noise.
more = lj_bias_variance(
    degrees=range(1, 11), ridge_lambdas=(), n_rounds=N_ROUNDS, n_train=100, noise_eV=NOISE_EV, random_state=0
)
import pandas as pd

comparison = pd.concat(
    {
        "n=30": polynomials[["variance", "expected_mse"]] * 1e6,
        "n=100": more[more["family"] == "polynomial"][["variance", "expected_mse"]] * 1e6,
    },
    axis=1,
)
comparison[("n=100 / n=30", "variance")] = comparison[("n=100", "variance")] / comparison[("n=30", "variance")]
print("best degree: n=30", polynomials["expected_mse"].idxmin(), "| n=100", more["expected_mse"].iloc[:10].idxmin())
comparison.round(3)

# %% tags=["check"]
ratio = comparison[("n=100 / n=30", "variance")].to_numpy()
assert (0.1 < ratio[:3]).all() and (ratio[:3] < 0.6).all() and ratio[-1] < 0.05
more_polynomials = more[more["family"] == "polynomial"]
assert (
    more_polynomials.loc[more_polynomials["expected_mse"].idxmin(), "complexity"] >= polynomials.loc[best, "complexity"]
)

# %% tags=["solution"]
# Exercise 2: bootstrap training sets come from the one data set we have, so the "truth" is the
# noisy observations: bias² and noise cannot be told apart (the result holds their sum), and
# the variance is that of resampling this data set, not of new experiments.
from atomlearn.evaluate import bias_variance
from atomlearn.evaluate.bias_variance_decomposition import bootstrap_sets

X_eval, y_eval, _ = lj_dataset(500, noise_eV=NOISE_EV, random_state=7)
result = bias_variance(polynomial_model(3), bootstrap_sets(r, y, random_state=0), X_eval, y_eval, n_rounds=N_ROUNDS)
print("measurable from one data set (meV²):", {k: round(v * 1e6, 3) for k, v in result.items() if np.isfinite(v)})
print("not measurable without the truth:", [k for k, v in result.items() if not np.isfinite(v)])

# %% tags=["solution"]
# Exercise 3: the polynomial is pinned by data in the middle and free at the ends, where few
# samples hold it and r⁻¹² is steepest.
predictions = np.array(
    [
        polynomial_model(10).fit(*lj_dataset(30, noise_eV=NOISE_EV, random_state=100 + k)[:2]).predict(grid)
        for k in range(N_ROUNDS)
    ]
)
fig, ax = plt.subplots(figsize=(6, 3))
ax.semilogy(grid, predictions.std(axis=0) * 1000)
ax.set_xlabel("separation r (Å)")
ax.set_ylabel("spread of predictions (meV)")
fig.tight_layout()


# %% tags=["solution"]
# Exercise 4: the refits are the whole method; the truth is what a simulator gives and an experiment does not.
def decompose(degree=3, n_rounds=N_ROUNDS):
    """(bias², variance, mean squared error against ``y_eval_noisy``), each in meV²."""
    predictions = np.array(
        [
            polynomial_model(degree).fit(*lj_dataset(30, noise_eV=NOISE_EV, random_state=1000 + k)[:2]).predict(r_eval)
            for k in range(n_rounds)
        ]
    )
    bias2 = np.mean((predictions.mean(axis=0) - exact_eval) ** 2)
    variance = np.mean(predictions.var(axis=0))
    mse = np.mean((predictions - y_eval_noisy) ** 2)
    return bias2 * 1e6, variance * 1e6, mse * 1e6


bias2_mine, variance_mine, mse_mine = decompose(3, n_rounds=100)
print(
    f"bias² {bias2_mine:.2f} + variance {variance_mine:.2f} + noise {NOISE_EV**2 * 1e6:.2f} = "
    f"{bias2_mine + variance_mine + NOISE_EV**2 * 1e6:.2f} meV²; measured against fresh noisy energies {mse_mine:.2f} meV²"
)

# %% tags=["check"]
assert abs(bias2_mine + variance_mine + NOISE_EV**2 * 1e6 - mse_mine) < 0.15 * mse_mine
