"""Structures as graphs for the networks: atoms are nodes, pairs within a cutoff are edges.

A batch concatenates the graphs of several structures (no padding to the largest one): atom
arrays are stacked, edge indices are offset, and ``structure`` says which structure each atom
belongs to. Periodic images enter as edges with a cell shift, so a crystal's edges are those
of the infinite lattice and no supercell is built. Neighbour search: ``structures.neighbours.pairs_within``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from ase import Atoms

from atomlearn.structures.neighbours import pairs_within


@dataclass(frozen=True)
class StructureGraph:
    """One structure: atomic numbers, positions (Å), the cell (Å), and its directed edges
    ``source → target`` with the image shift (Å) to add to ``positions[target] - positions[source]``."""

    numbers: np.ndarray
    positions: np.ndarray
    cell: np.ndarray
    source: np.ndarray
    target: np.ndarray
    shift_A: np.ndarray


def structure_graph(atoms: Atoms, cutoff_A: float) -> StructureGraph:
    """Directed edges between atoms (and periodic images) closer than ``cutoff_A`` Å."""
    source, target, shifts = pairs_within(atoms, cutoff_A, "ijS")
    cell = np.asarray(atoms.cell, dtype=float)
    return StructureGraph(
        atoms.numbers.astype(np.int64),
        np.asarray(atoms.positions, dtype=float),
        cell,
        source.astype(np.int64),
        target.astype(np.int64),
        shifts.astype(float) @ cell,
    )


def isolated_atoms(graph: StructureGraph) -> np.ndarray:
    """Indices of atoms with no neighbour within the cutoff (they would be blind to the rest)."""
    return np.setdiff1d(np.arange(len(graph.numbers)), graph.source)


@dataclass
class GraphBatch:
    """Several structures concatenated (torch tensors on one device)."""

    numbers: object  # (n_atoms,) long
    positions: object  # (n_atoms, 3)
    source: object  # (n_edges,) long, global atom index
    target: object  # (n_edges,) long
    shift_A: object  # (n_edges, 3)
    structure: object  # (n_atoms,) long: which structure each atom belongs to
    n_structures: int

    def edge_vectors(self):
        """Vectors from each edge's source atom to its target image (Å), differentiable in positions."""
        # index_select, not [...]: its gradient is an index_add, far faster on CPU than index_put
        return self.positions.index_select(0, self.target) - self.positions.index_select(0, self.source) + self.shift_A


def collate(graphs: Sequence[StructureGraph], device, dtype) -> GraphBatch:
    """One ``GraphBatch`` from several graphs."""
    import torch

    offsets = np.cumsum([0] + [len(g.numbers) for g in graphs[:-1]])

    def cat(parts: list[np.ndarray]) -> np.ndarray:
        return np.concatenate(parts) if parts else np.zeros(0)

    return GraphBatch(
        numbers=torch.as_tensor(cat([g.numbers for g in graphs]), dtype=torch.long, device=device),
        positions=torch.as_tensor(np.concatenate([g.positions for g in graphs]), dtype=dtype, device=device),
        source=torch.as_tensor(cat([g.source + o for g, o in zip(graphs, offsets)]), dtype=torch.long, device=device),
        target=torch.as_tensor(cat([g.target + o for g, o in zip(graphs, offsets)]), dtype=torch.long, device=device),
        shift_A=torch.as_tensor(np.concatenate([g.shift_A.reshape(-1, 3) for g in graphs]), dtype=dtype, device=device),
        structure=torch.as_tensor(
            np.repeat(np.arange(len(graphs)), [len(g.numbers) for g in graphs]), dtype=torch.long, device=device
        ),
        n_structures=len(graphs),
    )


def replica_edges(positions: np.ndarray, cutoff_A: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Directed edges within ``cutoff_A`` inside each of R copies of a molecule (no periodic images).

    Parameters
    ----------
    positions : ndarray, shape (R, N, 3)
        Å.
    cutoff_A : float

    Returns
    -------
    replica, source, target : ndarray of int, shape (n_edges,)
        The copy of each edge and its atoms (indices within the copy).
    """
    n_atoms = positions.shape[1]
    within = np.linalg.norm(positions[:, :, None] - positions[:, None, :], axis=-1) < cutoff_A
    within[:, np.arange(n_atoms), np.arange(n_atoms)] = False
    return np.nonzero(within)


def replica_batch(numbers: np.ndarray, positions: np.ndarray, cutoff_A: float, device, dtype) -> GraphBatch:
    """R copies of one molecule (``numbers`` (N,), ``positions`` (R, N, 3), Å) as a batch of R
    independent structures, e.g. the replicas of a batched MD run."""
    import torch

    n_replicas, n_atoms = positions.shape[:2]
    replica, source, target = replica_edges(positions, cutoff_A)
    offset = replica * n_atoms

    def tensor(values, kind):
        return torch.as_tensor(values, dtype=kind, device=device)

    return GraphBatch(
        numbers=tensor(np.tile(numbers, n_replicas), torch.long),
        positions=tensor(positions.reshape(-1, 3), dtype),
        source=tensor(source + offset, torch.long),
        target=tensor(target + offset, torch.long),
        shift_A=torch.zeros(len(source), 3, dtype=dtype, device=device),
        structure=tensor(np.repeat(np.arange(n_replicas), n_atoms), torch.long),
        n_structures=n_replicas,
    )
