"""An equivariant message-passing network (PaiNN; Schütt, Unke & Gastegger 2021) for energies and forces.

Each atom carries scalar features s (invariant) and vector features v (3 x F, rotating with
the structure). Messages from neighbours within the cutoff mix both, with filters built from
a sine radial basis under a cosine cutoff, and the unit vector to the neighbour as the only
directional input; the update couples them through norms and scalar products of vectors.
So s stays invariant and v equivariant by construction, the energy read from s is invariant,
and forces −∂E/∂r are equivariant and conservative.

Only l ≤ 1 features appear (scalars and Cartesian vectors), so plain PyTorch tensors suffice:
no Clebsch–Gordan products, no extra dependency. ``benchmarks/bench_forcefield.py`` sets it beside
MACE, the e3nn-based equivariant network, on the same frames and training time.
"""

from __future__ import annotations

import math

from atomlearn.models.nn.pooling import MAX_Z
from atomlearn.models.nn.potential import StructureNetworkRegressor

NORM_EPSILON = 1e-8  # keeps ∂|v|/∂v finite at v = 0 (all vectors start at zero)


def _modules():
    """The torch modules (built on first use, so importing atomlearn does not import torch)."""
    import torch
    from torch import nn

    class Message(nn.Module):
        def __init__(self, n_features: int, n_rbf: int) -> None:
            super().__init__()
            self.n_features = n_features
            self.scalar = nn.Sequential(
                nn.Linear(n_features, n_features), nn.SiLU(), nn.Linear(n_features, 3 * n_features)
            )
            self.filter = nn.Linear(n_rbf, 3 * n_features)

        def forward(self, s, v, rbf, damping, unit, source, target):
            x = self.scalar(s).index_select(0, target) * self.filter(rbf) * damping[:, None]
            ds, dv_from_v, dv_from_direction = torch.split(x, self.n_features, dim=-1)
            dv = v.index_select(0, target) * dv_from_v[:, None, :] + dv_from_direction[:, None, :] * unit[:, :, None]
            return (
                s + torch.zeros_like(s).index_add_(0, source, ds),
                v + torch.zeros_like(v).index_add_(0, source, dv),
            )

    class Update(nn.Module):
        def __init__(self, n_features: int) -> None:
            super().__init__()
            self.n_features = n_features
            self.mix_u = nn.Linear(n_features, n_features, bias=False)
            self.mix_v = nn.Linear(n_features, n_features, bias=False)
            self.scalar = nn.Sequential(
                nn.Linear(2 * n_features, n_features), nn.SiLU(), nn.Linear(n_features, 3 * n_features)
            )

        def forward(self, s, v):
            u, w = self.mix_u(v), self.mix_v(v)
            norm = torch.sqrt((w**2).sum(dim=1) + NORM_EPSILON)
            a_vv, a_sv, a_ss = torch.split(self.scalar(torch.cat([s, norm], dim=-1)), self.n_features, dim=-1)
            return s + a_sv * (u * w).sum(dim=1) + a_ss, v + a_vv[:, None, :] * u

    class PaiNN(nn.Module):
        def __init__(self, n_features: int, n_interactions: int, n_rbf: int, cutoff_A: float) -> None:
            super().__init__()
            self.cutoff_A, self.n_features = cutoff_A, n_features
            self.embedding = nn.Embedding(MAX_Z + 1, n_features)
            self.register_buffer("frequencies", math.pi * torch.arange(1, n_rbf + 1) / cutoff_A)
            self.messages = nn.ModuleList(Message(n_features, n_rbf) for _ in range(n_interactions))
            self.updates = nn.ModuleList(Update(n_features) for _ in range(n_interactions))
            self.readout = nn.Sequential(
                nn.Linear(n_features, n_features // 2), nn.SiLU(), nn.Linear(n_features // 2, 1)
            )
            self.register_buffer("reference", torch.zeros(MAX_Z + 1))  # per-element energy, target units
            self.register_buffer("scale", torch.ones(()))  # target units per network output

        def forward(self, batch):
            """Per-atom network output (scaled and shifted by ``structure_energies``)."""
            vectors = batch.edge_vectors()
            distance = vectors.norm(dim=-1)
            unit = vectors / distance[:, None]
            rbf = torch.sin(distance[:, None] * self.frequencies) / distance[:, None]
            damping = 0.5 * (torch.cos(math.pi * distance / self.cutoff_A) + 1.0) * (distance < self.cutoff_A)
            s = self.embedding(batch.numbers)
            v = torch.zeros(len(s), 3, self.n_features, dtype=s.dtype, device=s.device)
            for message, update in zip(self.messages, self.updates):
                s, v = message(s, v, rbf, damping, unit, batch.source, batch.target)
                s, v = update(s, v)
            return self.readout(s).squeeze(-1)

    return PaiNN


class PaiNNRegressor(StructureNetworkRegressor):
    """PaiNN energies (and forces) of structures, scikit-learn style: ``fit(structures, y, forces=None)``,
    ``predict(structures)``, ``predict_forces(structures)`` (see ``StructureNetworkRegressor``).

    Parameters
    ----------
    cutoff_A : float
        Cutoff radius in Å.
    n_features : int
        Features per atom (scalar and vector channels).
    n_interactions : int
        Message + update blocks.
    n_rbf : int
        Sine radial functions.
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
        n_rbf: int = 20,
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
