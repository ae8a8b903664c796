"""The compiled core of grand-canonical Monte Carlo: the energy of one rigid molecule and the
Monte Carlo cycles (translation, rotation, reinsertion, insertion/deletion, identity change).

Energies in K. A molecule's energy is its framework energy (interpolated from the energy grids of
``FrameworkModel``: Lennard-Jones per site type plus charge × Ewald potential) plus its interactions
with the other guests (Lennard-Jones and real-space Ewald, minimum image in the simulation box, which
is at least twice the cutoff wide) plus its share of the reciprocal-space Ewald energy of the guests,
kept as the structure factor S(k) = Σ q e^(ik·r) and updated move by move, and a constant per species
(its self and intramolecular Ewald terms, removed). All randomness comes from numba's generator,
seeded once (``seed``).
"""

from __future__ import annotations

import cmath
import math
from typing import NamedTuple

import numpy as np
from numba import njit

from atomlearn.simulate.framework_model import site_energy


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


TRANSLATION, ROTATION, REINSERTION, INSERTION, DELETION, IDENTITY = range(6)
MOVES = ("translation", "rotation", "reinsertion", "insertion", "deletion", "identity change")


@njit(cache=True)
def seed(value):  # pragma: no cover - numba
    """Seed numba's random generator (used by every kernel here)."""
    np.random.seed(value)


@njit(cache=True)
def random_rotation():  # pragma: no cover - numba
    """A uniformly random rotation matrix (Shoemake's quaternion method)."""
    u1, u2, u3 = np.random.random(), np.random.random(), np.random.random()
    a, b = math.sqrt(1.0 - u1), math.sqrt(u1)
    x, y, z, w = (
        a * math.sin(2 * math.pi * u2),
        a * math.cos(2 * math.pi * u2),
        b * math.sin(2 * math.pi * u3),
        b * math.cos(2 * math.pi * u3),
    )
    return np.array(
        [
            [1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)],
            [2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)],
            [2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)],
        ]
    )


@njit(cache=True)
def small_rotation(max_angle):  # pragma: no cover - numba
    """A rotation by a random angle in [-max_angle, max_angle] about a random axis (Rodrigues)."""
    axis = np.random.normal(0.0, 1.0, 3)
    axis /= math.sqrt(axis @ axis)
    angle = (2.0 * np.random.random() - 1.0) * max_angle
    k = np.array([[0.0, -axis[2], axis[1]], [axis[2], 0.0, -axis[0]], [-axis[1], axis[0], 0.0]])
    return np.eye(3) + math.sin(angle) * k + (1.0 - math.cos(angle)) * (k @ k)


@njit(cache=True)
def framework_energy(
    sites,
    species,
    site_type,
    site_charge,
    n_sites,
    unit_inverse,
    grids,
    potential,
    charged,
    blocked,
    use_blocking,
    overlap_K,
):  # pragma: no cover - numba
    """Energy (K) of one molecule's sites (n_sites, 3), Cartesian Å, with the framework; +inf on overlap."""
    total = 0.0
    for s in range(n_sites[species]):
        x, y, z = sites[s, 0], sites[s, 1], sites[s, 2]
        u = x * unit_inverse[0, 0] + y * unit_inverse[1, 0] + z * unit_inverse[2, 0]
        v = x * unit_inverse[0, 1] + y * unit_inverse[1, 1] + z * unit_inverse[2, 1]
        w = x * unit_inverse[0, 2] + y * unit_inverse[1, 2] + z * unit_inverse[2, 2]
        lj, coulomb = site_energy(
            grids,
            blocked,
            use_blocking,
            potential,
            charged,
            site_type[species, s],
            site_charge[species, s],
            u,
            v,
            w,
            overlap_K,
        )
        if lj == np.inf:
            return np.inf
        total += lj
        total += coulomb
    return total


@njit(cache=True)
def guest_energy(
    sites,
    species,
    skip,
    positions,
    kinds,
    count,
    lj_type,
    site_charge,
    n_sites,
    box,
    box_inverse,
    eps4,
    sig2,
    shift,
    cutoff,
    alpha,
    coulomb_K_A,
    force_shift,
):  # pragma: no cover - numba
    """Lennard-Jones and real-space Ewald energy (K) of one molecule's sites with every other guest
    (molecule ``skip`` left out), minimum image; +inf when two sites nearly coincide. A pair with
    ``force_shift`` (dU/dr at the cutoff, K/Å) is linear-force shifted: U(r) - U(r_c) - (r - r_c) U'(r_c)."""
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
    (
        site_type,
        lj_type,
        site_charge,
        n_sites,
        offsets,
        unit_inverse,
        grids,
        potential,
        charged,
        blocked,
        use_blocking,
        overlap_K,
        box,
        box_inverse,
        eps4,
        sig2,
        shift,
        cutoff,
        alpha,
        coulomb_K_A,
        hkl,
        reach,
        weight,
        constants,
        force_shift,
    ) = system
    positions, kinds, count = state.positions, state.kinds, state.count
    energy = framework_energy(
        sites,
        species,
        site_type,
        site_charge,
        n_sites,
        unit_inverse,
        grids,
        potential,
        charged,
        blocked,
        use_blocking,
        overlap_K,
    )
    if energy == np.inf:
        return np.inf
    return energy + guest_energy(
        sites,
        species,
        skip,
        positions,
        kinds,
        count[0],
        lj_type,
        site_charge,
        n_sites,
        box,
        box_inverse,
        eps4,
        sig2,
        shift,
        cutoff,
        alpha,
        coulomb_K_A,
        force_shift,
    )


@njit(cache=True)
def place(species, centre, rotation, offsets, n_sites):  # pragma: no cover - numba
    """Site positions (max_sites, 3) of a molecule with its centre of mass at ``centre``, rotated."""
    sites = np.zeros((offsets.shape[1], 3))
    for s in range(n_sites[species]):
        sites[s] = centre + rotation @ offsets[species, s]
    return sites


@njit(cache=True)
def pick(kinds, count, species):  # pragma: no cover - numba
    """A random molecule of ``species`` (-1 when there is none)."""
    n = 0
    for j in range(count):
        n += kinds[j] == species
    if n == 0:
        return -1
    target = int(np.random.random() * n)
    for j in range(count):
        if kinds[j] == species:
            if target == 0:
                return j
            target -= 1
    return -1


@njit(cache=True)
def accepted(ratio, beta_change):  # pragma: no cover - numba
    """Metropolis: accept with probability min(1, ratio · exp(-β ΔU))."""
    if ratio <= 0.0:
        return False
    log_p = math.log(ratio) - beta_change
    return log_p >= 0.0 or np.random.random() < math.exp(log_p)


@njit(cache=True)
def count_of(kinds, count, species):  # pragma: no cover - numba
    """Molecules of ``species`` among the first ``count``."""
    n = 0
    for j in range(count):
        n += kinds[j] == species
    return n


@njit(cache=True)
def log_rosenbluth(log_weights, n):  # pragma: no cover - numba
    """log of (1/n) Σ exp(log_weights[:n]), without overflow (-inf when every weight is zero)."""
    top = -np.inf
    for t in range(n):
        top = max(top, log_weights[t])
    if top == -np.inf:
        return -np.inf
    total = 0.0
    for t in range(n):
        total += math.exp(log_weights[t] - top)
    return top + math.log(total / n)


@njit(cache=True)
def random_trial(species, skip, system, state, beta):  # pragma: no cover - numba
    """A molecule at a random position and orientation: (sites, centre, -β × its energy without the
    reciprocal part), molecule ``skip`` left out (-1: none; a deletion leaves out the one it removes)."""
    offsets, n_sites, box = system.offsets, system.n_sites, system.box
    centre = np.random.random(3) @ box
    sites = place(species, centre, random_rotation(), offsets, n_sites)
    return sites, centre, -beta * molecule_energy(sites, species, skip, system, state)


@njit(cache=True)
def try_insertion(species, system, state, beta_fV, beta, old_sk, new_sk, n_trials):  # pragma: no cover - numba
    """Insert a molecule, chosen among ``n_trials`` random positions and orientations by its Boltzmann weight
    (Rosenbluth sampling, Frenkel & Smit ch. 13): min(1, βfV/(N+1) W e^(-βΔU_recip)), W = (1/k) Σ e^(-βu_t).
    With one trial this is the plain insertion, min(1, βfV/(N+1) e^(-βΔU)). Returns accepted."""
    n_sites, site_charge, box_inverse = system.n_sites, system.site_charge, system.box_inverse
    hkl, reach, weight, constants = system.hkl, system.reach, system.weight, system.constants
    positions, centres, kinds, count, total_sk, energy = state
    log_weights = np.empty(n_trials)
    trial_sites = np.empty((n_trials, system.offsets.shape[1], 3))
    trial_centres = np.empty((n_trials, 3))
    for t in range(n_trials):
        trial_sites[t], trial_centres[t], log_weights[t] = random_trial(species, -1, system, state, beta)
    log_w = log_rosenbluth(log_weights, n_trials)
    if log_w == -np.inf:
        return False
    chosen = choose(log_weights, log_w, n_trials)
    sites, centre = trial_sites[chosen], trial_centres[chosen]
    structure_factor(sites, species, site_charge, n_sites, box_inverse, hkl, reach, new_sk)
    old_sk[:] = 0.0  # nothing leaves
    rest = reciprocal_change(total_sk, old_sk, new_sk, weight) + constants[species]
    log_p = math.log(beta_fV[species] / (count_of(kinds, count[0], species) + 1)) + log_w - beta * rest
    if not (log_p >= 0.0 or np.random.random() < math.exp(log_p)):
        return False
    j = count[0]
    positions[j], centres[j], kinds[j] = sites, centre, species
    count[0] += 1
    total_sk += new_sk
    energy[0] += -log_weights[chosen] / beta + rest
    return True


@njit(cache=True)
def choose(log_weights, log_w, n):  # pragma: no cover - numba
    """A trial index drawn with probability exp(log_weights[t]) / (n exp(log_w))."""
    draw = np.random.random()
    cumulative = 0.0
    for t in range(n):
        cumulative += math.exp(log_weights[t] - log_w) / n
        if draw < cumulative:
            return t
    for t in range(n - 1, -1, -1):  # round-off: the last trial with a nonzero weight
        if log_weights[t] > -np.inf:
            return t
    return n - 1


@njit(cache=True)
def try_deletion(species, system, state, beta_fV, beta, old_sk, new_sk, n_trials):  # pragma: no cover - numba
    """Delete a random molecule of ``species``: min(1, N/(βfV) / W e^(-βΔU_recip)), where W is the Rosenbluth
    weight of the molecule and ``n_trials`` - 1 random trials (the reverse of ``try_insertion``). Returns accepted."""
    n_sites, site_charge, box_inverse = system.n_sites, system.site_charge, system.box_inverse
    hkl, reach, weight, constants = system.hkl, system.reach, system.weight, system.constants
    positions, centres, kinds, count, total_sk, energy = state
    j = pick(kinds, count[0], species)
    if j < 0:
        return False
    u_old = molecule_energy(positions[j], species, j, system, state)
    log_weights = np.empty(n_trials)
    log_weights[0] = -beta * u_old
    for t in range(1, n_trials):
        log_weights[t] = random_trial(species, j, system, state, beta)[2]
    log_w = log_rosenbluth(log_weights, n_trials)
    structure_factor(positions[j], species, site_charge, n_sites, box_inverse, hkl, reach, old_sk)
    new_sk[:] = 0.0  # nothing arrives
    rest = reciprocal_change(total_sk, old_sk, new_sk, weight) - constants[species]
    log_p = math.log(count_of(kinds, count[0], species) / beta_fV[species]) - log_w - beta * rest
    if not (log_p >= 0.0 or np.random.random() < math.exp(log_p)):
        return False
    last = count[0] - 1
    positions[j], centres[j], kinds[j] = positions[last], centres[last], kinds[last]
    count[0] -= 1
    total_sk -= old_sk
    energy[0] += -u_old + rest
    return True


@njit(cache=True)
def try_identity_change(species, system, state, beta_fV, beta, old_sk, new_sk):  # pragma: no cover - numba
    """Turn a random molecule of ``species`` into another species at the same centre, randomly oriented:
    min(1, f_b N_a / (f_a (N_b + 1)) e^(-βΔU)). Returns accepted."""
    centres, kinds, count = state.centres, state.kinds, state.count
    n_species = beta_fV.shape[0]
    j = pick(kinds, count[0], species)
    if n_species < 2 or j < 0:
        return False
    target = (species + 1 + int(np.random.random() * (n_species - 1))) % n_species
    sites = place(target, centres[j], random_rotation(), system.offsets, system.n_sites)
    change = replacement_change(j, species, sites, target, system, state, old_sk, new_sk)
    if change == np.inf:
        return False
    change = change + system.constants[target] - system.constants[species]
    ratio = (
        beta_fV[target]
        * count_of(kinds, count[0], species)
        / (beta_fV[species] * (count_of(kinds, count[0], target) + 1))
    )
    if not accepted(ratio, beta * change):
        return False
    commit(j, sites, change, state, old_sk, new_sk)
    kinds[j] = target
    return True


@njit(cache=True)
def try_displacement(
    move, species, system, state, beta, max_step, max_angle, old_sk, new_sk
):  # pragma: no cover - numba
    """Translate, rotate (about the centre) or reinsert a random molecule of ``species``: min(1, e^(-βΔU))."""
    offsets, n_sites, box = system.offsets, system.n_sites, system.box
    positions, centres = state.positions, state.centres
    j = pick(state.kinds, state.count[0], species)
    if j < 0:
        return False
    if move == TRANSLATION:
        centre = centres[j] + (2.0 * np.random.random(3) - 1.0) * max_step[species]
        sites = positions[j] + (centre - centres[j])
    elif move == ROTATION:
        rotation = small_rotation(max_angle[species])
        centre = centres[j].copy()
        sites = np.zeros_like(positions[j])
        for s in range(n_sites[species]):
            sites[s] = centre + rotation @ (positions[j, s] - centre)
    else:  # reinsertion
        centre = np.random.random(3) @ box
        sites = place(species, centre, random_rotation(), offsets, n_sites)
    change = replacement_change(j, species, sites, species, system, state, old_sk, new_sk)
    if change == np.inf or not accepted(1.0, beta * change):
        return False
    commit(j, sites, change, state, old_sk, new_sk)
    centres[j] = centre
    return True


@njit(cache=True)
def replacement_change(j, species, sites, new_species, system, state, old_sk, new_sk):  # pragma: no cover - numba
    """Energy change (K) when molecule ``j`` (of ``species``) is replaced by one of ``new_species`` at ``sites``,
    the reciprocal part included; +inf on overlap. Leaves the structure factors of the molecule before and
    after in ``old_sk`` and ``new_sk``."""
    u_new = molecule_energy(sites, new_species, j, system, state)
    if u_new == np.inf:
        return np.inf
    old = state.positions[j]
    u_old = molecule_energy(old, species, j, system, state)
    tables = (system.site_charge, system.n_sites, system.box_inverse, system.hkl, system.reach)
    structure_factor(old, species, *tables, old_sk)
    structure_factor(sites, new_species, *tables, new_sk)
    return u_new - u_old + reciprocal_change(state.total_sk, old_sk, new_sk, system.weight)


@njit(cache=True)
def commit(j, sites, change, state, old_sk, new_sk):  # pragma: no cover - numba
    """Accept a replacement of molecule ``j``: its sites, the structure factor and the total energy."""
    total_sk = state.total_sk
    state.positions[j] = sites
    total_sk += new_sk - old_sk  # in place
    state.energy[0] += change


@njit(cache=True)
def run_cycles(
    n_cycles,
    system,
    state,
    beta_fV,
    temperature_K,
    move_weights,
    max_step,
    max_angle,
    counts,
    samples_n,
    samples_u,
    n_trials,
):  # pragma: no cover - numba
    """Run ``n_cycles`` cycles of max(20, N) moves each; after each cycle record N per species and U.

    ``state`` = (positions (cap, sites, 3), centres (cap, 3), kinds (cap,), count (1,), S(k), energy (1,)),
    updated in place. ``counts`` (2, 6, n_species): attempts and acceptances per move and species.
    ``n_trials``: random positions and orientations tried per insertion (and per deletion's reverse).
    Returns the cycles completed: ``n_cycles``, or fewer when the arrays filled up (the caller enlarges them
    and runs the rest)."""
    positions, kinds, count, energy = state.positions, state.kinds, state.count, state.energy
    n_species = beta_fV.shape[0]
    old_sk = np.zeros(system.hkl.shape[0], dtype=np.complex128)
    new_sk = np.zeros(system.hkl.shape[0], dtype=np.complex128)
    cumulative = np.cumsum(move_weights) / np.sum(move_weights)
    beta = 1.0 / temperature_K
    for cycle in range(n_cycles):
        for _ in range(max(20, count[0])):
            draw = np.random.random()
            move = 0
            while cumulative[move] < draw:
                move += 1
            species = int(np.random.random() * n_species)
            if move == INSERTION and np.random.random() < 0.5:
                move = DELETION
            if move == INSERTION and count[0] == positions.shape[0]:
                return cycle  # full: the caller enlarges the arrays and goes on from this cycle
            counts[0, move, species] += 1
            if move == INSERTION:
                done = try_insertion(species, system, state, beta_fV, beta, old_sk, new_sk, n_trials)
            elif move == DELETION:
                done = try_deletion(species, system, state, beta_fV, beta, old_sk, new_sk, n_trials)
            elif move == IDENTITY:
                done = try_identity_change(species, system, state, beta_fV, beta, old_sk, new_sk)
            else:
                done = try_displacement(move, species, system, state, beta, max_step, max_angle, old_sk, new_sk)
            counts[1, move, species] += done
        for a in range(n_species):
            samples_n[cycle, a] = count_of(kinds, count[0], a)
        samples_u[cycle] = energy[0]
    return n_cycles


@njit(cache=True)
def total_energy(system, state):  # pragma: no cover - numba
    """The energy (K) of all guests recomputed from scratch: framework, pairs (each once), reciprocal, constants."""
    (
        site_type,
        lj_type,
        site_charge,
        n_sites,
        offsets,
        unit_inverse,
        grids,
        potential,
        charged,
        blocked,
        use_blocking,
        overlap_K,
        box,
        box_inverse,
        eps4,
        sig2,
        shift,
        cutoff,
        alpha,
        coulomb_K_A,
        hkl,
        reach,
        weight,
        constants,
        force_shift,
    ) = system
    positions, centres, kinds, count, total_sk, energy = state
    n = count[0]
    result = 0.0
    sk = np.zeros(hkl.shape[0], dtype=np.complex128)
    one = np.zeros(hkl.shape[0], dtype=np.complex128)
    for j in range(n):
        species = kinds[j]
        result += framework_energy(
            positions[j],
            species,
            site_type,
            site_charge,
            n_sites,
            unit_inverse,
            grids,
            potential,
            charged,
            blocked,
            use_blocking,
            overlap_K,
        )
        # pairs with the molecules after j only: each pair once
        result += guest_energy(
            positions[j],
            species,
            -1,
            positions[j + 1 :],
            kinds[j + 1 :],
            n - j - 1,
            lj_type,
            site_charge,
            n_sites,
            box,
            box_inverse,
            eps4,
            sig2,
            shift,
            cutoff,
            alpha,
            coulomb_K_A,
            force_shift,
        )
        structure_factor(positions[j], species, site_charge, n_sites, box_inverse, hkl, reach, one)
        sk += one
        result += constants[species]
    for k in range(hkl.shape[0]):
        result += weight[k] * (sk[k].real * sk[k].real + sk[k].imag * sk[k].imag)
    return result
