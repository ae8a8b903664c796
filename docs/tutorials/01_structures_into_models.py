# %% [markdown]
# # 1. Feeding structures into models
#
# A model takes a vector of numbers. A molecule or a crystal is a set of atoms in space, and the
# same set can be written down in infinitely many ways: moved, rotated, with its atoms numbered
# in another order, or (for a crystal) with a bigger cell. The label does not change, so the
# vector should not either. This tutorial measures what happens when it does, and builds the
# descriptors of the lecture that respect the symmetries: Coulomb matrices, ACSF and SOAP atom
# environments, revised autocorrelation functions (RACs) on the bond graph of a MOF, and fragment
# fingerprints.
#
# Data: QM9 molecules (atomization energy U0 in kcal/mol) and CoRE MOF 2019 frameworks.
#
# **Learning objectives.** After this tutorial you can
#
# - name the symmetries a descriptor of atoms must respect (translation, rotation, permutation of
#   like atoms, and for a crystal the choice of cell) and test them with `invariance.check`;
# - measure what a missing invariance costs a model, and what data augmentation buys back;
# - tell local descriptors (ACSF, SOAP: one row per atom, pooled) from global ones (Coulomb
#   matrix, Bag of Bonds), and compute a RAC of a MOF by hand;
# - compare molecules by shared fragments (Morgan fingerprints, Tanimoto similarity).

# %%
import os

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from atomlearn.datasets import load
from atomlearn.evaluate import regression_metrics_ci
from atomlearn.featurizers import ACSF, SOAP, BagOfBonds, CartesianCoordinates, CoulombMatrix, invariance
from atomlearn.models import make_model
from atomlearn.splits import train_test_split

SMALL = bool(os.environ.get("ATOMLEARN_TUTORIAL_SMALL"))  # the test suite runs every tutorial small
N_MOLECULES = 150 if SMALL else 1000
qm9 = load("qm9").sample(N_MOLECULES, random_state=0)
molecules = qm9.structures.materialize()
y = qm9.labels["U0_atomization_kcal_mol"].to_numpy()
print(
    f"{len(molecules)} molecules, {min(map(len, molecules))}-{max(map(len, molecules))} atoms, "
    f"U0 from {y.min():.0f} to {y.max():.0f} kcal/mol"
)

# %% [markdown]
# ## Cartesian coordinates break every symmetry
#
# The most direct vector is the list of coordinates (with the atomic number of each atom, padded
# with zeros to the largest molecule). `invariance.check` applies random translations, rotations
# and permutations of the atoms and reports the largest relative change of the features:

# %%
MOLECULE_SYMMETRIES = ["translation", "rotation", "permutation"]  # the supercell check is for crystals, below


def readable_changes(table):
    """A check's table for reading: changes at machine precision (below 1e-12) shown as such."""
    shown = table[["symmetry", "declared", "max_relative_change", "status"]].copy()
    shown["max_relative_change"] = [f"{v:.3g}" if v >= 1e-12 else "< 1e-12" for v in shown["max_relative_change"]]
    return shown


check_cartesian = invariance.check(CartesianCoordinates(), molecules[:10], symmetries=MOLECULE_SYMMETRIES)
readable_changes(check_cartesian)

# %% [markdown]
# The coordinates change by order one under every operation: a model on them must learn from
# data that a rotated molecule has the same energy. The Coulomb matrix,
# M<sub>ij</sub> = Z<sub>i</sub> Z<sub>j</sub> / |r<sub>i</sub> − r<sub>j</sub>| off the diagonal and
# 0.5 Z<sub>i</sub><sup>2.4</sup> on it, depends only on distances, and its sorted eigenvalues do
# not depend on the numbering:

# %%
check_coulomb = invariance.check(CoulombMatrix(), molecules[:10], symmetries=MOLECULE_SYMMETRIES)
readable_changes(check_coulomb)

# %% tags=["check"]
assert (check_cartesian["max_relative_change"] > 0.1).all() and (check_coulomb["status"] == "ok").all()

# %% [markdown]
# ## What a missing invariance costs a model
#
# The same kernel ridge model (Gaussian kernel, width and regularisation by exact leave-one-out
# on the training set) on four descriptors, the same test set put aside first. QM9 stores every
# molecule in a standard orientation and atom order, which hides the problem; a user's molecules
# come from anywhere. So each model is scored twice: on the test molecules as stored, and on the
# same molecules randomly moved, rotated and renumbered. *Augmentation* is the other way to teach
# a symmetry: each training molecule is added again in four random orientations and numberings,
# with the same label.
#
# **What do you expect?** Before running the next cell, rank the four models by their error on the
# moved molecules. Will four augmented copies make the Cartesian model as good as an invariant
# descriptor?

# %%
train_mols, test_mols, y_train, y_test = train_test_split(molecules, y, test_size=0.25, random_state=0)
moved_test = invariance.augment(test_mols, n_copies=1, include_original=False, random_state=1)
augmented = invariance.augment(train_mols, n_copies=4, random_state=0)
QM9_MAX_ATOMS = 29  # rows padded to QM9's largest molecule, so that no test molecule is too large
candidates = {
    "Cartesian": (CartesianCoordinates(max_atoms=QM9_MAX_ATOMS), train_mols, y_train),
    "Cartesian + 4x augmentation": (CartesianCoordinates(max_atoms=QM9_MAX_ATOMS), augmented, np.repeat(y_train, 5)),
    "Coulomb matrix (eigenvalues)": (CoulombMatrix(max_atoms=QM9_MAX_ATOMS), train_mols, y_train),
    "Bag of Bonds": (BagOfBonds(), train_mols, y_train),
}


def predict(featurizer, model, structures):
    """Predictions, NaN for a molecule the featurizer cannot describe (its row is NaN, never imputed)."""
    X = featurizer.transform(structures)
    ok = np.isfinite(X).all(axis=1)
    return np.where(ok, model.predict(np.where(ok[:, None], X, 0.0)), np.nan)


stored, moved = {}, {}
for name, (featurizer, structures, targets) in candidates.items():
    model = make_model("krr").fit(featurizer.fit_transform(structures), targets)
    stored[name], moved[name] = predict(featurizer, model, test_mols), predict(featurizer, model, moved_test)
scored = np.isfinite(np.column_stack([*stored.values(), *moved.values()])).all(axis=1)  # the same molecules for all
print(f"{scored.sum()} of {len(test_mols)} test molecules described by every featurizer")


def mae(prediction):
    return regression_metrics_ci(y_test[scored], prediction[scored])["mae"]


results = pd.DataFrame(
    {
        name: {
            "MAE as stored": mae(stored[name])["value"],
            "MAE moved": mae(moved[name])["value"],
            "95% low (moved)": mae(moved[name])["low"],
            "95% high (moved)": mae(moved[name])["high"],
            "largest change of a prediction": np.nanmax(np.abs(moved[name] - stored[name])[scored]),
        }
        for name in candidates
    }
).T.round(2)
results

# %%
fig, ax = plt.subplots(figsize=(6, 2.8))
ax.barh(
    results.index,
    results["MAE moved"],
    xerr=[results["MAE moved"] - results["95% low (moved)"], results["95% high (moved)"] - results["MAE moved"]],
    color=["#c44", "#e88", "#48c", "#26a"],
    label="test molecules moved, rotated, renumbered",
)
ax.scatter(results["MAE as stored"], results.index, color="k", zorder=3, label="as stored in QM9")
ax.set_xlabel("test MAE of U0 (kcal/mol), 95% bootstrap interval")
ax.legend(loc="lower right", fontsize=8)
ax.invert_yaxis()
fig.tight_layout()

# %% tags=["check"]
cartesian, augmented_row = results.loc["Cartesian"], results.loc["Cartesian + 4x augmentation"]
assert cartesian["MAE moved"] > 5 * cartesian["MAE as stored"]
assert augmented_row["MAE moved"] < 0.2 * cartesian["MAE moved"] and augmented_row["largest change of a prediction"] > 1
invariant = results.loc[["Coulomb matrix (eigenvalues)", "Bag of Bonds"]]
assert (invariant["largest change of a prediction"] == 0).all()
assert results["MAE moved"].idxmin() == "Bag of Bonds"

# %% [markdown]
# On the molecules as QM9 stores them, the Cartesian model looks usable. Moved, rotated and
# renumbered, the same molecules get errors many times larger, and one molecule's
# prediction moves by the amount in the last column although nothing about it changed.
# Augmentation repairs much of this, at five times the training cost, but not all: the same
# molecule still gets different answers. The Coulomb matrix and Bag of Bonds give the same
# prediction however the molecule is written (a change of 0), so their error on moved molecules
# is their error, full stop.
#
# Invariance is necessary, not sufficient. The Coulomb matrix's sorted eigenvalues keep N numbers
# of the N(N+1)/2 in the matrix: they throw information away, and the augmented Cartesian model
# can come close to them or beat them (compare the two rows). Bag of Bonds keeps every pair term,
# sorted within each pair of elements: invariant *and* informative, it has the lowest error.
#
# ## Atom environments: ACSF and SOAP
#
# The lecture's local descriptors describe each atom by its neighbours within a cutoff, and a
# molecule by the sum or mean over its atoms. Atom-centred symmetry functions (ACSF, Behler) are
# radial and angular sums; SOAP expands the neighbour density in radial functions and spherical
# harmonics and keeps the rotation-invariant power spectrum. Both have one row per atom
# (`per_atom`), pooled to a row per structure:

# %%
acsf, soap = ACSF(), SOAP()
first = molecules[0]
per_atom = acsf.fit(molecules).per_atom(first)
print(
    f"{first.get_chemical_formula()} ({len(first)} atoms): ACSF per atom {per_atom.shape}, "
    f"pooled per molecule {acsf.transform([first]).shape}, SOAP per molecule {soap.fit(molecules).transform([first]).shape}"
)
pd.concat(
    {
        name: readable_changes(invariance.check(featurizer, molecules[:5], symmetries=MOLECULE_SYMMETRIES)).set_index(
            "symmetry"
        )["max_relative_change"]
        for name, featurizer in (("ACSF", ACSF()), ("SOAP", SOAP()))
    },
    axis=1,
)

# %% [markdown]
# ## RACs: a MOF as a graph, summarised
#
# A metal-organic framework has hundreds of atoms per cell. Revised autocorrelation functions
# (Janet & Kulik 2017; for MOFs Moosavi et al. 2020) summarise its bond graph. For an atomic
# property P (here the Pauling electronegativity χ), a set of start atoms s and a bond distance d:
#
# * product: P<sup>prod</sup><sub>d</sub> = (1/|s|) Σ<sub>i∈s</sub> Σ<sub>j: d<sub>ij</sub>=d</sub> P<sub>i</sub> P<sub>j</sub>
# * difference: P<sup>diff</sup><sub>d</sub> = (1/|s|) Σ<sub>i∈s</sub> Σ<sub>j: d<sub>ij</sub>=d</sub> (P<sub>i</sub> − P<sub>j</sub>)
#
# with d<sub>ij</sub> the number of bonds on the shortest path from i to j. Metal-centred RACs start at the metal
# atoms. We compute them by hand for one CoRE MOF with ASE's neighbour list (bonds where the
# distance is below the sum of the covalent radii plus 0.4 Å), SciPy's shortest paths and
# pymatgen's electronegativities, and compare with `RACs`.

# %%
from ase.data import covalent_radii
from ase.neighborlist import neighbor_list
from pymatgen.core import Element
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import shortest_path

from atomlearn.featurizers import RACs

mofs = load("coremof2019")
mof = mofs.subset(["UZUNAF_clean"]).structures.materialize()[0]
print(
    mof.get_chemical_formula(),
    len(mof),
    "atoms, cell widths",
    np.round(1 / np.linalg.norm(np.linalg.inv(mof.cell).T, axis=1), 1),
    "Å",
)

first, second = neighbor_list("ij", mof, covalent_radii[mof.numbers] + 0.2)  # d < r_i + r_j + 0.4 Å
adjacency = csr_matrix((np.ones(len(first)), (first, second)), shape=(len(mof), len(mof)))
chi = np.array([Element(symbol).X for symbol in mof.get_chemical_symbols()])
metals = np.flatnonzero([Element(symbol).is_metal for symbol in mof.get_chemical_symbols()])
hops = shortest_path(adjacency, unweighted=True, indices=metals)  # bonds from each metal atom

by_hand = {}
for d in range(4):
    at_d = hops == d
    by_hand[f"rac_mc_prod_chi_d{d}"] = np.mean([(chi[i] * chi[at_d[k]]).sum() for k, i in enumerate(metals)])
    if d > 0:
        by_hand[f"rac_mc_diff_chi_d{d}"] = np.mean([(chi[i] - chi[at_d[k]]).sum() for k, i in enumerate(metals)])

racs = RACs(scopes=["mc"], properties=["chi"]).fit([mof])
library = dict(zip(racs.get_feature_names_out(), racs.transform([mof])[0]))
comparison = pd.DataFrame({"by hand": by_hand, "RACs": {k: library[k] for k in by_hand}})
comparison["difference"] = comparison["by hand"] - comparison["RACs"]
comparison.round(6)

# %% [markdown]
# %% tags=["check"]
assert comparison["difference"].abs().max() < 1e-9

# %% [markdown]
# The depth-0 product is χ<sub>metal</sub>²; depth 1 sums over the atoms bonded to each
# metal, and so on. A cell narrower than twice the longest path would let a path wrap onto an
# image of its own start atom: `RACs` then enlarges the cell first (this MOF's cell is wide
# enough that both computations agree without it).
#
# A crystal has one more symmetry: the cell is a choice. The same framework written in a cell
# twice as large must get the same descriptor. RACs average over the start atoms, so a supercell,
# which doubles both the sums and the number of start atoms, leaves them unchanged:

# %%
supercell_check = invariance.check(RACs(scopes=["mc"], properties=["chi"]), [mof], symmetries=["supercell"])
readable_changes(supercell_check)

# %% tags=["check"]
assert (supercell_check["status"] == "ok").all()
#
# ## Fragments: fingerprints of molecules
#
# A chemist describes a molecule by its groups. Morgan (ECFP) fingerprints hash each atom's
# neighbourhood up to a radius into bits; the Tanimoto similarity of two fingerprints counts
# shared fragments:

# %%
from atomlearn.featurizers import MorganFingerprint
from atomlearn.structures import from_smiles

names = {"ethanol": "CCO", "propanol": "CCCO", "acetic acid": "CC(=O)O", "benzene": "c1ccccc1"}
fingerprints = MorganFingerprint().fit_transform([from_smiles(s) for s in names.values()]).astype(bool)
shared = (fingerprints[:, None] & fingerprints[None]).sum(-1)
union = (fingerprints[:, None] | fingerprints[None]).sum(-1)
pd.DataFrame(shared / union, index=list(names), columns=list(names)).round(2)

# %% [markdown]
# ## Exercises
#
# 1. Which symmetries does `ACSF(pooling="species_sum")` keep for a crystal when the cell is
#    doubled, and why does `pooling="mean"` fix it? Check with `invariance.check` on two CoRE MOFs.
# 2. Compute the metal-centred *nuclear charge* RAC Z<sup>prod</sup><sub>1</sub> of the same MOF by hand
#    and compare with `RACs(scopes=["mc"], properties=["Z"])`.
# 3. How many augmented copies does the Cartesian model need to reach Bag of Bonds' error on
#    moved molecules? Try 0, 2 and 8 copies.
# 4. Write the invariance check yourself: complete `rotation_change` below so that it rotates a
#    copy of the molecule by a random rotation (`scipy.spatial.transform.Rotation.random`) about
#    its centre and returns the largest relative change of the features,
#    max |x' − x| / max |x|. Compare with `invariance.check` for the Coulomb matrix and for
#    Cartesian coordinates.

# %%
from scipy.spatial.transform import Rotation


def rotation_change(featurizer, atoms, seed=0):
    """Largest relative change of ``featurizer``'s row of ``atoms`` under one random rotation."""
    # your code: rotate a copy of `atoms` about its centre, featurize both, compare
    raise NotImplementedError("Exercise 4")


# %% tags=["solution"]
# Exercise 1: sums grow with the cell, means do not.
two_mofs = mofs.sample(6, random_state=3).readable().structures[:2]  # readable(): overlapping sites refused
pooled = {
    pooling: invariance.check(ACSF(pooling=pooling), two_mofs, symmetries=["translation", "supercell"])
    for pooling in ("species_sum", "mean")
}
pd.concat({pooling: readable_changes(t).set_index("symmetry")["status"] for pooling, t in pooled.items()}, axis=1)

# %% tags=["check"]
assert pooled["species_sum"].set_index("symmetry").loc["supercell", "max_relative_change"] > 0.5
assert (pooled["mean"]["status"] == "ok").all()

# %% tags=["solution"]
# Exercise 2: the same shortest paths, another property.
Z = mof.numbers.astype(float)
z_prod_1 = np.mean([(Z[i] * Z[hops[k] == 1]).sum() for k, i in enumerate(metals)])
racs_z = RACs(scopes=["mc"], properties=["Z"]).fit([mof])
print(
    f"by hand {z_prod_1:.4f}, RACs {dict(zip(racs_z.get_feature_names_out(), racs_z.transform([mof])[0]))['rac_mc_prod_Z_d1']:.4f}"
)

# %% tags=["solution"]
# Exercise 3: more copies of each orientation, scored on the moved test molecules. Each copy teaches
# the symmetry at a few more orientations, never at all of them; even 8 copies stay well above Bag of
# Bonds, which knows the symmetry exactly and describes the molecule better besides.
copies_mae = {}
for n_copies in [0, 2, 8]:
    more = invariance.augment(train_mols, n_copies=n_copies, random_state=1)
    cartesian = CartesianCoordinates(max_atoms=QM9_MAX_ATOMS)
    model = make_model("krr").fit(cartesian.fit_transform(more), np.repeat(y_train, n_copies + 1))
    copies_mae[n_copies] = mae(predict(cartesian, model, moved_test))["value"]
    print(f"{n_copies:2d} copies: test MAE on moved molecules {copies_mae[n_copies]:.1f} kcal/mol")
print(f"Bag of Bonds, no copies: {results.loc['Bag of Bonds', 'MAE moved']:.1f} kcal/mol")

# %% tags=["check"]
assert copies_mae[8] < copies_mae[0] and copies_mae[2] < copies_mae[0]
assert copies_mae[8] > 1.5 * results.loc["Bag of Bonds", "MAE moved"]


# %% tags=["solution"]
# Exercise 4: rotate about the centre, featurize both, compare as invariance.check does.
def rotation_change(featurizer, atoms, seed=0):
    """Largest relative change of ``featurizer``'s row of ``atoms`` under one random rotation."""
    rotated = atoms.copy()
    centre = atoms.positions.mean(axis=0)
    rotated.positions = Rotation.random(random_state=seed).apply(atoms.positions - centre) + centre
    before, after = featurizer.transform([atoms, rotated])
    return np.abs(after - before).max() / np.abs(before).max()


for featurizer in (CoulombMatrix(max_atoms=QM9_MAX_ATOMS), CartesianCoordinates(max_atoms=QM9_MAX_ATOMS)):
    featurizer.fit(molecules[:10])
    mine = max(rotation_change(featurizer, atoms, seed) for seed, atoms in enumerate(molecules[:10]))
    print(f"{type(featurizer).__name__}: largest relative change {mine:.3g}")

# %% tags=["check"]
assert rotation_change(CoulombMatrix(max_atoms=QM9_MAX_ATOMS).fit(molecules[:3]), molecules[1]) < 1e-10
assert rotation_change(CartesianCoordinates(max_atoms=QM9_MAX_ATOMS).fit(molecules[:3]), molecules[1]) > 0.1
