"""A message-passing network on the bond graph (Gilmer et al. 2017), for any per-structure property.

Atoms are nodes (an embedding of the element), covalent bonds are edges (the graph of
``featurizers.graph.bond_graph``, which the RAC featurizer uses too, so a MOF is its periodic
bond graph), and each edge carries its length expanded in Gaussians. Each layer sends a message
along every bond, m_ij = MLP(h_i, h_j, e_ij), and updates h_i ← h_i + MLP(h_i, Σ_j m_ij). The
structure's value is the sum or the mean over atoms of a readout of h. The graph depends only on
which atoms are bonded and how long the bonds are, so predictions are invariant to translation,
rotation, atom order and (mean pooling) the choice of cell.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from ase import Atoms
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils.validation import check_is_fitted

from atomlearn.featurizers.elements import lookup
from atomlearn.featurizers.graph import bond_graph
from atomlearn.models.nn.pooling import MAX_Z, choose_pooling, unusable_structures
from atomlearn.models.nn.potential import prediction_chunks
from atomlearn.models.nn.training import (
    LoopSettings,
    load_numpy_state,
    resolve_device,
    seed_torch,
    state_to_numpy,
    train_network,
    validation_split,
)

BOND_RBF_RANGE_A = (0.6, 3.4)  # covalent bonds, H–H to the longest metal–ligand bonds


@dataclass(frozen=True)
class BondGraphData:
    """One structure's bond graph: atomic numbers and directed bonds with their lengths (Å)."""

    numbers: np.ndarray
    first: np.ndarray
    second: np.ndarray
    length_A: np.ndarray


def bond_graph_data(atoms: Atoms) -> BondGraphData:
    """The bond graph of one structure as arrays: atomic numbers, bond end points (periodic images included) and lengths
    in Å."""
    graph = bond_graph(atoms, self_images=True)
    return BondGraphData(
        atoms.numbers.astype(np.int64),
        graph.first.astype(np.int64),
        graph.second.astype(np.int64),
        graph.length.astype(float),
    )


def _modules():
    import torch
    from torch import nn

    def mlp(n_in: int, n_out: int) -> nn.Module:
        return nn.Sequential(nn.Linear(n_in, n_out), nn.SiLU(), nn.Linear(n_out, n_out))

    class Layer(nn.Module):
        def __init__(self, n_features: int, n_rbf: int) -> None:
            super().__init__()
            self.message = mlp(2 * n_features + n_rbf, n_features)
            self.update = mlp(2 * n_features, n_features)

        def forward(self, h, first, second, edges):
            messages = self.message(torch.cat([h[first], h[second], edges], dim=-1))
            incoming = torch.zeros_like(h).index_add_(0, first, messages)
            return h + self.update(torch.cat([h, incoming], dim=-1))

    class BondGraphNetwork(nn.Module):
        def __init__(self, n_features: int, n_layers: int, n_rbf: int, pooling: str) -> None:
            super().__init__()
            self.pooling = pooling
            self.embedding = nn.Embedding(MAX_Z + 1, n_features)
            self.register_buffer("centres_A", torch.linspace(*BOND_RBF_RANGE_A, n_rbf))
            self.gamma = 0.5 / ((BOND_RBF_RANGE_A[1] - BOND_RBF_RANGE_A[0]) / (n_rbf - 1)) ** 2
            self.layers = nn.ModuleList(Layer(n_features, n_rbf) for _ in range(n_layers))
            self.readout = nn.Sequential(nn.Linear(n_features, n_features), nn.SiLU(), nn.Linear(n_features, 1))

        def forward(self, numbers, first, second, length, structure, n_structures):
            edges = torch.exp(-self.gamma * (length[:, None] - self.centres_A) ** 2)
            h = self.embedding(numbers)
            for layer in self.layers:
                h = layer(h, first, second, edges)
            atomic = self.readout(h).squeeze(-1)
            total = torch.zeros(n_structures, dtype=atomic.dtype, device=atomic.device).index_add_(0, structure, atomic)
            if self.pooling == "mean":
                counts = torch.zeros_like(total).index_add_(0, structure, torch.ones_like(atomic))
                total = total / counts
            return total

    return BondGraphNetwork


class BondGraphRegressor(RegressorMixin, BaseEstimator):
    """Message passing on the bond graph: ``fit(structures, y)``, ``predict(structures)``.

    The target is standardised inside (around its mean per atom for sum pooling, so predictions
    stay extensive).

    Parameters
    ----------
    n_features : int
        Features per atom.
    n_layers : int
        Message-passing layers.
    n_rbf : int
        Radial basis functions of the bond length.
    pooling : {"auto", "sum", "mean"}
        "sum" for extensive targets (energies), "mean" for intensive ones (band gaps, adsorption
        per mass), "auto" to choose by the composition baselines.
    learning_rate : float
        Initial Adam step; halved when the validation loss stalls.
    weight_decay : float
        L2 penalty of Adam.
    batch_size : int
        Samples per minibatch.
    max_epochs : int
        Most passes over the training data.
    patience : int
        Stop after this many epochs without a better validation loss (the best weights are kept).
    validation_fraction : float
        Part of the training data held back for early stopping.
    random_state : int or None
        Seed of the weights, the validation part and the minibatches (None: unseeded).
    device : {"auto", "cpu", "cuda"}
        Where to train; "auto" uses a GPU when one is present.
    checkpoint : str, optional
        A file the training state is saved to every epoch; an interrupted fit resumes from it.
    verbose : bool
        Print one line per epoch.

    Attributes
    ----------
    pooling_ : str
    weights_ : dict of str to ndarray
    y_mean_, y_scale_ : float
    history_ : dict of str to ndarray
    n_epochs_ : int
    """

    takes_structures = True  # fitted on structures, not on a feature matrix (``atomlearn fit`` passes them)

    def __init__(
        self,
        n_features: int = 64,
        n_layers: int = 3,
        n_rbf: int = 16,
        pooling: str = "auto",
        learning_rate: float = 1e-3,
        weight_decay: float = 0.0,
        batch_size: int = 32,
        max_epochs: int = 500,
        patience: int = 50,
        validation_fraction: float = 0.1,
        random_state: int | None = 0,
        device: str = "auto",
        checkpoint: str | None = None,
        verbose: bool = False,
    ) -> None:
        self.n_features = n_features
        self.n_layers = n_layers
        self.n_rbf = n_rbf
        self.pooling = pooling
        self.learning_rate = learning_rate
        self.weight_decay = weight_decay
        self.batch_size = batch_size
        self.max_epochs = max_epochs
        self.patience = patience
        self.validation_fraction = validation_fraction
        self.random_state = random_state
        self.device = device
        self.checkpoint = checkpoint
        self.verbose = verbose

    def fit(self, structures: Sequence[Atoms], y: np.ndarray) -> BondGraphRegressor:
        """Train the network on the structures' bond graphs, with early stopping on a validation part.

        Parameters
        ----------
        structures : sequence of ase.Atoms
        y : array-like of shape (n_structures,)

        Returns
        -------
        self
        """
        import torch

        structures, y = list(structures), np.array(y, dtype=np.float64)
        if len(structures) != len(y):
            raise ValueError(f"{len(structures)} structures but {len(y)} targets")
        if not np.isfinite(y).all():
            raise ValueError(
                f"target of structure {int(np.flatnonzero(~np.isfinite(y))[0])} is not finite; remove or fix it"
            )
        self.pooling_ = choose_pooling(self.pooling, structures, y, has_forces=False)
        train, validation = validation_split(len(y), self.validation_fraction, self.random_state)
        device = resolve_device(self.device)
        seed_torch(self.random_state)
        graphs = [bond_graph_data(atoms) for atoms in structures]
        sizes = self._offset_sizes(structures)
        self.y_mean_ = float((y / sizes).mean())  # per atom for sum pooling, so the offset is extensive too
        self.y_scale_ = float((y - self.y_mean_ * sizes).std()) or 1.0
        target = torch.as_tensor((y - self.y_mean_ * sizes) / self.y_scale_, dtype=torch.float32, device=device)
        module = self._module().to(device)

        def loss_of(rows: np.ndarray):
            return torch.mean((module(*_collate([graphs[i] for i in rows], device)) - target[rows]) ** 2)

        def validation_loss() -> float:
            with torch.no_grad():
                return float(loss_of(validation))

        self.history_ = train_network(
            module, lambda rows: loss_of(train[rows]), validation_loss, len(train), LoopSettings.of(self)
        )
        self.n_epochs_ = len(self.history_["epoch"])
        self.weights_ = state_to_numpy(module)
        return self

    def predict(self, structures: Sequence[Atoms]) -> np.ndarray:
        """Predict one value per structure.

        Parameters
        ----------
        structures : sequence of ase.Atoms

        Returns
        -------
        ndarray of shape (n_structures,)
        """
        import torch

        check_is_fitted(self, "weights_")
        device = resolve_device(self.device)
        module = load_numpy_state(self._module(), self.weights_).to(device).eval()
        structures = list(structures)
        graphs = [bond_graph_data(atoms) for atoms in structures]
        out = []
        with torch.no_grad():
            for chunk in prediction_chunks([len(g.numbers) for g in graphs]):
                out.append(module(*_collate([graphs[i] for i in chunk], device)).double().cpu().numpy())
        if not out:
            return np.zeros(0)
        return np.concatenate(out) * self.y_scale_ + self.y_mean_ * self._offset_sizes(structures)

    def structure_errors(self, structures: Sequence[Atoms]) -> dict[int, str]:
        """Why a structure cannot go into this network, by its index (the others can)."""
        # the bond graph needs only covalent radii: look them up instead of building every graph twice
        return unusable_structures(structures, lambda atoms, label: lookup("covalent_radius_A", atoms.numbers))

    def _offset_sizes(self, structures: Sequence[Atoms]) -> np.ndarray:
        """What the mean target is multiplied by: the atom count (sum pooling) or 1 (mean pooling)."""
        return np.array([len(a) if self.pooling_ == "sum" else 1.0 for a in structures], dtype=float)

    def _module(self):
        return _modules()(self.n_features, self.n_layers, self.n_rbf, self.pooling_)


def _collate(graphs: Sequence[BondGraphData], device) -> tuple:
    """Concatenated graphs (no padding): numbers, bond ends offset per structure, lengths, owners."""
    import torch

    sizes = [len(g.numbers) for g in graphs]
    offsets = np.cumsum([0] + sizes[:-1])

    def tensor(parts, dtype):
        return torch.as_tensor(np.concatenate(parts) if parts else np.zeros(0), dtype=dtype, device=device)

    return (
        tensor([g.numbers for g in graphs], torch.long),
        tensor([g.first + o for g, o in zip(graphs, offsets)], torch.long),
        tensor([g.second + o for g, o in zip(graphs, offsets)], torch.long),
        tensor([g.length_A for g in graphs], torch.float32),
        tensor([np.full(n, i) for i, n in enumerate(sizes)], torch.long),
        len(graphs),
    )
