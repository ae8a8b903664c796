"""Grand-canonical Monte Carlo of rigid guests in a rigid framework: single gases and mixtures.

The gas reservoir is set by the fugacity of each component (Peng–Robinson, ``eos.fugacities``); the
moves and their acceptance rules are those of Frenkel & Smit (Understanding Molecular Simulation,
2nd ed., ch. 5 and 13): translation and rotation (steps tuned to 50 % acceptance during
initialisation), reinsertion at a random position, insertion/deletion with probabilities min(1,
βfV/(N+1) W e^(-βΔU_recip)) and min(1, N/(βfV) / W e^(-βΔU_recip)), where W = (1/k) Σ e^(-βu_t) is
the Rosenbluth weight of k random trial positions and orientations (k = 1: the plain rules with
e^(-βΔU)), and, for mixtures, identity change min(1, f_b N_a / (f_a (N_b + 1)) e^(-βΔU)). Framework
energies come from the grids Widom insertion uses (``FrameworkModel``); guest–guest energies are
Lennard-Jones and Ewald (``gcmc_kernels``).
A cycle is max(20, N) moves. At the end the running energy is checked against a recomputation.

Loadings: absolute, in molecules per unit cell, mol/kg and cm³(STP)/g, and excess (absolute minus the
bulk gas, Peng–Robinson, in the helium pore volume, ``void_fraction``); the isosteric heat of a single
gas from the fluctuations of N and U, Q_st = RT - (⟨UN⟩ - ⟨U⟩⟨N⟩)/(⟨N²⟩ - ⟨N⟩²). The sampled cycles
are cut where the loading has equilibrated and the standard errors count the correlation of successive
cycles (``equilibration``): a point that rests on fewer than 50 independent samples, or still drifts,
is marked unconverged.
Each pressure's chain is seeded by the seed and the pressure itself, so a point comes out the same
whichever other pressures are run with it (a resumed isotherm equals an uninterrupted one).
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from ase import Atoms
from scipy.special import erf

from atomlearn.physics.eos import compressibility, critical_constants, fugacities
from atomlearn.physics.ewald import ewald_alpha, reciprocal_vectors
from atomlearn.physics.grid import supercell_for_cutoff
from atomlearn.physics.guests import Guest, get_guest
from atomlearn.physics.lj_parameters import FrameworkForceField, load_forcefield, lorentz_berthelot
from atomlearn.simulate import gcmc_kernels as kernels
from atomlearn.simulate.equilibration import SeriesEstimate, estimate_mean
from atomlearn.simulate.framework_model import OVERLAP_KT, FrameworkModel, coarse_grid_note, framework_charges
from atomlearn.simulate.void_fraction import helium_void_fraction
from atomlearn.structures import check_structure
from atomlearn.units import A3_TO_M3, AMU_KG, AVOGADRO, BAR_TO_PA, BOLTZMANN, COULOMB_K_A, GAS_CONSTANT
from atomlearn.validation import check_count, check_fraction, check_positive, check_pressures, check_temperature

#: cm³ of an ideal gas at STP (273.15 K, 1 atm) per mmol: 1 mol/kg = 22.414 cm³(STP)/g
STP_CM3_PER_MMOL = 22.413969
#: guest–guest Ewald sum: real-space truncation exp(-(α r_c)²) and smallest reciprocal weight exp(-k²/4α²)
#: (RASPA's EwaldPrecision, 1e-6 by default there too; the framework's potential grid is converged further)
GUEST_EWALD_PRECISION = 1e-6
#: random positions and orientations per insertion (RASPA's CBMC default: 10 trial positions)
SWAP_TRIALS = 10
#: relative weights of the moves (rotation only for molecules with several sites; identity change only for mixtures)
MOVE_WEIGHTS = {"translation": 1.0, "rotation": 1.0, "reinsertion": 1.0, "swap": 2.0, "identity change": 1.0}
#: fewest sampled cycles: below this no error bar can be estimated at all
MIN_CYCLES = 10
#: energy (k_B T) above which a grid region counts as closed when pockets are blocked (as Widom's default)
BLOCK_THRESHOLD_KT = 15.0


@dataclass
class GCMCResult:
    """Loadings and energies of one framework at one condition (units in the names)."""

    guests: list[str]
    mole_fractions: list[float]
    temperature_K: float
    pressure_Pa: float
    fugacity_Pa: list[float]
    molecules_per_cell: list[float]
    molecules_per_cell_se: list[float]
    loading_mol_kg: list[float]
    loading_se_mol_kg: list[float]
    excess_loading_mol_kg: list[float]  # absolute minus the bulk gas in the helium pore volume
    helium_void_fraction: float
    qst_kJ_mol: float  # single gas only; NaN for mixtures
    acceptance: dict[str, float]
    init_cycles: int
    cycles: int
    energy_drift: float  # |running - recomputed| / max(|recomputed|, 1 K)
    electrostatics: str
    supercell: tuple[int, int, int]
    time_s: float
    discarded_cycles: int = 0  # sampled cycles cut as still equilibrating
    effective_samples: float = math.nan  # independent samples behind the error bar (least-sampled guest)
    converged: bool = True  # False: the error bar cannot be trusted (the notes say why)
    notes: list[str] = field(default_factory=list)

    @property
    def loading_cm3_stp_g(self) -> list[float]:
        """Absolute loading in cm³(STP)/g."""
        return [value * STP_CM3_PER_MMOL for value in self.loading_mol_kg]

    def to_dict(self) -> dict:
        """A flat record for a results table: one column per guest and quantity (units in the names)."""
        row = {
            "composition": composition_label(self.guests, self.mole_fractions),
            "temperature_K": self.temperature_K,
            "pressure_bar": self.pressure_Pa / BAR_TO_PA,
        }
        for index, guest in enumerate(self.guests):
            row |= {
                f"y_{guest}": self.mole_fractions[index],
                f"fugacity_{guest}_Pa": self.fugacity_Pa[index],
                f"loading_{guest}_mol_kg": self.loading_mol_kg[index],
                f"loading_se_{guest}_mol_kg": self.loading_se_mol_kg[index],
                f"excess_loading_{guest}_mol_kg": self.excess_loading_mol_kg[index],
                f"loading_{guest}_cm3_stp_g": self.loading_cm3_stp_g[index],
                f"molecules_per_cell_{guest}": self.molecules_per_cell[index],
            }
        row |= {
            "helium_void_fraction": self.helium_void_fraction,
            "qst_kJ_mol": self.qst_kJ_mol,
            "cycles": self.cycles,
            "init_cycles": self.init_cycles,
            "discarded_cycles": self.discarded_cycles,
            "effective_samples": self.effective_samples,
            "converged": self.converged,
            "acceptance": ";".join(f"{k}={v:.3f}" for k, v in self.acceptance.items()),
            "energy_drift": self.energy_drift,
            "electrostatics": self.electrostatics,
            "supercell": "x".join(map(str, self.supercell)),
            "time_s": self.time_s,
            "notes": "; ".join(self.notes),
        }
        return row


def composition_label(guests: list[str], mole_fractions: list[float]) -> str:
    """``CO2:0.15,N2:0.85`` (mole fractions normalised; a pure gas: its name)."""
    if len(guests) == 1:
        return guests[0]
    total = sum(mole_fractions)
    return ",".join(f"{guest}:{fraction / total:.6g}" for guest, fraction in zip(guests, mole_fractions))


def gcmc(
    atoms: Atoms,
    guests: str | Guest | Mapping[str | Guest, float],
    temperature_K: float,
    pressure_Pa: float,
    **options: Any,
) -> GCMCResult:
    """Grand-canonical Monte Carlo of ``guests`` in the rigid framework ``atoms`` at one pressure (Pa).

    The one-pressure case of :func:`gcmc_isotherm`.

    Parameters
    ----------
    atoms : ase.Atoms
        The rigid framework, periodic along all axes (positions in Å, partial charges in e).
    guests : str, Guest, or mapping of str or Guest to float
        One guest, or the mole fractions of a gas mixture (``{"CO2": 0.15, "N2": 0.85}``).
    temperature_K : float
    pressure_Pa : float
        Total pressure of the gas in contact with the framework.
    **options
        The keyword arguments of :func:`gcmc_isotherm` (cycles, grid, charges, equation of state, ...).

    Returns
    -------
    GCMCResult
        Per guest: ``loading_mol_kg`` ± ``loading_se_mol_kg`` (absolute, mol/kg),
        ``excess_loading_mol_kg``, ``molecules_per_cell``; ``converged`` and ``notes`` say whether
        the error bar can be trusted (equilibration detected, correlated samples accounted for).

    Examples
    --------
    Methane at 1 bar in the toy framework of :func:`~atomlearn.simulate.widom_henry`'s example: at
    this low loading the uptake equals K_H · p (4.5e-7 mol/(kg·Pa) × 1e5 Pa) within its error bar.

    >>> from ase.build import bulk
    >>> from atomlearn.simulate import gcmc
    >>> result = gcmc(bulk("Cu", "sc", a=6.0), "CH4", 298.0, 1e5, init_cycles=50, cycles=200)
    >>> loading, error = result.loading_mol_kg[0], result.loading_se_mol_kg[0]
    >>> f"{loading:.3f} ± {error:.3f} mol/kg, converged: {result.converged}"
    '0.043 ± 0.006 mol/kg, converged: True'
    >>> bool(abs(loading - 4.5e-7 * 1e5) < 2 * error)
    True
    """
    return gcmc_isotherm(atoms, guests, temperature_K, [pressure_Pa], **options)[0]


def gcmc_isotherm(
    atoms: Atoms,
    guests: str | Guest | Mapping[str | Guest, float],
    temperature_K: float,
    pressures_Pa: Sequence[float],
    *,
    equation_of_state: str = "peng-robinson",
    forcefield: str | FrameworkForceField = "uff",
    cutoff_A: float = 12.0,
    shifted: bool = True,
    force_shifted: bool = False,
    grid_spacing_A: float = 0.15,
    max_grid_points: int = 40_000_000,
    charges: str = "auto",
    block_pockets: bool = True,
    init_cycles: int = 1000,
    cycles: int = 5000,
    target_relative_error: float | None = None,
    swap_trials: int = SWAP_TRIALS,
    allow_coarse_grid: bool = False,
    random_state: int | None = 0,
) -> list[GCMCResult]:
    """Grand-canonical Monte Carlo of ``guests`` in the rigid framework ``atoms`` at each of ``pressures_Pa``.

    The energy grids are built once and serve every pressure; each pressure starts from an empty
    framework with its own equilibration and its own random stream (from ``random_state`` and the
    pressure), so a point does not depend on which other pressures are run.

    Parameters
    ----------
    atoms : ase.Atoms
        The framework, periodic along all axes (no atoms: the empty box, a bulk gas).
    guests : str, Guest, or mapping of str or Guest to float
        One guest (CO2, N2, CH4, Ar, Kr, Xe, or a ``Guest`` of your own), or mole fractions of a gas mixture.
    temperature_K : float
    pressures_Pa : sequence of float
        Total pressures of the gas in contact with the framework.
    equation_of_state : {"peng-robinson", "ideal"}
        Fugacities from Peng–Robinson (critical constants shipped for the named guests), or f_i = y_i p.
    forcefield, cutoff_A, shifted, grid_spacing_A, max_grid_points, charges, block_pockets, allow_coarse_grid
        As in ``widom_henry``; the Lennard-Jones potential is shifted to zero at the cutoff by default. A grid
        coarser than 0.2 Å is refused unless ``allow_coarse_grid`` (its points are then marked unconverged).
    force_shifted : bool
        Guest–guest Lennard-Jones linear-force shifted, U(r) - U(r_c) - (r - r_c) U'(r_c) (a model
        fluid's convention, e.g. NIST's reference data); only for a bulk fluid (an empty box).
    init_cycles, cycles : int
        Cycles to equilibrate (not sampled) and to sample (at most, with a target error). Sampled cycles
        that are still equilibrating are detected and cut (``discarded_cycles``).
    target_relative_error : float, optional
        Stop sampling once every component's loading has this relative standard error and the estimate
        has converged (``equilibration.estimate_mean``).
    swap_trials : int
        Random positions and orientations tried per insertion, one chosen by its Boltzmann weight
        (Rosenbluth; the deletion weighs the reverse): strong binding sites fill in far fewer cycles.
        1 is the plain insertion.
    random_state : int or None

    Returns
    -------
    list of GCMCResult
        One per pressure, in the order given; ``time_s`` is that pressure's share of the setup plus its cycles.
    """
    clock = time.perf_counter()
    composition = {guests: 1.0} if isinstance(guests, (str, Guest)) else dict(guests)
    species = [name if isinstance(name, Guest) else get_guest(name) for name in composition]
    source = str(atoms.info.get("id") or atoms.get_chemical_formula() or "empty box")
    _check_request(atoms, source, species, composition, cycles, init_cycles)
    check_temperature(temperature_K)
    pressures_Pa = check_pressures(pressures_Pa, "pressure", "Pa")
    check_positive(cutoff_A, "cutoff", "Å")
    check_positive(grid_spacing_A, "grid spacing", "Å")
    check_count(swap_trials, "swap_trials")
    if target_relative_error is not None:
        check_fraction(target_relative_error, "target relative error")
    if force_shifted and len(atoms):
        raise ValueError(
            f"{source}: force_shifted applies to guest–guest pairs only; use it for a bulk fluid (an empty box)"
        )
    mole_fractions = {g.name: composition[name] / sum(composition.values()) for g, name in zip(species, composition)}
    fugacity = [_fugacities(equation_of_state, mole_fractions, temperature_K, p) for p in pressures_Pa]
    notes: list[str] = []
    coarse = coarse_grid_note(grid_spacing_A, allow_coarse_grid, f"{source}: the GCMC grid") if len(atoms) else None
    charged_guest = any(g.charged for g in species)
    electrostatics, charges_e = (
        framework_charges(atoms, "+".join(g.name for g in species), charged_guest, charges, notes)
        if len(atoms)
        else ("none (empty box)", None)
    )
    framework_forcefield = load_forcefield(forcefield) if isinstance(forcefield, str) else forcefield
    system, box, cells, closed = _system(
        atoms,
        species,
        framework_forcefield,
        cutoff_A,
        shifted,
        grid_spacing_A,
        max_grid_points,
        temperature_K,
        charges_e,
        block_pockets,
        source,
        force_shifted,
        allow_coarse_grid,
    )
    void_fraction = (
        helium_void_fraction(atoms, forcefield, cutoff_A, random_state=random_state)[0] if len(atoms) else 1.0
    )
    setup_s = (time.perf_counter() - clock) / len(pressures_Pa)
    results = []
    for pressure, gas in zip(pressures_Pa, fugacity):
        clock = time.perf_counter()
        beta_fV = np.array(
            [gas[g.name] * abs(np.linalg.det(box)) * A3_TO_M3 / (BOLTZMANN * temperature_K) for g in species]
        )
        run = _Run(system, species, beta_fV, temperature_K, box, point_seed(random_state, pressure), swap_trials)
        run.cycles(init_cycles, tune=True)
        samples_n, samples_u, estimate = run.sample(cycles, target_relative_error)
        problems = [coarse] if coarse else []
        point_notes = list(notes)
        if closed:  # nothing can enter: zero exactly, not an estimate without an error bar
            estimate = replace(estimate, problems=[])
            point_notes.append("no grid point is both free of overlap and accessible: no room for the guest, loading 0")
        result = _result(
            atoms,
            species,
            mole_fractions,
            temperature_K,
            pressure,
            gas,
            cells,
            run,
            samples_n,
            samples_u,
            estimate,
            electrostatics,
            point_notes + problems,
            void_fraction,
            equation_of_state,
        )
        result.converged = result.converged and not problems
        result.time_s, result.init_cycles = setup_s + time.perf_counter() - clock, init_cycles
        results.append(result)
    return results


def point_seed(random_state: int | None, pressure_Pa: float) -> np.random.SeedSequence:
    """The random stream of one pressure point: the seed and the pressure (to 1 mPa), nothing else."""
    return np.random.SeedSequence(random_state, spawn_key=(int(round(pressure_Pa * 1000)),))


def _fugacities(
    equation_of_state: str, mole_fractions: dict[str, float], temperature_K: float, pressure_Pa: float
) -> dict[str, float]:
    """Fugacity (Pa) of each component (temperature and pressure already checked); refuses an unknown equation of
    state."""
    if equation_of_state == "peng-robinson":
        unknown = sorted(set(mole_fractions) - set(critical_constants()))
        if unknown:
            raise ValueError(
                f"no critical constants for {', '.join(unknown)} (Peng–Robinson knows "
                f"{', '.join(critical_constants())}); for a model fluid give equation_of_state='ideal'"
            )
        return fugacities(mole_fractions, temperature_K, pressure_Pa)
    if equation_of_state != "ideal":
        raise ValueError(f"equation_of_state must be 'peng-robinson' or 'ideal', not {equation_of_state!r}")
    return {name: y * pressure_Pa for name, y in mole_fractions.items()}


def _check_request(
    atoms: Atoms, source: str, species: list[Guest], composition: Mapping[str, float], cycles: int, init_cycles: int
) -> None:
    if not atoms.pbc.all() or atoms.cell.rank < 3:
        raise ValueError(f"{source}: GCMC needs a periodic cell along all three axes")
    if len(atoms):  # (an empty box is a bulk gas)
        check_structure(atoms, source)
    if len({g.name for g in species}) < len(species):
        raise ValueError(f"a gas mixture names each guest once; got {list(composition)}")
    check_count(cycles, "cycles", minimum=MIN_CYCLES)
    check_count(init_cycles, "init_cycles", minimum=0)


def _result(
    atoms: Atoms,
    species: list[Guest],
    mole_fractions: dict[str, float],
    temperature_K: float,
    pressure_Pa: float,
    fugacity: dict[str, float],
    cells: tuple[int, int, int],
    run: _Run,
    samples_n: np.ndarray,
    samples_u: np.ndarray,
    estimate: SeriesEstimate,
    electrostatics: str,
    notes: list[str],
    void_fraction: float,
    equation_of_state: str,
) -> GCMCResult:
    """Loadings with their errors (equilibrated part, correlation counted), the heat from fluctuations and the
    energy check of one finished run."""
    drift = abs(run.state.energy[0] - kernels.total_energy(run.system, run.state)) / max(abs(run.state.energy[0]), 1.0)
    if drift > 1e-6:
        notes.append(
            f"the running energy drifted from a recomputation by {drift:.2g} (relative); treat the result with care"
        )
    n_cells = int(np.prod(cells))
    mass_kg = atoms.get_masses().sum() * n_cells * AMU_KG
    means, errors = estimate.mean, estimate.standard_error
    notes += estimate.problems
    kept_n, kept_u = samples_n[estimate.equilibrated_from :], samples_u[estimate.equilibrated_from :]
    to_mol_kg = 1.0 / (AVOGADRO * mass_kg) if mass_kg > 0 else math.nan
    # the bulk gas (mol/m³ of each component) in the helium pore volume (m³/kg)
    z = compressibility(mole_fractions, temperature_K, pressure_Pa) if equation_of_state == "peng-robinson" else 1.0
    bulk = pressure_Pa / (z * GAS_CONSTANT * temperature_K)
    pore_m3_kg = void_fraction * abs(atoms.cell.volume) * A3_TO_M3 * n_cells / mass_kg if mass_kg > 0 else math.nan
    excess = [means[i] * to_mol_kg - mole_fractions[g.name] * bulk * pore_m3_kg for i, g in enumerate(species)]
    return GCMCResult(
        guests=[g.name for g in species],
        mole_fractions=[mole_fractions[g.name] for g in species],
        temperature_K=float(temperature_K),
        pressure_Pa=float(pressure_Pa),
        fugacity_Pa=[fugacity[g.name] for g in species],
        molecules_per_cell=list(means / n_cells),
        molecules_per_cell_se=list(errors / n_cells),
        loading_mol_kg=list(means * to_mol_kg),
        loading_se_mol_kg=list(errors * to_mol_kg),
        excess_loading_mol_kg=[float(v) for v in excess],
        helium_void_fraction=float(void_fraction),
        qst_kJ_mol=_isosteric_heat(kept_n, kept_u, temperature_K) if len(species) == 1 else math.nan,
        acceptance=run.acceptance(),
        init_cycles=0,
        cycles=len(samples_u),
        energy_drift=float(drift),
        electrostatics=electrostatics,
        supercell=tuple(int(c) for c in cells),
        time_s=0.0,
        discarded_cycles=estimate.equilibrated_from,
        effective_samples=estimate.effective_samples,
        converged=estimate.converged,
        notes=notes,
    )


def _system(
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
) -> tuple[kernels.GCMCSystem, np.ndarray, tuple[int, int, int], bool]:
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
        closed = _no_room_for_any(model, species, types)
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
    system = kernels.GCMCSystem(
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


def _no_room_for_any(model: FrameworkModel, species: list[Guest], types: Sequence[Any]) -> bool:
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


class _Run:
    """The Monte Carlo state and its statistics across calls of the compiled cycles."""

    def __init__(
        self,
        system: kernels.GCMCSystem,
        species: list[Guest],
        beta_fV: np.ndarray,
        temperature_K: float,
        box: np.ndarray,
        random_state: int | np.random.SeedSequence | None,
        swap_trials: int = 1,
    ) -> None:
        self.system, self.beta_fV, self.temperature_K, self.swap_trials = system, beta_fV, temperature_K, swap_trials
        sequence = (
            random_state if isinstance(random_state, np.random.SeedSequence) else np.random.SeedSequence(random_state)
        )
        kernels.seed(int(sequence.generate_state(1)[0]) % 2**31)
        max_sites, n_k = system.offsets.shape[1], system.hkl.shape[0]
        self.state = kernels.GCMCState(
            np.zeros((64, max_sites, 3)),
            np.zeros((64, 3)),
            np.zeros(64, dtype=np.int64),
            np.zeros(1, dtype=np.int64),
            np.zeros(n_k, dtype=np.complex128),
            np.zeros(1),
        )
        weights = dict(MOVE_WEIGHTS)
        if all(len(g.sites) == 1 for g in species):
            weights["rotation"] = 0.0
        if len(species) == 1:
            weights["identity change"] = 0.0
        self.move_weights = np.array(
            [
                weights["translation"],
                weights["rotation"],
                weights["reinsertion"],
                weights["swap"],
                0.0,
                weights["identity change"],
            ]
        )
        self.max_step = np.full(len(species), 1.0)
        self.max_angle = np.full(len(species), 0.5)
        self.max_step_limit = 0.5 * float(np.min(np.linalg.norm(box, axis=1)))
        self.counts = np.zeros((2, 6, len(species)), dtype=np.int64)

    def cycles(self, n: int, tune: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """Run ``n`` cycles (in chunks, tuning the steps when asked); the per-cycle N and U."""
        samples_n = np.zeros((n, len(self.beta_fV)), dtype=np.int64)
        samples_u = np.zeros(n)
        done, chunk = 0, max(1, min(100, n))
        while done < n:
            todo = min(chunk, n - done)
            before = self.counts.copy()
            finished = kernels.run_cycles(
                todo,
                self.system,
                self.state,
                self.beta_fV,
                self.temperature_K,
                self.move_weights,
                self.max_step,
                self.max_angle,
                self.counts,
                samples_n[done : done + todo],
                samples_u[done : done + todo],
                self.swap_trials,
            )
            done += finished
            if finished < todo:
                self._grow()
            if tune:
                self._tune(self.counts - before)
        return samples_n, samples_u

    def sample(self, cycles: int, target: float | None) -> tuple[np.ndarray, np.ndarray, SeriesEstimate]:
        """Sampled N and U per cycle and the loading estimate: all ``cycles``, or fewer once the estimate has
        converged with every loading's standard error below ``target`` (relative)."""
        step = max(MIN_CYCLES, cycles // 10) if target else cycles
        parts_n, parts_u = [], []
        while sum(len(p) for p in parts_u) < cycles:
            samples_n, samples_u = self.cycles(min(step, cycles - sum(len(p) for p in parts_u)))
            parts_n.append(samples_n)
            parts_u.append(samples_u)
            estimate = estimate_mean(np.concatenate(parts_n), what="the loading")
            if (
                target
                and estimate.converged
                and np.all((estimate.mean > 0) & (estimate.standard_error < target * estimate.mean))
            ):
                break
        return np.concatenate(parts_n), np.concatenate(parts_u), estimate

    def acceptance(self) -> dict[str, float]:
        """Accepted share of each move tried."""
        tried, accepted = self.counts[0].sum(axis=1), self.counts[1].sum(axis=1)
        return {name: float(accepted[i] / tried[i]) for i, name in enumerate(kernels.MOVES) if tried[i]}

    def _grow(self) -> None:
        positions, centres, kinds, count, total_sk, energy = self.state
        size = 2 * len(kinds)
        grown = (np.zeros((size, *positions.shape[1:])), np.zeros((size, 3)), np.zeros(size, dtype=np.int64))
        grown[0][: len(kinds)], grown[1][: len(kinds)], grown[2][: len(kinds)] = positions, centres, kinds
        self.state = kernels.GCMCState(*grown, count, total_sk, energy)

    def _tune(self, counts: np.ndarray) -> None:
        """Steer translation and rotation towards half of them accepted."""
        for move, values, limit in (
            (kernels.TRANSLATION, self.max_step, self.max_step_limit),
            (kernels.ROTATION, self.max_angle, math.pi),
        ):
            tried, accepted = counts[0, move], counts[1, move]
            ratio = np.divide(accepted, tried, out=np.full(len(values), 0.5), where=tried > 0)
            values *= np.where(ratio > 0.5, 1.1, 0.9)
            np.clip(values, 0.01, limit, out=values)


def _isosteric_heat(samples_n: np.ndarray, samples_u: np.ndarray, temperature_K: float) -> float:
    """Q_st (kJ/mol) = RT - (⟨UN⟩ - ⟨U⟩⟨N⟩)/(⟨N²⟩ - ⟨N⟩²), U in K; NaN when N never fluctuated."""
    n = samples_n[:, 0].astype(float)
    variance = n.var()
    if variance == 0:
        return math.nan
    covariance = float(np.mean(samples_u * n) - samples_u.mean() * n.mean())
    return GAS_CONSTANT * (temperature_K - covariance / variance) / 1000.0
