"""The compiled energies of grand-canonical Monte Carlo, in K: the system the moves read and the state they
change (named tuples numba compiles), a molecule's framework energy (interpolated from the energy grids of
``FrameworkModel``: Lennard-Jones per site type plus charge × Ewald potential), its interactions with the
other guests (Lennard-Jones and real-space Ewald, minimum image in the simulation box, which is at least
twice the cutoff wide), the structure factor S(k) = Σ q e^(ik·r) of the guests' reciprocal-space Ewald
energy, and the total energy recomputed from scratch (the check of the running energy).
"""

from __future__ import annotations

import cmath
import math
from typing import NamedTuple

import numpy as np
from numba import njit

from atomlearn.physics.framework_energy import site_energy


class GCMCSystem(NamedTuple):
    """What the compiled moves read and never change: guest site tables, framework grids, the box and the
    guest–guest Lennard-Jones and Ewald tables. Energies in K, lengths in Å, charges in e; ``S`` species
    of at most ``M`` sites, ``T`` Lennard-Jones site types, ``K`` reciprocal vectors."""

    site_type: np.ndarray  #: (S, M) int64: framework-grid type of each site, -1 for a site without LJ
    lj_type: np.ndarray  #: (S, M) int64: guest–guest LJ type of each site
    site_charge: np.ndarray  #: (S, M) charge of each site (e)
    n_sites: np.ndarray  #: (S,) int64 sites per species
    offsets: np.ndarray  #: (S, M, 3) site positions relative to the centre of mass (Å)
    unit_inverse: np.ndarray  #: (3, 3) inverse of the framework's unit cell
    grids: np.ndarray  #: (T, nx, ny, nz) float32 framework LJ energy grid per site type (K)
    potential: np.ndarray  #: (nx, ny, nz) framework Ewald potential (K per e)
    charged: bool  #: the framework carries charges
    blocked: np.ndarray  #: (T, nx, ny, nz) bool: grid points in pockets a guest cannot reach
    use_blocking: bool  #: whether ``blocked`` applies
    overlap_K: float  #: energies above this count as an overlap (rejected)
    box: np.ndarray  #: (3, 3) simulation box (rows are cell vectors, Å)
    box_inverse: np.ndarray  #: (3, 3)
    eps4: np.ndarray  #: (T, T) 4ε of each pair of site types (K)
    sig2: np.ndarray  #: (T, T) σ² (Å²)
    shift: np.ndarray  #: (T, T) energy shift at the cutoff (K), zeros when truncated
    cutoff: float  #: guest–guest cutoff (Å)
    alpha: float  #: Ewald splitting parameter (1/Å)
    coulomb_K_A: float  #: e²/(4πε₀ · 1 Å) / k_B (K Å)
    hkl: np.ndarray  #: (K, 3) reciprocal vectors of the guests' Ewald sum
    reach: np.ndarray  #: (3,) largest |h|, |k|, |l|
    weight: np.ndarray  #: (K,) Ewald weight of each vector (K)
    constants: np.ndarray  #: (S,) self and intramolecular Ewald energy of each species (K), removed
    force_shift: np.ndarray  #: (T, T) slope dU/dr at the cutoff (K/Å), zeros unless force-shifted


class GCMCState(NamedTuple):
    """The guests, changed in place by the compiled moves; ``C`` is the capacity (grown when full)."""

    positions: np.ndarray  #: (C, M, 3) site positions (Å)
    centres: np.ndarray  #: (C, 3) centres of mass (Å)
    kinds: np.ndarray  #: (C,) int64 species of each molecule
    count: np.ndarray  #: (1,) int64 number of molecules
    total_sk: np.ndarray  #: (K,) complex structure factor of all guest charges
    energy: np.ndarray  #: (1,) total energy (K)


@njit(cache=True)
def framework_energy(sites, species, system):  # pragma: no cover - numba
    """Energy (K) of one molecule's sites (n_sites, 3), Cartesian Å, with the framework; +inf on overlap."""
    unit_inverse = system.unit_inverse
    total = 0.0
    for s in range(system.n_sites[species]):
        x, y, z = sites[s, 0], sites[s, 1], sites[s, 2]
        u = x * unit_inverse[0, 0] + y * unit_inverse[1, 0] + z * unit_inverse[2, 0]
        v = x * unit_inverse[0, 1] + y * unit_inverse[1, 1] + z * unit_inverse[2, 1]
        w = x * unit_inverse[0, 2] + y * unit_inverse[1, 2] + z * unit_inverse[2, 2]
        lj, coulomb = site_energy(
            system.grids,
            system.blocked,
            system.use_blocking,
            system.potential,
            system.charged,
            system.site_type[species, s],
            system.site_charge[species, s],
            u,
            v,
            w,
            system.overlap_K,
        )
        if lj == np.inf:
            return np.inf
        total += lj
        total += coulomb
    return total


@njit(cache=True)
def guest_energy(sites, species, skip, positions, kinds, count, system):  # pragma: no cover - numba
    """Lennard-Jones and real-space Ewald energy (K) of one molecule's sites with every other guest
    (molecule ``skip`` left out), minimum image; +inf when two sites nearly coincide. A pair with
    ``force_shift`` (dU/dr at the cutoff, K/Å) is linear-force shifted: U(r) - U(r_c) - (r - r_c) U'(r_c)."""
    lj_type, site_charge, n_sites, box, box_inverse = (
        system.lj_type,
        system.site_charge,
        system.n_sites,
        system.box,
        system.box_inverse,
    )
    eps4, sig2, shift, force_shift = system.eps4, system.sig2, system.shift, system.force_shift
    cutoff, alpha, coulomb_K_A = system.cutoff, system.alpha, system.coulomb_K_A
    total = 0.0
    cutoff2 = cutoff * cutoff
    for j in range(count):
        if j == skip:
            continue
        other = kinds[j]
        for s in range(n_sites[species]):
            ts, qs = lj_type[species, s], site_charge[species, s]
            for r in range(n_sites[other]):
                d0 = sites[s, 0] - positions[j, r, 0]
                d1 = sites[s, 1] - positions[j, r, 1]
                d2 = sites[s, 2] - positions[j, r, 2]
                f0 = d0 * box_inverse[0, 0] + d1 * box_inverse[1, 0] + d2 * box_inverse[2, 0]
                f1 = d0 * box_inverse[0, 1] + d1 * box_inverse[1, 1] + d2 * box_inverse[2, 1]
                f2 = d0 * box_inverse[0, 2] + d1 * box_inverse[1, 2] + d2 * box_inverse[2, 2]
                f0 -= round(f0)
                f1 -= round(f1)
                f2 -= round(f2)
                d0 = f0 * box[0, 0] + f1 * box[1, 0] + f2 * box[2, 0]
                d1 = f0 * box[0, 1] + f1 * box[1, 1] + f2 * box[2, 1]
                d2 = f0 * box[0, 2] + f1 * box[1, 2] + f2 * box[2, 2]
                r2 = d0 * d0 + d1 * d1 + d2 * d2
                if r2 >= cutoff2:
                    continue
                if r2 < 0.01:
                    return np.inf
                tr = lj_type[other, r]
                if ts >= 0 and tr >= 0:
                    s6 = (sig2[ts, tr] / r2) ** 3
                    total += eps4[ts, tr] * (s6 * s6 - s6) - shift[ts, tr]
                    if force_shift[ts, tr] != 0.0:
                        total -= force_shift[ts, tr] * (math.sqrt(r2) - cutoff)
                qr = site_charge[other, r]
                if qs != 0.0 and qr != 0.0:
                    distance = math.sqrt(r2)
                    total += coulomb_K_A * qs * qr * math.erfc(alpha * distance) / distance
    return total


@njit(cache=True)
def structure_factor(sites, species, site_charge, n_sites, box_inverse, hkl, reach, out):  # pragma: no cover - numba
    """Σ_s q_s exp(i k·r_s) of one molecule for each reciprocal vector k = 2π (h, k, l) · box⁻ᵀ, into ``out``."""
    out[:] = 0.0
    for s in range(n_sites[species]):
        q = site_charge[species, s]
        if q == 0.0:
            continue
        phases = []
        for axis in range(3):
            f = (
                sites[s, 0] * box_inverse[0, axis]
                + sites[s, 1] * box_inverse[1, axis]
                + sites[s, 2] * box_inverse[2, axis]
            )
            step = cmath.exp(2j * math.pi * f)
            powers = np.empty(2 * reach[axis] + 1, dtype=np.complex128)
            powers[reach[axis]] = 1.0
            for m in range(1, reach[axis] + 1):
                powers[reach[axis] + m] = powers[reach[axis] + m - 1] * step
                powers[reach[axis] - m] = powers[reach[axis] - m + 1] / step
            phases.append(powers)
        for k in range(hkl.shape[0]):
            out[k] += (
                q * phases[0][hkl[k, 0] + reach[0]] * phases[1][hkl[k, 1] + reach[1]] * phases[2][hkl[k, 2] + reach[2]]
            )


@njit(cache=True)
def reciprocal_change(total, old, new, weight):  # pragma: no cover - numba
    """Change (K) of Σ_k w_k |S(k)|² when one molecule's contribution goes from ``old`` to ``new``."""
    change = 0.0
    for k in range(total.shape[0]):
        after = total[k] - old[k] + new[k]
        change += weight[k] * (
            (after.real * after.real + after.imag * after.imag)
            - (total[k].real * total[k].real + total[k].imag * total[k].imag)
        )
    return change


@njit(cache=True)
def molecule_energy(sites, species, skip, system, state):  # pragma: no cover - numba
    """Framework + guest energy (K) of a molecule at ``sites`` (the reciprocal part aside)."""
    energy = framework_energy(sites, species, system)
    if energy == np.inf:
        return np.inf
    return energy + guest_energy(sites, species, skip, state.positions, state.kinds, state.count[0], system)


@njit(cache=True)
def total_energy(system, state):  # pragma: no cover - numba
    """The energy (K) of all guests recomputed from scratch: framework, pairs (each once), reciprocal, constants."""
    hkl, weight = system.hkl, system.weight
    positions, kinds, n = state.positions, state.kinds, state.count[0]
    result = 0.0
    sk = np.zeros(hkl.shape[0], dtype=np.complex128)
    one = np.zeros(hkl.shape[0], dtype=np.complex128)
    for j in range(n):
        species = kinds[j]
        result += framework_energy(positions[j], species, system)
        # pairs with the molecules after j only: each pair once
        result += guest_energy(positions[j], species, -1, positions[j + 1 :], kinds[j + 1 :], n - j - 1, system)
        structure_factor(
            positions[j], species, system.site_charge, system.n_sites, system.box_inverse, hkl, system.reach, one
        )
        sk += one
        result += system.constants[species]
    for k in range(hkl.shape[0]):
        result += weight[k] * (sk[k].real * sk[k].real + sk[k].imag * sk[k].imag)
    return result
