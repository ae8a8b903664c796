# %% [markdown]
# # 5. Hyperparameters and cross-validation
#
# A kernel ridge model has hyperparameters the fit does not learn: the kernel width γ and the
# regularisation λ. Choosing them needs an estimate of the error on data the model has not seen,
# from the training set alone (the test set stays aside). The lecture's three points, measured:
#
# 1. **k-fold cross-validation** uses every training structure for validation once;
# 2. a **single validation split** is *pessimistic* (it trains on less data) and *noisy* (it
#    depends on which structures land in it): we draw many and compare with the true error;
# 3. the score of the hyperparameters chosen by CV is *optimistic*: **nested CV** gives an
#    honest estimate of the whole procedure.
#
# QM9 is large enough to know the truth: models trained on a few hundred molecules are scored on
# thousands of others.
#
# **Learning objectives.** After this tutorial you can
#
# - estimate a model's error by k-fold cross-validation from the training set alone;
# - explain why one validation split is pessimistic and noisy, and measure both;
# - tune hyperparameters by a grid search and say why the winner's score is optimistic;
# - estimate the error of the whole procedure by nested cross-validation, and write its loop.

# %%
import os

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.compose import TransformedTargetRegressor
from sklearn.kernel_ridge import KernelRidge
from sklearn.model_selection import GridSearchCV, KFold, cross_val_score, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from atomlearn.datasets import load
from atomlearn.evaluate import nested_cv
from atomlearn.featurizers import CoulombMatrix

SMALL = bool(os.environ.get("ATOMLEARN_TUTORIAL_SMALL"))
N_TRAIN, N_TRUTH, N_DRAWS = (100, 1000, 10) if SMALL else (200, 10000, 50)
N_SEARCHED = 6 if SMALL else 20  # training sets searched and nested again below (each costs ~600 fits)
qm9 = load("qm9").sample(N_DRAWS * N_TRAIN + N_TRUTH, random_state=0)
order = np.random.default_rng(0).permutation(len(qm9))  # `sample` keeps QM9's order, which runs from small to large
X_all = CoulombMatrix(max_atoms=29).fit_transform(qm9.structures)[order]
y_all = qm9.labels["U0_atomization_kcal_mol"].to_numpy()[order]
X_truth, y_truth = X_all[:N_TRUTH], y_all[:N_TRUTH]  # stands in for "all molecules we will ever predict"
pool_X, pool_y = X_all[N_TRUTH:], y_all[N_TRUTH:]  # N_DRAWS independent training sets of N_TRAIN


def krr(gamma=1e-3, alpha=1e-3):
    """Gaussian kernel ridge on standardised features, the targets centred (the kernel model has no intercept)."""
    return TransformedTargetRegressor(
        make_pipeline(StandardScaler(), KernelRidge(kernel="rbf", gamma=gamma, alpha=alpha)),
        transformer=StandardScaler(),
    )


def true_mae(model, X, y):
    return np.abs(model.fit(X, y).predict(X_truth) - y_truth).mean()


X, y = pool_X[:N_TRAIN], pool_y[:N_TRAIN]
print(
    f"training set: {N_TRAIN} molecules; true MAE of a model trained on all of it: {true_mae(krr(), X, y):.1f} kcal/mol"
)

# %% [markdown]
# ## k-fold cross-validation
#
# Split the training set into k folds; train on k − 1, validate on the one left out, k times.

# %%
folds = KFold(n_splits=5, shuffle=True, random_state=0)
fold_mae = -cross_val_score(krr(), X, y, cv=folds, scoring="neg_mean_absolute_error")
print(
    "validation MAE per fold:",
    np.round(fold_mae, 1),
    f"-> mean {fold_mae.mean():.1f} ± {fold_mae.std(ddof=1) / np.sqrt(5):.1f}",
)

# %% [markdown]
# ## One split versus k-fold, over many training sets
#
# For each of many independent training sets: the error estimated from one 80:20 split, from
# 5-fold CV, and the true error of the model trained on the whole set.
#
# **What do you expect?** Which estimate will scatter more around the true error, and will either
# be on average too high or too low?

# %%
rows = []
for draw in range(N_DRAWS):
    Xd, yd = pool_X[draw * N_TRAIN : (draw + 1) * N_TRAIN], pool_y[draw * N_TRAIN : (draw + 1) * N_TRAIN]
    X_fit, X_val, y_fit, y_val = train_test_split(Xd, yd, test_size=0.2, random_state=draw)
    single = np.abs(krr().fit(X_fit, y_fit).predict(X_val) - y_val).mean()
    kfold = -cross_val_score(
        krr(), Xd, yd, cv=KFold(5, shuffle=True, random_state=draw), scoring="neg_mean_absolute_error"
    ).mean()
    rows.append({"true": true_mae(krr(), Xd, yd), "single split": single, "5-fold CV": kfold})
estimates = pd.DataFrame(rows)
error = estimates[["single split", "5-fold CV"]].sub(estimates["true"], axis=0)
pd.DataFrame(
    {"mean error of the estimate (bias)": error.mean(), "spread (std)": error.std(), "mean |error|": error.abs().mean()}
).round(2)

# %%
fig, ax = plt.subplots(figsize=(6.5, 3.2))
bins = np.linspace(error.values.min(), error.values.max(), 30)
for column in error:
    ax.hist(error[column], bins=bins, alpha=0.6, label=column)
ax.axvline(0, color="k", lw=1)
ax.set_xlabel("estimated − true MAE (kcal/mol)")
ax.set_ylabel("training sets")
ax.legend()
fig.tight_layout()

# %% tags=["check"]
assert (error.mean() > 0).all()  # pessimistic: trained on 80 %
assert error["single split"].std() > 1.3 * error["5-fold CV"].std()

# %% [markdown]
# Both estimates are on average *pessimistic* (positive): they train on 80 % of the
# data, and a model on less data is worse. The single split scatters far more: one unlucky
# validation set can misjudge a model by several kcal/mol. k-fold averages five such estimates.
#
# ## Choosing hyperparameters, and the optimism of the winner
#
# A grid search picks the γ and λ with the best CV score. That best score is optimistic: among
# many candidates, the winner is partly the luckiest. Nested CV puts the whole search inside
# each outer fold, so every outer score comes from a model whose hyperparameters were chosen
# without that fold. `atomlearn.evaluate.nested_cv` does this (and `atomlearn fit --nested 5x5`).
# Its outer folds must not be the search's folds: on the same folds, each outer fold's search
# would meet the fold it is scored on again, and nested CV would repeat the winner's score.

# %%
grid = {
    "regressor__kernelridge__gamma": [1e-4, 3e-4, 1e-3, 3e-3, 1e-2],
    "regressor__kernelridge__alpha": [1e-6, 1e-4, 1e-2, 1],
}


def search_on(Xd, yd, seed, space=grid):
    return GridSearchCV(
        krr(), space, cv=KFold(5, shuffle=True, random_state=seed), scoring="neg_mean_absolute_error"
    ).fit(Xd, yd)


def chosen(search):
    return krr(**{k.split("__")[-1]: v for k, v in search.best_params_.items()})


search = search_on(X, y, seed=0)
nested = nested_cv(krr(), grid, X, y, outer=KFold(5, shuffle=True, random_state=1), inner=5, random_state=0)
truth = true_mae(chosen(search), X, y)
pd.DataFrame(
    {
        "MAE (kcal/mol)": {
            "best grid-search CV score (optimistic)": -search.best_score_,
            "nested CV (the whole procedure)": nested.summary["mae"]["mean"],
            "true error of the chosen model": truth,
        }
    }
).round(2)

# %%
pd.DataFrame(
    [
        {
            "outer fold": f["fold"],
            "MAE": round(f["metrics"]["mae"], 2),
            **{k.split("__")[-1]: f"{v:g}" for k, v in f["params"].items()},
        }
        for f in nested.folds
    ]
)

# %% [markdown]
# One training set is one draw: its winner may be lucky or not. The optimism is an average over
# training sets, so repeat the three numbers on each of the independent training sets above.
#
# **What do you expect?** On average, will the winning CV score lie below the nested estimate?
# By how much, compared with the spread of the estimates?

# %%
rows, searches = [], []
for draw in range(N_SEARCHED):
    Xd, yd = pool_X[draw * N_TRAIN : (draw + 1) * N_TRAIN], pool_y[draw * N_TRAIN : (draw + 1) * N_TRAIN]
    draw_search = search_on(Xd, yd, seed=draw)
    searches.append(draw_search)
    draw_nested = nested_cv(krr(), grid, Xd, yd, outer=KFold(5, shuffle=True, random_state=draw + 1000), inner=5)
    rows.append(
        {
            "winning CV score": -draw_search.best_score_,
            "nested CV": draw_nested.summary["mae"]["mean"],
            "true error of the chosen model": true_mae(chosen(draw_search), Xd, yd),
        }
    )
optimism = pd.DataFrame(rows)
gap = optimism["winning CV score"] - optimism["nested CV"]
print(
    f"over {N_SEARCHED} training sets: winning CV score − nested CV = {gap.mean():.2f} ± "
    f"{gap.std(ddof=1) / np.sqrt(N_SEARCHED):.2f} kcal/mol (mean ± standard error)"
)
optimism.describe().loc[["mean", "std"]].round(2)

# %% tags=["check"]
assert gap.mean() < 0

# %% [markdown]
# Two effects meet in these tables. Selecting the best of 20 candidates on the same folds that
# score it makes the winning score *optimistic*: on average it lies below the nested estimate,
# whose outer folds never took part in the choice. And every CV score trains on 80 % of the data,
# which makes it *pessimistic* against the true error of the model refitted on all of it (the bias
# measured above). The nested score also carries the uncertainty of the choice itself: when the
# outer folds choose different γ and λ, each pays for its own choice. Report the nested estimate
# (or a test set put aside first), never the winning CV score.
#
# ## Exercises
#
# 1. Repeat the single-split experiment with a 50:50 split. What happens to the bias and to
#    the spread?
# 2. Leave-one-out CV trains on all but one molecule. Is it less pessimistic than 5-fold, and is
#    it less noisy? Measure it on the same training sets.
# 3. Add more candidates to the grid (γ and λ on a 5 × 5 grid, plus the 20 above). Does the best
#    CV score fall by more than the true error of the chosen model? Average over the training sets.
# 4. Write the nested loop yourself: complete `my_nested_mae` so that, for each outer fold of
#    `outer`, it runs `search_on` (the grid search) on the outer training part only, predicts the
#    outer validation fold with the refitted winner, and returns the mean of the fold MAEs.
#    Compare with `nested_cv` on the same folds.


# %%
def my_nested_mae(X, y, outer=KFold(5, shuffle=True, random_state=1), inner_seed=0):
    """Mean outer-fold MAE of a grid search nested in ``outer``."""
    # your code: for train, validation in outer.split(X): search on the training part, score the validation fold
    raise NotImplementedError("Exercise 4")


# %% tags=["solution"]
# Exercise 1: training on half the data makes the estimate more pessimistic. The spread has two
# sources that move in opposite directions: a larger validation set averages more errors (less
# scatter), a model trained on half the data varies more from draw to draw (more scatter).
half = []
for draw in range(N_DRAWS):
    Xd, yd = pool_X[draw * N_TRAIN : (draw + 1) * N_TRAIN], pool_y[draw * N_TRAIN : (draw + 1) * N_TRAIN]
    X_fit, X_val, y_fit, y_val = train_test_split(Xd, yd, test_size=0.5, random_state=draw)
    half.append(np.abs(krr().fit(X_fit, y_fit).predict(X_val) - y_val).mean() - estimates.loc[draw, "true"])
print(
    f"50:50 split: bias {np.mean(half):.2f}, spread {np.std(half, ddof=1):.2f} kcal/mol "
    f"(80:20: {error['single split'].mean():.2f}, {error['single split'].std():.2f})"
)

# %% tags=["check"]
assert np.mean(half) > error["single split"].mean()

# %% tags=["solution"]
# Exercise 2: leave-one-out trains on N-1 molecules: nearly unbiased. N refits would be slow, but for
# kernel ridge they are not needed: with the hat matrix H = K (K + λI)⁻¹ of one fit on all N, the
# residual of the model trained without molecule i is (y_i − ŷ_i) / (1 − H_ii) exactly (atomlearn's
# `krr` models choose γ and λ this way). Here the scalers are fitted once on all N.
from sklearn.metrics.pairwise import rbf_kernel


def loo_mae(Xd, yd, gamma=1e-3, alpha=1e-3):
    Z = StandardScaler().fit_transform(Xd)
    K = rbf_kernel(Z, gamma=gamma)
    H = K @ np.linalg.inv(K + alpha * np.eye(len(yd)))
    centred = (yd - yd.mean()) / yd.std()  # as the model centres and scales its targets
    return np.mean(np.abs((centred - H @ centred) / (1 - np.diag(H)))) * yd.std()


loo = [
    loo_mae(pool_X[d * N_TRAIN : (d + 1) * N_TRAIN], pool_y[d * N_TRAIN : (d + 1) * N_TRAIN]) - estimates.loc[d, "true"]
    for d in range(N_DRAWS)
]
print(
    f"leave-one-out: bias {np.mean(loo):.2f}, spread {np.std(loo, ddof=1):.2f} kcal/mol; 5-fold: "
    f"{error['5-fold CV'].mean():.2f}, {error['5-fold CV'].std():.2f}"
)

# %% tags=["solution"]
# Exercise 3: the larger grid holds the 20 old candidates, so its best CV score can only fall; the true
# error of its winner need not. More candidates, more chances of a lucky winner: the optimism grows.
big = {
    "regressor__kernelridge__gamma": sorted({*np.logspace(-5, -1, 5), *grid["regressor__kernelridge__gamma"]}),
    "regressor__kernelridge__alpha": sorted({*np.logspace(-8, 1, 5), *grid["regressor__kernelridge__alpha"]}),
}
grids = []
for draw in range(N_SEARCHED):
    Xd, yd = pool_X[draw * N_TRAIN : (draw + 1) * N_TRAIN], pool_y[draw * N_TRAIN : (draw + 1) * N_TRAIN]
    n_big = len(big["regressor__kernelridge__gamma"]) * len(big["regressor__kernelridge__alpha"])
    for name, found in (
        ("20 candidates", searches[draw]),
        (f"{n_big} candidates", search_on(Xd, yd, seed=draw, space=big)),
    ):
        grids.append({"grid": name, "best CV score": -found.best_score_, "true error": true_mae(chosen(found), Xd, yd)})
grids = pd.DataFrame(grids)
grids["true − best CV (optimism)"] = grids["true error"] - grids["best CV score"]
grids.groupby("grid", sort=False).mean().round(2)

# %% tags=["check"]
by_grid = grids.groupby("grid", sort=False).mean()
assert by_grid["best CV score"].iloc[1] <= by_grid["best CV score"].iloc[0]
assert by_grid["true − best CV (optimism)"].iloc[1] > by_grid["true − best CV (optimism)"].iloc[0]


# %% tags=["solution"]
# Exercise 4: the search is refitted inside every outer fold; the outer fold only scores.
def my_nested_mae(X, y, outer=KFold(5, shuffle=True, random_state=1), inner_seed=0):
    """Mean outer-fold MAE of a grid search nested in ``outer``."""
    maes = []
    for train, validation in outer.split(X):
        winner = search_on(X[train], y[train], seed=inner_seed)  # refit=True: the winner trained on all of `train`
        maes.append(np.abs(winner.predict(X[validation]) - y[validation]).mean())
    return float(np.mean(maes))


mine = my_nested_mae(X, y)
print(f"my nested CV {mine:.3f} kcal/mol; nested_cv {nested.summary['mae']['mean']:.3f} kcal/mol")

# %% tags=["check"]
assert abs(mine - nested.summary["mae"]["mean"]) < 1e-6
