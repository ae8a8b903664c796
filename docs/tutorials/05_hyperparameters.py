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

# %% [markdown]
# Both estimates are on average a little *pessimistic* (positive): they train on 80 % of the
# data, and a model on less data is worse. The single split scatters far more: one unlucky
# validation set can misjudge a model by several kcal/mol. k-fold averages five such estimates.
#
# ## Choosing hyperparameters, and the optimism of the winner
#
# A grid search picks the γ and λ with the best CV score. That best score is optimistic: among
# many candidates, the winner is partly the luckiest. Nested CV puts the whole search inside
# each outer fold, so every outer score comes from a model whose hyperparameters were chosen
# without that fold. `atomlearn.evaluate.nested_cv` does this (and `atomlearn fit --nested 5x5`).

# %%
grid = {
    "regressor__kernelridge__gamma": [1e-4, 3e-4, 1e-3, 3e-3, 1e-2],
    "regressor__kernelridge__alpha": [1e-6, 1e-4, 1e-2, 1],
}
search = GridSearchCV(krr(), grid, cv=KFold(5, shuffle=True, random_state=0), scoring="neg_mean_absolute_error").fit(
    X, y
)
nested = nested_cv(krr(), grid, X, y, outer=5, inner=5, random_state=0)
truth = true_mae(krr(**{k.split("__")[-1]: v for k, v in search.best_params_.items()}), X, y)
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
            **{k.split("__")[-1]: v for k, v in f["params"].items()},
        }
        for f in nested.folds
    ]
)

# %% [markdown]
# Two effects meet in this table. Selecting the best of 20 candidates on the same folds that
# score it makes the winning score *optimistic*: it sits below the nested estimate, whose outer
# folds never took part in the choice. And every CV score trains on 80 % of the data, which makes
# it *pessimistic* against the true error of the model refitted on all of it (the bias measured
# above). With 200 molecules the hyperparameters are also poorly determined: they differ from
# fold to fold, and the nested score includes that uncertainty. Report the nested estimate (or
# a test set put aside first), never the winning CV score.
#
# ## Exercises
#
# 1. Repeat the single-split experiment with a 50:50 split. What happens to the bias and to
#    the spread?
# 2. Leave-one-out CV trains on all but one molecule. Is it less pessimistic than 5-fold, and is
#    it less noisy? Measure it on the same training sets.
# 3. Add more candidates to the grid (γ and λ on a 10 × 10 grid). Does the best CV score fall
#    by more than the true error of the chosen model?

# %% tags=["solution"]
# Exercise 1: training on half the data makes the estimate more pessimistic; the validation
# set is larger, so its scatter from the validation noise shrinks a little.
half = []
for draw in range(N_DRAWS):
    Xd, yd = pool_X[draw * N_TRAIN : (draw + 1) * N_TRAIN], pool_y[draw * N_TRAIN : (draw + 1) * N_TRAIN]
    X_fit, X_val, y_fit, y_val = train_test_split(Xd, yd, test_size=0.5, random_state=draw)
    half.append(np.abs(krr().fit(X_fit, y_fit).predict(X_val) - y_val).mean() - estimates.loc[draw, "true"])
print(
    f"50:50 split: bias {np.mean(half):.2f}, spread {np.std(half, ddof=1):.2f} kcal/mol "
    f"(80:20: {error['single split'].mean():.2f}, {error['single split'].std():.2f})"
)

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
# Exercise 3: more candidates give the search more chances of a lucky winner, and also a better
# model. Compare how much the best CV score falls with how much the true error falls.
big = {
    "regressor__kernelridge__gamma": list(np.logspace(-5, -1, 10)),
    "regressor__kernelridge__alpha": list(np.logspace(-8, 1, 10)),
}
search_big = GridSearchCV(krr(), big, cv=KFold(5, shuffle=True, random_state=0), scoring="neg_mean_absolute_error").fit(
    X, y
)
truth_big = true_mae(krr(**{k.split("__")[-1]: v for k, v in search_big.best_params_.items()}), X, y)
print(
    f"100 candidates: best CV score {-search_big.best_score_:.2f}, true error {truth_big:.2f} kcal/mol; "
    f"20 candidates: {-search.best_score_:.2f} vs {truth:.2f}"
)
