"""What the structure networks (SchNet, PaiNN) share: a scikit-learn-style estimator that fits
energies (and forces) of structures, predicts both, and hands out a fast single-structure
``NetworkPotential`` for molecular dynamics.

Targets are modelled as per-element reference energies (least squares on the composition)
plus a learnt, scaled sum of atomic contributions, so the network only learns what
composition cannot explain. Forces are −∂E/∂r by autograd, so they are exactly conservative.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from ase import Atoms
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils.validation import check_is_fitted

from atomlearn.models.nn.graphs import (
    collate,
    isolated_atoms,
    replica_batch,
    structure_graph,
)
from atomlearn.models.nn.pooling import (
    MAX_Z,
    choose_pooling,
    composition_matrix,
    reference_energies,
    unusable_structures,
)
from atomlearn.models.nn.training import (
    LoopSettings,
    load_numpy_state,
    resolve_device,
    seed_torch,
    state_to_numpy,
    train_network,
    validation_split,
)


class StructureNetworkRegressor(RegressorMixin, BaseEstimator):
    """Base of the structure networks: ``fit(structures, y, forces=None)``, ``predict(structures)``,
    ``predict_forces(structures)``, ``potential()``.

    ``pooling``: ``sum`` of atomic contributions for extensive targets (energies), ``mean`` for
    intensive ones (density, band gap), ``auto`` to choose by the composition baselines
    (``pooling.choose_pooling``; the choice is ``pooling_``). Forces need ``sum``.
    ``y`` in any energy unit (per structure); ``forces`` (optional, a list of (n_atoms, 3) arrays
    in that unit per Å) are fitted with the loss (1 − w)·MSE(E)/σ_E² + w·MSE(F)/σ_F², w =
    ``force_weight``. Early stopping on a ``validation_fraction`` of the structures,
    ``history_`` per epoch, ``checkpoint`` to resume, ``device="auto"`` (GPU when present).
    Subclasses define their hyperparameters and ``_build_module()``, a torch module mapping a
    ``GraphBatch`` to per-atom outputs with ``reference`` (per element) and ``scale`` buffers.
    """

    takes_structures = True  # fitted on structures, not on a feature matrix (``atomlearn fit`` passes them)
    cutoff_A: float
    pooling: str
    force_weight: float
    batch_size: int
    validation_fraction: float
    dtype: str
    random_state: int | None
    device: str

    def _build_module(self):
        raise NotImplementedError

    # ---- fitting
    def fit(self, structures: Sequence[Atoms], y: np.ndarray, forces: Sequence[np.ndarray] | None = None):
        """Train on energies (and forces, when given), with early stopping on a validation part of the structures.

        Parameters
        ----------
        structures : sequence of ase.Atoms
        y : array-like of shape (n_structures,)
            Energies in eV (or any per-structure target).
        forces : sequence of ndarray of shape (n_atoms, 3), optional
            Forces in eV/Å; the loss then weighs them by ``force_weight``.

        Returns
        -------
        self
        """
        import torch

        structures = list(structures)
        y = np.array(y, dtype=np.float64)  # a writable copy
        check_energies_and_forces(structures, y, forces)
        device, dtype = resolve_device(self.device), torch_dtype(self.dtype)
        seed_torch(self.random_state)
        graphs = self._graphs(structures)
        self.pooling_ = pooling = choose_pooling(self.pooling, structures, y, forces is not None)
        reference = reference_energies(structures, y, pooling)
        residual = y - composition_matrix(structures, pooling) @ reference
        n_atoms = np.array([len(a) for a in structures], dtype=float)
        energy_scale = float(residual.std()) or 1.0
        module = self._build_module().to(device=device, dtype=dtype)
        module.reference.copy_(torch.as_tensor(reference, dtype=dtype))
        # sum: n roughly independent atomic terms add up to the spread; mean: one atom's term is it
        module.scale.fill_(max(energy_scale / math.sqrt(n_atoms.mean() if pooling == "sum" else 1.0), 1e-6))
        target = torch.as_tensor(y, dtype=dtype, device=device)
        force_targets = (
            [torch.as_tensor(np.asarray(f, dtype=float), dtype=dtype, device=device) for f in forces]
            if forces is not None
            else None
        )
        force_scale = (
            float(np.sqrt(np.mean(np.concatenate([np.asarray(f).ravel() for f in forces]) ** 2))) or 1.0
            if forces is not None
            else 1.0
        )
        weight = float(self.force_weight) if forces is not None else 0.0
        train, validation = validation_split(len(y), self.validation_fraction, self.random_state)

        def loss_of(rows: np.ndarray, training: bool):
            batch = collate([graphs[i] for i in rows], device, dtype)
            if weight:
                batch.positions.requires_grad_(True)
            energy = structure_energies(module, batch, pooling)
            loss = (1.0 - weight) * torch.mean((energy - target[rows]) ** 2) / energy_scale**2
            if weight:
                (gradient,) = torch.autograd.grad(energy.sum(), batch.positions, create_graph=training)
                reference_forces = torch.cat([force_targets[i] for i in rows])
                loss = loss + weight * torch.mean((-gradient - reference_forces) ** 2) / force_scale**2
            return loss

        def validation_loss() -> float:
            total = 0.0
            for start in range(0, len(validation), self.batch_size):
                rows = validation[start : start + self.batch_size]
                total += float(loss_of(rows, training=False).detach()) * len(rows)
            return total / len(validation)

        self.history_ = train_network(
            module, lambda rows: loss_of(train[rows], training=True), validation_loss, len(train), LoopSettings.of(self)
        )
        self.n_epochs_ = len(self.history_["epoch"])
        self.weights_ = state_to_numpy(module)
        self.energy_scale_, self.force_scale_ = energy_scale, force_scale
        return self

    # ---- prediction
    def predict(self, structures: Sequence[Atoms]) -> np.ndarray:
        """Energy of each structure (the unit of ``y``)."""
        import torch

        module, device, dtype = self._fitted_module()
        graphs = self._graphs(list(structures))
        energies = []
        with torch.no_grad():
            for chunk in prediction_chunks([len(g.numbers) for g in graphs]):
                batch = collate([graphs[i] for i in chunk], device, dtype)
                energies.append(structure_energies(module, batch, self.pooling_).double().cpu().numpy())
        return np.concatenate(energies) if energies else np.zeros(0)

    def predict_forces(self, structures: Sequence[Atoms]) -> list[np.ndarray]:
        """Forces −∂E/∂r on every atom, one (n_atoms, 3) array per structure (unit of ``y`` per Å)."""
        potential = self.potential()
        return [potential(atoms)[1] for atoms in structures]

    def potential(self) -> NetworkPotential:
        """The fitted network as a callable ``atoms -> (energy, forces)`` for MD (module built once)."""
        module, device, dtype = self._fitted_module()
        if self.pooling_ != "sum":
            raise ValueError(
                "this network predicts an intensive target (mean pooling): it has no forces; "
                "forces need an energy fitted with pooling='sum'"
            )
        return NetworkPotential(module, device, dtype, self.cutoff_A)

    def structure_errors(self, structures: Sequence[Atoms]) -> dict[int, str]:
        """Why a structure cannot go into this network, by its index (the others can)."""
        return unusable_structures(structures, lambda atoms, label: checked_graph(atoms, self.cutoff_A, label))

    # ---- helpers
    def _graphs(self, structures: list[Atoms]) -> list:
        return [
            checked_graph(atoms, self.cutoff_A, atoms.info.get("id", f"structure {index}"))
            for index, atoms in enumerate(structures)
        ]

    def __setstate__(self, state: dict) -> None:
        # force fields saved before pooling existed summed atomic terms
        state.setdefault("pooling", "sum")
        if "weights_" in state:
            state.setdefault("pooling_", "sum")
        super().__setstate__(state)

    def _fitted_module(self):
        check_is_fitted(self, "weights_")
        device, dtype = resolve_device(self.device), torch_dtype(self.dtype)
        module = load_numpy_state(self._build_module(), self.weights_)
        return module.to(device=device, dtype=dtype).eval(), device, dtype


class NetworkPotential:
    """A fitted structure network evaluated one structure at a time: ``potential(atoms)`` gives
    the energy (unit of the training ``y``) and the forces (that unit per Å)."""

    def __init__(self, module, device, dtype, cutoff_A: float) -> None:
        self.module, self.device, self.dtype, self.cutoff_A = module, device, dtype, cutoff_A

    def __call__(self, atoms: Atoms) -> tuple[float, np.ndarray]:
        import torch

        batch = collate(
            [checked_graph(atoms, self.cutoff_A, atoms.info.get("id", "structure"))], self.device, self.dtype
        )
        batch.positions.requires_grad_(True)
        energy = structure_energies(self.module, batch)
        (gradient,) = torch.autograd.grad(energy.sum(), batch.positions)
        return float(energy.detach()[0]), -gradient.double().cpu().numpy()

    def replicas(self, numbers: np.ndarray, positions: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Energies (R,) and forces (R, N, 3) of R independent copies of one molecule, ``positions``
        (R, N, 3) in Å, in one batch: R trajectories of batched MD for the price of a larger graph."""
        import torch

        n_replicas, n_atoms = positions.shape[:2]
        batch = replica_batch(numbers, positions, self.cutoff_A, self.device, self.dtype)
        neighbours = np.bincount(batch.source.cpu().numpy(), minlength=n_replicas * n_atoms).reshape(n_replicas, -1)
        if n_atoms > 1 and (neighbours == 0).any():
            replica = int(np.argwhere(neighbours == 0)[0, 0])
            lonely = np.flatnonzero(neighbours[replica] == 0)
            raise ValueError(
                f"replica {replica}: atom(s) {lonely[:5].tolist()} have no neighbour within the "
                f"{self.cutoff_A} Å cutoff (the molecule fell apart)"
            )
        batch.positions.requires_grad_(True)
        energies = structure_energies(self.module, batch)
        (gradient,) = torch.autograd.grad(energies.sum(), batch.positions)
        return energies.detach().double().cpu().numpy(), -gradient.double().cpu().numpy().reshape(positions.shape)


def prediction_chunks(sizes: Sequence[int], max_atoms: int = 4096, max_structures: int = 256) -> list[range]:
    """Consecutive index ranges of at most ``max_structures`` structures and (unless one alone is
    larger) ``max_atoms`` atoms: big batches for small molecules, bounded memory for MOFs."""
    chunks, start, atoms = [], 0, 0
    for index, size in enumerate(sizes):
        if index > start and (atoms + size > max_atoms or index - start == max_structures):
            chunks.append(range(start, index))
            start, atoms = index, 0
        atoms += size
    if start < len(sizes):
        chunks.append(range(start, len(sizes)))
    return chunks


def structure_energies(module, batch, pooling: str = "sum"):
    """Sum (or mean) of the module's per-atom outputs (scaled, plus the element references) per structure."""
    import torch

    atomic = module.scale * module(batch) + module.reference[batch.numbers]
    total = torch.zeros(batch.n_structures, dtype=atomic.dtype, device=atomic.device).index_add_(
        0, batch.structure, atomic
    )
    if pooling == "mean":
        total = total / torch.zeros_like(total).index_add_(0, batch.structure, torch.ones_like(atomic))
    return total


def checked_graph(atoms: Atoms, cutoff_A: float, label: str):
    """The structure's neighbour graph within the cutoff.

    Parameters
    ----------
    atoms : ase.Atoms
    cutoff_A : float
    label : str
        What the error calls the structure.

    Returns
    -------
    StructureGraph
        Directed edges (source, target, cell shifts) between atoms closer than ``cutoff_A``.

    Raises
    ------
    ValueError
        For an atom with no neighbour within the cutoff, naming it.
    """
    graph = structure_graph(atoms, cutoff_A)
    lonely = isolated_atoms(graph)
    if len(lonely) and len(atoms) > 1:
        raise ValueError(
            f"{label}: atom(s) {lonely[:5].tolist()} have no neighbour within the {cutoff_A} Å "
            "cutoff (an atom far from all others); fix the structure or raise cutoff_A"
        )
    return graph


def torch_dtype(name: str):
    """The PyTorch dtype of ``"float32"`` or ``"float64"`` (``ValueError`` for anything else)."""
    import torch

    if name not in ("float32", "float64"):
        raise ValueError(f"dtype must be 'float32' or 'float64', got {name!r}")
    return getattr(torch, name)


def check_energies_and_forces(structures: list[Atoms], y: np.ndarray, forces: Sequence[np.ndarray] | None) -> None:
    """Clear messages for what would otherwise fail deep inside torch."""
    if len(structures) != len(y):
        raise ValueError(f"{len(structures)} structures but {len(y)} energies")
    bad = np.flatnonzero(~np.isfinite(y))
    if len(bad):
        raise ValueError(f"energy of structure {bad[0]} is {y[bad[0]]} (not finite); remove or fix it")
    too_heavy = [i for i, atoms in enumerate(structures) if atoms.numbers.max(initial=0) > MAX_Z]
    if too_heavy:
        raise ValueError(f"structure {too_heavy[0]} has an element beyond Z = {MAX_Z}")
    if forces is not None:
        if len(forces) != len(structures):
            raise ValueError(f"{len(forces)} force arrays for {len(structures)} structures")
        for index, (atoms, f) in enumerate(zip(structures, forces)):
            f = np.asarray(f, dtype=float)
            if f.shape != (len(atoms), 3):
                raise ValueError(f"forces of structure {index} have shape {f.shape}, expected ({len(atoms)}, 3)")
            if not np.isfinite(f).all():
                raise ValueError(f"forces of structure {index} contain NaN or inf")
