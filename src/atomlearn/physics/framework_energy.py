"""The framework as a guest sees it: Lennard-Jones energy grids per guest site type (built on demand),
the electrostatic potential grid of the framework charges (Ewald), exact pair sums, and the blocking
of pockets a guest cannot reach. Widom insertion and grand-canonical Monte Carlo share it.
"""

from __future__ import annotations

import math
import time

import numpy as np
from ase import Atoms
from numba import njit, prange

from atomlearn.physics.accessibility import accessible_region
from atomlearn.physics.charges import eqeq_charges
from atomlearn.physics.ewald import POTENTIAL_CUTOFF_A, ewald_alpha, potential_cutoff, reciprocal_potential
from atomlearn.physics.grid import DirectLJ, grid_shape, interpolate_one, lj_grids
from atomlearn.physics.guests import Guest
from atomlearn.physics.lj_parameters import FrameworkForceField
from atomlearn.units import COULOMB_K_A

#: a stencil touching a grid point above this many k_B T counts as an overlap (exp(-40) ~ 4e-18)
OVERLAP_KT = 40.0
#: Å; a coarser grid biases the energies beyond any error bar (CoRE MOFs, CH4: K_H within 0.4 % at 0.2 Å,
#: 3-6 % low at 0.25 Å, 22-56 % low at 0.35 Å against 0.15 Å; a GCMC loading half at 0.5 Å), so a coarser
#: one is refused unless asked for, and a result from one is marked as not converged
MAX_GRID_SPACING_A = 0.2


def coarse_grid_note(spacing_A: float, allow_coarse_grid: bool, what: str) -> str | None:
    """None for a grid fine enough; a note for a coarser one the caller allowed; else a ``ValueError``.

    Parameters
    ----------
    spacing_A : float
        The spacing the grid will have, Å.
    allow_coarse_grid : bool
        Accept a grid coarser than ``MAX_GRID_SPACING_A`` (quick smoke tests), its results marked unconverged.
    what : str
        The grid in the message (``"UZUNAF_clean: the GCMC grid"``).

    Returns
    -------
    str or None
        The note to attach to a result from the coarse grid.

    Raises
    ------
    ValueError
        A grid coarser than ``MAX_GRID_SPACING_A`` not allowed.
    """
    if spacing_A <= MAX_GRID_SPACING_A * 1.001:
        return None
    if not allow_coarse_grid:
        raise ValueError(
            f"{what} would have a spacing of {spacing_A:.3g} Å; coarser than {MAX_GRID_SPACING_A} Å it "
            "biases the energies beyond the error bar (a loading half its value at 0.5 Å). Use a grid "
            f"spacing of at most {MAX_GRID_SPACING_A} Å (default 0.15), or allow_coarse_grid=True "
            "(--coarse-grid) for a quick test whose numbers are marked unconverged"
        )
    return (
        f"grid spacing {spacing_A:.3g} Å is coarser than {MAX_GRID_SPACING_A} Å (allowed for a quick test): "
        "biased, not converged"
    )


class FrameworkModel:
    """The framework as the guest sees it: LJ grids (built on demand), direct sums, potential, blocking.

    Parameters
    ----------
    atoms : ase.Atoms
        The rigid framework (its unit cell: the grids span it).
    guest : Guest
        Its Lennard-Jones site types get one grid each (a combined guest for a mixture).
    forcefield : FrameworkForceField
        ε/k_B (K) and σ (Å) of the framework atoms; mixed with the sites by Lorentz–Berthelot.
    cutoff_A : float
        Lennard-Jones and real-space Ewald cutoff, Å.
    shifted : bool
        Shift each Lennard-Jones pair to zero at the cutoff.
    spacing_A : float
        Grid spacing, Å (coarsened to stay under ``max_points``).
    max_points : int
    temperature_K : float
        Sets the overlap threshold (``OVERLAP_KT`` k_B T) and the pocket blocking.
    framework_charges : ndarray of shape (n_atoms,) or None
        Partial charges (e) for the Ewald potential grid; None: no electrostatics.
    source : str
        Name of the structure in messages.
    potential_cutoff_A : float
        Preferred real-space cutoff of the Ewald potential grid, Å (``ewald.potential_cutoff``).
    """

    def __init__(
        self,
        atoms: Atoms,
        guest: Guest,
        forcefield: FrameworkForceField,
        cutoff_A: float,
        shifted: bool,
        spacing_A: float,
        max_points: int,
        temperature_K: float,
        framework_charges: np.ndarray | None,
        source: str,
        potential_cutoff_A: float = POTENTIAL_CUTOFF_A,
    ) -> None:
        self.cell = np.array(atoms.cell[:], dtype=float)
        self.inverse_cell = np.linalg.inv(self.cell)
        self.fractional = atoms.get_scaled_positions(wrap=True)
        self.eps, self.sig = forcefield.parameters(atoms.get_chemical_symbols(), source)
        self.types = guest.lj_types
        self.site_type = np.array(
            [next((t for t, s in enumerate(self.types) if s.type == site.type), -1) for site in guest.sites]
        )
        self.site_charge = np.array([s.charge_e for s in guest.sites])
        self.cutoff, self.shifted = cutoff_A, shifted
        self.shape, self.spacing = grid_shape(self.cell, spacing_A, max_points)
        self.overlap_K = OVERLAP_KT * temperature_K
        self.grids: np.ndarray | None = None
        self.blocked = np.zeros((len(self.types), 1, 1, 1), dtype=np.bool_)
        self.use_blocking = False
        self.grid_time_s = 0.0
        self.potential = np.zeros((1, 1, 1))
        self.charges = framework_charges
        self.charged = framework_charges is not None
        self.potential_cutoff_A = potential_cutoff_A
        self._direct: DirectLJ | None = None
        self._no_room: bool | None = None

    @property
    def direct(self) -> DirectLJ:
        """Exact Lennard-Jones pair sums over the framework atom images (built on first use)."""
        if self._direct is None:
            self._direct = DirectLJ(
                self.cell,
                self.fractional,
                self.eps,
                self.sig,
                np.array([s.epsilon_K for s in self.types]),
                np.array([s.sigma_A for s in self.types]),
                self.cutoff,
                self.shifted,
            )
        return self._direct

    def build_grids(self) -> None:
        """Compute the Lennard-Jones grid of each guest site type (K) and, with framework charges, the Ewald potential
        grid (K per e), once."""
        if self.grids is None:
            tick = time.perf_counter()
            coulomb_cutoff = potential_cutoff(self.cell, self.shape, self.cutoff, self.potential_cutoff_A)
            alpha = ewald_alpha(coulomb_cutoff)
            grids = lj_grids(
                self.cell,
                self.fractional,
                self.eps,
                self.sig,
                np.array([s.epsilon_K for s in self.types]),
                np.array([s.sigma_A for s in self.types]),
                self.shape,
                self.cutoff,
                self.shifted,
                self.charges,
                alpha,
                coulomb_cutoff,
            )
            self.grids = grids[: len(self.types)]
            if self.charged:
                reciprocal = reciprocal_potential(self.cell, self.fractional, self.charges, self.shape, alpha)
                self.potential = COULOMB_K_A * (grids[-1].astype(float) + reciprocal)
            self.grid_time_s += time.perf_counter() - tick

    def block(self, threshold_kT: float) -> tuple[float, int]:
        """Mark non-percolating open regions of each site type's grid; (blocked share, pockets)."""
        regions = [accessible_region(g, threshold_kT * self.overlap_K / OVERLAP_KT) for g in self.grids]
        self.blocked = np.stack([~r.accessible for r in regions])
        self.use_blocking = True
        return max(r.blocked_fraction for r in regions), max(r.n_pockets for r in regions)

    def no_room(self) -> bool:
        """True when some site type has no grid point that is both free of overlap and accessible."""
        if self._no_room is None:
            free = self.grids <= self.overlap_K
            if self.use_blocking:
                free &= ~self.blocked
            self._no_room = not free.reshape(len(free), -1).any(axis=1).all()
        return self._no_room

    def grid_energies(self, sites: np.ndarray) -> np.ndarray:
        """Energies (K) of rigid guests at fractional site positions, shape (n, n_sites, 3) -> (n,), interpolated from
        the grids; +inf on overlap or in a blocked pocket."""
        return _insertion_energies(
            self.grids,
            self.site_type,
            self.site_charge,
            self.potential,
            self.charged,
            sites,
            self.overlap_K,
            self.blocked,
            self.use_blocking,
        )

    def direct_energies(self, sites: np.ndarray) -> np.ndarray:
        """Lennard-Jones energies (K) by exact pair sums."""
        energy = np.zeros(len(sites))
        for s, t in enumerate(self.site_type):
            if t >= 0:
                energy += self.direct.energies(sites[:, s], t)
        return energy

    def grid_is_cheaper(self, weight: np.ndarray, target: float, seconds_per_insertion: float) -> bool:
        """After a direct pilot block: is building the grid faster than the insertions still needed?"""
        mean = weight.mean()
        if mean <= 0:
            return True
        needed = weight.var() / (mean * target) ** 2
        n_lj_sites = max(int((self.site_type >= 0).sum()), 1)
        per_site = seconds_per_insertion / n_lj_sites
        shrink = ((self.cutoff + 1.0) / (self.cutoff + self.direct.radius)) ** 3  # bricks are smaller than bins
        grid_seconds = np.prod(self.shape, dtype=float) * len(self.types) * per_site * shrink
        return grid_seconds < max(needed - len(weight), 0) * seconds_per_insertion


@njit(cache=True)
def site_energy(grids, blocked, use_blocking, potential, charged, t, q, u, v, w, overlap_K):  # pragma: no cover - numba
    """(Lennard-Jones, electrostatic) energy (K) of one guest site of LJ type ``t`` (-1: none) and charge ``q`` (e)
    at fractional (u, v, w) of the unit cell; the LJ part is +inf in a blocked pocket or on overlap."""
    lj = 0.0
    if t >= 0:
        if use_blocking:
            na, nb, nc = blocked.shape[1], blocked.shape[2], blocked.shape[3]
            ia = int(math.floor((u - math.floor(u)) * na + 0.5)) % na
            ib = int(math.floor((v - math.floor(v)) * nb + 0.5)) % nb
            ic = int(math.floor((w - math.floor(w)) * nc + 0.5)) % nc
            if blocked[t, ia, ib, ic]:
                return np.inf, 0.0
        lj = interpolate_one(grids[t], u, v, w, overlap_K)
        if lj == np.inf:
            return np.inf, 0.0
    coulomb = q * interpolate_one(potential, u, v, w, np.inf) if charged and q != 0.0 else 0.0
    return lj, coulomb


@njit(parallel=True, cache=True)
def _insertion_energies(
    grids, site_type, site_charge, potential, charged, sites, overlap_K, blocked, use_blocking
):  # pragma: no cover - numba
    n, n_sites = sites.shape[0], sites.shape[1]
    out = np.empty(n)
    for i in prange(n):
        energy = 0.0
        for s in range(n_sites):
            lj, coulomb = site_energy(
                grids,
                blocked,
                use_blocking,
                potential,
                charged,
                site_type[s],
                site_charge[s],
                sites[i, s, 0],
                sites[i, s, 1],
                sites[i, s, 2],
                overlap_K,
            )
            if lj == np.inf:
                energy = np.inf
                break
            energy += lj
            energy += coulomb
        out[i] = energy
    return out


def framework_charges(
    atoms: Atoms, guest_name: str, guest_charged: bool, charges: str, notes: list[str]
) -> tuple[str, np.ndarray | None]:
    """Where a guest's electrostatics come from, and the framework charges to use.

    Charges the structure states (``atoms.has("initial_charges")``: a CIF with ``_atom_site_charge``) are
    used as they are, all zeros included: a neutral framework, as RASPA simulates one; EQeq stands in only
    where no charges are stated.

    Parameters
    ----------
    atoms : ase.Atoms
    guest_name : str
    guest_charged : bool
        Whether any guest site carries a charge (else no electrostatics at all).
    charges : {"auto", "cif", "eqeq", "off"}
        "auto": the structure's charges, else EQeq; "cif": the structure's only; "eqeq": computed even
        when stated; "off": Lennard-Jones only.
    notes : list of str
        A note saying why is appended when a charged guest runs without framework electrostatics.

    Returns
    -------
    source : str
        "ewald (CIF charges)", "ewald (EQeq charges)", or why there are none.
    charges_e : ndarray, shape (n_atoms,), or None
        Framework charges (e); None: no electrostatics.
    """
    if not guest_charged:
        return "none (guest uncharged)", None
    if charges == "off":
        notes.append(f"{guest_name} run with Lennard-Jones only (charges='off')")
        return "off (requested)", None
    stated = atoms.has("initial_charges")
    if charges == "eqeq" or (charges == "auto" and not stated):
        return "ewald (EQeq charges)", eqeq_charges(atoms)
    framework = atoms.get_initial_charges()
    if not stated:
        notes.append(f"{guest_name} run with Lennard-Jones only: the framework carries no partial charges")
        return "none (framework has no charges)", None
    if not np.any(framework):
        notes.append(
            f"the structure states all its partial charges as zero: a neutral framework for {guest_name} "
            "(charges='eqeq' computes charges instead)"
        )
        return "none (stated charges all zero)", None
    return "ewald (CIF charges)", framework.astype(float)
