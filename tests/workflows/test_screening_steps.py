"""Pareto layers against a brute-force definition."""

import numpy as np

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
