# %% [markdown]
# # 6. Kernel learning
#
# Ridge regression can be written two ways. In the **primal**, the weights live in feature space:
# w = (ΦᵀΦ + λI)⁻¹ Φᵀy, one weight per feature. In the **dual**, the weights live on the training
# samples: α = (K + λI)⁻¹ y with the kernel matrix K<sub>ij</sub> = φ(x<sub>i</sub>)·φ(x<sub>j</sub>),
# and a prediction is a weighted sum of similarities to the training samples,
# ŷ(x) = Σ<sub>i</sub> α<sub>i</sub> k(x, x<sub>i</sub>). Both give the same predictions. The dual
# never needs φ itself, only the kernel, so the features may be infinitely many: the Gaussian
# kernel k(x, x') = exp(−γ‖x − x'‖²) corresponds to such a feature space. This tutorial checks the
# equivalence, compares kernels on QM9, and measures the learning curve of kernel ridge regression.

# %%
import os
import time

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.preprocessing import StandardScaler

from atomlearn.datasets import load
from atomlearn.evaluate import learning_curve, regression_metrics_ci
from atomlearn.evaluate.learning_curves import summarize_curve
from atomlearn.featurizers import BagOfBonds, ElementFraction
from atomlearn.models import FastKernelRidge, QuadraticFeatureMap
from atomlearn.splits import train_test_split

SMALL = bool(os.environ.get("ATOMLEARN_TUTORIAL_SMALL"))
N = 400 if SMALL else 4000
qm9 = load("qm9").sample(N, random_state=0)
y = qm9.labels["U0_atomization_kcal_mol"].to_numpy()
structures = qm9.structures.materialize()
train_idx, test_idx = train_test_split(np.arange(N), test_size=0.2, random_state=0)
print(f"{len(train_idx)} training and {len(test_idx)} test molecules")

# %% [markdown]
# ## Primal and dual give the same predictions
#
# Features: the counts of H, C, N, O and F, standardised, mapped to every monomial up to degree
# two: φ(x) = [1, √2 x<sub>i</sub>, x<sub>i</sub>², √2 x<sub>i</sub>x<sub>j</sub>] (21 features;
# `QuadraticFeatureMap` gives the last two groups). Its kernel is φ(x)·φ(x') = (1 + x·x')².

# %%
counts = ElementFraction(species=["H", "C", "N", "O", "F"]).fit(structures)
names = list(counts.get_feature_names_out())
X_counts = counts.transform(structures)[:, [i for i, n in enumerate(names) if "count" in n]]
scaler = StandardScaler().fit(X_counts[train_idx])
Z_train, Z_test = scaler.transform(X_counts[train_idx]), scaler.transform(X_counts[test_idx])
y_mean = y[train_idx].mean()
y_train = y[train_idx] - y_mean
lam = 1.0

phi = QuadraticFeatureMap().fit(Z_train)


def features(Z):
    return np.c_[np.ones(len(Z)), np.sqrt(2) * Z, phi.transform(Z)]


P_train, P_test = features(Z_train), features(Z_test)
start = time.perf_counter()
w = np.linalg.solve(P_train.T @ P_train + lam * np.eye(P_train.shape[1]), P_train.T @ y_train)  # primal
primal = P_test @ w + y_mean
primal_s = time.perf_counter() - start

start = time.perf_counter()
K = (1 + Z_train @ Z_train.T) ** 2  # the kernel, without φ
alpha = np.linalg.solve(K + lam * np.eye(len(K)), y_train)  # dual
dual = ((1 + Z_test @ Z_train.T) ** 2) @ alpha + y_mean
dual_s = time.perf_counter() - start
print(
    f"primal: {P_train.shape[1]} weights, {primal_s * 1000:.1f} ms; dual: {len(alpha)} weights, {dual_s * 1000:.1f} ms"
)
print(f"largest difference between their predictions: {np.abs(primal - dual).max():.2e} kcal/mol")
print(f"test MAE {np.abs(primal - y[test_idx]).mean():.1f} kcal/mol")

# %% [markdown]
# The primal solves a 21 × 21 system, the dual an N × N one: with few features and many samples
# the primal is cheaper. The dual pays off when the feature space is large or infinite.
#
# ## Linear, Gaussian and Laplacian kernels on Bag of Bonds
#
# `FastKernelRidge` chooses the width and λ by exact leave-one-out on the training set (one
# eigendecomposition per width scores every λ). The test set is scored once.

# %%
bob = BagOfBonds().fit([structures[i] for i in train_idx])
X_train = bob.transform([structures[i] for i in train_idx])
X_test = bob.transform([structures[i] for i in test_idx])
ok = np.isfinite(X_test).all(axis=1)  # a test molecule with a bag larger than any in training: NaN row
print(f"{ok.sum()} of {len(ok)} test molecules described")
rows = {}
for kernel in ("linear", "rbf", "laplacian"):
    start = time.perf_counter()
    model = FastKernelRidge(kernel=kernel).fit(X_train, y[train_idx])
    ci = regression_metrics_ci(y[test_idx][ok], model.predict(X_test[ok]))["mae"]
    rows[kernel] = {
        "test MAE": ci["value"],
        "95% low": ci["low"],
        "95% high": ci["high"],
        "chosen γ": f"{model.gamma_:.2g}" if kernel != "linear" else "-",
        "chosen λ": f"{model.alpha_:.2g}",
        "fit + search (s)": time.perf_counter() - start,
    }
pd.DataFrame(rows).T.infer_objects().round(2)

# %% [markdown]
# The linear kernel is ridge regression on the Bag of Bonds features; the Gaussian and Laplacian
# kernels compare molecules by distance in that space and learn far more. The Laplacian kernel,
# which decays with ‖x − x'‖₁, suits the sorted, padded entries of Bag of Bonds best: that is the
# `krr_laplacian` model of `atomlearn fit`.
#
# ## The learning curve
#
# How does the test error fall with the training size? For kernel ridge on a good descriptor the
# error falls as a power law, MAE ∝ N<sup>slope</sup>, a straight line on log–log axes.

# %%
sizes = [50, 100, 200] if SMALL else [100, 200, 400, 800, 1600, 3200]
curve = learning_curve(
    FastKernelRidge(kernel="laplacian"),
    X_train,
    y[train_idx],
    X_test[ok],
    y[test_idx][ok],
    sizes,
    repeats=2 if SMALL else 3,
)
summary, slope = summarize_curve(curve)
summary = summary.reset_index()
fig, ax = plt.subplots(figsize=(5.5, 3.6))
ax.errorbar(summary["size"], summary["test_mae"], yerr=summary["test_mae_std"], marker="o", label="test")
ax.errorbar(summary["size"], summary["train_mae"], yerr=summary["train_mae_std"], marker="s", label="training")
ax.set_xscale("log")
ax.set_yscale("log")
ax.set_xlabel("training molecules")
ax.set_ylabel("MAE of U0 (kcal/mol)")
ax.set_title(f"Laplacian KRR on Bag of Bonds: slope {slope:.2f}")
ax.legend()
fig.tight_layout()
summary.round(2)

# %% [markdown]
# On QM9 at 16,000 molecules this model reaches 2.8 kcal/mol; local kernels on atom environments
# (`--model krr_local`) reach 0.62 ([benchmarks](../../guide/benchmarks.md)). The training error
# is much lower than the test error at every size: kernel ridge nearly interpolates its data.
#
# ## Exercises
#
# 1. Time the primal and the dual solve of the quadratic-kernel model for growing N. Where
#    does the dual become more expensive than the primal?
# 2. Fix the Gaussian kernel's γ at 1000× and 1/1000× the chosen value (`FastKernelRidge(kernel="rbf", gamma=...)`).
#    What do too narrow and too wide kernels do to the training and test errors?
# 3. Extrapolate the learning curve: with the slope measured above, how many molecules would
#    this model need to reach 1 kcal/mol?

# %% tags=["solution"]
# Exercise 1: the primal costs ~N·p² (p = 21 features), the dual ~N³.
for n in [100, 300] if SMALL else [250, 1000, 3200]:
    Zn, Pn, yn = Z_train[:n], P_train[:n], y_train[:n]
    start = time.perf_counter()
    np.linalg.solve(Pn.T @ Pn + lam * np.eye(Pn.shape[1]), Pn.T @ yn)
    t_primal = time.perf_counter() - start
    start = time.perf_counter()
    np.linalg.solve((1 + Zn @ Zn.T) ** 2 + lam * np.eye(n), yn)
    t_dual = time.perf_counter() - start
    print(f"N = {n:5d}: primal {t_primal * 1000:7.2f} ms, dual {t_dual * 1000:8.2f} ms")

# %% tags=["solution"]
# Exercise 2: λ, chosen again by leave-one-out for each width, compensates over a wide range of
# widths; far from the chosen one, a narrow kernel memorises (low training error, every test
# molecule far from everything) and a wide one is nearly linear and underfits.
chosen = FastKernelRidge(kernel="rbf").fit(X_train, y[train_idx])
for factor in (1000, 1, 0.001):
    model = FastKernelRidge(kernel="rbf", gamma=chosen.gamma_ * factor).fit(X_train, y[train_idx])
    print(
        f"γ × {factor:>6}: training MAE {np.abs(model.predict(X_train) - y[train_idx]).mean():7.2f}, "
        f"test MAE {np.abs(model.predict(X_test[ok]) - y[test_idx][ok]).mean():7.2f} kcal/mol"
    )

# %% tags=["solution"]
# Exercise 3: MAE(N) = MAE(N0) · (N/N0)^slope, solved for MAE = 1.
last = summary.iloc[-1]
needed = last["size"] * (1.0 / last["test_mae"]) ** (1.0 / slope)
print(f"slope {slope:.2f}: about {needed:,.0f} molecules for 1 kcal/mol (QM9 has 130,831)")
