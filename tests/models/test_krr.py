import numpy as np
import pytest
from sklearn.gaussian_process import GaussianProcessRegressor
from sklearn.gaussian_process.kernels import RBF, ConstantKernel, Matern, WhiteKernel
from sklearn.kernel_ridge import KernelRidge
from sklearn.model_selection import KFold

from atomlearn.evaluate import calibration
from atomlearn.models import FastKernelRidge, GaussianProcess, NystroemKernelRidge
from atomlearn.models.kernels import require_memory

ALPHAS = [1e-4, 1e-2, 1.0]


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 4))
    return X, np.sin(X).sum(axis=1) + 0.1 * rng.normal(size=120)


@pytest.mark.parametrize(
    "kernel,reference",
    [
        ("rbf", "rbf"),
        ("laplacian", "laplacian"),
        ("linear", "linear"),
        ("matern32", Matern(length_scale=1 / np.sqrt(2 * 0.2), nu=1.5)),
        ("matern52", Matern(length_scale=1 / np.sqrt(2 * 0.2), nu=2.5)),
    ],
)
def test_fixed_hyperparameters_equal_sklearn_kernel_ridge(data, kernel, reference):
    X, y = data
    ours = FastKernelRidge(kernel=kernel, gamma=0.2, alpha=0.01, fit_intercept=False).fit(X[:100], y[:100])
    theirs = KernelRidge(kernel=reference, gamma=0.2, alpha=0.01).fit(X[:100], y[:100])
    np.testing.assert_allclose(ours.predict(X[100:]), theirs.predict(X[100:]), atol=1e-8)
    np.testing.assert_allclose(ours.dual_coef_, theirs.dual_coef_, atol=1e-8)


def _explicit_scores(X, y, folds, fit_intercept):
    scores = []
    for alpha in ALPHAS:
        residuals = np.empty(len(y))
        for train, test in folds:
            model = FastKernelRidge(gamma=0.3, alpha=alpha, fit_intercept=fit_intercept).fit(X[train], y[train])
            residuals[test] = y[test] - model.predict(X[test])
        scores.append(np.mean(np.abs(residuals)))
    return np.array(scores)


@pytest.mark.parametrize("solver", ["eigh", "cholesky"])
@pytest.mark.parametrize("fit_intercept", [False, True])
def test_closed_form_leave_one_out_and_kfold_equal_explicit_refits(data, solver, fit_intercept):
    X, y = data
    loo = FastKernelRidge(gamma=[0.3], alpha=ALPHAS, cv="loo", solver=solver, fit_intercept=fit_intercept).fit(X, y)
    leave_one_out = [(np.delete(np.arange(len(y)), i), np.array([i])) for i in range(len(y))]
    np.testing.assert_allclose(loo.cv_scores_["score"], _explicit_scores(X, y, leave_one_out, fit_intercept), rtol=1e-9)
    kfold = FastKernelRidge(gamma=[0.3], alpha=ALPHAS, cv=5, solver=solver, fit_intercept=fit_intercept).fit(X, y)
    folds = list(KFold(5, shuffle=True, random_state=0).split(X))
    np.testing.assert_allclose(kfold.cv_scores_["score"], _explicit_scores(X, y, folds, fit_intercept), rtol=1e-9)


def test_intercept_solves_the_bordered_system(data):
    X, y = data
    model = FastKernelRidge(gamma=0.3, alpha=0.1).fit(X, y + 100.0)
    K = np.exp(-0.3 * ((X[:, None, :] - X[None, :, :]) ** 2).sum(-1))
    system = np.block([[K + 0.1 * np.eye(len(y)), np.ones((len(y), 1))], [np.ones((1, len(y))), np.zeros((1, 1))]])
    solution = np.linalg.solve(system, np.append(y + 100.0, 0.0))
    np.testing.assert_allclose(model.dual_coef_, solution[:-1], atol=1e-8)
    assert model.intercept_ == pytest.approx(solution[-1], abs=1e-8)


def test_search_picks_the_grid_minimum_and_float32_agrees(data):
    X, y = data
    model = FastKernelRidge(gamma=[0.03, 0.3, 3.0], alpha=ALPHAS).fit(X, y)
    table = model.cv_scores_
    best = table.loc[table["score"].idxmin()]
    assert (model.gamma_, model.alpha_) == (best["gamma"], best["alpha"])
    # float32 resolves eigenvalues down to ~1e-5 of the largest: λ=1e-4 is skipped there, larger λ agree
    double = FastKernelRidge(gamma=[0.03, 0.3, 3.0], alpha=[1e-2, 1.0]).fit(X, y)
    single = FastKernelRidge(gamma=[0.03, 0.3, 3.0], alpha=[1e-2, 1.0], dtype="float32").fit(X, y)
    assert (single.gamma_, single.alpha_) == (double.gamma_, double.alpha_)
    np.testing.assert_allclose(single.cv_scores_["score"], double.cv_scores_["score"], rtol=1e-3)
    np.testing.assert_allclose(single.predict(X), double.predict(X), atol=1e-3)


def test_memory_check_refuses_before_allocating():
    with pytest.raises(MemoryError, match="float32"):
        require_memory(1e15, "kernel ridge regression on 10,000,000 samples", "use dtype='float32'")


def test_gaussian_process_equals_sklearn_with_the_same_hyperparameters(data):
    X, y = data
    ours = GaussianProcess(gamma=0.3, alpha=0.05, fit_intercept=False).fit(X[:100], y[:100])
    s2 = ours.signal_variance_
    kernel = ConstantKernel(s2, "fixed") * RBF(1 / np.sqrt(0.6), "fixed") + WhiteKernel(s2 * 0.05, "fixed")
    theirs = GaussianProcessRegressor(kernel, optimizer=None).fit(X[:100], y[:100])
    mean, std = ours.predict(X[100:], return_std=True)
    ref_mean, ref_std = theirs.predict(X[100:], return_std=True)
    np.testing.assert_allclose(mean, ref_mean, atol=1e-8)
    np.testing.assert_allclose(std, ref_std, atol=1e-8)


def test_gaussian_process_finds_the_noise_and_is_calibrated():
    rng = np.random.default_rng(3)
    X = rng.uniform(-3, 3, size=(600, 2))
    y = np.sin(X).sum(axis=1) + 0.2 * rng.normal(size=600)
    model = GaussianProcess(alpha=np.logspace(-4, 0, 17)).fit(X[:400], y[:400])
    assert 0.15 < model.noise_std_ < 0.25  # the noise put in was 0.2
    mean, std = model.predict(X[400:], return_std=True)
    found = calibration(y[400:], mean, std)
    assert 0.88 < found["coverage"]["0.95"] <= 1.0 and 0.8 < found["z_rms"] < 1.2


def test_nystroem_approaches_exact_krr(data):
    X, y = data
    exact = FastKernelRidge(gamma=0.3, alpha=0.01).fit(X, y)
    approximate = NystroemKernelRidge(gamma=0.3, alpha=0.01, n_components=120).fit(
        X, y
    )  # all points: exact up to λ's intercept
    assert np.corrcoef(exact.predict(X), approximate.predict(X))[0, 1] > 0.999


def test_eigh_and_cholesky_paths_agree_on_a_nearly_singular_kernel(data):
    X, y = data
    grid = dict(gamma=[0.003, 0.03], alpha=[1e-8, 1e-6, 1e-4, 1e-2], cv=4)  # wide kernels: eigenvalues down to ~1e-10
    by_eigh = FastKernelRidge(solver="eigh", **grid).fit(X, y)
    by_cholesky = FastKernelRidge(solver="cholesky", **grid).fit(X, y)
    assert (by_eigh.gamma_, by_eigh.alpha_) == (by_cholesky.gamma_, by_cholesky.alpha_)
    np.testing.assert_allclose(by_eigh.cv_scores_["score"], by_cholesky.cv_scores_["score"], rtol=1e-4)


def test_width_screen_on_a_subsample_then_the_lambda_path_on_all_rows(data):
    X, y = data
    grid = dict(gamma=[0.03, 0.3, 3.0], alpha=ALPHAS)
    full = FastKernelRidge(**grid).fit(X, y)
    screened = FastKernelRidge(width_subsample=90, **grid).fit(X, y)
    table = screened.cv_scores_
    assert set(table["stage"]) == {"screen", "all data"}
    assert len(table[table["stage"] == "screen"]) == 9 and table[table["stage"] == "all data"]["gamma"].nunique() == 1
    assert screened.gamma_ == full.gamma_  # the subsample finds the same width here
    final = table[table["stage"] == "all data"]
    np.testing.assert_allclose(final["score"], full.cv_scores_.query("gamma == @full.gamma_")["score"], rtol=1e-12)


def test_refine_alphas_scores_a_window_of_the_lambda_grid_on_all_rows(data):
    X, y = data
    grid = dict(gamma=[0.03, 0.3, 3.0], alpha=[1e-6, 1e-4, 1e-2, 1.0, 100.0])
    whole_path = FastKernelRidge(width_subsample=90, **grid).fit(X, y)
    screen = whole_path.cv_scores_.query("stage == 'screen'")
    screened_alpha = float(screen.loc[screen["score"].idxmin(), "alpha"])
    refined = FastKernelRidge(width_subsample=90, refine_alphas=3, **grid).fit(X, y)
    final = refined.cv_scores_.query("stage == 'all data'")
    position = grid["alpha"].index(screened_alpha)
    expected = grid["alpha"][max(0, min(position - 1, len(grid["alpha"]) - 3)) :][:3]
    assert sorted(final["alpha"]) == expected  # three neighbours of the grid, ends respected
    # the refined scores are the whole path's scores at those λ (Cholesky there, eigh here)
    reference = whole_path.cv_scores_.query("stage == 'all data' and alpha in @expected")["score"]
    np.testing.assert_allclose(np.sort(final["score"]), np.sort(reference), rtol=1e-6)
    direct = FastKernelRidge(width_subsample=90, refine_alphas=1, **grid).fit(X, y)
    assert (direct.gamma_, direct.alpha_) == (refined.gamma_, screened_alpha)
    assert set(direct.cv_scores_["stage"]) == {"screen"} and direct.best_score_ == screen["score"].min()
    explicit = FastKernelRidge(gamma=direct.gamma_, alpha=direct.alpha_).fit(X, y)
    np.testing.assert_allclose(direct.predict(X), explicit.predict(X), rtol=1e-10)
    with pytest.raises(ValueError, match="refine_alphas"):
        FastKernelRidge(refine_alphas=0).fit(X, y)
