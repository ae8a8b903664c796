"""Internal coordinates of a molecule (a Z-matrix: bond lengths, angles, torsions), the Boltzmann
generators' coordinates for molecules (Noé et al. 2019): a flow over them needs no rotations or
translations to learn, and torsions are what conformational changes are made of.

Atoms are placed one after another: the first at the origin, the second on the x axis (a bond),
the third in the xy plane (a bond and an angle), every further atom by a bond to an atom already
placed, an angle and a torsion (the NeRF construction). 3N − 6 coordinates. The density of the
internal coordinates z of a Boltzmann-distributed molecule, with the rigid-body motion
integrated out, is p(z) ∝ exp(−u(x(z))) · Π r² sin θ; ``InternalCoordinatePotential`` is the
potential of z that includes that Jacobian.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np
import torch

from atomlearn.sampling.potentials import Potential


@dataclass(frozen=True)
class ZMatrix:
    """Which atoms define each atom's internal coordinates.

    Attributes
    ----------
    order : ndarray of int, shape (n_atoms,)
        Placement order (atom indices).
    references : ndarray of int, shape (n_atoms, 3)
        For the k-th placed atom: its bond partner, angle partner and torsion partner (atom
        indices, placed before it); −1 where the first atoms have none.
    """

    order: np.ndarray
    references: np.ndarray

    @property
    def n_atoms(self) -> int:
        """Atoms in the molecule."""
        return len(self.order)

    @property
    def torsion_columns(self) -> np.ndarray:
        """Columns of the internal-coordinate vector that are torsions (periodic, radians)."""
        return np.array([3 + 3 * (k - 3) + 2 for k in range(3, self.n_atoms)])

    @classmethod
    def from_bonds(cls, n_atoms: int, bonds: list[tuple[int, int]], root: int, heavy: np.ndarray) -> ZMatrix:
        """A Z-matrix by breadth-first search over the bond graph from ``root``, heavy atoms before
        hydrogens at each step: each atom's bond is to its tree parent, its angle to the parent's
        parent, its torsion to a sibling placed before it where there is one (else further up)."""
        neighbours: list[list[int]] = [[] for _ in range(n_atoms)]
        for i, j in bonds:
            neighbours[i].append(j)
            neighbours[j].append(i)
        parent, order, queue = {root: -1}, [root], deque([root])
        while queue:
            atom = queue.popleft()
            for other in sorted(neighbours[atom], key=lambda a: (not heavy[a], a)):
                if other not in parent:
                    parent[other] = atom
                    order.append(other)
                    queue.append(other)
        if len(order) != n_atoms:
            raise ValueError(
                f"the bond graph is not connected: {n_atoms - len(order)} atoms are not reached from atom {root}"
            )
        placed: list[int] = []
        references = np.full((n_atoms, 3), -1)
        for k, atom in enumerate(order):
            if k > 0:
                a = parent[atom]
                chain = [a]
                if k > 1:
                    chain.append(
                        next(
                            c
                            for c in [parent.get(a, -1)] + neighbours[a] + placed
                            if c >= 0 and c in placed and c not in chain
                        )
                    )
                if k > 2:
                    # a sibling placed before (another neighbour of a) first: the torsion is then the narrow angle
                    # between two substituents (about ±120° for a methyl H), not a second copy of the rotor's torsion
                    siblings = [c for c in neighbours[a] if c in placed and c not in chain]
                    further = [parent.get(chain[1], -1)] + neighbours[chain[1]] + placed
                    chain.append(next(c for c in siblings + further if c >= 0 and c in placed and c not in chain))
                references[k, : len(chain)] = chain
            placed.append(atom)
        return cls(np.array(order), references)

    def to_internal(self, x: torch.Tensor) -> torch.Tensor:
        """Internal coordinates (n, 3N − 6) of Cartesian positions (n, 3N): [r₁, r₂, θ₂, (r, θ, φ) per further atom]."""
        positions = x.reshape(len(x), -1, 3)
        at = lambda column: positions[:, self.order[column]]  # noqa: E731
        ref = lambda k, j: positions[:, self.references[k, j]]  # noqa: E731
        values = [_distance(at(1), ref(1, 0)), _distance(at(2), ref(2, 0)), _angle(at(2), ref(2, 0), ref(2, 1))]
        for k in range(3, self.n_atoms):
            values += [
                _distance(at(k), ref(k, 0)),
                _angle(at(k), ref(k, 0), ref(k, 1)),
                _torsion(at(k), ref(k, 0), ref(k, 1), ref(k, 2)),
            ]
        return torch.stack(values, dim=1)

    def to_cartesian(self, z: torch.Tensor) -> torch.Tensor:
        """Cartesian positions (n, 3N) of internal coordinates (n, 3N − 6), in the frame the first atoms fix."""
        n, dtype = len(z), z.dtype
        placed = [None] * self.n_atoms
        zero = torch.zeros(n, dtype=dtype, device=z.device)
        place = np.argsort(self.order)  # atom index -> its place in the order
        placed[0] = torch.zeros(n, 3, dtype=dtype, device=z.device)
        placed[1] = torch.stack([z[:, 0], zero, zero], dim=1)
        r, theta = z[:, 1], z[:, 2]
        partner = place[self.references[2, 0]]  # atom 2 is bonded to atom 0 or atom 1 of the order
        direction = -1.0 if partner == 1 else 1.0  # from atom 1 the bond points back towards the origin
        base = placed[partner]
        placed[2] = base + torch.stack([direction * r * torch.cos(theta), r * torch.sin(theta), zero], dim=1)
        for k in range(3, self.n_atoms):
            a, b, c = (placed[place[self.references[k, j]]] for j in range(3))
            column = 3 + 3 * (k - 3)
            placed[k] = _nerf(a, b, c, z[:, column], z[:, column + 1], z[:, column + 2])
        return torch.stack(placed, dim=1)[:, place].reshape(n, -1)

    def log_jacobian(self, z: torch.Tensor) -> torch.Tensor:
        """log Π r² sin θ over the placed atoms (up to a constant), shape (n,)."""
        bonds = torch.cat([z[:, :2], z[:, 3::3]], dim=1)
        angles = torch.cat([z[:, 2:3], z[:, 4::3]], dim=1)
        return 2 * torch.log(bonds).sum(1) + torch.log(torch.sin(angles)).sum(1)


def _distance(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    return torch.linalg.vector_norm(a - b, dim=-1)


def _angle(a: torch.Tensor, b: torch.Tensor, c: torch.Tensor) -> torch.Tensor:
    """The angle a-b-c in radians."""
    u, v = a - b, c - b
    return torch.atan2(torch.linalg.vector_norm(torch.cross(u, v, dim=-1), dim=-1), (u * v).sum(-1))


def _torsion(a: torch.Tensor, b: torch.Tensor, c: torch.Tensor, d: torch.Tensor) -> torch.Tensor:
    """The torsion a-b-c-d in radians, (−π, π] (IUPAC sign)."""
    b0, b1, b2 = a - b, c - b, d - c
    b1n = b1 / torch.linalg.vector_norm(b1, dim=-1, keepdim=True)
    v = b0 - (b0 * b1n).sum(-1, keepdim=True) * b1n
    w = b2 - (b2 * b1n).sum(-1, keepdim=True) * b1n
    return torch.atan2((torch.cross(b1n, v, dim=-1) * w).sum(-1), (v * w).sum(-1))


def _nerf(a, b, c, r, theta, phi) -> torch.Tensor:
    """The atom at distance r from a, angle θ (atom-a-b) and torsion φ (atom-a-b-c)."""
    bc = b - c
    ab = a - b
    ab_unit = ab / torch.linalg.vector_norm(ab, dim=-1, keepdim=True)
    normal = torch.cross(bc, ab_unit, dim=-1)
    normal = normal / torch.linalg.vector_norm(normal, dim=-1, keepdim=True)
    in_plane = torch.cross(normal, ab_unit, dim=-1)
    local = torch.stack(
        [-r * torch.cos(theta), r * torch.sin(theta) * torch.cos(phi), r * torch.sin(theta) * torch.sin(phi)], -1
    )
    return a + local[:, :1] * ab_unit + local[:, 1:2] * in_plane + local[:, 2:3] * normal


#: kT per rad² beyond a torsion's period, in the training energy only
TORSION_WALL = 100.0


class InternalCoordinatePotential(Potential):
    """A Cartesian potential seen from internal coordinates: u_z(z) = u(x(z)) − log Π r² sin θ.

    Parameters
    ----------
    potential : Potential
        The Cartesian potential (positions flattened, (n, 3N)).
    zmatrix : ZMatrix
    torsion_low : ndarray, shape (n_torsions,)
        Each torsion lives in [low, low + 2π); a sample outside (or with a bond near 0 or an angle
        within 1e-3 rad of 0 or π) has infinite energy, so that a flow over the unrolled torsions keeps an
        exact density (its mass outside only costs samples).
    typical : ndarray, shape (3N − 6,)
        A valid point, evaluated in place of invalid samples (whose energy is then discarded).
    """

    def __init__(self, potential: Potential, zmatrix: ZMatrix, torsion_low: np.ndarray, typical: np.ndarray) -> None:
        self.cartesian, self.zmatrix = potential, zmatrix
        self.torsion_low = torch.as_tensor(np.asarray(torsion_low, dtype=float))
        self.typical = torch.as_tensor(np.asarray(typical, dtype=float))
        self.dim = 3 * zmatrix.n_atoms - 6
        self.energy_unit = potential.energy_unit

    def thermal_energy(self, temperature: float) -> float:
        return self.cartesian.thermal_energy(temperature)

    def _checks(self, z: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """How far each sample's torsions lie outside their periods (rad, summed squares), and whether
        its bonds and angles are in their domain."""
        torsions = z[:, self.zmatrix.torsion_columns]
        low = self.torsion_low.to(z.dtype)
        excess = torch.relu(low - torsions) + torch.relu(torsions - (low + 2 * np.pi))
        bonds = torch.cat([z[:, :2], z[:, 3::3]], dim=1)
        angles = torch.cat([z[:, 2:3], z[:, 4::3]], dim=1)
        margin = 1e-3  # an angle of 0 or π (or a zero bond) has log-Jacobian −∞ and an infinite gradient
        geometry = (bonds > margin * bonds.detach().median()).all(1) & (
            (angles > margin) & (angles < np.pi - margin)
        ).all(1)
        return (excess**2).sum(1), geometry

    def reduced(self, z: torch.Tensor, temperature: float, training: bool = False) -> torch.Tensor:
        """u_z(z) in kT, shape (n,); +inf outside the domain. With ``training``, a torsion outside its
        period costs a wall of ``TORSION_WALL`` kT/rad² instead (the molecule there is the same, so
        its energy is smooth): the reverse-KL gradient then sees the edge, which a jump to +inf hides."""
        z64 = z.double()
        outside, geometry = self._checks(z64)
        safe = torch.where(geometry[:, None], z64, self.typical.to(z64)[None].expand_as(z64))
        u = self.cartesian.reduced(self.zmatrix.to_cartesian(safe), temperature) - self.zmatrix.log_jacobian(safe)
        keep = geometry if training else geometry & (outside == 0)
        if training:
            u = u + TORSION_WALL * outside
        return torch.where(keep, u, torch.full_like(u, float("inf"))).to(z.dtype)

    def wrap(self, z: np.ndarray) -> np.ndarray:
        """Internal coordinates (n, dim) with every torsion moved into its period [low, low + 2π)."""
        z = np.array(z, dtype=float)
        columns = self.zmatrix.torsion_columns
        low = self.torsion_low.numpy()
        z[:, columns] = low + np.mod(z[:, columns] - low, 2 * np.pi)
        return z


def torsion_periods(torsions: np.ndarray, bins: int = 36) -> np.ndarray:
    """Per torsion (columns of ``torsions``, radians): the start of the least populated of ``bins``
    arcs, so that unrolling the torsion there cuts the fewest samples."""
    edges = np.linspace(-np.pi, np.pi, bins + 1)
    lows = []
    for column in np.asarray(torsions).T:
        counts, _ = np.histogram(column, bins=edges)
        emptiest = int(np.argmin(counts))
        lows.append(0.5 * (edges[emptiest] + edges[emptiest + 1]))
    return np.array(lows)
