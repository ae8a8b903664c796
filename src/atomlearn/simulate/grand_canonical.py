"""Grand-canonical Monte Carlo of rigid guests in a rigid framework: single gases and mixtures.

The gas reservoir is set by the fugacity of each component (Peng–Robinson, ``eos.fugacities``); the
moves and their acceptance rules are those of Frenkel & Smit (Understanding Molecular Simulation,
2nd ed., ch. 5 and 13): translation and rotation (steps tuned to 50 % acceptance during
initialisation), reinsertion at a random position, insertion/deletion with probabilities min(1,
βfV/(N+1) W e^(-βΔU_recip)) and min(1, N/(βfV) / W e^(-βΔU_recip)), where W = (1/k) Σ e^(-βu_t) is
the Rosenbluth weight of k random trial positions and orientations (k = 1: the plain rules with
e^(-βΔU)), and, for mixtures, identity change min(1, f_b N_a / (f_a (N_b + 1)) e^(-βΔU)). Framework
energies come from the grids Widom insertion uses (``FrameworkModel``); guest–guest energies are
Lennard-Jones and Ewald (``gcmc_energy``; the moves in ``gcmc_kernels``, the run in ``gcmc_run``).
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

from atomlearn.physics.eos import compressibility, critical_constants, fugacities
from atomlearn.physics.framework_energy import coarse_grid_note, framework_charges
from atomlearn.physics.guests import Guest, get_guest
from atomlearn.physics.lj_parameters import FrameworkForceField, load_forcefield
from atomlearn.simulate.equilibration import SeriesEstimate
from atomlearn.simulate.gcmc_energy import total_energy
from atomlearn.simulate.gcmc_run import MIN_CYCLES, SWAP_TRIALS, MonteCarloRun
from atomlearn.simulate.gcmc_system import build_system
from atomlearn.simulate.void_fraction import helium_void_fraction
from atomlearn.structures import check_structure
from atomlearn.units import A3_TO_M3, AMU_KG, AVOGADRO, BAR_TO_PA, BOLTZMANN, GAS_CONSTANT
from atomlearn.validation import check_count, check_fraction, check_positive, check_pressures, check_temperature

#: cm³ of an ideal gas at STP (273.15 K, 1 atm) per mmol: 1 mol/kg = 22.414 cm³(STP)/g
STP_CM3_PER_MMOL = 22.413969


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
    system, box, cells, closed = build_system(
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
        run = MonteCarloRun(
            system, species, beta_fV, temperature_K, box, point_seed(random_state, pressure), swap_trials
        )
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
    run: MonteCarloRun,
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
    drift = abs(run.state.energy[0] - total_energy(run.system, run.state)) / max(abs(run.state.energy[0]), 1.0)
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


def _isosteric_heat(samples_n: np.ndarray, samples_u: np.ndarray, temperature_K: float) -> float:
    """Q_st (kJ/mol) = RT - (⟨UN⟩ - ⟨U⟩⟨N⟩)/(⟨N²⟩ - ⟨N⟩²), U in K; NaN when N never fluctuated."""
    n = samples_n[:, 0].astype(float)
    variance = n.var()
    if variance == 0:
        return math.nan
    covariance = float(np.mean(samples_u * n) - samples_u.mean() * n.mean())
    return GAS_CONSTANT * (temperature_K - covariance / variance) / 1000.0
