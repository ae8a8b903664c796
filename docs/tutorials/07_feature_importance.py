# %% [markdown]
# # 7. Feature importance
#
# Which features does a model rely on? The lecture's recipe is *permutation importance*:
#
# 0. build the model; 1. measure its error on held-out data;
# 2. for each feature j: shuffle column j (breaking its link to the target, keeping its
#    distribution), measure the error again; the importance of j is the increase.
#
# It works for any model, and it measures what the *model* uses, on data it has not seen. It has
# two caveats. Correlated features: a model can get the same information from a correlated
# partner, so shuffling one of them costs less than the information is worth, and the importance
# is split between them. Shuffling correlated features *together* fixes that. And unrealistic
# points: a shuffled column pairs values that no real molecule has, so the model is asked about
# inputs it never saw.
#
# Data: the HOMO–LUMO gap of QM9 molecules (eV) from RDKit's 2D descriptors (217 columns, many of
# them correlated: several counts of rings, atoms and bonds, surface areas, ...).
#
# **Learning objectives.** After this tutorial you can
#
# - measure permutation importance on held-out data, with its spread over repeats, and write its
#   loop;
# - recognise the two caveats (correlated features, unrealistic shuffled points) and use grouped
#   permutation for the first;
# - tell what a model uses from what the chemistry says, and read an important descriptor
#   chemically.

# %%
import os

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from atomlearn.datasets import load
from atomlearn.explain import correlated_groups, permutation_importance
from atomlearn.featurizers import RDKitDescriptors
from atomlearn.models import make_model
from atomlearn.splits import train_test_split

SMALL = bool(os.environ.get("ATOMLEARN_TUTORIAL_SMALL"))
qm9 = load("qm9").sample(300 if SMALL else 3000, random_state=0)
descriptors = RDKitDescriptors()
X = descriptors.fit_transform(qm9.structures)
names = np.array(descriptors.get_feature_names_out())
y = qm9.labels["gap_eV"].to_numpy()
keep = np.isfinite(X).all(axis=0) & (X.std(axis=0) > 0)  # drop undefined and constant columns
X, names = X[:, keep], names[keep]
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=0)
model = make_model("gbr").fit(X_train, y_train)
print(
    f"{X.shape[1]} descriptors; gradient boosting test MAE {np.abs(model.predict(X_test) - y_test).mean():.3f} eV "
    f"(the mean predicts {np.abs(y_train.mean() - y_test).mean():.3f} eV)"
)

# %% [markdown]
# ## Permutation importance on the test set

# %%
single = permutation_importance(model, X_test, y_test, feature_names=names, n_repeats=5 if SMALL else 10)
top = single.head(12)
fig, ax = plt.subplots(figsize=(6.5, 3.6))
ax.barh(top["feature"], top["importance_mean"], xerr=top["importance_std"], color="#48c")
ax.invert_yaxis()
ax.set_xlabel("rise of the test MAE when shuffled (eV)")
fig.tight_layout()
single.head(8)[["feature", "importance_mean", "importance_std"]].round(4)

# %% [markdown]
# ## What the most important descriptor means
#
# `FractionCSP3` is the fraction of the carbon atoms that are sp³-hybridised: 1 for a saturated
# molecule (single bonds only), lower with every double, triple or aromatic bond. Electrons in σ
# bonds are held tightly, so a saturated molecule's highest occupied and lowest unoccupied orbitals
# lie far apart; π bonds bring a filled π and an empty π* orbital close to the middle, and
# conjugation brings them closer still. The gap should rise with the fraction of sp³ carbon:

# %%
from scipy.stats import spearmanr

fsp3 = X[:, list(names).index("rdkit_FractionCSP3")]
rho = spearmanr(fsp3, y).statistic
fig, ax = plt.subplots(figsize=(5, 3.2))
ax.scatter(fsp3, y, s=6, alpha=0.5)
ax.set_xlabel("FractionCSP3 (sp³ carbons / carbons)")
ax.set_ylabel("HOMO–LUMO gap (eV)")
ax.set_title(f"Spearman ρ = {rho:.2f}")
fig.tight_layout()

# %% tags=["check"]
assert single.iloc[0]["feature"] == "rdkit_FractionCSP3" and rho > 0.5

# %% [markdown]
# ## Shuffled points that no molecule has
#
# Shuffling FractionCSP3 hands a molecule another molecule's value. An aromatic molecule may be
# told that nearly all its carbons are sp³ while it keeps its aromatic ring, whose carbons are sp²:
# a molecule that cannot exist. The model's answer for such a point is an extrapolation, and the
# importance partly measures it. Count the aromatic test molecules that a shuffle gives a larger
# FractionCSP3 than any aromatic molecule of the whole sample has:

# %%
fsp3_column, aromatic_column = list(names).index("rdkit_FractionCSP3"), list(names).index("rdkit_NumAromaticRings")
aromatic = X_test[:, aromatic_column] > 0
highest_real = X[X[:, aromatic_column] > 0, fsp3_column].max()  # the most saturated aromatic molecule there is
shuffle_rng = np.random.default_rng(0)
impossible = [
    int((aromatic & (shuffle_rng.permutation(X_test[:, fsp3_column]) > highest_real)).sum()) for _ in range(5)
]
print(
    f"{int(aromatic.sum())} aromatic test molecules, FractionCSP3 at most {highest_real:.2f} in any aromatic molecule; "
    f"after a shuffle, {np.mean(impossible):.1f} of them lie above it (mean of 5 shuffles)"
)

# %% tags=["check"]
assert sum(impossible) > 0

# %% [markdown]
# ## The correlated-features caveat, planted
#
# Add an exact copy (plus a little noise) of the most important descriptor and refit. The model
# now finds the same information in two columns.
#
# **What do you expect?** What importance will the original and the copy get, compared with the
# original's importance alone?

# %%
best = single.iloc[0]["columns"][0]
rng = np.random.default_rng(0)
copy_train = X_train[:, best] + rng.normal(0, 1e-3 * X_train[:, best].std(), len(X_train))
copy_test = X_test[:, best] + rng.normal(0, 1e-3 * X_train[:, best].std(), len(X_test))
X2_train, X2_test = np.c_[X_train, copy_train], np.c_[X_test, copy_test]
names2 = np.r_[names, [f"{names[best]} (copy)"]]
model2 = make_model("gbr").fit(X2_train, y_train)
twin = permutation_importance(model2, X2_test, y_test, feature_names=names2, n_repeats=5 if SMALL else 10)
pair = twin[twin["feature"].isin([names[best], f"{names[best]} (copy)"])][["feature", "importance_mean"]]
print(f"{names[best]} alone: importance {single.iloc[0]['importance_mean']:.4f} eV")
pair.round(4)

# %% tags=["check"]
assert (pair["importance_mean"] < single.iloc[0]["importance_mean"]).all()

# %% [markdown]
# Each column of the pair now costs less to shuffle than the descriptor did alone: the trees
# split on one or the other, and the importance is divided between them, often unevenly.
#
# ## Grouped permutation
#
# `correlated_groups` clusters the columns by their Spearman correlation (groups where the
# average |ρ| exceeds a threshold); permuting each group together asks "what does the model lose
# without this *information*", however many columns carry it.

# %%
groups = correlated_groups(X2_train, threshold=0.8)
grouped = permutation_importance(
    model2, X2_test, y_test, groups=groups, feature_names=names2, n_repeats=5 if SMALL else 10
)
print(f"{X2_train.shape[1]} columns in {len(groups)} groups")
grouped.head(8)[["feature", "n_columns", "importance_mean", "importance_std"]].assign(
    feature=lambda t: t["feature"].str.slice(0, 70)
).round(4)

# %% [markdown]
# %% tags=["check"]
top_group = grouped.iloc[0]
assert "rdkit_FractionCSP3" in top_group["feature"] and top_group["importance_mean"] > pair["importance_mean"].max()

# %% [markdown]
# The group that holds the descriptor and its copy gets back the importance that the single
# view split between them. Read the grouped view before concluding that a feature "does not
# matter"; and remember that importance explains the *model*, not the chemistry: a feature the
# model ignores may still be correlated with the gap.
#
# From the command line, `atomlearn explain RUN --importance` writes both views for a run and the
# report shows them side by side.
#
# ## Exercises
#
# 1. Compute the permutation importance on the *training* set. Which features gain importance,
#    and why is the test set the right place to measure it?
# 2. Tree ensembles have their own "split" importance (`feature_importances_`). Compare the top 8
#    of scikit-learn's `GradientBoostingRegressor` with the permutation importance.
# 3. Lower the group threshold to 0.5. What happens to the number of groups and to the top group?
# 4. Write permutation importance yourself: complete `my_importance` so that it shuffles one
#    column of the test set at a time (`n_repeats` times, with `rng.permutation`) and returns the
#    mean rise of the test MAE. Compare your top five with `permutation_importance`.


# %%
def my_importance(model, X, y, column, n_repeats=5, seed=0):
    """Mean rise of the MAE of ``model`` on (X, y) when ``column`` is shuffled (eV)."""
    rng = np.random.default_rng(seed)
    # your code: the baseline error, then shuffle, predict, compare, n_repeats times
    raise NotImplementedError("Exercise 4")


# %% tags=["solution"]
# Exercise 1: on the training set the model's fit to noise counts as importance too.
on_train = permutation_importance(model, X_train, y_train, feature_names=names, n_repeats=3)
both = pd.concat(
    {
        "test": single.set_index("feature")["importance_mean"],
        "training": on_train.set_index("feature")["importance_mean"],
    },
    axis=1,
)
both.sort_values("training", ascending=False).head(8).round(4)

# %% tags=["check"]
assert both["training"].sum() > both["test"].sum()

# %% tags=["solution"]
# Exercise 2: split (impurity) importance counts how much each feature's splits reduce the
# training error: measured on the training data, and biased towards features with many
# distinct values. scikit-learn's classic GradientBoostingRegressor computes it.
from sklearn.ensemble import GradientBoostingRegressor

boosted = GradientBoostingRegressor(random_state=0).fit(X_train, y_train)
split = pd.Series(boosted.feature_importances_, index=names).sort_values(ascending=False)
pd.DataFrame(
    {"split importance (training)": split.head(8).index, "permutation (test)": single["feature"].head(8).values}
)

# %% tags=["solution"]
# Exercise 3: a lower threshold joins more columns: fewer, larger groups.
loose = correlated_groups(X2_train, threshold=0.5)
print(
    f"threshold 0.8: {len(groups)} groups, largest {max(map(len, groups))} columns; "
    f"threshold 0.5: {len(loose)} groups, largest {max(map(len, loose))} columns"
)

# %% tags=["check"]
assert len(loose) < len(groups) and max(map(len, loose)) >= max(map(len, groups))


# %% tags=["solution"]
# Exercise 4: the whole method is a loop over columns around one trained model.
def my_importance(model, X, y, column, n_repeats=5, seed=0):
    """Mean rise of the MAE of ``model`` on (X, y) when ``column`` is shuffled (eV)."""
    rng = np.random.default_rng(seed)
    baseline = np.abs(model.predict(X) - y).mean()
    rises = []
    for _ in range(n_repeats):
        shuffled = X.copy()
        shuffled[:, column] = rng.permutation(shuffled[:, column])
        rises.append(np.abs(model.predict(shuffled) - y).mean() - baseline)
    return float(np.mean(rises))


mine = pd.Series({names[j]: my_importance(model, X_test, y_test, j) for j in range(X_test.shape[1])})
pd.DataFrame({"mine": mine.sort_values(ascending=False).head(5).round(4)}).join(
    single.set_index("feature")["importance_mean"].rename("permutation_importance").round(4)
)

# %% tags=["check"]
assert mine.idxmax() == single.iloc[0]["feature"]
assert abs(mine.max() - single.iloc[0]["importance_mean"]) < 0.25 * single.iloc[0]["importance_mean"]
