# %% [markdown]
# # 8. Feature selection
#
# More features are not always better. In many dimensions, data become sparse: everything is far
# from everything, and a model that learns from neighbours has no neighbours to learn from. This
# tutorial measures that *curse of dimensionality*, then selects features three ways, as in the
# lecture: **filters** (judge each feature alone, before any model), **wrappers** (judge subsets
# by the model's cross-validated error) and **embedded** methods (LASSO, whose penalty zeroes
# coefficients). Finally SISSO builds *new* features, formulas of the primary ones, and keeps the
# few that explain the target: on a planted formula it must find it.
#
# **Learning objectives.** After this tutorial you can
#
# - measure the curse of dimensionality and say why it hurts models that learn from neighbours;
# - select features with a filter, a wrapper and an embedded method, each inside cross-validation;
# - read a LASSO path as a ranking of features;
# - find a formula with SISSO, and write greedy forward selection yourself.

# %%
import os
import warnings

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.linear_model import RidgeCV
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from atomlearn.datasets import load
from atomlearn.explain import SISSORegressor, lasso_path_frame, make_selector
from atomlearn.explain.selection import selected_features
from atomlearn.featurizers import CompositionStats
from atomlearn.splits import train_test_split

SMALL = bool(os.environ.get("ATOMLEARN_TUTORIAL_SMALL"))
warnings.filterwarnings("ignore", message="Objective did not converge")  # LASSO's inner solver on correlated columns

# %% [markdown]
# ## The curse of dimensionality
#
# To hold a fraction f of data spread uniformly in a d-dimensional unit cube, a sub-cube needs an
# edge f<sup>1/d</sup>: for 10 % of the data in 10 dimensions that is 0.79 of each axis, hardly
# "local". Measured another way: the distance from a point to its nearest neighbour among 1,000
# random points, relative to the typical distance between two points.
#
# **What do you expect?** In 500 dimensions, how far is a point's nearest neighbour, as a fraction
# of the typical distance between two points?

# %%
rng = np.random.default_rng(0)
rows = []
for d in (1, 2, 5, 10, 50, 100, 500):
    points = rng.random((1000, d))
    distances = np.sqrt(((points[:100, None, :] - points[None, :, :]) ** 2).sum(-1))
    np.fill_diagonal(distances[:, :100], np.inf)
    rows.append(
        {
            "dimensions": d,
            "edge for 10 % of the data": 0.1 ** (1 / d),
            "nearest / median distance": np.median(
                distances.min(axis=1) / np.median(distances[np.isfinite(distances)])
            ),
        }
    )
curse = pd.DataFrame(rows)
fig, ax = plt.subplots(figsize=(5.5, 3.2))
ax.semilogx(curse["dimensions"], curse["nearest / median distance"], "o-", label="nearest / median distance")
ax.semilogx(curse["dimensions"], curse["edge for 10 % of the data"], "s-", label="edge of a cube holding 10 %")
ax.set_xlabel("dimensions")
ax.set_ylim(0, 1.05)
ax.legend()
fig.tight_layout()
curse.round(3)

# %% tags=["check"]
assert curse["nearest / median distance"].iloc[-1] > 0.85 and curse["nearest / median distance"].iloc[0] < 0.01

# %% [markdown]
# In 500 dimensions the nearest neighbour is almost as far as a typical point: "near" has lost
# its meaning.
#
# ## Selecting among real descriptors
#
# The HOMO–LUMO gap of QM9 molecules from composition statistics (70 columns: means, spreads,
# extremes of ten element properties). Every selector runs *inside* a pipeline, so in
# cross-validation it is refitted on each training fold and never sees the validation fold.

# %%
qm9 = load("qm9").sample(300 if SMALL else 3000, random_state=0)
stats = CompositionStats()
X = stats.fit_transform(qm9.structures)
names = list(stats.get_feature_names_out())
y = qm9.labels["gap_eV"].to_numpy()
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=0)
ridge = make_pipeline(StandardScaler(), RidgeCV(alphas=np.logspace(-6, 3, 19)))

results = {}
for name in ("variance", "correlation", "lasso", "rfe", "forward"):
    pipeline = make_pipeline(make_selector(name, cv=3), ridge)
    cv_mae = -cross_val_score(pipeline, X_train, y_train, cv=3, scoring="neg_mean_absolute_error").mean()
    kept = selected_features(pipeline.fit(X_train, y_train)[0], names)
    results[name] = {
        "kind": {"variance": "filter", "correlation": "filter", "lasso": "embedded"}.get(name, "wrapper"),
        "features kept": len(kept),
        "CV MAE (eV)": cv_mae,
        "test MAE (eV)": np.abs(pipeline.predict(X_test) - y_test).mean(),
    }
results["all features"] = {
    "kind": "-",
    "features kept": X.shape[1],
    "CV MAE (eV)": -cross_val_score(ridge, X_train, y_train, cv=3, scoring="neg_mean_absolute_error").mean(),
    "test MAE (eV)": np.abs(ridge.fit(X_train, y_train).predict(X_test) - y_test).mean(),
}
selection = pd.DataFrame(results).T.infer_objects()
selection.round(3)

# %% tags=["check"]
assert selection.loc["lasso", "features kept"] <= 15 and selection.loc["forward", "features kept"] <= 15
assert selection["test MAE (eV)"].max() < 1.2 * selection["test MAE (eV)"].min()

# %% [markdown]
# The filters drop constant and duplicated columns; the wrappers and LASSO keep the handful a
# linear model needs, at a similar error (every test MAE within 20 % of the others): most of the 70
# statistics carry the same information.
#
# ## The LASSO path
#
# As the penalty λ falls, features enter the model one by one; the order in which they enter is
# a ranking.

# %%
path = lasso_path_frame(X_train, y_train, feature_names=names)
entered = path.drop(columns=["alpha", "n_nonzero"]).ne(0).idxmax()
first = [name for name in entered.sort_values().index if path[name].ne(0).any()][:6]
fig, ax = plt.subplots(figsize=(6.5, 3.6))
for name in first:
    ax.semilogx(path["alpha"], path[name], label=name)
ax.invert_xaxis()
ax.set_xlabel("λ (decreasing →)")
ax.set_ylabel("coefficient (standardised)")
ax.legend(fontsize=7)
fig.tight_layout()
print("the first features to enter:", first)

# %% [markdown]
# ## SISSO: finding a formula
#
# SISSO (sure independence screening and sparsifying operator) builds every formula of the
# primary features up to a complexity (sums, products, ratios, powers, logarithms, ...), screens
# them by correlation with the target, and picks the best combination of a few of them by
# exhaustive search. Plant a formula, y = 3 a / b² + 0.5 c, hide it among six primary features,
# and see whether SISSO finds it.
#
# **What do you expect?** Among the thousands of formulas of complexity 2, will the two planted
# terms come out on top, with their coefficients?

# %%
n = 100 if SMALL else 300
primaries = pd.DataFrame(rng.uniform(1, 3, size=(n, 6)), columns=["a", "b", "c", "d", "e", "f"])
planted = 3 * primaries["a"] / primaries["b"] ** 2 + 0.5 * primaries["c"] + rng.normal(0, 0.01, n)
sisso = SISSORegressor(complexity=2, n_terms=2).fit(primaries, planted)
sisso.models_frame()

# %% tags=["check"]
two_terms = sisso.models_frame().iloc[1]
assert sorted(two_terms["formulas"]) == ["a / (b)^2", "c"]
assert np.allclose(sorted(two_terms["coef"]), [0.5, 3.0], rtol=0.05)

# %% [markdown]
# With units, SISSO only builds formulas whose terms have the same unit (`units=["Å", "Å", "eV"]`),
# which rules out most nonsense and speeds it up. `atomlearn explain RUN --select sisso` runs it
# on the most correlated features of a run.
#
# ## Exercises
#
# 1. Repeat the nearest-neighbour measurement with 10,000 points instead of 1,000 in 50
#    dimensions. Does more data rescue "nearness"?
# 2. Select features with LASSO on *all* the data, then cross-validate ridge on the kept
#    features. Compare the CV error with the honest pipeline above. When is such a leak large?
# 3. Run SISSO on the composition statistics of QM9 for the gap (the 8 columns most correlated
#    with it as primaries). Is its 2-term formula better than ridge on all 70 features?
# 4. Write greedy forward selection yourself: complete `forward_select` so that it starts with no
#    feature and, `k` times, adds the one column whose addition gives `ridge` the lowest 3-fold CV
#    MAE on the training set. Compare with scikit-learn's `SequentialFeatureSelector`.

# %%
from sklearn.model_selection import KFold


def forward_select(X, y, k=3):
    """Indices of the ``k`` columns chosen one at a time by the CV MAE of ``ridge``."""
    folds = KFold(3)
    chosen = []
    # your code: for each step, score every column not yet chosen together with `chosen`; keep the best
    raise NotImplementedError("Exercise 4")


# %% tags=["solution"]
# Exercise 1: more points help only slowly: the ratio creeps down as n^(-1/d).
ratios = {}
for n_points in (1000, 10000):
    points = rng.random((n_points, 50))
    d_nn = np.sqrt(((points[:50, None, :] - points[None, :, :]) ** 2).sum(-1))
    d_nn[np.arange(50), np.arange(50)] = np.inf
    typical = np.median(d_nn[np.isfinite(d_nn)])
    ratios[n_points] = np.median(d_nn.min(axis=1)) / typical
    print(f"{n_points:6d} points in 50 dimensions: nearest / median distance {ratios[n_points]:.3f}")

# %% tags=["check"]
assert 0.8 * ratios[1000] < ratios[10000] < ratios[1000]

# %% tags=["solution"]
# Exercise 2: on the gap the two agree within noise, because a few strong features dominate. The
# leak shows where it hurts most: many weak candidates, few samples. Pure noise makes it plain:
# 1,000 random features, a random target, the 10 features most correlated with it kept.
from sklearn.feature_selection import SelectKBest, f_regression
from sklearn.linear_model import LinearRegression

noise_X, noise_y = rng.normal(size=(60, 1000)), rng.normal(size=60)
kept_on_all = SelectKBest(f_regression, k=10).fit(noise_X, noise_y).get_support()
leaky_r2 = cross_val_score(LinearRegression(), noise_X[:, kept_on_all], noise_y, cv=5).mean()
honest_r2 = cross_val_score(
    make_pipeline(SelectKBest(f_regression, k=10), LinearRegression()), noise_X, noise_y, cv=5
).mean()
print(f"random target: CV R² {leaky_r2:.2f} with features chosen on all data, {honest_r2:.2f} chosen inside each fold")
leaky_kept = [names.index(n) for n in selected_features(make_selector("lasso", cv=3).fit(X, y), names)]
leaky = -cross_val_score(ridge, X_train[:, leaky_kept], y_train, cv=3, scoring="neg_mean_absolute_error").mean()
print(
    f"the gap: CV MAE {leaky:.4f} eV (LASSO on all data) vs {results['lasso']['CV MAE (eV)']:.4f} eV (inside each fold)"
)

# %% tags=["check"]
assert leaky_r2 > honest_r2 + 0.2

# %% tags=["solution"]
# Exercise 3: a short formula is readable; its error tells what the readability costs.
correlation = np.nan_to_num(
    [abs(np.corrcoef(X_train[:, j], y_train)[0, 1]) if X_train[:, j].std() > 0 else 0 for j in range(X.shape[1])]
)
best = np.argsort(correlation)[-8:]
real = SISSORegressor(complexity=2, n_terms=2, feature_names=[names[j] for j in best]).fit(X_train[:, best], y_train)
print(real.formula_)
print(
    f"SISSO test MAE {np.abs(real.predict(X_test[:, best]) - y_test).mean():.3f} eV; "
    f"ridge on all 70: {results['all features']['test MAE (eV)']:.3f} eV"
)


# %% tags=["solution"]
# Exercise 4: k rounds, each trying every remaining column: k·p cross-validations (a wrapper's cost).
def forward_select(X, y, k=3):
    """Indices of the ``k`` columns chosen one at a time by the CV MAE of ``ridge``."""
    folds = KFold(3)
    chosen = []
    for _ in range(k):
        scores = {
            j: -cross_val_score(ridge, X[:, chosen + [j]], y, cv=folds, scoring="neg_mean_absolute_error").mean()
            for j in range(X.shape[1])
            if j not in chosen
        }
        chosen.append(min(scores, key=scores.get))
    return chosen


from sklearn.feature_selection import SequentialFeatureSelector

mine = forward_select(X_train, y_train)
theirs = SequentialFeatureSelector(ridge, n_features_to_select=3, cv=KFold(3), scoring="neg_mean_absolute_error")
theirs = list(np.flatnonzero(theirs.fit(X_train, y_train).get_support()))
print("mine, in the order chosen:", [names[j] for j in mine])
print("SequentialFeatureSelector:", [names[j] for j in theirs])

# %% tags=["check"]
assert sorted(mine) == sorted(theirs)
