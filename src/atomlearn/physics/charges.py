"""Framework partial charges by EQeq: charge equilibration with ionization data and charge centres.

EQeq (C. E. Wilmer, K. C. Kim, R. Q. Snurr, J. Phys. Chem. Lett. 3, 2506-2511 (2012)) expands each
atom's energy to second order around its charge centre c (a common oxidation state: Zn 2, Cu 2, C 0):

    E_i(q) ≈ E_i(c) + χ_i (q - c) + ½ J_i (q - c)²,   χ_i = ½ (IP_c + IP_(c+1)),   J_i = IP_(c+1) - IP_c

with IP_0 the electron affinity (hydrogen: -2.0 eV, the paper's fitted value). The charges minimise
the total energy with the Coulomb interaction of all atoms and their periodic images screened by
λ = 1.2 and smoothed at short range by an orbital-overlap term, under a fixed total charge:
all atoms reach the same chemical potential

    μ = χ_i - c_i J_i + J_i q_i + (λ k/2) Σ_j [Φ_ij + O_ij] q_j,

one symmetric linear solve of n + 1 equations. Φ is the periodic pair potential (Ewald,
``ewald.pair_potential_matrix``), k = e²/(4πε₀) and O_ij the overlap correction
exp(-a²r²)(2a - a²r - 1/r), a = √(J_i J_j)/k, summed over the images of j. The ionization
energies and electron affinities are those EQeq was published with (C. E. Moore, NSRDS-NBS 34
(1970); T. Andersen, H. K. Haugen, H. Hotop, J. Phys. Chem. Ref. Data 28, 1511 (1999)), shipped
with the paper's charge centres in ``package_data/eqeq_parameters.csv``.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np
import scipy.linalg as sl
from ase import Atoms

from atomlearn.errors import StructureError
from atomlearn.physics.ewald import pair_potential_matrix
from atomlearn.structures import check_structure
from atomlearn.structures.neighbours import pairs_within
from atomlearn.units import COULOMB_EV_A

CITATION = (
    "C. E. Wilmer, K. C. Kim, R. Q. Snurr, An Extended Charge Equilibration Method, "
    "J. Phys. Chem. Lett. 3, 2506-2511 (2012)."
)
#: EQeq's dielectric screening of the Coulomb interaction (the paper's λ)
DIELECTRIC_SCREENING = 1.2
#: exp(-a²r²) below this is left out of the overlap term
OVERLAP_TOLERANCE = 1e-12
#: a charge beyond this (e) is not a partial charge of a framework atom: the solve is refused
MAX_CHARGE_E = 4.0
#: the dense solve holds (n + 1)² numbers and costs n³/3 operations: 6,000 atoms take 0.3 GB and ~10 s
MAX_ATOMS = 6000


@dataclass(frozen=True)
class ChargeCentre:
    """EQeq data of one element: its charge centre and the energies to remove an electron there (eV)."""

    centre: int
    ip_centre_eV: float  # IP_c (the electron affinity for c = 0)
    ip_next_eV: float  # IP_(c+1)

    @property
    def electronegativity_eV(self) -> float:
        """χ - c J: the slope of the energy at q = 0 of the quadratic around the centre, eV per e."""
        return 0.5 * (self.ip_centre_eV + self.ip_next_eV) - self.centre * self.hardness_eV

    @property
    def hardness_eV(self) -> float:
        """J = IP_(c+1) - IP_c, eV per e²."""
        return self.ip_next_eV - self.ip_centre_eV


@cache
def eqeq_table() -> dict[str, ChargeCentre]:
    """The shipped EQeq data, by element symbol (Z = 1-84)."""
    with resources.files("atomlearn.package_data").joinpath("eqeq_parameters.csv").open() as handle:
        return {
            row["symbol"]: ChargeCentre(int(row["charge_centre"]), float(row["ip_centre_eV"]), float(row["ip_next_eV"]))
            for row in csv.DictReader(handle)
        }


def eqeq_parameters(symbols: list[str], source: str = "structure") -> tuple[np.ndarray, np.ndarray]:
    """Electronegativity χ - cJ and hardness J (eV) of each atom; ``StructureError`` naming the elements EQeq lacks."""
    table = eqeq_table()
    missing = sorted(set(symbols) - set(table))
    if missing:
        raise StructureError(
            f"{source}: EQeq has no parameters for {', '.join(missing)} (it covers Z = 1-84); "
            "give the structure charges in its CIF (_atom_site_charge) instead"
        )
    return (
        np.array([table[s].electronegativity_eV for s in symbols]),
        np.array([table[s].hardness_eV for s in symbols]),
    )


def overlap_matrix(atoms: Atoms, hardness_eV: np.ndarray) -> np.ndarray:
    """O[i, j] = Σ_images exp(-a²r²)(2a - a²r - 1/r), a = √(J_i J_j)/k (1/Å): EQeq's correction of the
    point-charge Coulomb interaction where the atoms' charge clouds overlap. Shape (n_atoms, n_atoms)."""
    a_min = float(hardness_eV.min()) / COULOMB_EV_A
    reach = np.sqrt(-np.log(OVERLAP_TOLERANCE)) / a_min
    first, second, r = pairs_within(atoms, reach, "ijd")
    a = np.sqrt(hardness_eV[first] * hardness_eV[second]) / COULOMB_EV_A
    overlap = np.zeros((len(atoms), len(atoms)))
    np.add.at(overlap, (first, second), np.exp(-((a * r) ** 2)) * (2.0 * a - a * a * r - 1.0 / r))
    return overlap


def eqeq_charges(
    atoms: Atoms,
    total_charge: float = 0.0,
    dielectric_screening: float = DIELECTRIC_SCREENING,
    source: str | None = None,
) -> np.ndarray:
    """EQeq partial charges of a framework (periodic along all axes) or a molecule.

    Parameters
    ----------
    atoms : ase.Atoms
    total_charge : float
        Net charge of the cell (e); the charges sum to it exactly (to round-off).
    dielectric_screening : float
        λ, the screening of the Coulomb interaction (EQeq: 1.2).
    source : str, optional
        Name of the structure in error messages (default: ``atoms.info["id"]`` or the formula).

    Returns
    -------
    ndarray of shape (n_atoms,)
        Charges in e.

    Raises
    ------
    StructureError
        For an element without EQeq data, more than ``MAX_ATOMS`` atoms, a singular system, or a
        charge beyond ``MAX_CHARGE_E``.
    """
    source = source or str(atoms.info.get("id") or atoms.get_chemical_formula())
    check_structure(atoms, source)
    chi, hardness = eqeq_parameters(atoms.get_chemical_symbols(), source)
    if len(atoms) > MAX_ATOMS:
        raise StructureError(
            f"{source}: {len(atoms)} atoms, more than the {MAX_ATOMS} EQeq solves here (a dense "
            "system of equations); give the structure charges in its CIF (_atom_site_charge)"
        )
    if len(atoms) == 1:
        return np.array([float(total_charge)])
    interaction = pair_potential_matrix(atoms) + overlap_matrix(atoms, hardness)
    charges = solve_equilibration(chi, hardness, interaction, total_charge, dielectric_screening, source)
    worst = int(np.argmax(np.abs(charges)))
    if not abs(charges[worst]) <= MAX_CHARGE_E:
        raise StructureError(
            f"{source}: EQeq gives atom {worst + 1} ({atoms[worst].symbol}) a charge of {charges[worst]:.3g} e, "
            f"beyond ±{MAX_CHARGE_E:g} e: the structure is likely wrong (overlapping atoms, missing "
            "hydrogens or a wrong cell)"
        )
    return charges


def solve_equilibration(
    electronegativity_eV: np.ndarray,
    hardness_eV: np.ndarray,
    interaction: np.ndarray,
    total_charge: float = 0.0,
    dielectric_screening: float = DIELECTRIC_SCREENING,
    source: str = "structure",
) -> np.ndarray:
    """The charges at which every atom has the same chemical potential, summing to ``total_charge``.

    Parameters
    ----------
    electronegativity_eV, hardness_eV : ndarray of shape (n_atoms,)
        χ - cJ and J of each atom (``eqeq_parameters``).
    interaction : ndarray of shape (n_atoms, n_atoms)
        Φ + O, 1/Å: the pair potentials of unit charges with their overlap corrections.
    total_charge : float
        e.
    dielectric_screening : float
        λ; the interaction enters as λ k/2 (Φ + O), k = e²/(4πε₀).

    Returns
    -------
    ndarray of shape (n_atoms,)
        Charges in e (``StructureError`` when the system is singular or the result not finite).
    """
    n = len(hardness_eV)
    matrix = np.zeros((n + 1, n + 1))
    matrix[:n, :n] = dielectric_screening * COULOMB_EV_A / 2.0 * interaction
    matrix[np.arange(n), np.arange(n)] += hardness_eV
    matrix[n, :n] = matrix[:n, n] = 1.0  # the total charge, with the chemical potential as its Lagrange multiplier
    try:
        solution = sl.solve(matrix, np.append(-electronegativity_eV, total_charge), assume_a="sym", check_finite=False)
    except (sl.LinAlgError, ValueError) as exc:
        raise StructureError(
            f"{source}: the EQeq equations have no unique solution ({exc}); check for overlapping atoms or a wrong cell"
        ) from None
    if not np.isfinite(solution).all():
        raise StructureError(
            f"{source}: the EQeq solve gave non-finite charges; check for overlapping atoms or a wrong cell"
        )
    return solution[:n]
