"""An invariant continuous-filter network (SchNet; Schütt et al. 2018) for energies and forces.

Interatomic distances within a cutoff are expanded in Gaussians and damped by a cosine
cutoff; filters made from them mix the features of neighbouring atoms (periodic images
included, through the graph's cell shifts). Each atom contributes an energy, so the total
is extensive and invariant to translation, rotation, atom order and the choice of unit
cell; forces are −∂E/∂r by autograd, hence equivariant and exactly conservative.

Targets are modelled as per-element reference energies (least squares on the composition)
plus a learnt, scaled correction, so the network only learns what composition cannot explain.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from ase import Atoms
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils.validation import check_is_fitted

from atomlearn.models.nn.graphs import collate, isolated_atoms, structure_graph
from atomlearn.models.nn.training import (
    LoopSettings,
    load_numpy_state,
    resolve_device,
    state_to_numpy,
    train_network,
    validation_split,
)

MAX_Z = 100


def _modules():
    """The torch modules (built on first use, so importing atomlearn does not import torch)."""
    import torch
    from torch import nn

    class ShiftedSoftplus(nn.Module):
        def forward(self, x):
            return nn.functional.softplus(x) - math.log(2.0)

    class Interaction(nn.Module):
        def __init__(self, n_features: int, n_rbf: int) -> None:
            super().__init__()
            self.filter = nn.Sequential(nn.Linear(n_rbf, n_features), ShiftedSoftplus(), nn.Linear(n_features, n_features))
            self.atom_to_filter = nn.Linear(n_features, n_features, bias=False)
            self.update = nn.Sequential(nn.Linear(n_features, n_features), ShiftedSoftplus(), nn.Linear(n_features, n_features))

        def forward(self, x, rbf, damping, source, target):
            messages = self.atom_to_filter(x)[target] * self.filter(rbf) * damping[:, None]
            return self.update(torch.zeros_like(x).index_add_(0, source, messages))

    class SchNet(nn.Module):
        def __init__(self, n_features: int, n_interactions: int, n_rbf: int, cutoff_A: float) -> None:
            super().__init__()
            self.cutoff_A = cutoff_A
            self.embedding = nn.Embedding(MAX_Z + 1, n_features)
            self.register_buffer("centres_A", torch.linspace(0.0, cutoff_A, n_rbf))
            self.gamma = 0.5 / (cutoff_A / (n_rbf - 1)) ** 2
            self.interactions = nn.ModuleList(Interaction(n_features, n_rbf) for _ in range(n_interactions))
            self.readout = nn.Sequential(nn.Linear(n_features, n_features // 2), ShiftedSoftplus(),
                                         nn.Linear(n_features // 2, 1))
            self.register_buffer("reference", torch.zeros(MAX_Z + 1))  # per-element energy, target units
            self.register_buffer("scale", torch.ones(()))  # target units per network output

        def forward(self, batch):
            """Energy of each structure of the batch (target units)."""
            distance = batch.edge_vectors().norm(dim=-1)
            rbf = torch.exp(-self.gamma * (distance[:, None] - self.centres_A) ** 2)
            damping = 0.5 * (torch.cos(math.pi * distance / self.cutoff_A) + 1.0) * (distance < self.cutoff_A)
            x = self.embedding(batch.numbers)
            for interaction in self.interactions:
                x = x + interaction(x, rbf, damping, batch.source, batch.target)
            atomic = self.scale * self.readout(x).squeeze(-1) + self.reference[batch.numbers]
            return torch.zeros(batch.n_structures, dtype=atomic.dtype, device=atomic.device).index_add_(0, batch.structure, atomic)

    return SchNet


class SchNetRegressor(RegressorMixin, BaseEstimator):
    """SchNet energies (and forces) of structures, scikit-learn style: ``fit(structures, y, forces=None)``,
    ``predict(structures)``, ``predict_forces(structures)``.

    ``y`` in any energy unit (per structure); ``forces`` (optional, a list of (n_atoms, 3) arrays
    in that unit per Å) are fitted with the loss (1 − w)·MSE(E)/σ_E² + w·MSE(F)/σ_F², w =
    ``force_weight``. Early stopping on a ``validation_fraction`` of the structures,
    ``history_`` per epoch, ``checkpoint`` to resume, ``device="auto"`` (GPU when present).
    """

    def __init__(self, cutoff_A: float = 5.0, n_features: int = 64, n_interactions: int = 3, n_rbf: int = 32,
                 force_weight: float = 0.9, learning_rate: float = 5e-4, weight_decay: float = 0.0, batch_size: int = 32,
                 max_epochs: int = 500, patience: int = 50, validation_fraction: float = 0.1, dtype: str = "float32",
                 random_state: int | None = 0, device: str = "auto", checkpoint: str | None = None) -> None:
        self.cutoff_A = cutoff_A
        self.n_features = n_features
        self.n_interactions = n_interactions
        self.n_rbf = n_rbf
        self.force_weight = force_weight
        self.learning_rate = learning_rate
        self.weight_decay = weight_decay
        self.batch_size = batch_size
        self.max_epochs = max_epochs
        self.patience = patience
        self.validation_fraction = validation_fraction
        self.dtype = dtype
        self.random_state = random_state
        self.device = device
        self.checkpoint = checkpoint

    # ---- fitting
    def fit(self, structures: Sequence[Atoms], y: np.ndarray, forces: Sequence[np.ndarray] | None = None) -> SchNetRegressor:
        import torch

        structures = list(structures)
        y = np.array(y, dtype=np.float64)  # a writable copy
        _check_inputs(structures, y, forces)
        device, dtype = resolve_device(self.device), _torch_dtype(self.dtype)
        torch.manual_seed(self.random_state or 0)
        graphs = self._graphs(structures)
        reference = _reference_energies(structures, y)
        residual = y - np.array([reference[a.numbers].sum() for a in structures])
        n_atoms = np.array([len(a) for a in structures], dtype=float)
        energy_scale = float(residual.std()) or 1.0
        module = _modules()(self.n_features, self.n_interactions, self.n_rbf, self.cutoff_A).to(device=device, dtype=dtype)
        module.reference.copy_(torch.as_tensor(reference, dtype=dtype))
        module.scale.fill_(max(energy_scale / math.sqrt(n_atoms.mean()), 1e-6))
        target = torch.as_tensor(y, dtype=dtype, device=device)
        force_targets = [torch.as_tensor(np.asarray(f, dtype=float), dtype=dtype, device=device) for f in forces] if forces is not None else None
        force_scale = float(np.sqrt(np.mean(np.concatenate([np.asarray(f).ravel() for f in forces]) ** 2))) if forces is not None else 1.0
        weight = float(self.force_weight) if forces is not None else 0.0
        train, validation = validation_split(len(y), self.validation_fraction, self.random_state)

        def loss_of(rows: np.ndarray, training: bool):
            batch = collate([graphs[i] for i in rows], device, dtype)
            if weight:
                batch.positions.requires_grad_(True)
            energy = module(batch)
            loss = (1.0 - weight) * torch.mean((energy - target[rows]) ** 2) / energy_scale**2
            if weight:
                (gradient,) = torch.autograd.grad(energy.sum(), batch.positions, create_graph=training)
                reference_forces = torch.cat([force_targets[i] for i in rows])
                loss = loss + weight * torch.mean((-gradient - reference_forces) ** 2) / force_scale**2
            return loss

        def validation_loss() -> float:
            total = 0.0
            for start in range(0, len(validation), self.batch_size):
                rows = validation[start:start + self.batch_size]
                total += float(loss_of(rows, training=False).detach()) * len(rows)
            return total / len(validation)

        self.history_ = train_network(module, lambda rows: loss_of(train[rows], training=True), validation_loss,
                                      len(train), LoopSettings.of(self))
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
            for start in range(0, len(graphs), 256):
                energies.append(module(collate(graphs[start:start + 256], device, dtype)).double().cpu().numpy())
        return np.concatenate(energies) if energies else np.zeros(0)

    def predict_forces(self, structures: Sequence[Atoms]) -> list[np.ndarray]:
        """Forces −∂E/∂r on every atom, one (n_atoms, 3) array per structure (unit of ``y`` per Å)."""
        import torch

        module, device, dtype = self._fitted_module()
        forces = []
        for graph in self._graphs(list(structures)):
            batch = collate([graph], device, dtype)
            batch.positions.requires_grad_(True)
            (gradient,) = torch.autograd.grad(module(batch).sum(), batch.positions)
            forces.append(-gradient.double().cpu().numpy())
        return forces

    # ---- helpers
    def _graphs(self, structures: list[Atoms]) -> list:
        graphs = []
        for index, atoms in enumerate(structures):
            graph = structure_graph(atoms, self.cutoff_A)
            lonely = isolated_atoms(graph)
            if len(lonely) and len(atoms) > 1:
                label = atoms.info.get("id", f"structure {index}")
                raise ValueError(f"{label}: atom(s) {lonely[:5].tolist()} have no neighbour within the {self.cutoff_A} Å "
                                 "cutoff (an atom far from all others); fix the structure or raise cutoff_A")
            graphs.append(graph)
        return graphs

    def _fitted_module(self):
        check_is_fitted(self, "weights_")
        device, dtype = resolve_device(self.device), _torch_dtype(self.dtype)
        module = _modules()(self.n_features, self.n_interactions, self.n_rbf, self.cutoff_A)
        return load_numpy_state(module, self.weights_).to(device=device, dtype=dtype).eval(), device, dtype


def _torch_dtype(name: str):
    import torch

    if name not in ("float32", "float64"):
        raise ValueError(f"dtype must be 'float32' or 'float64', got {name!r}")
    return getattr(torch, name)


def _reference_energies(structures: Sequence[Atoms], y: np.ndarray) -> np.ndarray:
    """Per-element energies (index Z) fitted to ``y`` by ridge-regularised least squares on the counts."""
    counts = np.zeros((len(structures), MAX_Z + 1))
    for row, atoms in enumerate(structures):
        np.add.at(counts[row], atoms.numbers, 1.0)
    present = np.flatnonzero(counts.sum(axis=0))
    block = counts[:, present]
    solution = np.linalg.solve(block.T @ block + 1e-8 * np.eye(len(present)) * max(1.0, np.trace(block.T @ block)), block.T @ y)
    reference = np.zeros(MAX_Z + 1)
    reference[present] = solution
    return reference


def _check_inputs(structures: list[Atoms], y: np.ndarray, forces: Sequence[np.ndarray] | None) -> None:
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
