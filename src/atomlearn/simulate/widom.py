"""Widom test-particle insertion in a rigid framework: Henry coefficients and heats of adsorption.

K_H = ⟨exp(-βU)⟩ / (R T ρ_framework) in mol/(kg·Pa), and the isosteric heat at infinite
dilution Q_st = R T - ⟨U exp(-βU)⟩ / ⟨exp(-βU)⟩ in kJ/mol, averaged over random positions
(and orientations) of the rigid guest. Standard errors come from the spread of the
averages of equal blocks of insertions; insertions stop when the relative error of K_H
falls below the target or at the maximum count.

The fast path interpolates precomputed energy grids (one per guest site type, plus the
electrostatic potential when the framework carries charges); ``method="direct"`` sums the
pair energies for each insertion instead (Lennard-Jones only; for validation).
"""

from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass, field

import numpy as np
from ase import Atoms
from scipy.spatial.transform import Rotation

from atomlearn.physics.framework_energy import MAX_GRID_SPACING_A, FrameworkModel, coarse_grid_note, framework_charges
from atomlearn.physics.grid import grid_shape, supercell_for_cutoff
from atomlearn.physics.guests import Guest, get_guest
from atomlearn.physics.lj_parameters import FrameworkForceField, load_forcefield
from atomlearn.physics.supercell import reduce_supercell
from atomlearn.simulate.equilibration import MIN_EFFECTIVE_SAMPLES
from atomlearn.units import A3_TO_M3, AMU_KG, GAS_CONSTANT
from atomlearn.validation import check_count, check_fraction, check_positive, check_temperature

MIN_BLOCKS = 10
#: where a charged guest's framework charges come from (see ``widom_henry``)
CHARGE_SOURCES = ("auto", "cif", "eqeq", "off")


@dataclass
class HenryResult:
    """Widom result for one structure and guest (units in the names).

    Attributes
    ----------
    guest : str
    temperature_K : float
    henry_mol_kg_Pa, henry_se_mol_kg_Pa : float
        Henry coefficient and its standard error (mol/(kg·Pa)).
    qst_kJ_mol, qst_se_kJ_mol : float
        Isosteric heat at infinite dilution and its standard error (kJ/mol).
    boltzmann_average : float
        ⟨exp(-βU)⟩ over the insertions.
    insertions : int
    framework_density_kg_m3 : float
    electrostatics : str
        "ewald", or why not.
    blocked_fraction : float
        Blocked share of the open volume (0 when blocking is off).
    blocked_pockets : int
    method : str
        "grid" or "direct".
    grid_spacing_A, cutoff_A : float
    supercell : tuple of int
    forcefield : str
    time_s, grid_time_s : float
    effective_insertions : float
        Kish's effective sample size (Σw)²/Σw² of the Boltzmann weights.
    converged : bool
        False when the error bar cannot be trusted (the notes say why).
    notes : list of str
    """

    guest: str
    temperature_K: float
    henry_mol_kg_Pa: float
    henry_se_mol_kg_Pa: float
    qst_kJ_mol: float
    qst_se_kJ_mol: float
    boltzmann_average: float  # ⟨exp(-βU)⟩
    insertions: int
    framework_density_kg_m3: float
    electrostatics: str  # "ewald", or why not
    blocked_fraction: float  # blocked share of the open volume (0 when blocking is off)
    blocked_pockets: int
    method: str
    grid_spacing_A: float
    cutoff_A: float
    supercell: tuple[int, int, int]
    forcefield: str
    time_s: float
    grid_time_s: float
    effective_insertions: float = math.nan  # Kish: (Σw)²/Σw² of the Boltzmann weights
    converged: bool = True  # False: the error bar cannot be trusted (the notes say why)
    notes: list[str] = field(default_factory=list)

    @property
    def relative_error(self) -> float:
        """Standard error over the value of K_H (infinite when K_H is 0)."""
        return self.henry_se_mol_kg_Pa / self.henry_mol_kg_Pa if self.henry_mol_kg_Pa > 0 else math.inf

    def to_dict(self) -> dict:
        """One flat row for a results table (supercell as ``AxBxC``, notes joined by ``; ``)."""
        row = asdict(self)
        row["supercell"] = "x".join(map(str, self.supercell))
        row["notes"] = "; ".join(self.notes)
        row["relative_error"] = self.relative_error
        return row


def framework_density(atoms: Atoms) -> float:
    """Mass density of the framework (kg/m³)."""
    return float(atoms.get_masses().sum() * AMU_KG / (atoms.get_volume() * A3_TO_M3))


def widom_henry(
    atoms: Atoms,
    guest: str | Guest = "CH4",
    temperature_K: float = 298.0,
    *,
    forcefield: str | FrameworkForceField = "uff",
    cutoff_A: float = 12.0,
    shifted: bool = False,
    method: str = "auto",
    grid_spacing_A: float = 0.15,
    max_grid_points: int = 40_000_000,
    target_relative_error: float = 0.05,
    max_insertions: int = 5_000_000,
    block_size: int = 20_000,
    block_pockets: bool = True,
    block_threshold_kT: float = 15.0,
    charges: str = "auto",
    allow_coarse_grid: bool = False,
    random_state: int | None = 0,
) -> HenryResult:
    """Henry coefficient (mol/(kg·Pa)) and Q_st (kJ/mol) of ``guest`` in the rigid framework ``atoms``.

    ``method``: "grid" interpolates energy grids, "direct" sums pair energies per insertion,
    "auto" starts direct and builds the grid when the first block predicts it is cheaper
    (always the grid when pockets are blocked or electrostatics are on).
    ``charges`` (used when the guest is charged, with Ewald summation): "auto" takes the
    framework's partial charges (``atoms.get_initial_charges()``, read from ``_atom_site_charge``)
    and computes EQeq charges (``charges.eqeq_charges``) when it has none; "cif" takes only the
    framework's own (none: Lennard-Jones only); "eqeq" computes EQeq charges even when the CIF has
    some; "off" runs Lennard-Jones only; a CIF whose charges are all zero is a neutral framework
    under "auto" and "cif" alike (stated zeros are charges). ``block_pockets`` gives zero weight to
    open regions that do not percolate (see ``accessibility``). A grid coarser than
    ``MAX_GRID_SPACING_A`` is refused unless ``allow_coarse_grid``, and its result is then marked
    unconverged. The result is also unconverged (``converged`` False, the notes say why) when fewer than
    ``MIN_EFFECTIVE_SAMPLES`` insertions carry the Boltzmann average (Kish's effective sample size): a
    rare strong site makes the block error meaningless.

    Parameters
    ----------
    atoms : ase.Atoms
        The rigid framework, periodic along all axes; positions in Å (partial charges, if any, as
        initial charges in e).
    guest : str or Guest
        A name of :data:`atomlearn.physics.GUESTS` (CH4, Ar, Kr, Xe, N2, CO2) or a ``Guest`` of your own.
    temperature_K : float
    forcefield : {"uff", "dreiding"} or FrameworkForceField
        Framework Lennard-Jones parameters, mixed with the guest's by Lorentz–Berthelot.
    cutoff_A : float
        Lennard-Jones cutoff (Å); the supercell is made at least twice as wide.
    shifted : bool
        Shift the Lennard-Jones potential to zero at the cutoff (else truncated).
    method : {"auto", "grid", "direct"}
    grid_spacing_A, max_grid_points : float, int
        Energy-grid spacing (Å) and the most points a grid may have.
    target_relative_error : float
        Stop inserting when the Henry coefficient's relative standard error reaches this.
    max_insertions, block_size : int
        Most insertions, and insertions per block of the block-average error.
    block_pockets, block_threshold_kT : bool, float
        Block pockets not connected to the percolating pore network; grid points above this energy (kT)
        count as closed.
    charges : {"auto", "cif", "eqeq", "off"}
    allow_coarse_grid : bool
    random_state : int or None

    Returns
    -------
    HenryResult
        ``henry_mol_kg_Pa`` ± ``henry_se_mol_kg_Pa`` (mol/(kg·Pa)), ``qst_kJ_mol`` ± ``qst_se_kJ_mol``
        (kJ/mol), ``effective_insertions``, ``converged`` and ``notes``, and how it was computed.

    Examples
    --------
    Methane in a toy framework (a simple cubic lattice of copper atoms 6 Å apart):

    >>> from ase.build import bulk
    >>> from atomlearn.simulate import widom_henry
    >>> result = widom_henry(bulk("Cu", "sc", a=6.0), "CH4", 298.0, target_relative_error=0.1)
    >>> f"{result.henry_mol_kg_Pa:.1e} mol/(kg Pa), converged: {result.converged}"
    '4.5e-07 mol/(kg Pa), converged: True'
    """
    start = time.perf_counter()
    guest = get_guest(guest) if isinstance(guest, str) else guest
    forcefield = load_forcefield(forcefield) if isinstance(forcefield, str) else forcefield
    source = str(atoms.info.get("id") or atoms.info.get("source") or atoms.get_chemical_formula())
    _check_inputs(atoms, source, temperature_K, cutoff_A, target_relative_error, method, charges)
    check_positive(grid_spacing_A, "grid spacing", "Å")
    check_count(max_insertions, "max_insertions")
    check_count(block_size, "block_size")
    notes: list[str] = []
    coarse = (
        coarse_grid_note(grid_spacing_A, allow_coarse_grid, f"{source}: the Widom grid") if method != "direct" else None
    )
    atoms = _unit_cell_if_needed(atoms, grid_spacing_A, max_grid_points, notes)
    electrostatics, charges_e = framework_charges(atoms, guest.name, guest.charged, charges, notes)
    model = FrameworkModel(
        atoms, guest, forcefield, cutoff_A, shifted, grid_spacing_A, max_grid_points, temperature_K, charges_e, source
    )
    method = _check_grid_spacing(
        model,
        method,
        grid_spacing_A,
        max_grid_points,
        block_pockets,
        charges_e,
        f"{source}: an energy grid of this {len(atoms)}-atom cell",
        notes,
    )
    use_grid = method == "grid" or block_pockets or charges_e is not None
    if use_grid:
        model.build_grids()
    blocked_fraction, pockets = model.block(block_threshold_kT) if block_pockets else (0.0, 0)
    k_mean, k_se, u_mean, u_se, inserted, use_grid, effective = _insert(
        model,
        guest,
        temperature_K,
        method == "auto" and not use_grid,
        use_grid,
        block_size,
        max_insertions,
        target_relative_error,
        np.random.default_rng(random_state),
    )
    problems = [coarse] if coarse and use_grid else []
    if use_grid and model.no_room():
        notes.append("no grid point is both free of overlap and accessible: no room for the guest")
        k_se, effective = 0.0, math.inf  # exactly zero, not an estimate
    elif k_mean == 0:
        problems.append(
            f"no insertion out of {inserted} found an accessible, non-overlapping position: "
            "K_H is below what these insertions resolve"
        )
    elif effective < MIN_EFFECTIVE_SAMPLES:
        problems.append(
            f"only {effective:.0f} of {inserted} insertions carry the Boltzmann average (fewer than "
            f"{MIN_EFFECTIVE_SAMPLES}): a few strong sites dominate, raise max_insertions"
        )
    if k_mean > 0 and k_se >= target_relative_error * k_mean:
        notes.append(
            f"the target relative error {target_relative_error:g} was not reached in {inserted} insertions "
            f"({k_se / k_mean:.2g})"
        )
    notes += problems
    rho = framework_density(atoms)
    to_henry = 1.0 / (GAS_CONSTANT * temperature_K * rho)
    return HenryResult(
        guest=guest.name,
        temperature_K=float(temperature_K),
        henry_mol_kg_Pa=k_mean * to_henry,
        henry_se_mol_kg_Pa=k_se * to_henry,
        qst_kJ_mol=GAS_CONSTANT * (temperature_K - u_mean) / 1000.0 if k_mean > 0 else math.nan,
        qst_se_kJ_mol=GAS_CONSTANT * u_se / 1000.0 if k_mean > 0 else math.nan,
        boltzmann_average=k_mean,
        insertions=inserted,
        framework_density_kg_m3=rho,
        electrostatics=electrostatics,
        blocked_fraction=blocked_fraction,
        blocked_pockets=pockets,
        method="grid" if use_grid else "direct",
        grid_spacing_A=model.spacing if model.grids is not None else 0.0,
        cutoff_A=cutoff_A,
        supercell=supercell_for_cutoff(model.cell, cutoff_A),
        forcefield=forcefield.name,
        time_s=time.perf_counter() - start,
        grid_time_s=model.grid_time_s,
        effective_insertions=float(effective),
        converged=not problems,
        notes=notes,
    )


def _check_grid_spacing(
    model: FrameworkModel,
    method: str,
    grid_spacing_A: float,
    max_grid_points: int,
    block_pockets: bool,
    charges_e: np.ndarray | None,
    what: str,
    notes: list[str],
) -> str:
    """The method to use once the grid spacing the point budget allows is known: a grid coarser than
    ``MAX_GRID_SPACING_A`` would bias K_H, so direct pair sums where they can stand in, else a clear refusal."""
    if model.spacing > max(grid_spacing_A, MAX_GRID_SPACING_A) * 1.001:
        if block_pockets or charges_e is not None:
            raise ValueError(
                f"{what} needs more than {max_grid_points:,} "
                f"points at {max(grid_spacing_A, MAX_GRID_SPACING_A)} Å; coarsened to {model.spacing:.3f} Å "
                "it would bias K_H by more than its error bar. Raise max_grid_points (4 bytes per point "
                "and site type), or use direct pair sums (block_pockets=False, and charges='off' for a "
                "charged guest)"
            )
        notes.append(f"the cell is too large for an accurate grid under {max_grid_points:,} points: direct pair sums")
        method = "direct"
    elif model.spacing > grid_spacing_A * 1.001:
        notes.append(f"grid coarsened to {model.spacing:.3f} Å to stay under {max_grid_points} points")
    if method == "direct" and (block_pockets or charges_e is not None):
        raise ValueError(
            "method='direct' sums Lennard-Jones pairs only: use block_pockets=False and no "
            "electrostatics (charges='off'), or method='grid'"
        )
    return method


def _insert(
    model: FrameworkModel,
    guest: Guest,
    temperature_K: float,
    may_switch_to_grid: bool,
    use_grid: bool,
    block_size: int,
    max_insertions: int,
    target_relative_error: float,
    rng: np.random.Generator,
) -> tuple[float, float, float, float, int, bool, float]:
    """Random insertions in blocks until K_H's block standard error is below the target and enough insertions
    carry the average (or the budget is spent): ⟨exp(-U/kT)⟩ and ⟨U⟩_w with their errors, insertions made,
    whether the grid was used, and the effective number of insertions (Σw)²/Σw²."""
    sums = []  # per block: (Σ w, Σ U w, n, Σ w²)
    offsets = guest.positions
    while True:
        sites = _random_sites(offsets, model.inverse_cell, block_size, rng)
        tick = time.perf_counter()
        energy = model.grid_energies(sites) if use_grid else model.direct_energies(sites)
        weight = np.exp(-energy / temperature_K)
        finite = weight > 0
        sums.append((weight.sum(), (energy[finite] * weight[finite]).sum(), block_size, (weight * weight).sum()))
        if may_switch_to_grid and len(sums) == 1:
            use_grid = model.grid_is_cheaper(weight, target_relative_error, (time.perf_counter() - tick) / block_size)
            if use_grid:
                model.build_grids()
        table = np.array(sums)
        k_mean, k_se, u_mean, u_se = _block_statistics(table)
        inserted = len(sums) * block_size
        totals = table.sum(axis=0)
        effective = float(totals[0] ** 2 / totals[3]) if totals[3] > 0 else 0.0
        if inserted >= max_insertions or (
            len(sums) >= MIN_BLOCKS
            and k_mean > 0
            and k_se < target_relative_error * k_mean
            and effective >= MIN_EFFECTIVE_SAMPLES
        ):
            break
        if use_grid and model.no_room():
            break
    return k_mean, k_se, u_mean, u_se, inserted, use_grid, effective


def _random_sites(offsets: np.ndarray, inverse_cell: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """Fractional site positions (n, n_sites, 3) of ``n`` uniformly placed, uniformly oriented guests whose
    sites sit at ``offsets`` (n_sites, 3) Å from their centre."""
    com = rng.random((n, 3))
    if len(offsets) == 1:
        return com[:, None, :] + (offsets @ inverse_cell)[None]
    rotated = np.einsum("nij,sj->nsi", Rotation.random(n, random_state=rng).as_matrix(), offsets)
    return com[:, None, :] + rotated @ inverse_cell


def _unit_cell_if_needed(atoms: Atoms, spacing_A: float, max_points: int, notes: list[str]) -> Atoms:
    """A supercell whose grid would be coarser than ``MAX_GRID_SPACING_A``: its unit cell (same K_H per kg)."""
    _, spacing = grid_shape(np.array(atoms.cell[:], dtype=float), spacing_A, max_points)
    if spacing <= max(spacing_A, MAX_GRID_SPACING_A) * 1.001:
        return atoms
    reduced, repeats = reduce_supercell(atoms)
    if repeats != (1, 1, 1):
        notes.append(
            f"a {repeats[0]}x{repeats[1]}x{repeats[2]} supercell: simulated in its {len(reduced)}-atom unit cell"
        )
    return reduced


def _check_inputs(
    atoms: Atoms, source: str, temperature_K: float, cutoff_A: float, target: float, method: str, charges: str
) -> None:
    if not atoms.pbc.all() or atoms.cell.rank < 3:
        raise ValueError(f"{source}: Widom insertion needs a periodic framework with a full unit cell")
    if len(atoms) == 0:
        raise ValueError(f"{source}: the framework has no atoms")
    if not (np.isfinite(atoms.positions).all() and np.isfinite(atoms.cell[:]).all()):
        raise ValueError(f"{source}: the structure has non-finite (NaN or inf) coordinates or cell; fix the file")
    check_temperature(temperature_K)
    check_positive(cutoff_A, "cutoff", "Å")
    check_fraction(target, "target relative error")
    if method not in ("auto", "grid", "direct"):
        raise ValueError(f"method must be 'auto', 'grid' or 'direct', got {method!r}")
    if charges not in CHARGE_SOURCES:
        raise ValueError(f"charges must be one of {', '.join(CHARGE_SOURCES)}, got {charges!r}")


def _block_statistics(sums: np.ndarray) -> tuple[float, float, float, float]:
    """(⟨w⟩, its SE, ⟨U w⟩/⟨w⟩ in K, its SE) from per-block sums of w, U·w and counts."""
    w, uw, n = sums[:, 0], sums[:, 1], sums[:, 2]
    mean = w.sum() / n.sum()
    blocks = len(sums)
    se = float(np.std(w / n, ddof=1) / math.sqrt(blocks)) if blocks > 1 else math.inf
    if w.sum() <= 0:
        return 0.0, se, math.nan, math.nan
    u_mean = uw.sum() / w.sum()
    with np.errstate(invalid="ignore", divide="ignore"):
        u_blocks = uw / w
    u_blocks = u_blocks[np.isfinite(u_blocks)]
    u_se = float(np.std(u_blocks, ddof=1) / math.sqrt(len(u_blocks))) if len(u_blocks) > 1 else math.inf
    return float(mean), se, float(u_mean), u_se
