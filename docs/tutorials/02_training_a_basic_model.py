# %% [markdown]
# # 2. Training a basic model
#
# The supervised workflow of the lecture, in the order that keeps it honest:
#
# 1. collect structures and labels;
# 2. **put a test set aside first**, before looking at anything that could shape the model;
# 3. choose features and a model, tune them on the training set only;
# 4. score the test set **once**, with an error bar, against simple baselines.
#
# Here the structures are CoRE MOF 2019 frameworks and the label is their gravimetric surface
# area (m²/g, from Zeo++), a property adsorption screens rank by. The features describe the
# chemistry only (RACs and composition statistics), so the model cannot read the answer from a
# pore-geometry column.

# %%
import os

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from atomlearn.datasets import load
from atomlearn.featurizers import CompositionStats, RACs
from atomlearn.models import make_model
from atomlearn.runs import run_holdout
from atomlearn.splits import RandomHoldout, StratifiedHoldout

SMALL = bool(os.environ.get("ATOMLEARN_TUTORIAL_SMALL"))
N_MOFS = 150 if SMALL else 600
mofs = load("coremof2019").sample(N_MOFS, random_state=0)
area = mofs.labels["ASA_m2_g"].to_numpy()
print(
    f"{len(mofs)} MOFs; surface area median {np.median(area):.0f} m²/g, top 10 % above "
    f"{np.quantile(area, 0.9):.0f} m²/g, largest {area.max():.0f} m²/g"
)

# %% [markdown]
# ## Why the way the test set is drawn matters
#
# A screen cares about the best materials, the top 10 %. With a random 20 % test set, how many of
# them end up in it is itself random. Count it over 1,000 different random splits, and compare
# with a split stratified on the target (the target is cut into ten quantile bins and each bin is
# split 80:20):

# %%
top = area >= np.quantile(area, 0.9)
expected = 0.2 * top.sum()


def top_in_test(splitter_class, seed):
    _, test = next(splitter_class(test_size=0.2, random_state=seed).split(np.zeros((len(area), 1)), area))
    return int(top[test].sum())


counts = pd.DataFrame(
    {
        name: [top_in_test(cls, seed) for seed in range(1000)]
        for name, cls in (("random", RandomHoldout), ("stratified", StratifiedHoldout))
    }
)
summary = counts.describe().T[["mean", "std", "min", "max"]]
summary["P(≤ half the expected number)"] = (counts <= expected / 2).mean()
print(f"{top.sum()} top-10 % MOFs; a 20 % test set should hold {expected:.0f} of them")
summary.round(3)

# %%
fig, ax = plt.subplots(figsize=(6.5, 3.2))
bins = np.arange(counts.values.min(), counts.values.max() + 2) - 0.5
ax.hist(counts["random"], bins=bins, alpha=0.6, label="random split")
ax.hist(counts["stratified"], bins=bins, alpha=0.8, label="stratified split")
ax.axvline(expected, color="k", ls="--", lw=1)
ax.set_xlabel("top-10 % MOFs in the test set (of 1,000 splits)")
ax.set_ylabel("splits")
ax.legend()
fig.tight_layout()

# %% [markdown]
# A random split sometimes leaves the test set with a fraction of the top performers, and then
# the score says little about how well the model finds them. The stratified split always holds
# its share.
#
# ## The whole workflow in one call
#
# `run_holdout` does the four steps: it puts the test set aside with the chosen split, fits the
# featurizers and the model on the training part only (the model tunes its own hyperparameters by
# cross-validation inside the training set), scores the test set once with 95 % bootstrap
# intervals, and fits three baselines on the same split: the training mean (`dummy`), a ridge
# regression and gradient boosting. A structure that cannot be featurized is reported, not dropped.

# %%
result = run_holdout(
    mofs,
    "ASA_m2_g",
    [RACs(), CompositionStats()],
    make_model("krr"),
    model_name="krr",
    split="stratified",
    test_size=0.2,
    random_state=0,
)
print(f"{result.counts['requested']} MOFs in: {result.counts['used']} used, {result.counts['failed']} failed")
for error in result.errors[:3]:
    print("  failed:", error["item_id"], error["reason"][:90])
rows = {
    name: {
        metric: f"{v['value']:.3g} [{v['low']:.3g}, {v['high']:.3g}]"
        for metric, v in result.metrics_ci[name]["test"].items()
        if metric in ("mae", "r2", "spearman", "top_k_recall")
    }
    for name in result.metrics_ci
}
pd.DataFrame(rows).T

# %% [markdown]
# Read the intervals, not just the numbers: a model is better than a baseline when their
# intervals do not overlap much. Chemistry alone predicts a surface area only roughly: compare
# R² with the baselines before trusting the ranking. `top_k_recall` is the fraction of the true top 10 % among the
# predicted top 10 %: what a screen needs.
#
# The same run on the command line writes a run folder with the predictions, the errors and a
# model bundle, and `atomlearn report` turns it into a page:
#
# ```
# atomlearn fit coremof2019 --target ASA_m2_g --featurizer racs,composition --model krr --split stratified --n 600 --out run_area/
# atomlearn report run_area/ -o run_area.html
# ```

# %%
predictions = pd.DataFrame(result.predictions)
test = predictions[predictions["set"] == "test"]
fig, ax = plt.subplots(figsize=(4.2, 4))
ax.scatter(test["y_true"], test["y_pred"], s=10)
lim = [0, max(test["y_true"].max(), test["y_pred"].max()) * 1.05]
ax.plot(lim, lim, "k--", lw=1)
ax.set_xlabel("surface area, Zeo++ (m²/g)")
ax.set_ylabel("predicted from chemistry (m²/g)")
ax.set_title("test set, scored once")
fig.tight_layout()

# %% [markdown]
# ## Exercises
#
# 1. Run the same workflow with `split="random"` and seeds 0–4. How much do the test scores move
#    from seed to seed, compared with the intervals of one run?
# 2. A *cluster* split (`split="cluster"`) puts whole clusters of similar MOFs into the test set:
#    the model must extrapolate to new chemistries. What happens to the error?
# 3. A classic leak: choose the 20 features most correlated with the target on *all* MOFs, then
#    split. Compare the test error with choosing them on the training set only.

# %% tags=["solution"]
# Exercise 1: the spread over seeds is the error bar a single split hides.
seeds = range(2) if SMALL else range(5)
scores = [
    run_holdout(
        mofs,
        "ASA_m2_g",
        [RACs(), CompositionStats()],
        make_model("krr"),
        split="random",
        random_state=seed,
        baselines=(),
    ).metrics["model"]["test"]["mae"]
    for seed in seeds
]
print("test MAE per seed (m²/g):", np.round(scores), f"spread {np.std(scores):.0f}")

# %% tags=["solution"]
# Exercise 2: new chemistries are harder than new members of known families.
cluster = run_holdout(
    mofs, "ASA_m2_g", [RACs(), CompositionStats()], make_model("krr"), split="cluster", random_state=0, baselines=()
)
print(
    f"cluster split test MAE {cluster.metrics['model']['test']['mae']:.0f} m²/g against "
    f"{result.metrics['model']['test']['mae']:.0f} for the stratified split"
)

# %% tags=["solution"]
# Exercise 3: selecting features with the test set's labels makes the test score optimistic.
from sklearn.linear_model import RidgeCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

featurizer = RACs()
X = featurizer.fit_transform(mofs.structures)
ok = np.isfinite(X).all(axis=1)
X, y = X[ok], area[ok]
train, test = next(StratifiedHoldout(random_state=0).split(X, y))


def top_features(rows):
    correlation = np.nan_to_num(
        [abs(np.corrcoef(X[rows, j], y[rows])[0, 1]) if X[rows, j].std() > 0 else 0 for j in range(X.shape[1])]
    )
    return np.argsort(correlation)[-20:]


for name, chosen in (
    ("chosen on all MOFs (leak)", top_features(np.arange(len(y)))),
    ("chosen on training only", top_features(train)),
):
    model = make_pipeline(StandardScaler(), RidgeCV()).fit(X[train][:, chosen], y[train])
    print(f"{name}: test MAE {np.abs(model.predict(X[test][:, chosen]) - y[test]).mean():.0f} m²/g")
