"""The batch choice on large pools: the shortlist of the most optimistic candidates loses nothing."""

from __future__ import annotations

import numpy as np
import pytest

from atomlearn.workflows import screen_acquisition
from atomlearn.workflows.screen_acquisition import choose_batch, fit_surrogate, one_torch_thread


def _objectives(X: np.ndarray) -> np.ndarray:
    return np.c_[np.sin(3 * X[:, 0]) + X[:, 1] ** 2, X[:, 2] - X[:, 0]]


@pytest.fixture(scope="module")
def problem():
    rng = np.random.default_rng(0)
    X = rng.random((400, 4))
    train = rng.choice(len(X), 30, replace=False)
    return X, train, np.setdiff1d(np.arange(len(X)), train)


@pytest.mark.parametrize(("acquisition", "n_objectives"), [("ei", 1), ("ucb", 1), ("ei", 2)])
def test_a_shortlisted_batch_is_the_batch_over_the_whole_pool(problem, monkeypatch, acquisition, n_objectives):
    X, train, candidates = problem
    Y = _objectives(X[train])[:, :n_objectives]
    with one_torch_thread():
        model = fit_surrogate(X[train], Y)
        whole = choose_batch(acquisition, model, X, candidates, X[train], Y, 4, random_state=1)
        monkeypatch.setattr(screen_acquisition, "PREFILTER", 60)
        shortlisted = choose_batch(acquisition, model, X, candidates, X[train], Y, 4, random_state=1)
    assert set(shortlisted.positions) <= set(candidates)
    assert len(set(shortlisted.positions)) == 4
    np.testing.assert_array_equal(shortlisted.positions, whole.positions)
