"""The percolation flood fill on small hand-made grids."""

import numpy as np

from atomlearn.physics.accessibility import accessible_region


def test_a_channel_percolates_and_a_closed_pocket_does_not():
    grid = np.full((12, 12, 12), 1e6)
    grid[:, 2, 2] = -100.0  # a channel along a, open through the periodic boundary
    grid[6:8, 7:9, 7:9] = -500.0  # a pocket closed on all sides
    region = accessible_region(grid, threshold_K=0.0)
    assert region.accessible[:, 2, 2].all()
    assert not region.accessible[6:8, 7:9, 7:9].any()
    assert (region.n_open, region.n_blocked, region.n_pockets) == (12 + 8, 8, 1)
    assert region.blocked_fraction == 8 / 20


def test_a_channel_closed_by_a_barrier_is_a_pocket():
    grid = np.full((10, 10, 10), 1e6)
    grid[:, 5, 5] = -100.0
    grid[3, 5, 5] = 1e3  # a barrier above the threshold cuts the channel
    region = accessible_region(grid, threshold_K=500.0)
    assert region.n_pockets == 1 and not region.accessible.any()
    everything_open = accessible_region(grid, threshold_K=2e3)
    assert everything_open.accessible[:, 5, 5].all()


def test_nothing_open():
    region = accessible_region(np.full((4, 4, 4), 1e6), threshold_K=0.0)
    assert region.n_open == 0 and region.blocked_fraction == 0.0 and not region.accessible.any()
