"""Local (atom-environment) kernels: the structure kernel against an explicit double loop and
qmllib, the held-out errors against explicit refits, the GP variance against its formula, and
the model on QM9 against qmllib's KRR and the global Bag-of-Bonds kernel."""

import numpy as np
import pytest
import scipy.linalg as sl
from ase import Atoms

from atomlearn.featurizers import FCHL19, BagOfBonds
from atomlearn.models import FastKernelRidge, LocalKernelRidge, make_model
from atomlearn.models.local_kernel_blocks import Environments, local_kernel_diagonal, local_kernels
from atomlearn.models.local_kernel_blocks_torch import local_kernels_torch
from atomlearn.models.nn.pooling import composition_matrix, reference_energies

TARGET = "U0_atomization_kcal_mol"


@pytest.fixture(scope="module")
def environments(qm9_molecules):
    molecules = qm9_molecules[:12]
    featurizer = FCHL19().fit(molecules)
    per_atom = [featurizer.per_atom(a) for a in molecules]
    return molecules, per_atom, Environments.from_arrays(per_atom, [a.numbers for a in molecules], dtype=np.float64)


def explicit_kernel(per_atom, numbers, rows, columns, pair_kernel):
    K = np.zeros((len(rows), len(columns)))
    for r, a in enumerate(rows):
        for c, b in enumerate(columns):
            K[r, c] = sum(
                pair_kernel(per_atom[a][i], per_atom[b][j])
                for i in range(len(numbers[a]))
                for j in range(len(numbers[b]))
                if numbers[a][i] == numbers[b][j]
            )
    return K


@pytest.mark.parametrize("kernel", ["rbf", "laplacian"])
def test_structure_kernel_equals_the_explicit_double_loop_over_same_element_atoms(environments, kernel):
    molecules, per_atom, envs = environments
    numbers = [a.numbers for a in molecules]
    sigmas = (2.0, 8.0)
    gammas = [1 / (2 * s * s) for s in sigmas] if kernel == "rbf" else [1 / s for s in sigmas]
    K = local_kernels(envs, gammas=gammas, kernel=kernel, n_jobs=2)
    rows = envs.take([3, 0, 7])
    K_rows = local_kernels(rows, envs, gammas=gammas, kernel=kernel)
    for w, gamma in enumerate(gammas):
        if kernel == "rbf":

            def pair(x, y, gamma=gamma):
                return np.exp(-gamma * np.sum((x - y) ** 2))
        else:

            def pair(x, y, gamma=gamma):
                return np.exp(-gamma * np.sum(np.abs(x - y)))

        expected = explicit_kernel(per_atom, numbers, range(12), range(12), pair)
        np.testing.assert_allclose(K[w], expected, rtol=0, atol=1e-10 * np.abs(expected).max())
        np.testing.assert_allclose(K_rows[w], expected[[3, 0, 7]], rtol=0, atol=1e-10 * np.abs(expected).max())
        np.testing.assert_allclose(local_kernel_diagonal(envs, gamma, kernel), np.diag(expected), rtol=1e-12)
    sizes = np.array([len(n) for n in numbers], dtype=float)
    mean = local_kernels(envs, gammas=gammas[:1], kernel=kernel, normalization="mean")[0]
    np.testing.assert_allclose(mean, K[0] / np.outer(sizes, sizes), rtol=1e-12)


def test_structure_kernel_equals_qmllib_get_local_kernel_and_the_torch_path(environments):
    from qmllib.kernels import get_local_kernel

    molecules, per_atom, envs = environments
    padded = np.zeros((len(molecules), 29, per_atom[0].shape[1]))
    for row, values in enumerate(per_atom):
        padded[row, : len(values)] = values
    charges = [a.numbers for a in molecules]
    expected = get_local_kernel(padded, padded, charges, charges, 4.0)
    ours = local_kernels(envs, gammas=[1 / 32.0])[0]
    np.testing.assert_allclose(ours, expected, rtol=1e-10)
    torch_path = local_kernels_torch(envs, gammas=[1 / 32.0], device="cpu")[0]
    np.testing.assert_allclose(torch_path, expected, rtol=1e-8)
    single = Environments.from_arrays(per_atom, charges, dtype=np.float32)  # float32 distances, float64 sums
    np.testing.assert_allclose(local_kernels(single, gammas=[1 / 32.0])[0], expected, rtol=1e-4)


def test_held_out_errors_equal_explicit_refits_and_the_gp_variance_its_formula(qm9):
    molecules = qm9.take(range(0, 30_000, 1000)).structures.materialize()
    y = qm9.labels[TARGET].to_numpy()[:30_000:1000]
    alphas = [1e-8, 1e-4, 1e-1]
    model = LocalKernelRidge(sigma=[3.0, 6.0], alpha=alphas, dtype="float64", cv="loo").fit(molecules, y)
    envs = Environments.from_arrays(
        [model.featurizer_.per_atom(a) for a in molecules], [a.numbers for a in molecules], dtype=np.float64
    )
    residual_target = y - composition_matrix(molecules, "sum") @ reference_energies(molecules, y, "sum")
    scores = model.cv_scores_
    for sigma in (3.0, 6.0):
        K = local_kernels(envs, gammas=[1 / (2 * sigma**2)])[0]
        for alpha in alphas:
            errors = []
            for i in range(len(y)):  # refit without molecule i, predict it
                keep = np.arange(len(y)) != i
                coef = sl.solve(
                    K[np.ix_(keep, keep)] + alpha * np.eye(len(y) - 1), residual_target[keep], assume_a="pos"
                )
                errors.append(K[i, keep] @ coef - residual_target[i])
            row = scores[np.isclose(scores["gamma"], 1 / (2 * sigma**2)) & np.isclose(scores["alpha"], alpha)]
            assert row["score"].item() == pytest.approx(np.mean(np.abs(errors)), rel=1e-6)
    # the posterior standard deviation of a new molecule: σ²(k** - kᵀ(K+λI)⁻¹k + λ)
    new = qm9.take([5, 77]).structures.materialize()
    mean, std = model.predict(new, return_std=True)
    K = local_kernels(envs, gammas=[model.gamma_])[0] + model.alpha_ * np.eye(len(y))
    new_envs = Environments.from_arrays(
        [model.featurizer_.per_atom(a) for a in new], [a.numbers for a in new], dtype=np.float64
    )
    k = local_kernels(new_envs, envs, gammas=[model.gamma_])[0]
    k_self = local_kernel_diagonal(new_envs, model.gamma_)
    variance = model.signal_variance_ * (k_self - np.einsum("ij,ji->i", k, np.linalg.solve(K, k.T)) + model.alpha_)
    np.testing.assert_allclose(std, np.sqrt(variance), rtol=1e-6)
    baseline = composition_matrix(new, "sum") @ model.reference_
    np.testing.assert_allclose(mean, k @ np.linalg.solve(K, residual_target) + baseline, rtol=1e-8)


@pytest.fixture(scope="module")
def qm9_split(qm9):
    order = np.random.default_rng(0).permutation(len(qm9))
    train, test = order[:400], order[400:600]
    y = qm9.labels[TARGET].to_numpy()
    return (qm9.take(train).structures.materialize(), y[train], qm9.take(test).structures.materialize(), y[test])


def test_predictions_equal_qmllib_krr_on_the_same_kernel_and_beat_bag_of_bonds(qm9_split):
    from qmllib.kernels import get_local_kernel, get_local_symmetric_kernel
    from qmllib.representations import generate_fchl19

    train, y_train, test, y_test = qm9_split
    few, few_y, few_test = train[:150], y_train[:150], test[:50]  # the same numbers at any size: qmllib is slow
    model = LocalKernelRidge(sigma=4.0, alpha=1e-6, dtype="float64").fit(few, few_y)
    assert (model.representation_, model.normalization_) == ("fchl19", "sum")  # energies are extensive
    ours = model.predict(few_test)

    def reps(molecules):
        return np.array([generate_fchl19(a.numbers, a.positions, elements=[1, 6, 7, 8, 9], pad=29) for a in molecules])

    X, X_test = reps(few), reps(few_test)
    Q, Q_test = [a.numbers for a in few], [a.numbers for a in few_test]
    baseline = composition_matrix(few, "sum") @ model.reference_
    K = get_local_symmetric_kernel(X, Q, 4.0)
    K[np.diag_indices_from(K)] += 1e-6
    theirs = get_local_kernel(X, X_test, Q, Q_test, 4.0) @ np.linalg.solve(K, few_y - baseline)
    theirs += composition_matrix(few_test, "sum") @ model.reference_
    np.testing.assert_allclose(ours, theirs, rtol=1e-7, atol=1e-6)

    searched = LocalKernelRidge().fit(train, y_train)  # σ and λ by leave-one-out
    local_mae = np.mean(np.abs(searched.predict(test) - y_test))
    bob = BagOfBonds().fit(train + test)
    global_model = FastKernelRidge(
        kernel="laplacian", gamma=[1 / s for s in (100, 400, 1600, 6400)], alpha=list(10.0 ** np.arange(-12, -1))
    ).fit(bob.transform(train), y_train)
    bob_mae = np.mean(np.abs(global_model.predict(bob.transform(test)) - y_test))
    assert local_mae < 6.0  # kcal/mol at 400 molecules (2.6 at 1,000 in the benchmark)
    assert local_mae < 0.5 * bob_mae  # the locality pays on molecules: BoB KRR ~13 kcal/mol here


def test_periodic_structures_get_soap_environments_and_an_intensive_kernel(small_mof_dataset):
    mofs = small_mof_dataset.structures.materialize()
    density = small_mof_dataset.labels["density_g_cm3"].to_numpy()
    model = make_model("krr_local", {"n_jobs": 1}).fit(mofs[:9], density[:9])
    assert (model.representation_, model.normalization_) == ("soap", "mean")
    refused = model.structure_errors(mofs[9:])
    usable = [atoms for index, atoms in enumerate(mofs[9:]) if index not in refused]
    assert usable and all("absent from the training structures" in reason for reason in refused.values())
    predicted, std = model.predict(usable, return_std=True)
    assert np.isfinite(predicted).all() and (std > 0).all()


def test_structures_the_model_cannot_take_are_named(qm9_split):
    train, y_train, _, _ = qm9_split
    crystal = Atoms("Cu", cell=[3, 3, 3], pbc=True, info={"id": "copper"})
    slab = Atoms("H2", positions=[[0, 0, 0], [0, 0, 0.74]], cell=[5, 5, 5], pbc=[True, True, False])
    unfitted = LocalKernelRidge(representation="fchl19").structure_errors([crystal, slab, Atoms(), train[0]])
    assert sorted(unfitted) == [0, 1, 2] and "FCHL19 environments describe molecules only" in unfitted[0]
    broken = Atoms("H2", positions=[[0, 0, 0], [np.nan, 0, 0.74]], info={"id": "nan"})
    assert "non-finite coordinates" in LocalKernelRidge().structure_errors([broken])[0]  # never read as fine
    model = LocalKernelRidge(sigma=4.0, alpha=1e-6).fit(train[:30], y_train[:30])
    chlorine = Atoms("HCl", positions=[[0, 0, 0], [0, 0, 1.27]], info={"id": "hcl"})
    assert model.structure_errors([chlorine, train[40]]) == {
        0: "hcl: element(s) Cl absent from the training structures"
    }
    with pytest.raises(ValueError, match="mix molecules and periodic crystals"):
        LocalKernelRidge().fit([train[0], crystal], [1.0, 2.0])
    with pytest.raises(ValueError, match="kernel must be one of rbf, laplacian"):
        LocalKernelRidge(kernel="matern32").fit(train[:5], y_train[:5])
