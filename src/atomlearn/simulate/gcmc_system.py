"""What a GCMC run needs before its first move: the framework's energy grids (shared with Widom), the
guests' site tables, the guest–guest Lennard-Jones and Ewald tables, the simulation box, and whether the
framework has room for any guest at all."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from ase import Atoms
from scipy.special import erf

from atomlearn.physics.ewald import ewald_alpha, reciprocal_vectors
from atomlearn.physics.framework_energy import OVERLAP_KT, FrameworkModel, coarse_grid_note
from atomlearn.physics.grid import supercell_for_cutoff
from atomlearn.physics.guests import Guest
from atomlearn.physics.lj_parameters import FrameworkForceField, lorentz_berthelot
from atomlearn.simulate.gcmc_energy import GCMCSystem
from atomlearn.units import COULOMB_K_A

#: guest–guest Ewald sum: real-space truncation exp(-(α r_c)²) and smallest reciprocal weight exp(-k²/4α²)
#: (RASPA's EwaldPrecision, 1e-6 by default there too; the framework's potential grid is converged further)
GUEST_EWALD_PRECISION = 1e-6
#: energy (k_B T) above which a grid region counts as closed when pockets are blocked (as Widom's default)
BLOCK_THRESHOLD_KT = 15.0


def build_system(
    atoms: Atoms,
    species: list[Guest],
    forcefield: FrameworkForceField,
    cutoff_A: float,
    shifted: bool,
    spacing_A: float,
    max_points: int,
    temperature_K: float,
    charges_e: np.ndarray | None,
    block_pockets: bool,
    source: str,
    force_shifted: bool = False,
    allow_coarse_grid: bool = False,
) -> tuple[GCMCSystem, np.ndarray, tuple[int, int, int], bool]:
    """The arrays the kernels read (site tables, framework grids, box, guest–guest LJ and Ewald tables), the box,
    the supercell, and whether the framework has no room for any guest at all."""
    cell = np.array(atoms.cell[:], dtype=float)
    cells = supercell_for_cutoff(cell, cutoff_A)
    box = np.diag(cells).astype(float) @ cell
    combined = Guest("+".join(g.name for g in species), tuple(s for g in species for s in g.sites), "")
    types = combined.lj_types
    max_sites = max(len(g.sites) for g in species)
    site_type = np.full((len(species), max_sites), -1, dtype=np.int64)
    site_charge = np.zeros((len(species), max_sites))
    offsets = np.zeros((len(species), max_sites, 3))
    for a, guest in enumerate(species):
        for s, site in enumerate(guest.sites):
            site_type[a, s] = next(
                (t for t, kind in enumerate(types) if kind.type == site.type and site.epsilon_K > 0), -1
            )
            site_charge[a, s] = site.charge_e
        offsets[a, : len(guest.sites)] = guest.positions - guest.positions.mean(axis=0)
    n_sites = np.array([len(g.sites) for g in species], dtype=np.int64)
    overlap_K = OVERLAP_KT * temperature_K
    if len(atoms):
        model = FrameworkModel(
            atoms, combined, forcefield, cutoff_A, shifted, spacing_A, max_points, temperature_K, charges_e, source
        )
        if model.spacing > spacing_A * 1.001:  # coarsened to fit max_points
            coarse_grid_note(
                model.spacing,
                allow_coarse_grid,
                f"{source}: the GCMC grid of this {len(atoms)}-atom cell under {max_points:,} points",
            )
        model.build_grids()
        if block_pockets:
            model.block(BLOCK_THRESHOLD_KT)
        grids, potential, blocked, use_blocking = model.grids, model.potential, model.blocked, model.use_blocking
        closed = no_room_for_any(model, species, types)
    else:
        closed = False
        grids = np.zeros((max(len(types), 1), 1, 1, 1), dtype=np.float32)
        potential, blocked, use_blocking = (
            np.zeros((1, 1, 1)),
            np.zeros((max(len(types), 1), 1, 1, 1), dtype=np.bool_),
            False,
        )
    epsilon = np.array([t.epsilon_K for t in types])
    sigma = np.array([t.sigma_A for t in types])
    eps, sig = lorentz_berthelot(epsilon[:, None], sigma[:, None], epsilon[None, :], sigma[None, :])
    s6 = (sig**2 / cutoff_A**2) ** 3
    shift = 4.0 * eps * (s6 * s6 - s6) if shifted or force_shifted else np.zeros_like(eps)
    slope = 4.0 * eps * (-12.0 * s6 * s6 + 6.0 * s6) / cutoff_A  # dU/dr at the cutoff, K/Å
    force_shift = np.ascontiguousarray(slope if force_shifted else np.zeros_like(eps))
    alpha = ewald_alpha(cutoff_A, GUEST_EWALD_PRECISION)
    hkl, reach, weight = _reciprocal(box, alpha, charged=bool(np.any(site_charge)))
    constants = np.array([_ewald_constant(g, alpha) for g in species])
    system = GCMCSystem(
        site_type,
        site_type.copy(),
        site_charge,
        n_sites,
        offsets,
        np.linalg.inv(cell),
        grids,
        np.ascontiguousarray(potential, dtype=float),
        charges_e is not None,
        blocked,
        use_blocking,
        overlap_K,
        box,
        np.linalg.inv(box),
        np.ascontiguousarray(4.0 * eps),
        np.ascontiguousarray(sig**2),
        shift,
        float(cutoff_A),
        float(alpha),
        float(COULOMB_K_A),
        hkl,
        reach,
        weight,
        constants,
        force_shift,
    )
    return system, box, cells, closed


def no_room_for_any(model: FrameworkModel, species: list[Guest], types: Sequence[Any]) -> bool:
    """True when every guest has a site type with no grid point free of overlap and accessible."""
    free = model.grids <= model.overlap_K
    if model.use_blocking:
        free &= ~model.blocked
    open_type = free.reshape(len(free), -1).any(axis=1)
    index = {kind.type: t for t, kind in enumerate(types)}
    return all(any(not open_type[index[site.type]] for site in guest.sites if site.type in index) for guest in species)


def _reciprocal(box: np.ndarray, alpha: float, charged: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Half-space reciprocal vectors of the box as integer (h, k, l), the largest |h| per axis, and the
    weight of |S(k)|² in the energy (K): ½ · 2 · (4π/V) exp(-k²/4α²)/k² · e²/(4πε₀ k_B)."""
    if not charged:
        return np.zeros((0, 3), dtype=np.int64), np.zeros(3, dtype=np.int64), np.zeros(0)
    k, weight = reciprocal_vectors(box, alpha, GUEST_EWALD_PRECISION)
    hkl = np.rint(k @ box.T / (2.0 * np.pi)).astype(np.int64)
    return hkl, np.abs(hkl).max(axis=0), 0.5 * weight * COULOMB_K_A


def _ewald_constant(guest: Guest, alpha: float) -> float:
    """A molecule's own Ewald terms (K), removed from its energy: -α/√π Σq² - Σ_(i<j) q_i q_j erf(αr_ij)/r_ij."""
    charges, positions = np.array([s.charge_e for s in guest.sites]), guest.positions
    value = -alpha / math.sqrt(math.pi) * float(charges @ charges)
    for i in range(len(charges)):
        for j in range(i + 1, len(charges)):
            r = float(np.linalg.norm(positions[i] - positions[j]))
            value -= charges[i] * charges[j] * erf(alpha * r) / r
    return COULOMB_K_A * value
