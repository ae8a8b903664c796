"""Kernel matrices (models/kernels.py) against scikit-learn's, the width heuristic, and the memory guard."""

import numpy as np
import pytest
from sklearn.gaussian_process.kernels import Matern
from sklearn.metrics.pairwise import laplacian_kernel, linear_kernel, rbf_kernel

from atomlearn.models.kernels import (
    distance_matrix,
    kernel_diagonal,
    kernel_from_distances,
    kernel_matrix,
    median_gamma,
    require_memory,
    require_two_samples,
)

rng = np.random.default_rng(0)
A, B = rng.normal(size=(30, 5)), rng.normal(size=(20, 5))


@pytest.mark.parametrize(
    "kernel, reference",
    [
        ("rbf", lambda a, b: rbf_kernel(a, b, gamma=0.3)),
        ("laplacian", lambda a, b: laplacian_kernel(a, b, gamma=0.3)),
        ("linear", lambda a, b: linear_kernel(a, b)),
        # Matérn with ν = 1/2, 3/2, 5/2 and length scale ℓ = 1/√(2γ) (the RBF of the same γ as ν → ∞)
        ("matern12", lambda a, b: Matern(length_scale=1 / np.sqrt(0.6), nu=0.5)(a, b)),
        ("matern32", lambda a, b: Matern(length_scale=1 / np.sqrt(0.6), nu=1.5)(a, b)),
        ("matern52", lambda a, b: Matern(length_scale=1 / np.sqrt(0.6), nu=2.5)(a, b)),
    ],
)
def test_kernels_equal_scikit_learn(kernel, reference):
    np.testing.assert_allclose(kernel_matrix(A, B, kernel=kernel, gamma=0.3), reference(A, B), rtol=1e-10, atol=1e-12)
    square = kernel_matrix(A, kernel=kernel, gamma=0.3)
    np.testing.assert_allclose(square, reference(A, A), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(np.diag(square), kernel_diagonal(A, kernel), rtol=1e-12)
    # the distances once, then any width: the same kernel (how the width search saves time)
    distances = distance_matrix(A, kernel=kernel)
    np.testing.assert_allclose(
        kernel_from_distances(distances, kernel=kernel, gamma=0.3), square, rtol=1e-10, atol=1e-12
    )


def test_float32_kernels_agree_to_single_precision():
    exact = kernel_matrix(A, B, kernel="laplacian", gamma=0.3)
    single = kernel_matrix(A, B, kernel="laplacian", gamma=0.3, dtype=np.float32)
    assert single.dtype == np.float32
    np.testing.assert_allclose(single, exact, rtol=1e-5)


def test_median_heuristic_scales_with_the_data():
    # γ_rbf ∝ 1 / median squared distance: doubling every coordinate quarters it (laplacian: halves it)
    assert median_gamma(2 * A, "rbf") == pytest.approx(median_gamma(A, "rbf") / 4)
    assert median_gamma(2 * A, "laplacian") == pytest.approx(median_gamma(A, "laplacian") / 2)
    assert median_gamma(A, "rbf", random_state=None) > 0


def test_guards_say_what_to_do():
    with pytest.raises(MemoryError, match="use fewer"):
        require_memory(1e18, "a kernel of 10^9 samples", "use fewer samples")
    with pytest.raises(ValueError, match="at least 2"):
        require_two_samples(1, "FastKernelRidge")


def test_large_factorizations_run_on_one_blas_thread():
    """OpenBLAS's threaded Cholesky segfaulted from n ≈ 15,800 here (a 16,000-molecule KRR fit died):
    above THREADED_LAPACK_MAX_N the factorizations run on one thread."""
    from threadpoolctl import threadpool_info

    from atomlearn.models.kernels import THREADED_LAPACK_MAX_N, lapack_threads

    before = [pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"]
    with lapack_threads(THREADED_LAPACK_MAX_N + 1):
        assert {pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"} == {1}
    with lapack_threads(THREADED_LAPACK_MAX_N):
        assert [pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"] == before
    assert THREADED_LAPACK_MAX_N < 15_500
