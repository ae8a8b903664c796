"""Electrostatic potential of a periodic framework of partial charges on a grid, by Ewald summation.

φ(r) = Σ_j q_j erfc(α|r - r_j|)/|r - r_j|  (images within the cutoff; computed with the LJ grids)
     + (4π/V) Σ_{k≠0} exp(-k²/4α²)/k² Re[Σ_j q_j exp(ik·(r - r_j))]
     - π Q/(V α²)  (neutralising background when the charges do not sum to zero)

On grid points r = (i/n_a, j/n_b, k/n_c) the reciprocal sum is an inverse discrete Fourier
transform of the structure factor, so it costs one FFT. A guest site of charge q at r gains
the energy q φ(r); in K with e²/(4πε₀ Å k_B) = 167,101 K.
"""

from __future__ import annotations

import math

import numpy as np

from atomlearn.units import BOLTZMANN, COULOMB_CONSTANT, ELEMENTARY_CHARGE

#: e²/(4πε₀ · 1 Å) / k_B in K
COULOMB_K_A = ELEMENTARY_CHARGE**2 * COULOMB_CONSTANT / 1e-10 / BOLTZMANN
#: α · cutoff; erfc(4) = 1.5e-8 is the real-space truncation error
ALPHA_CUTOFF = 4.0
#: reciprocal vectors with exp(-k²/4α²) below this are dropped
RECIPROCAL_TOLERANCE = 1e-8


def ewald_alpha(cutoff_A: float) -> float:
    """Ewald splitting parameter α (1/Å) for a real-space cutoff (Å)."""
    return ALPHA_CUTOFF / cutoff_A


def reciprocal_potential(cell: np.ndarray, fractional: np.ndarray, charges: np.ndarray, shape: tuple[int, int, int],
                         alpha: float) -> np.ndarray:
    """Reciprocal-space Ewald potential (e/Å) plus the neutralising background on the grid points."""
    cell = np.asarray(cell, dtype=float)
    volume = abs(np.linalg.det(cell))
    reciprocal = 2.0 * np.pi * np.linalg.inv(cell).T  # rows b_i with a_i · b_j = 2π δ_ij
    k_max = 2.0 * alpha * math.sqrt(-math.log(RECIPROCAL_TOLERANCE))
    reach = np.ceil(k_max * np.linalg.norm(cell, axis=1) / (2.0 * np.pi)).astype(int)
    if np.any(2 * reach + 1 > np.array(shape)):
        raise ValueError(f"grid {shape} too coarse for the Ewald sum (needs more than {2 * reach} points per axis); "
                         "use a finer grid spacing")
    h = np.stack(np.meshgrid(*[np.arange(-r, r + 1) for r in reach], indexing="ij"), -1).reshape(-1, 3)
    k = h @ reciprocal
    k2 = np.einsum("ij,ij->i", k, k)
    keep = (k2 > 0) & (k2 <= k_max**2)
    h, k2 = h[keep], k2[keep]
    structure = np.exp(-2j * np.pi * (h @ np.asarray(fractional, dtype=float).T)) @ np.asarray(charges, dtype=float)
    coefficients = np.zeros(shape, dtype=complex)
    coefficients[h[:, 0] % shape[0], h[:, 1] % shape[1], h[:, 2] % shape[2]] = (
        4.0 * np.pi / volume * np.exp(-k2 / (4.0 * alpha**2)) / k2 * structure)
    potential = np.fft.ifftn(coefficients).real * np.prod(shape)
    return potential - np.pi * float(np.sum(charges)) / (volume * alpha**2)
