"""Ewald summation: the electrostatic potential of a periodic framework of partial charges on a
grid (for Widom and GCMC), and the matrix of periodic pair potentials (for charge equilibration).

φ(r) = Σ_j q_j erfc(α|r - r_j|)/|r - r_j|  (images within the cutoff; computed with the LJ grids)
     + (4π/V) Σ_{k≠0} exp(-k²/4α²)/k² Re[Σ_j q_j exp(ik·(r - r_j))]
     - π Q/(V α²)  (neutralising background when the charges do not sum to zero)

On grid points r = (i/n_a, j/n_b, k/n_c) the reciprocal sum is an inverse discrete Fourier
transform of the structure factor, so it costs one FFT. A guest site of charge q at r gains
the energy q φ(r); in K with e²/(4πε₀ Å k_B) = 167,101 K.
"""

from __future__ import annotations

import math

import numpy as np
from ase import Atoms
from scipy.special import erfc

from atomlearn.structures.neighbours import pairs_within

#: α · cutoff; erfc(4) = 1.5e-8 is the real-space truncation error
ALPHA_CUTOFF = 4.0
#: real-space cutoff (Å) of the framework's potential grid: the pair loop costs ∝ cutoff³, the
#: reciprocal sum (one FFT) little, and the Ewald sum is the same to ``erfc(ALPHA_CUTOFF)``
POTENTIAL_CUTOFF_A = 6.0
#: reciprocal vectors with exp(-k²/4α²) below this are dropped
RECIPROCAL_TOLERANCE = 1e-8
#: atoms x reciprocal vectors held at once by ``pair_potential_matrix`` (16 MB per array)
RECIPROCAL_CHUNK_ELEMENTS = 2_000_000


def ewald_alpha(cutoff_A: float, precision: float | None = None) -> float:
    """Ewald splitting parameter α for a real-space cutoff.

    Parameters
    ----------
    cutoff_A : float
        Real-space cutoff (Å).
    precision : float, optional
        The real-space truncation exp(-(α r_c)²) wanted (RASPA's EwaldPrecision); default
        α = ``ALPHA_CUTOFF`` / cutoff.

    Returns
    -------
    float
        α (1/Å).
    """
    return (ALPHA_CUTOFF if precision is None else math.sqrt(-math.log(precision))) / cutoff_A


def potential_cutoff(
    cell: np.ndarray, shape: tuple[int, int, int], cutoff_A: float, preferred_A: float = POTENTIAL_CUTOFF_A
) -> float:
    """Real-space cutoff of the framework's Ewald potential grid.

    Parameters
    ----------
    cell : ndarray, shape (3, 3)
        Cell vectors as rows (Å).
    shape : tuple of int
        Grid points along each cell vector.
    cutoff_A : float
        The largest cutoff allowed (the grid's supercell holds it).
    preferred_A : float
        The cutoff wanted (Å): the potential is the same to ``erfc(ALPHA_CUTOFF)`` for any, a shorter one
        moves work from the pair loop (∝ cutoff³) to the reciprocal sum.

    Returns
    -------
    float
        ``preferred_A`` (Å), longer where the grid is too coarse for the reciprocal vectors it implies, at
        most ``cutoff_A``.
    """
    lengths = np.linalg.norm(np.asarray(cell, dtype=float), axis=1)
    # reach_i = ceil(k_max L_i / 2π) with k_max = 2 α sqrt(-ln tol), α = ALPHA_CUTOFF / r_c; need 2 reach_i + 1 <= n_i
    k_max_r = 2.0 * ALPHA_CUTOFF * math.sqrt(-math.log(RECIPROCAL_TOLERANCE))
    room = np.maximum(np.floor((np.asarray(shape) - 1) / 2), 1)
    shortest = float(np.max(k_max_r * lengths / (2.0 * np.pi * room))) * 1.001
    return min(cutoff_A, max(preferred_A, shortest))


def reciprocal_potential(
    cell: np.ndarray, fractional: np.ndarray, charges: np.ndarray, shape: tuple[int, int, int], alpha: float
) -> np.ndarray:
    """Reciprocal-space Ewald potential plus the neutralising background on the points of a grid.

    The structure factor S(h) = Σ_j q_j exp(-2πi h·f_j) factorises along the three axes, so it is one
    matrix product per h_a (memory: atoms x h_b, not atoms x reciprocal vectors).

    Parameters
    ----------
    cell : ndarray, shape (3, 3)
        Cell vectors as rows (Å).
    fractional : ndarray, shape (n_atoms, 3)
        Fractional coordinates of the charges.
    charges : ndarray, shape (n_atoms,)
        Charges (e).
    shape : tuple of int
        Grid points (n_a, n_b, n_c) along the cell vectors.
    alpha : float
        Ewald splitting parameter (1/Å).

    Returns
    -------
    ndarray, shape (n_a, n_b, n_c)
        Potential (e/Å) at each grid point.
    """
    cell = np.asarray(cell, dtype=float)
    fractional = np.asarray(fractional, dtype=float)
    charges = np.asarray(charges, dtype=float)
    volume = abs(np.linalg.det(cell))
    reciprocal = 2.0 * np.pi * np.linalg.inv(cell).T  # rows b_i with a_i · b_j = 2π δ_ij
    k_max = 2.0 * alpha * math.sqrt(-math.log(RECIPROCAL_TOLERANCE))
    reach = np.ceil(k_max * np.linalg.norm(cell, axis=1) / (2.0 * np.pi)).astype(int)
    if np.any(2 * reach + 1 > np.array(shape)):
        raise ValueError(
            f"grid {shape} too coarse for the Ewald sum (needs more than {2 * reach} points per axis); "
            "use a finer grid spacing"
        )
    orders = [np.arange(-r, r + 1) for r in reach]
    phases = [np.exp(-2j * np.pi * np.outer(order, fractional[:, axis])) for axis, order in enumerate(orders)]
    structure = np.stack([(phases[1] * (charges * row)) @ phases[2].T for row in phases[0]])  # (h_a, h_b, h_c)
    h = np.stack(np.meshgrid(*orders, indexing="ij"), -1)
    k = h @ reciprocal
    k2 = np.einsum("...i,...i->...", k, k)
    keep = (k2 > 0) & (k2 <= k_max**2)
    h, k2 = h[keep], k2[keep]
    coefficients = np.zeros(shape, dtype=complex)
    coefficients[h[:, 0] % shape[0], h[:, 1] % shape[1], h[:, 2] % shape[2]] = (
        4.0 * np.pi / volume * np.exp(-k2 / (4.0 * alpha**2)) / k2 * structure[keep]
    )
    potential = np.fft.ifftn(coefficients).real * np.prod(shape)
    return potential - np.pi * float(np.sum(charges)) / (volume * alpha**2)


def reciprocal_vectors(
    cell: np.ndarray, alpha: float, tolerance: float = RECIPROCAL_TOLERANCE
) -> tuple[np.ndarray, np.ndarray]:
    """The reciprocal lattice vectors of an Ewald sum, one of each ±k pair.

    Parameters
    ----------
    cell : ndarray, shape (3, 3)
        Cell (or simulation box) vectors as rows (Å).
    alpha : float
        Ewald splitting parameter (1/Å).
    tolerance : float
        Smallest Ewald weight exp(-k²/4α²) kept.

    Returns
    -------
    k : ndarray of int, shape (n_k, 3)
        Miller indices of the vectors k ≠ 0 kept.
    weight : ndarray, shape (n_k,)
        2 × (4π/V) exp(-k²/4α²)/k² of each (1/Å).
    """
    cell = np.asarray(cell, dtype=float)
    volume = abs(np.linalg.det(cell))
    reciprocal = 2.0 * np.pi * np.linalg.inv(cell).T
    k_max = 2.0 * alpha * math.sqrt(-math.log(tolerance))
    reach = np.ceil(k_max * np.linalg.norm(cell, axis=1) / (2.0 * np.pi)).astype(int)
    h = np.stack(np.meshgrid(*[np.arange(-r, r + 1) for r in reach], indexing="ij"), -1).reshape(-1, 3)
    first_nonzero = np.argmax(h != 0, axis=1)
    upper = h[np.arange(len(h)), first_nonzero] > 0  # one of each ±h pair (h = 0 has no nonzero entry: dropped)
    k = h[upper] @ reciprocal
    k2 = np.einsum("ij,ij->i", k, k)
    keep = k2 <= k_max**2
    k, k2 = k[keep], k2[keep]
    return k, 2.0 * 4.0 * np.pi / volume * np.exp(-k2 / (4.0 * alpha**2)) / k2


def pair_potential_matrix(atoms: Atoms, cutoff_A: float = 16.0) -> np.ndarray:
    """Electrostatic potential at each atom of a unit charge on each atom and on all its periodic images.

    Ewald, converged to ``erfc(ALPHA_CUTOFF)`` in real space and ``RECIPROCAL_TOLERANCE`` in reciprocal
    space; Φ[i, i] is the potential of atom i's own images and the compensating background. For a
    structure without periodicity, Φ[i, j] = 1/r_ij and Φ[i, i] = 0. With total charge zero the energy
    is ½ qᵀ Φ q (e²/Å) for any ``cutoff_A``.

    Parameters
    ----------
    atoms : ase.Atoms
    cutoff_A : float
        Real-space cutoff (Å).

    Returns
    -------
    ndarray, shape (n_atoms, n_atoms)
        Φ (e/Å).
    """
    n = len(atoms)
    if not atoms.pbc.any():
        distance = np.linalg.norm(atoms.positions[:, None, :] - atoms.positions[None, :, :], axis=-1)
        np.fill_diagonal(distance, np.inf)
        return 1.0 / distance
    if not atoms.pbc.all():
        raise ValueError("Ewald sums need a structure periodic along all three axes (or none)")
    alpha = ewald_alpha(cutoff_A)
    first, second, distance = pairs_within(atoms, cutoff_A, "ijd")
    potential = np.zeros((n, n))
    np.add.at(potential, (first, second), erfc(alpha * distance) / distance)
    k, weight = reciprocal_vectors(atoms.cell.array, alpha)
    chunk = max(1, RECIPROCAL_CHUNK_ELEMENTS // n)  # bounds the n x chunk temporaries
    for start in range(0, len(k), chunk):
        phase = atoms.positions @ k[start : start + chunk].T
        root = np.sqrt(weight[start : start + chunk])
        cosine, sine = np.cos(phase) * root, np.sin(phase) * root
        potential += cosine @ cosine.T + sine @ sine.T  # Σ_k w_k cos(k·(r_i - r_j)), half space doubled
    potential[np.diag_indices(n)] -= 2.0 * alpha / math.sqrt(math.pi)  # a Gaussian's own potential
    return potential
