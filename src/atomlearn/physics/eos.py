"""Fugacities of gases and gas mixtures from the Peng–Robinson equation of state.

D.-Y. Peng, D. B. Robinson, Ind. Eng. Chem. Fundam. 15, 59-64 (1976), with van der Waals one-fluid
mixing (binary interaction parameters k_ij = 0):

    p = RT/(v - b) - a α(T) / (v² + 2bv - b²),   a = 0.45724 R²Tc²/pc,   b = 0.07780 RTc/pc,
    α = [1 + κ(1 - √(T/Tc))]²,   κ = 0.37464 + 1.54226 ω - 0.26992 ω²

The gas-phase (largest) root of the cubic in Z gives the fugacity coefficients φ_i and the
fugacities f_i = φ_i y_i p that grand-canonical Monte Carlo imposes. Critical constants and acentric
factors are those of the reference equations of state (CoolProp 8.0's fluid library: Span & Wagner
1996 for CO2, Span et al. 2000 for N2, Setzmann & Wagner 1991 for CH4, Tegeler et al. 1999 for Ar,
Lemmon & Span 2006 for Kr and Xe, Ortiz-Vega 2013 for He), shipped in
``package_data/critical_constants.csv``.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np

from atomlearn.units import GAS_CONSTANT

CITATION = "D.-Y. Peng, D. B. Robinson, A New Two-Constant Equation of State, Ind. Eng. Chem. Fundam. 15, 59-64 (1976)."


@dataclass(frozen=True)
class CriticalConstants:
    """Critical constants of a gas (Peng–Robinson's inputs).

    Attributes
    ----------
    temperature_K : float
    pressure_Pa : float
    acentric : float
        Pitzer's acentric factor ω.
    """

    temperature_K: float
    pressure_Pa: float
    acentric: float


@cache
def critical_constants() -> dict[str, CriticalConstants]:
    """The shipped critical constants, by guest name (CO2, N2, CH4, Ar, Kr, Xe, He)."""
    with resources.files("atomlearn.package_data").joinpath("critical_constants.csv").open() as handle:
        return {
            row["species"]: CriticalConstants(
                float(row["critical_temperature_K"]), float(row["critical_pressure_Pa"]), float(row["acentric_factor"])
            )
            for row in csv.DictReader(handle)
        }


def fugacity_coefficients(
    composition: Mapping[str, float], temperature_K: float, pressure_Pa: float
) -> dict[str, float]:
    """Peng–Robinson fugacity coefficients φ_i of a gas mixture.

    Parameters
    ----------
    composition : mapping of str to float
        Mole fractions y_i by species (normalised here; one species for a pure gas).
    temperature_K : float
    pressure_Pa : float

    Returns
    -------
    dict of str to float
        φ_i, so that the fugacity of i is φ_i y_i p (Pa).

    Raises
    ------
    ValueError
        For a species without critical constants, a non-positive temperature or pressure, or
        mole fractions that are negative or sum to zero.
    """
    species, y = _normalised(composition)
    if not (temperature_K > 0 and pressure_Pa > 0):
        raise ValueError(f"temperature and pressure must be positive (K, Pa); got {temperature_K} K, {pressure_Pa} Pa")
    a, b = _parameters(species, temperature_K)
    a_ij = np.sqrt(np.outer(a, a))
    a_mix, b_mix = float(y @ a_ij @ y), float(y @ b)
    rt = GAS_CONSTANT * temperature_K
    big_a, big_b = a_mix * pressure_Pa / rt**2, b_mix * pressure_Pa / rt
    z = _gas_root(big_a, big_b)
    log_ratio = math.log((z + (1 + math.sqrt(2)) * big_b) / (z + (1 - math.sqrt(2)) * big_b))
    phi = {}
    for i, name in enumerate(species):
        ln_phi = (
            b[i] / b_mix * (z - 1.0)
            - math.log(z - big_b)
            - big_a / (2.0 * math.sqrt(2.0) * big_b) * (2.0 * float(a_ij[i] @ y) / a_mix - b[i] / b_mix) * log_ratio
        )
        phi[name] = math.exp(ln_phi)
    return phi


def fugacities(composition: Mapping[str, float], temperature_K: float, pressure_Pa: float) -> dict[str, float]:
    """Fugacity f_i = φ_i y_i p of each species of a gas mixture (Peng–Robinson).

    Parameters
    ----------
    composition : mapping of str to float
        Mole fractions by guest name (normalised here); names with shipped critical constants
        (:func:`critical_constants`).
    temperature_K : float
    pressure_Pa : float
        Total pressure.

    Returns
    -------
    dict of str to float
        Fugacity of each species (Pa).
    """
    species, y = _normalised(composition)
    phi = fugacity_coefficients(dict(zip(species, y)), temperature_K, pressure_Pa)
    return {name: phi[name] * fraction * pressure_Pa for name, fraction in zip(species, y)}


def compressibility(composition: Mapping[str, float], temperature_K: float, pressure_Pa: float) -> float:
    """Compressibility factor Z = pv/RT of the gas (Peng–Robinson, gas root).

    Parameters
    ----------
    composition : mapping of str to float
        Mole fractions by guest name.
    temperature_K : float
    pressure_Pa : float

    Returns
    -------
    float
        Z (dimensionless); the bulk density is p/(Z R T) mol/m³.
    """
    species, y = _normalised(composition)
    a, b = _parameters(species, temperature_K)
    rt = GAS_CONSTANT * temperature_K
    return _gas_root(float(y @ np.sqrt(np.outer(a, a)) @ y) * pressure_Pa / rt**2, float(y @ b) * pressure_Pa / rt)


def _parameters(species: list[str], temperature_K: float) -> tuple[np.ndarray, np.ndarray]:
    """a α(T) (Pa m⁶/mol²) and b (m³/mol) of each species."""
    table = critical_constants()
    a, b = np.empty(len(species)), np.empty(len(species))
    for i, name in enumerate(species):
        c = table[name]
        kappa = 0.37464 + 1.54226 * c.acentric - 0.26992 * c.acentric**2
        alpha = (1.0 + kappa * (1.0 - math.sqrt(temperature_K / c.temperature_K))) ** 2
        a[i] = 0.45724 * (GAS_CONSTANT * c.temperature_K) ** 2 / c.pressure_Pa * alpha
        b[i] = 0.07780 * GAS_CONSTANT * c.temperature_K / c.pressure_Pa
    return a, b


def _normalised(composition: Mapping[str, float]) -> tuple[list[str], np.ndarray]:
    table = critical_constants()
    unknown = sorted(set(composition) - set(table))
    if unknown:
        raise ValueError(f"no critical constants for {', '.join(unknown)}; known: {', '.join(table)}")
    species = list(composition)
    y = np.array([float(composition[name]) for name in species])
    if (y < 0).any() or not y.sum() > 0:
        raise ValueError(f"mole fractions must be non-negative and sum to more than zero; got {dict(composition)}")
    return species, y / y.sum()


def _gas_root(big_a: float, big_b: float) -> float:
    """The largest real root of Z³ - (1 - B)Z² + (A - 3B² - 2B)Z - (AB - B² - B³) = 0 (the gas phase)."""
    roots = np.roots(
        [1.0, -(1.0 - big_b), big_a - 3.0 * big_b**2 - 2.0 * big_b, -(big_a * big_b - big_b**2 - big_b**3)]
    )
    real = roots[np.abs(roots.imag) < 1e-10].real
    real = real[real > big_b]
    if not len(real):
        raise ValueError("the Peng-Robinson equation has no gas root here")
    return float(real.max())
