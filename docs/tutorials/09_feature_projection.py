# %% [markdown]
# # 9. Feature projection
#
# A featurized data set has tens to thousands of columns; a person sees two. Projection maps the
# rows to a plane so that structure in the data becomes visible: clusters, outliers, where the
# test set lies relative to the training set. The lecture's three methods, each with its caveat:
#
# * **PCA** keeps the directions of largest variance: linear, exact, fast, and blind to a
#   non-linear dependence;
# * **t-SNE** keeps who is next to whom: clusters become visible, but distances between clusters
#   and cluster sizes mean little, and the picture depends on the perplexity;
# * **LDA** uses labels: the directions that best separate known classes.
#
# **Learning objectives.** After this tutorial you can
#
# - compute PCA from the singular value decomposition and read a scree plot;
# - read a t-SNE map for neighbourhoods, not distances, and check it against its perplexity;
# - separate known classes with LDA, and test the separation on data it was not fitted on;
# - say what each projection cannot show.

# %%
import os

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from atomlearn.datasets import load
from atomlearn.explain import project
from atomlearn.explain.projection import scree
from atomlearn.featurizers import RACs

SMALL = bool(os.environ.get("ATOMLEARN_TUTORIAL_SMALL"))
rng = np.random.default_rng(0)

# %% [markdown]
# ## PCA and a dependence it cannot see
#
# Points on a curved one-dimensional line (a spiral arm) embedded in three dimensions, with a
# little noise across it. The data have one degree of freedom.
#
# **What do you expect?** How many principal components will it take to hold 99 % of the variance?

# %%
t = rng.uniform(0, 3 * np.pi, 600)
spiral = np.c_[t * np.cos(t), t * np.sin(t), 0.3 * rng.normal(size=len(t))]
print(scree(spiral, standardize=False).round(3).to_string(index=False))
fig, axes = plt.subplots(1, 2, figsize=(8, 3.4))
pca = project(spiral, "pca", standardize=False).coordinates
axes[0].scatter(pca["dim1"], pca["dim2"], c=t, s=6, cmap="viridis")
axes[0].set_title("PCA: the spiral as it lies")
tsne = project(spiral, "tsne", perplexity=30, standardize=False).coordinates
axes[1].scatter(tsne["dim1"], tsne["dim2"], c=t, s=6, cmap="viridis")
axes[1].set_title("t-SNE: neighbours along the arm kept")
for ax in axes:
    ax.set_xticks([])
    ax.set_yticks([])
fig.tight_layout()

# %%
from sklearn.manifold import trustworthiness

explained = scree(spiral, standardize=False)["cumulative"].to_numpy()
kept = {
    name: trustworthiness(spiral, coordinates[["dim1", "dim2"]].to_numpy(), n_neighbors=10)
    for name, coordinates in (("PCA", pca), ("t-SNE", tsne))
}
print(f"trustworthiness (1: every map neighbour is a true neighbour): PCA {kept['PCA']:.3f}, t-SNE {kept['t-SNE']:.3f}")

# %% tags=["check"]
assert explained[0] < 0.9 and explained[1] > 0.99

# %% [markdown]
# The colour is the position along the arm. One degree of freedom, yet PCA needs two components:
# the arm is curved, and a linear projection cannot unroll it into a line. PCA shows the spiral as
# it lies, a curve that folds back on itself; t-SNE keeps points that are neighbours along the arm
# together. The trustworthiness counts how many of each point's map neighbours are true
# neighbours: here both maps keep neighbourhoods well, because the spiral's turns lie far apart.
#
# ## A map of CoRE MOF
#
# RACs of CoRE MOF frameworks, projected by PCA and by t-SNE, coloured by the void fraction (a
# property the RACs do not contain).

# %%
mofs = load("coremof2019").sample(150 if SMALL else 1500, random_state=0)
racs = RACs()
X = racs.fit_transform(mofs.structures)
ok = np.isfinite(X).all(axis=1)
X, ids = X[ok], [i for i, keep in zip(mofs.ids, ok) if keep]
void = mofs.labels["void_fraction"].to_numpy()[ok]
print(f"{ok.sum()} of {len(ok)} MOFs featurized ({(~ok).sum()} refused, listed in racs.errors_table())")

pca_mof = project(X, "pca", ids=ids)
print("PCA: the first two components explain", " + ".join(f"{r:.1%}" for r in pca_mof.explained_variance_ratio))
fig, axes = plt.subplots(1, 2, figsize=(9, 3.8))
for ax, projection, title in (
    (axes[0], pca_mof, "PCA"),
    (axes[1], project(X, "tsne", ids=ids, perplexity=30), "t-SNE, perplexity 30"),
):
    points = ax.scatter(projection.coordinates["dim1"], projection.coordinates["dim2"], c=void, s=6, cmap="viridis")
    ax.set_title(title)
    ax.set_xticks([])
    ax.set_yticks([])
_ = fig.colorbar(points, ax=axes, label="void fraction")

# %% [markdown]
# ## t-SNE depends on its perplexity
#
# The perplexity is roughly the number of neighbours each point tries to keep. The same data:

# %%
perplexities = (5, 30, 100) if not SMALL else (5, 15, 40)
fig, axes = plt.subplots(1, 3, figsize=(11, 3.4))
for ax, perplexity in zip(axes, perplexities):
    coordinates = project(X, "tsne", perplexity=perplexity).coordinates
    ax.scatter(coordinates["dim1"], coordinates["dim2"], c=void, s=5, cmap="viridis")
    ax.set_title(f"perplexity {perplexity}")
    ax.set_xticks([])
    ax.set_yticks([])
fig.tight_layout()

# %% [markdown]
# Small perplexities break the data into many small islands; large ones merge them. Neither is
# "the" structure of the data: read a t-SNE map for who is near whom, compare several
# perplexities, and never read the distances between islands.
#
# ## LDA: directions that separate classes
#
# Linear discriminant analysis finds the projection in which known classes are best separated.
# Classes here: MOFs with and without an open metal site (from the CoRE MOF table), for the first
# 130 MOFs of the map: a study that labels its MOFs by hand rarely has more.

# %%
N_LABELLED = 130
X_lda = X[:N_LABELLED]
open_metal = mofs.labels["has_open_metal_site"].astype(str).to_numpy()[ok][:N_LABELLED]
lda = project(X_lda, "lda", y=open_metal, n_components=1)
fig, ax = plt.subplots(figsize=(6, 3))
for label in np.unique(open_metal):
    ax.hist(lda.coordinates["dim1"][open_metal == label], bins=40, alpha=0.6, label=f"open metal site: {label}")
ax.set_xlabel("LDA direction")
ax.legend()
fig.tight_layout()
print(f"{X_lda.shape[1]} RAC columns, {N_LABELLED} MOFs")

# %% [markdown]
# The two classes lie apart. Too good to be true? LDA chose its direction with these very labels,
# and with about as many columns as MOFs some direction separates *any* labelling. Fit LDA on half
# of the MOFs and project the other half.
#
# **What do you expect?** Will the MOFs LDA did not see separate as well?

# %%
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
from sklearn.metrics import balanced_accuracy_score
from sklearn.preprocessing import StandardScaler

half = rng.permutation(N_LABELLED) < N_LABELLED // 2
scaler = StandardScaler().fit(X_lda[half])
classifier = LinearDiscriminantAnalysis().fit(scaler.transform(X_lda[half]), open_metal[half])
fig, axes = plt.subplots(1, 2, figsize=(10, 3), sharex=True)
for ax, rows, title in ((axes[0], half, "the half LDA was fitted on"), (axes[1], ~half, "the other half")):
    direction = classifier.transform(scaler.transform(X_lda[rows]))[:, 0]
    for label in np.unique(open_metal):
        ax.hist(direction[open_metal[rows] == label], bins=25, alpha=0.6, label=f"open metal site: {label}")
    ax.set_title(title)
    ax.set_xlabel("LDA direction")
axes[0].legend(fontsize=8)
fig.tight_layout()
accuracy = {
    name: balanced_accuracy_score(open_metal[rows], classifier.predict(scaler.transform(X_lda[rows])))
    for name, rows in (("fitted", half), ("held out", ~half))
}
print(
    f"balanced accuracy: {accuracy['fitted']:.2f} on the MOFs it was fitted on, {accuracy['held out']:.2f} on the others"
)

# %% tags=["check"]
assert accuracy["fitted"] > 0.9 and accuracy["held out"] < accuracy["fitted"] - 0.15

# %% [markdown]
# On the held-out half the classes overlap: the RACs carry some, not all, of what makes a metal
# site open, and the in-sample picture was overfitting. A supervised projection must be judged on
# data it did not see, like any model. From the command line, `atomlearn explain RUN --map tsne`
# adds a map to a run's report, test structures ringed and ids on hover.
#
# ## Exercises
#
# 1. PCA on *unstandardised* RACs: which features dominate the first component, and why?
# 2. How stable is a t-SNE map? Run it with three random seeds and compare.
# 3. Give LDA labels that mean nothing (the open-metal-site labels, shuffled) and fit it on half
#    the MOFs. How well does it separate them in-sample, and on the other half?
# 4. Write PCA yourself: complete `my_explained_variance` so that it centres the data, takes the
#    singular value decomposition (`np.linalg.svd`) and returns the fraction of the variance each
#    component explains. Compare with `scree` on the spiral.


# %%
def my_explained_variance(data):
    """Fraction of the total variance along each principal axis, largest first."""
    # your code: centre, SVD, squared singular values
    raise NotImplementedError("Exercise 4")


# %% tags=["solution"]
# Exercise 1: without standardisation the columns with the largest numbers and spreads own the
# variance: products of two atoms' properties in large units (polarizabilities, bohr³ each).
from sklearn.decomposition import PCA

raw = PCA(n_components=1).fit(X)
loadings = pd.Series(np.abs(raw.components_[0]), index=racs.get_feature_names_out()).sort_values(ascending=False)
print(f"explained by one component: {raw.explained_variance_ratio_[0]:.1%}")
loadings.head(5).round(3)

# %% tags=["check"]
assert "alpha" in loadings.index[0] and raw.explained_variance_ratio_[0] > 0.5

# %% tags=["solution"]
# Exercise 2: islands persist, their positions and orientations do not.
fig, axes = plt.subplots(1, 3, figsize=(11, 3.4))
for ax, seed in zip(axes, (0, 1, 2)):
    coordinates = project(X, "tsne", perplexity=30, random_state=seed).coordinates
    ax.scatter(coordinates["dim1"], coordinates["dim2"], c=void, s=5, cmap="viridis")
    ax.set_title(f"seed {seed}")
    ax.set_xticks([])
    ax.set_yticks([])
fig.tight_layout()

# %% tags=["solution"]
# Exercise 3: with about as many columns as MOFs, LDA separates meaningless labels in-sample too; on the
# other half they are a coin toss.
meaningless = rng.permutation(open_metal)
noise_lda = LinearDiscriminantAnalysis().fit(scaler.transform(X_lda[half]), meaningless[half])
in_sample = balanced_accuracy_score(meaningless[half], noise_lda.predict(scaler.transform(X_lda[half])))
held_out = balanced_accuracy_score(meaningless[~half], noise_lda.predict(scaler.transform(X_lda[~half])))
print(f"shuffled labels: balanced accuracy {in_sample:.2f} in-sample, {held_out:.2f} on the other half")

# %% tags=["check"]
assert in_sample > 0.85 and held_out < 0.7


# %% tags=["solution"]
# Exercise 4: PCA is the SVD of the centred data; the variance along axis k is s_k² / (n − 1).
def my_explained_variance(data):
    """Fraction of the total variance along each principal axis, largest first."""
    singular = np.linalg.svd(data - data.mean(axis=0), compute_uv=False)
    return singular**2 / (singular**2).sum()


mine = my_explained_variance(spiral)
print(
    "mine:",
    np.round(mine, 4),
    "| scree:",
    scree(spiral, standardize=False)["explained_variance_ratio"].round(4).tolist(),
)

# %% tags=["check"]
assert np.allclose(mine, scree(spiral, standardize=False)["explained_variance_ratio"], atol=1e-10)
