"""The compiled moves of grand-canonical Monte Carlo and their cycles: translation, rotation,
reinsertion, insertion/deletion (with Rosenbluth trials), identity change.

A move's energy change (K) comes from :mod:`.gcmc_energy`: the molecule's framework and guest energy
plus its share of the guests' reciprocal-space Ewald energy, kept as the structure factor and updated
move by move, and a constant per species (its self and intramolecular Ewald terms, removed). All
randomness comes from numba's generator, seeded once (``seed``).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from atomlearn.simulate.gcmc_energy import (
    molecule_energy,
    reciprocal_change,
    structure_factor,
)

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
