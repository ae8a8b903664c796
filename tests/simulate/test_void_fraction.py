"""The helium void fraction against an exact integral, and excess loadings built on it."""

import math

import numpy as np
import pytest
from ase import Atoms
from scipy.integrate import quad

from atomlearn.physics.lj_parameters import load_forcefield, lorentz_berthelot
from atomlearn.simulate.void_fraction import (
    HELIUM_EPSILON_K,
    HELIUM_SIGMA_A,
    HELIUM_TEMPERATURE_K,
    helium_void_fraction,
)


def test_one_atom_in_a_large_box_excludes_its_mayer_integral():
    """θ = 1 + (1/V) ∫ (exp(-u(r)/kT) - 1) 4πr² dr over the truncated LJ pair (one image within the cutoff)."""
    box = Atoms("Zn", positions=[[15.0, 15.0, 15.0]], cell=[30.0, 30.0, 30.0], pbc=True)
    epsilon, sigma = load_forcefield("uff").parameters(["Zn"], "test")
    eps, sig = lorentz_berthelot(HELIUM_EPSILON_K, HELIUM_SIGMA_A, epsilon[0], sigma[0])

    def mayer(r):
        energy = 4 * eps * ((sig / r) ** 12 - (sig / r) ** 6)
        return (math.exp(-energy / HELIUM_TEMPERATURE_K) - 1.0) * 4 * math.pi * r * r

    integral = quad(mayer, 1e-6, 0.8 * sig, limit=200)[0] + quad(mayer, 0.8 * sig, 12.0, limit=200)[0]
    expected = 1.0 + integral / 30.0**3
    value, error = helium_void_fraction(box, n_points=400_000, random_state=1)
    assert error < 2e-4
    assert value == pytest.approx(expected, abs=3 * error)
    assert helium_void_fraction(Atoms(cell=[10, 10, 10], pbc=True)) == (1.0, 0.0)


def test_excess_is_absolute_minus_the_bulk_gas_in_the_pore_volume(coremof):
    from atomlearn.physics.eos import compressibility
    from atomlearn.simulate.grand_canonical import gcmc
    from atomlearn.units import AMU_KG, GAS_CONSTANT

    framework = coremof.structure("UZUNAF_clean")
    result = gcmc(framework, {"CH4": 0.5, "Ar": 0.5}, 298.0, 5e5, init_cycles=20, cycles=100, random_state=2)
    theta = helium_void_fraction(framework, random_state=2)[0]
    assert result.helium_void_fraction == theta and 0.3 < theta < 0.9
    bulk = 5e5 / (compressibility({"CH4": 0.5, "Ar": 0.5}, 298.0, 5e5) * GAS_CONSTANT * 298.0)  # mol/m³
    pore = theta * framework.cell.volume * 1e-30 / (framework.get_masses().sum() * AMU_KG)  # m³/kg
    np.testing.assert_allclose(result.excess_loading_mol_kg, np.array(result.loading_mol_kg) - 0.5 * bulk * pore)
    assert all(e < a for e, a in zip(result.excess_loading_mol_kg, result.loading_mol_kg))


def test_a_broken_framework_is_refused_by_name():
    broken = Atoms("Zn", positions=[[np.nan, 0.0, 0.0]], cell=[10, 10, 10], pbc=True)
    broken.info["id"] = "broken_mof"
    with pytest.raises(Exception, match="broken_mof"):
        helium_void_fraction(broken)
