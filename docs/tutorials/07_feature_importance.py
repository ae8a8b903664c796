# %% [markdown]
# # 7. Feature importance
#
# Which features does a model rely on? The lecture's recipe is *permutation importance*:
#
# 0. build the model; 1. measure its error on held-out data;
# 2. for each feature j: shuffle column j (breaking its link to the target, keeping its
#    distribution), measure the error again; the importance of j is the increase.
#
# It works for any model, and it measures what the *model* uses, on data it has not seen. Its
# caveat is correlated features: a model can get the same information from a correlated partner,
# so shuffling one of them costs little and both look unimportant. Shuffling correlated features
# *together* fixes that.
#
# Data: the HOMO–LUMO gap of QM9 molecules (eV) from RDKit's 2D descriptors (217 columns, many of
# them correlated: several counts of rings, atoms and bonds, surface areas, ...).

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
# ## The correlated-features caveat, planted
#
# Add an exact copy (plus a little noise) of the most important descriptor and refit. The model
# now finds the same information in two columns; shuffling either one alone costs much less.

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

# %% [markdown]
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
