"""An invariant continuous-filter network (SchNet; Schütt et al. 2018) for energies and forces.

Interatomic distances within a cutoff are expanded in Gaussians and damped by a cosine
cutoff; filters made from them mix the features of neighbouring atoms (periodic images
included, through the graph's cell shifts). Each atom contributes an energy, so the total
is extensive and invariant to translation, rotation, atom order and the choice of unit
cell; forces are −∂E/∂r by autograd, hence equivariant and exactly conservative.
"""

from __future__ import annotations

import math

from atomlearn.models.nn.pooling import MAX_Z
from atomlearn.models.nn.potential import StructureNetworkRegressor


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
            self.filter = nn.Sequential(
                nn.Linear(n_rbf, n_features), ShiftedSoftplus(), nn.Linear(n_features, n_features)
            )
            self.atom_to_filter = nn.Linear(n_features, n_features, bias=False)
            self.update = nn.Sequential(
                nn.Linear(n_features, n_features), ShiftedSoftplus(), nn.Linear(n_features, n_features)
            )

        def forward(self, x, rbf, damping, source, target):
            messages = self.atom_to_filter(x).index_select(0, target) * self.filter(rbf) * damping[:, None]
            return self.update(torch.zeros_like(x).index_add_(0, source, messages))

    class SchNet(nn.Module):
        def __init__(self, n_features: int, n_interactions: int, n_rbf: int, cutoff_A: float) -> None:
            super().__init__()
            self.cutoff_A = cutoff_A
            self.embedding = nn.Embedding(MAX_Z + 1, n_features)
            self.register_buffer("centres_A", torch.linspace(0.0, cutoff_A, n_rbf))
            self.gamma = 0.5 / (cutoff_A / (n_rbf - 1)) ** 2
            self.interactions = nn.ModuleList(Interaction(n_features, n_rbf) for _ in range(n_interactions))
            self.readout = nn.Sequential(
                nn.Linear(n_features, n_features // 2), ShiftedSoftplus(), nn.Linear(n_features // 2, 1)
            )
            self.register_buffer("reference", torch.zeros(MAX_Z + 1))  # per-element energy, target units
            self.register_buffer("scale", torch.ones(()))  # target units per network output

        def forward(self, batch):
            """Per-atom network output (scaled and shifted by ``structure_energies``)."""
            distance = batch.edge_vectors().norm(dim=-1)
            rbf = torch.exp(-self.gamma * (distance[:, None] - self.centres_A) ** 2)
            damping = 0.5 * (torch.cos(math.pi * distance / self.cutoff_A) + 1.0) * (distance < self.cutoff_A)
            x = self.embedding(batch.numbers)
            for interaction in self.interactions:
                x = x + interaction(x, rbf, damping, batch.source, batch.target)
            return self.readout(x).squeeze(-1)

    return SchNet


class SchNetRegressor(StructureNetworkRegressor):
    """SchNet energies (and forces) of structures, scikit-learn style: ``fit(structures, y, forces=None)``,
    ``predict(structures)``, ``predict_forces(structures)`` (see ``StructureNetworkRegressor``).

    Parameters
    ----------
    cutoff_A : float
        Cutoff radius in Å.
    n_features : int
        Features per atom.
    n_interactions : int
        Interaction (message-passing) layers.
    n_rbf : int
        Gaussians between 0 and the cutoff.
    pooling : {"auto", "sum", "mean"}
        Sum of atomic contributions for extensive targets (energies; forces need it), mean for
        intensive ones, "auto" to choose by the composition baselines.
    force_weight : float
        w in the loss (1 − w)·MSE(E)/σ_E² + w·MSE(F)/σ_F² when forces are given.
    dtype : {"float32", "float64"}
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
    energy_scale_, force_scale_ : float
        σ_E and σ_F of the training data.
    history_ : dict of str to ndarray
    n_epochs_ : int
    """

    def __init__(
        self,
        cutoff_A: float = 5.0,
        n_features: int = 64,
        n_interactions: int = 3,
        n_rbf: int = 32,
        pooling: str = "auto",
        force_weight: float = 0.9,
        learning_rate: float = 5e-4,
        weight_decay: float = 0.0,
        batch_size: int = 32,
        max_epochs: int = 500,
        patience: int = 50,
        validation_fraction: float = 0.1,
        dtype: str = "float32",
        random_state: int | None = 0,
        device: str = "auto",
        checkpoint: str | None = None,
        verbose: bool = False,
    ) -> None:
        self.cutoff_A = cutoff_A
        self.n_features = n_features
        self.n_interactions = n_interactions
        self.n_rbf = n_rbf
        self.pooling = pooling
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
        self.verbose = verbose

    def _build_module(self):
        return _modules()(self.n_features, self.n_interactions, self.n_rbf, self.cutoff_A)
