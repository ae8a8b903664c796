"""Helium void fraction of a rigid framework, for excess adsorption.

θ = ⟨exp(-U_He/k_B T)⟩ over points drawn uniformly in the cell (Talu & Myers, AIChE J. 47, 1160
(2001); RASPA's convention): helium at 298 K (σ = 2.64 Å, ε/k_B = 10.9 K, Hirschfelder, Curtiss &
Bird) probes the volume a gas can reach. θ times the cell volume is the pore volume that turns an
absolute loading into an excess one: n_ex = n_abs − ρ_gas θ V / m.
"""

from __future__ import annotations

import math

import numpy as np
from ase import Atoms

from atomlearn.physics.grid import DirectLJ
from atomlearn.physics.lj_parameters import FrameworkForceField, load_forcefield
from atomlearn.structures import check_structure

HELIUM_EPSILON_K = 10.9
HELIUM_SIGMA_A = 2.64
HELIUM_TEMPERATURE_K = 298.0


def helium_void_fraction(
    atoms: Atoms,
    forcefield: str | FrameworkForceField = "uff",
    cutoff_A: float = 12.0,
    n_points: int = 20_000,
    random_state: int | None = 0,
) -> tuple[float, float]:
    """Helium void fraction θ of ``atoms`` and its standard error (both dimensionless).

    Parameters
    ----------
    atoms : ase.Atoms
        A periodic framework.
    forcefield : str or FrameworkForceField
        Lennard-Jones parameters of the framework atoms (Lorentz–Berthelot with helium).
    cutoff_A : float
        Lennard-Jones cutoff, Å (truncated, as RASPA's helium void fraction).
    n_points : int
        Uniform random points; the standard error falls as 1/√n_points.
    random_state : int or None
        Seed of the points.

    Returns
    -------
    (float, float)
        θ = ⟨exp(-U/k_B T)⟩ at 298 K, and its standard error from 10 blocks of points.
    """
    if not len(atoms):
        return 1.0, 0.0
    check_structure(
        atoms, str(atoms.info.get("id", atoms.get_chemical_formula()))
    )  # NaN positions, a bad cell: refused
    field = load_forcefield(forcefield) if isinstance(forcefield, str) else forcefield
    epsilon, sigma = field.parameters(atoms.get_chemical_symbols(), str(atoms.info.get("id", "framework")))
    direct = DirectLJ(
        np.array(atoms.cell[:]),
        atoms.get_scaled_positions(wrap=True),
        epsilon,
        sigma,
        np.array([HELIUM_EPSILON_K]),
        np.array([HELIUM_SIGMA_A]),
        cutoff_A,
    )
    points = np.random.default_rng(random_state).random((n_points, 3))
    with np.errstate(over="ignore"):
        weights = np.exp(-direct.energies(points, 0) / HELIUM_TEMPERATURE_K)
    blocks = weights[: n_points // 10 * 10].reshape(10, -1).mean(axis=1)
    return float(weights.mean()), float(blocks.std(ddof=1) / math.sqrt(len(blocks)))
