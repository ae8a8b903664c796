# %% [markdown]
# # 12. The carbon-capture screen, end to end
#
# The lecture opened with a question: is this metal-organic framework good for carbon capture?
# No package ships the answer for 12,020 CoRE MOFs, and simulating all of them takes days: grand-
# canonical Monte Carlo (GCMC) of flue gas (15 % CO₂, 85 % N₂, 1 bar, 298 K) costs about ten
# seconds per MOF, and the best 1 % are rare. The screen is therefore a *funnel*, each stage
# cheaper per MOF than the next and spent on fewer MOFs:
#
# 1. **simulate a random sample**: framework charges (EQeq) and GCMC give CO₂ uptake and CO₂/N₂
#    selectivity. Half of the sample trains, half is the **test set**, put aside before anything is
#    learnt; all of it is the random baseline the screen must beat;
# 2. **cheap descriptors for all**: an uncharged CH₄ grid and the pore geometry (milliseconds per
#    MOF); a Gaussian process learns the sample's uptakes from them and **shortlists** the MOFs
#    whose uptake could be highest (mean + 3 sd: good *or* not yet understood);
# 3. **charged descriptors for the shortlist**: EQeq charges and a CO₂ grid with the Coulomb term
#    (Henry coefficient, heat of adsorption), beside the CH₄ grid; an **active screen** spends a few
#    GCMC rounds where a GP on these descriptors expects the best (Thompson sampling);
# 4. **learn and confirm**: the surrogate (a GP with one length scale per descriptor) is trained on
#    every label but the test set, scored on the test set, and its predicted best that were never
#    simulated are simulated now.
#
# `atomlearn demo co2` (what `make demo` runs) is this workflow; here it runs from Python, and we
# read its results.
#
# **Learning objectives.** After this tutorial you can
#
# - compute the labels a screen needs (charges, GCMC) and say what each stage of a funnel costs;
# - score a surrogate on a random test set put aside first, against a fair dummy;
# - judge a screen by the MOFs it confirms, against a random sample of the same cost;
# - run an active screen and read its hits against random selection and its calibration.

# %%
import os
import warnings

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from atomlearn.workflows import screen_coremof_co2

SMALL = bool(os.environ.get("ATOMLEARN_TUTORIAL_SMALL"))
settings = (
    dict(
        n_simulate=16,
        n_screen=80,
        n_shortlist=12,
        rounds=1,
        batch=3,
        n_confirm=2,
        n_henry=2,
        cycles=40,
        init_cycles=10,
        grid_spacing_A=0.3,
        allow_coarse_grid=True,
    )
    if SMALL
    else {}
)  # {}: the `make demo` settings, all 12,020 screened
folder = "co2-screen"  # in the working folder; a rerun reuses its charges, simulations and screen
with warnings.catch_warnings(record=True) as caught:  # shown below, one line each
    warnings.simplefilter("always")
    result = screen_coremof_co2(folder, n_jobs=2, progress=False, **settings)
for message in dict.fromkeys(str(w.message) for w in caught if w.category is UserWarning):
    print(f"warning: {message}")
result  # in a notebook a result shows itself as a table; print(result) gives the same lines in a terminal

# %% [markdown]
# Every MOF is accounted for, from the 12,020 of the database to the few simulated:

# %%
counts = result.summary["counts"]
pd.Series(counts)

# %% [markdown]
# ## 1. Simulate a random sample
#
# Each sampled MOF: its charges, then GCMC until both loadings reach 5 % relative error (or the
# cycle limit). A framework whose pores are closed to CO₂ adsorbs nothing; the GPs learn it as the
# lowest uptake seen, so that they stay away from its neighbours.

# %%
sample = result.sample
print(f"{len(sample)} MOFs simulated, {np.mean(sample['gcmc_time_s']):.1f} s of GCMC each on average")
sample[["id", "role", "co2_uptake_mol_kg", "co2_n2_selectivity", "gcmc_time_s"]].sort_values(
    "co2_uptake_mol_kg", ascending=False
).head(8).round(3)

# %% [markdown]
# ## 2. and 3. The funnel
#
# `screened` has one row per MOF: its stage, the cheap GP's prediction for all, the surrogate's for
# the shortlist. What do you expect: where do the MOFs the active screen chose lie in the random
# sample's distribution of uptake?

# %%
screened = result.screened
print(screened["stage"].value_counts().to_string())
picked = result.screen.labels[result.screen.labels["round"] > 0]
random_uptake = sample["co2_uptake_mol_kg"].dropna()
fig, ax = plt.subplots(figsize=(6, 3.5))
bins = np.linspace(-3, 1.2, 30)
ax.hist(np.log10(random_uptake.clip(lower=1e-3)), bins=bins, alpha=0.6, label="random sample")
ax.hist(np.log10(picked["uptake_mol_kg"].dropna().clip(lower=1e-3)), bins=bins, alpha=0.6, label="active screen")
ax.set_xlabel("log₁₀ CO₂ uptake (mol/kg)")
ax.set_ylabel("MOFs")
ax.legend()
plt.show()
assert len(screened) == counts["screened_requested"]  # every MOF is accounted for
assert set(picked["id"]).isdisjoint(sample["id"][sample["role"] == "test"])  # the test half stays unseen

# %% [markdown]
# ## 4. Learn and confirm
#
# The surrogates (log₁₀ uptake and log₁₀ selectivity) are scored once on the random test half.
# The dummy predicts the mean of the random training half: the active screen's labels lean to the
# top, so the mean of all training labels would be a weaker baseline than a fair one.

# %%
pd.DataFrame(
    {
        target: {
            "test MAE (log10)": s["mae"],
            "R²": s["r2"],
            "dummy MAE (random train mean)": s["dummy_random_mae"],
            "MAE / dummy": s["mae_to_dummy"],
            "training / test MOFs": f"{s['n_train']} / {s['n_test']}",
        }
        for target, s in result.summary["test"].items()
    }
).T

# %% [markdown]
# The predicted best frameworks that were never simulated, simulated now: the honest test of a
# screen is the predictions it acts on. Uptakes and selectivities in log₁₀; the percentile is the
# confirmed uptake's rank in the random sample.

# %%
confirmed = result.confirmed
confirmed[
    [
        "id",
        "predicted_uptake",
        "simulated_uptake",
        "uptake_error",
        "co2_uptake_mol_kg",
        "simulated_selectivity",
        "uptake_percentile_in_sample",
    ]
].round(3)

# %%
confirm = result.summary["confirm"]
saving = result.summary["saving"]


def number(value, digits=2):
    return "n/a" if value is None else f"{value:.{digits}f}"


print(
    f"confirmed: {confirm['above_sample_p90']} of {confirm['n']} above the random sample's 90th percentile "
    f"({number(confirm['sample_p90_uptake'])} mol/kg); best confirmed {number(confirm['best_confirmed_uptake'])} "
    f"mol/kg, best of the random sample {number(confirm['best_in_sample_uptake'])} mol/kg"
)
print(
    f"GCMC of all {saving['n_screened']} screened MOFs would take {saving['simulate_all_s'] / 60:,.0f} min on these "
    f"workers; the cheap end of the funnel took {saving['surrogate_s']:.0f} s"
)

# %% [markdown]
# This page was built in small mode: 80 MOFs screened, 16 simulated (8 of them the test set), one
# active round of 3, 2 confirmed. That is too few labels for a surrogate to learn from, and the
# tables above say so: with 4 to 8 test MOFs its test scores carry wide intervals, and its
# confirmed picks need not beat a random sample. With the `make demo` settings (60 random MOFs, a
# shortlist of 500 of the 10,579 readable CoRE MOFs, 2 rounds of 8, 8 confirmed;
# `docs/guide/screening.md` has the numbers) the uptake surrogate reaches test R² 0.70 at 0.46x the
# dummy's error, and 7 of the 8 confirmed frameworks lie above the random sample's 90th percentile.
# The best confirmed (5.94 mol/kg) comes within 5 % of the random sample's best (6.23 mol/kg, a MOF
# in the top 0.2 % of the database that the random sample happened to hold: a narrow pore whose
# uptake comes from its charges, which the uncharged cheap stage ranks 5,491st, so no affordable
# shortlist reaches it).
# Three things made the difference against the first version of this screen, which labelled 75
# random MOFs and described them by their chemistry and pores only (its surrogate did no better
# than the mean): descriptors that carry the CO₂–framework interaction with charges, labels spent
# where the model expects the best rather than at random, and a cheap model that keeps ranking
# the MOFs far from its 30 labels by a linear trend instead of calling them all average.
#
# The report (`report.html` in the folder, or `atomlearn report`) shows all of this with the
# surrogates' parity plots, importance and maps, and `screen/report.html` the active rounds.
#
# ## 5. Spend the labels where the best are: active learning
#
# A surrogate trained once on a random sample spends most labels on ordinary MOFs. An *active*
# screen labels a small random seed batch, fits a Gaussian process, and lets an acquisition
# function pick the next batch from the GP's predictive distribution: here the upper confidence
# bound (mean + 2 sd), which favours MOFs predicted to be good *or* not yet understood. We run it
# retrospectively on the bundled label set (`coremof2019-co2`: 600 CoRE MOFs whose flue-gas GCMC
# labels atomlearn computed once), with the charge-aware CO₂ descriptors, against random picks of
# the same budget. `atomlearn screen` is the same on the command line, with GCMC as the labeller.

# %%
from atomlearn.datasets import load
from atomlearn.featurizers import make_featurizer
from atomlearn.workflows import active_screen, parse_label_spec

pool = load("coremof2019-co2").sample(20 if SMALL else 300, random_state=0)
known = parse_label_spec("table:coremof2019-co2:log10_co2_uptake_mol_kg")
features = [make_featurizer("henry_grid", guest="CO2", n_jobs=2, cache=True)]
budget, batch = (10, 3) if SMALL else (60, 10)
curves, screens = {}, {}
for acquisition in ("ucb", "random"):
    screen = active_screen(
        pool,
        known,
        features,
        os.path.join(folder, f"active-{acquisition}"),
        budget=budget,
        batch=batch,
        acquisition=acquisition,
        top_fraction=0.05,
        progress=False,
    )
    screens[acquisition], curves[acquisition] = screen, screen.rounds.set_index("n_labelled")
rounds = curves["ucb"][["hits", "random_expected_hits", "best_uptake", "coverage_95"]]
shown = rounds.assign(random_hits=curves["random"]["hits"]).round(3)
shown["coverage_95"] = [f"{v:.2f}" if np.isfinite(v) else "—" for v in shown["coverage_95"]]  # none for the seed
shown

# %% tags=["check"]
assert rounds["hits"].iloc[-1] >= curves["random"]["hits"].iloc[-1]

# %%
fig, ax = plt.subplots(figsize=(5, 3.5))
ax.plot(rounds.index, rounds["hits"], "o-", label="active (ucb)")
ax.plot(rounds.index, curves["random"]["hits"], "s-", label="random picks")
ax.plot(rounds.index, rounds["random_expected_hits"], "k--", label="random, expected")
ax.set_xlabel("labels spent")
ax.set_ylabel("MOFs of the true top 5 % found")
ax.legend()
plt.show()

# %% [markdown]
# With every label known we can count: the active screen finds most of the pool's true top 5 %
# after a fraction of the budget a random pick needs, because each round's GP tells it where the
# high-uptake MOFs are. `coverage_95` checks the GP's honesty on each new batch: the share of
# its labels inside the 95 % interval predicted before they were labelled (none for the random seed
# batch, which no GP predicted). It falls short of 95 %
# (0.5–0.9 with the full settings): a GP fitted to a few dozen labels is overconfident, and only
# grows honest with more (about 92 % at 100 random labels). Read its predictions of unlabelled
# MOFs as rough, and confirm the best by simulation. In small mode the pool holds 20 MOFs and its
# top 5 % is one MOF, so both strategies may find it; the difference shows at scale. On the full
# label set (`benchmarks/bench_screen.py`, the 509 labelled MOFs with descriptors, 100 labels,
# 5 seeds) the active screens find all 6 MOFs of the top 1 % in every seed, against 1.18 expected
# from random picks (0.8 found).
#
# ## Exercises
#
# 1. How many confirmed MOFs would a random pick of the same size have found above the sample's
#    90th percentile of uptake? Compare with the screen.
# 2. Which features does the uptake surrogate rely on most? (The run is `result.uptake_run`; its
#    folder holds `importance.csv`.)
# 3. How far are the Widom (Henry-regime) predictions from the GCMC uptakes at 1 bar
#    (`result.henry`)? Why do they differ?
# 4. Count the hits of the active screen yourself: complete `hits_per_round` so that it finds the
#    pool's true top 5 % (the `ceil(0.05 n)` highest labelled uptakes, `pool.labels`) and counts,
#    after each round, how many of them the screen has labelled (`screen.labels`: one row per label,
#    with its `round`). Compare with the `hits` column of `screen.rounds`.

# %%
import math


def hits_per_round(screen, pool, column="log10_co2_uptake_mol_kg", top_fraction=0.05):
    """Hits of the pool's true top after each round of ``screen``, as a list."""
    labelled = pool.labels[column].dropna()
    # your code: the top ids, then for each round the labelled ids so far that are among them
    raise NotImplementedError("Exercise 4")


# %% tags=["solution"]
# Exercise 1: a random pick lands above the sample's 90th percentile with probability 0.1.
print(
    f"screen: {confirm['above_sample_p90']} of {confirm['n']} confirmed above the sample's 90th percentile; "
    f"a random pick: {0.1 * confirm['n']:.1f} expected"
)

# %% tags=["solution"]
# Exercise 2: permutation importance on the test set, written by the workflow's explain step.
importance = os.path.join(folder, "importance.csv")
(
    pd.read_csv(importance)[["feature", "importance_mean", "importance_std"]].head(8).round(4)
    if os.path.exists(importance)
    else "no importance.csv in this run"
)

# %% tags=["solution"]
# Exercise 3: Widom gives the Henry coefficient (zero loading); at 1 bar the strongest sites fill
# up and the molecules interact, so K_H × p overestimates the uptake of strongly binding MOFs. A MOF
# that takes up nothing has no ratio.
henry = result.henry.copy()
for column in henry.columns:
    if column.startswith("henry_") and column.endswith("_mol_kg_Pa"):
        henry[column] = [f"{v:.2e}" for v in henry[column]]  # K_H: mol/(kg·Pa), many orders of magnitude
    elif column.endswith("ratio"):
        henry[column] = [f"{v:.2f}" if np.isfinite(v) else "no uptake" for v in henry[column]]
henry.round(4).astype(object).where(henry.notna(), "no uptake")  # a selectivity needs some uptake too


# %% tags=["solution"]
# Exercise 4: the truth is known here (a retrospective screen), so hits are a count; random picks of n
# labels find n × top / pool on average.
def hits_per_round(screen, pool, column="log10_co2_uptake_mol_kg", top_fraction=0.05):
    """Hits of the pool's true top after each round of ``screen``, as a list."""
    labelled = pool.labels[column].dropna()
    n_top = max(1, math.ceil(top_fraction * len(labelled)))
    top = set(labelled.sort_values(ascending=False).index[:n_top])  # the labels are indexed by id
    labels = screen.labels
    return [int(labels.loc[labels["round"] <= r, "id"].isin(top).sum()) for r in sorted(labels["round"].unique())]


mine = hits_per_round(screens["ucb"], pool)
print(f"mine: {mine}; screen.rounds: {screens['ucb'].rounds['hits'].tolist()}")

# %% tags=["check"]
assert mine == screens["ucb"].rounds["hits"].tolist()
