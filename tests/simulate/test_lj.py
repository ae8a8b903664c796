import numpy as np
import pytest

from atomlearn.simulate import ARGON, lj_dataset


def test_lennard_jones_minimum():
    assert ARGON.energy(ARGON.r_min_A) == pytest.approx(-ARGON.epsilon_eV)
    assert ARGON.energy(ARGON.sigma_A) == pytest.approx(0.0, abs=1e-15)
    r, y, exact = lj_dataset(50, noise_eV=0.0)
    np.testing.assert_array_equal(y, exact)
    with pytest.raises(ValueError, match="r_range_A"):
        lj_dataset(5, r_range_A=(4.0, 3.0))
