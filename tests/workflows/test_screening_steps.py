"""Pareto layers against a brute-force definition."""

import numpy as np
import pytest

from atomlearn.evaluate import pareto_layers


def _brute_force(x, y):
    layer = np.full(len(x), -1)
    remaining = set(np.flatnonzero(np.isfinite(x) & np.isfinite(y)))
    current = 0
    while remaining:
        front = {
            i
            for i in remaining
            if not any(x[j] >= x[i] and y[j] >= y[i] and (x[j] > x[i] or y[j] > y[i]) for j in remaining)
        }
        for i in front:
            layer[i] = current
        remaining -= front
        current += 1
    return layer


def test_pareto_layers_match_the_definition():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=300), rng.normal(size=300)
    x[:5] = np.nan
    np.testing.assert_array_equal(pareto_layers(x, y), _brute_force(x, y))


def test_layers_beyond_the_limit_are_unranked():
    x, y = np.array([1.0, 2.0, 3.0, 1.0, 0.5]), np.array([3.0, 2.0, 1.0, 1.0, 0.5])
    np.testing.assert_array_equal(pareto_layers(x, y), [0, 0, 0, 1, 2])
    np.testing.assert_array_equal(pareto_layers(x, y, max_layers=1), [0, 0, 0, -1, -1])


def test_the_domain_holds_the_training_cloud_and_not_what_lies_far_from_it():
    from atomlearn.workflows.screening_steps import in_domain

    rng = np.random.default_rng(1)
    train = rng.normal(size=(200, 5))
    inside = rng.normal(size=(300, 5))
    far = rng.normal(size=(20, 5)) + 8.0  # 8 standard deviations away on every axis
    broken = np.full((1, 5), np.nan)
    mask, threshold = in_domain(train, np.vstack([inside, far, broken]))
    assert threshold > 0
    assert mask[:300].mean() > 0.8  # new points from the same distribution: mostly inside
    assert not mask[300:].any()  # far points and non-finite rows: outside
    assert in_domain(train, train)[0].all()  # a training point is at distance 0


def test_a_domain_of_one_training_row_is_refused():
    from atomlearn.workflows.screening_steps import in_domain

    with pytest.raises(ValueError, match="at least 2 training rows"):
        in_domain(np.zeros((1, 3)), np.zeros((4, 3)))
