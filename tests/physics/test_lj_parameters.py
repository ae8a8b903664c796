"""Force-field tables against the papers, mixing, guests, and the supercell rule."""

import numpy as np
import pytest

from atomlearn.physics.grid import perpendicular_widths, supercell_for_cutoff
from atomlearn.physics.guests import GUESTS, get_guest
from atomlearn.physics.lj_parameters import load_forcefield, lorentz_berthelot
from atomlearn.units import KCAL_MOL_TO_K


@pytest.mark.parametrize(
    ("symbol", "x_A", "d_kcal"),
    [
        ("H", 2.886, 0.044),
        ("C", 3.851, 0.105),
        ("O", 3.500, 0.060),
        ("Cu", 3.495, 0.005),
        ("Zn", 2.763, 0.124),
        ("Zr", 3.124, 0.069),
        ("Yb", 3.355, 0.228),
        ("Lr", 3.236, 0.011),
    ],
)
def test_uff_values_are_those_of_rappe_1992_table_1(symbol, x_A, d_kcal):
    eps, sig = load_forcefield("uff").parameters([symbol])
    assert sig[0] == pytest.approx(x_A / 2 ** (1 / 6), rel=1e-12)
    assert eps[0] == pytest.approx(d_kcal * KCAL_MOL_TO_K, rel=1e-12)


def test_uff_covers_elements_1_to_103_and_matches_raspa_generic_mofs_in_kelvin():
    ff = load_forcefield("uff")
    assert len(ff.epsilon_K) == 103
    eps, sig = ff.parameters(
        ["Zn", "Cu", "Mg"]
    )  # RASPA GenericMOFs: 62.3992 K 2.46155 Å, 2.5161 K 3.11369 Å, 55.8574 K 2.69141 Å
    np.testing.assert_allclose(eps, [62.3992, 2.5161, 55.8574], rtol=2e-5)
    np.testing.assert_allclose(sig, [2.46155, 3.11369, 2.69141], rtol=2e-5)


def test_dreiding_replaces_main_group_elements_and_falls_back_to_uff_for_metals():
    dreiding, uff = load_forcefield("dreiding"), load_forcefield("uff")
    eps, sig = dreiding.parameters(["C", "O", "Zn"])
    np.testing.assert_allclose(eps[:2], [47.8562, 48.1581], rtol=2e-5)  # RASPA GenericMOFs, K
    np.testing.assert_allclose(sig[:2], [3.47299, 3.03315], rtol=2e-5)
    assert (eps[2], sig[2]) == tuple(x[0] for x in uff.parameters(["Zn"]))


def test_overrides_and_unknown_elements():
    ff = load_forcefield("uff", overrides={"Zn": (100.0, 2.5)})
    assert tuple(x[0] for x in ff.parameters(["Zn"])) == (100.0, 2.5)
    with pytest.raises(ValueError, match="unknown framework force field"):
        load_forcefield("amber")
    with pytest.raises(ValueError, match="epsilon_K must be >= 0"):
        load_forcefield("uff", overrides={"Zn": (-1.0, 2.5)})


def test_lorentz_berthelot_mixing():
    eps, sig = lorentz_berthelot(148.0, 3.73, 52.83806, 3.43085)
    assert eps == pytest.approx(88.43094, rel=1e-6)  # RASPA's printed CH4-C pair
    assert sig == pytest.approx(3.58043, abs=1e-5)


def test_trappe_guests():
    co2 = get_guest("co2")
    assert [s.type for s in co2.sites] == ["O_co2", "C_co2", "O_co2"]
    assert sum(s.charge_e for s in co2.sites) == pytest.approx(0.0)
    assert np.ptp(co2.positions[:, 2]) == pytest.approx(2.32)
    assert sum(s.charge_e for s in GUESTS.load("N2").sites) == pytest.approx(0.0)
    assert get_guest("methane").name == "CH4" and not GUESTS.load("CH4").charged


def test_supercell_is_the_smallest_with_widths_above_twice_the_cutoff():
    hexagonal = np.array([[17.06, 0, 0], [-8.53, 14.774, 0], [0, 0, 9.24]])
    assert supercell_for_cutoff(hexagonal, 12.0) == (2, 2, 3)  # widths 14.77, 14.77, 9.24 Å
    widths = perpendicular_widths(hexagonal)
    np.testing.assert_allclose(widths, [14.774, 14.774, 9.24], rtol=1e-3)
    for n, w in zip(supercell_for_cutoff(hexagonal, 12.0), widths):
        assert n * w > 24.0 >= (n - 1) * w
