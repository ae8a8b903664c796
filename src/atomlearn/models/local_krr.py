"""Kernel ridge regression (and GP variance) with a local kernel on atom environments, from structures.

``LocalKernelRidge`` computes each atom's environment (FCHL19 for molecules, SOAP for
crystals, or ACSF), subtracts a per-element baseline fitted by least squares on the element
counts, and fits the rest with the structure kernel of ``local_kernels``. The width σ and λ
are chosen by the exact held-out errors of ``FastKernelRidge`` (leave-one-out or k folds, every
λ from one eigendecomposition, all σ from one distance pass, no refits); the posterior
variance is that of ``GaussianProcess``. The training environments are kept: a new structure
is compared with them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np
from ase import Atoms
from sklearn.utils.validation import check_is_fitted

from atomlearn.featurizers import ACSF, SOAP
from atomlearn.featurizers.base import Featurizer
from atomlearn.featurizers.checks import require_finite, require_no_overlap
from atomlearn.featurizers.fchl19 import FCHL19
from atomlearn.models.gpr import GaussianProcess
from atomlearn.models.kernels import available_memory_bytes, require_memory
from atomlearn.models.local_kernel_blocks import (
    LOCAL_KERNELS,
    Environments,
    local_kernel_diagonal,
    local_kernels,
    squared_distances,
)
from atomlearn.models.nn.pooling import choose_pooling, composition_matrix, reference_energies, unusable_structures
from atomlearn.parallel import parallel_map

REPRESENTATIONS = ("auto", "fchl19", "soap", "acsf")
DEFAULT_ALPHAS = tuple(10.0 ** np.arange(-12, 0))  # λ in kernel units (a molecule's k(x, x) ~ its atoms' count)
MAX_SOAP_PAIR_SPECIES = 6
AUTO_SIGMA_FACTORS = tuple(2.0 ** (np.arange(-2, 9) / 2))  # times the median distance between same-element atoms


def make_representation(name: str, structures: Sequence[Atoms] = ()) -> Featurizer:
    """The environment featurizer by name (unfitted). SOAP keeps every species pair up to
    ``MAX_SOAP_PAIR_SPECIES`` elements in ``structures``, and beyond (MOFs) same-species pairs only."""
    if name == "fchl19":
        return FCHL19()
    if name == "soap":
        n_species = len({int(z) for atoms in structures for z in np.unique(atoms.numbers)})
        if n_species > MAX_SOAP_PAIR_SPECIES:
            return SOAP(r_cut=5.0, n_max=4, l_max=3, compression="crossover")
        return SOAP(r_cut=5.0, n_max=6, l_max=4)
    if name == "acsf":
        return ACSF()
    raise ValueError(f"representation must be one of {', '.join(REPRESENTATIONS)}, got {name!r}")


def choose_representation(name: str, structures: Sequence[Atoms]) -> str:
    """``name``, or for "auto" FCHL19 when every structure is a molecule and SOAP when every one is periodic."""
    if name != "auto":
        make_representation(name)  # validates the name
        return name
    periodic = {bool(atoms.pbc.any()) for atoms in structures}
    if periodic == {True, False}:
        raise ValueError(
            "the structures mix molecules and periodic crystals; fit them separately, or choose "
            "representation='soap' or 'acsf', which describe both"
        )
    return "soap" if periodic == {True} else "fchl19"


def median_distance(envs: Environments, n_sample: int = 2000, random_state: int | None = 0) -> float:
    """Median distance between the environments of two atoms of the same element (a sample of atoms)."""
    rng = np.random.default_rng(random_state)
    atoms = rng.choice(len(envs.numbers), size=min(n_sample, len(envs.numbers)), replace=False)
    distances = []
    for z in np.unique(envs.numbers[atoms]):
        x = envs.features[atoms[envs.numbers[atoms] == z]].astype(float)
        d = np.sqrt(squared_distances(x, x, np.einsum("ij,ij->i", x, x)))
        distances.append(d[np.triu_indices(len(x), k=1)])
    values = np.concatenate(distances) if distances else np.zeros(0)
    values = values[values > 0]
    return float(np.median(values)) if len(values) else 1.0


class LocalKernelRidge(GaussianProcess):
    """Local-kernel ridge regression on atom environments: ``fit(structures, y)``, ``predict(structures)``.

    K(A, B) = Σ_{i∈A} Σ_{j∈B, Z_i=Z_j} exp(−‖x_i − x_j‖² / 2σ²) (Gaussian) or exp(−‖x_i − x_j‖₁ / σ)
    (Laplacian), on per-atom environments; divided by both atom counts for an intensive target.

    Parameters
    ----------
    representation : {"auto", "fchl19", "soap", "acsf"}
        The atom environments; "auto": FCHL19 (qmllib) for molecules, SOAP for crystals.
    kernel : {"rbf", "laplacian"}
        Gaussian or Laplacian kernel between two environments.
    sigma : float, sequence of float or "auto"
        Kernel width in the representation's units; a list is searched; "auto" searches
        2^(k/2) times the median same-element distance, k = -2..8.
    alpha : float or sequence of float
        Regularisation λ, in kernel units; a list is searched.
    normalization : {"auto", "sum", "mean"}
        "sum": the kernel sums over atom pairs (extensive targets: energies); "mean": it is
        divided by both atom counts (intensive: band gaps, densities); "auto": decided by which
        composition baseline predicts the training target better in leave-one-out.
    baseline : bool
        Subtract a per-element least-squares baseline (element counts for "sum", fractions for
        "mean") before the fit; without it an intercept is fitted.
    cv : "loo", int, splitter or None
        Held-out errors that choose σ and λ ("loo": closed-form leave-one-out); None: the
        GP log marginal likelihood.
    scoring : {"mae", "rmse"}
    dtype : {"float64", "float32"}
        Precision of the atom distances; the structure sums and the solve are always float64.
        float32 is ~1.5x faster, but its rounding makes the kernel indefinite by ~1e-4 at
        8,000 QM9 molecules, so small λ are lost (fine up to ~4,000 molecules).
    solver, width_subsample, refine_alphas, random_state
        As in ``FastKernelRidge`` (``width_subsample`` screens σ × λ on that many structures).
    refine_widths : int
        After a screen, score this many σ around the screened one on all structures (the best σ
        on all can differ from the screen's: 2.3 instead of 3.3 at 8,000 QM9 molecules).
    n_jobs : int
        Threads of the kernel and processes of the environments (-1: all cores).
    device : {"cpu", "cuda", "auto"}
        Where the atom-pair blocks are computed ("cuda": as PyTorch matrix products on a GPU).

    Attributes
    ----------
    representation_ : str
    featurizer_ : Featurizer
        The fitted environment featurizer.
    normalization_ : str
    reference_ : ndarray of shape (101,)
        Per-element baseline (index Z), target units per atom ("sum") or per fraction ("mean").
    sigma_, alpha_ : float
        The chosen width and λ.
    train_features_ : ndarray of shape (n_train_atoms, n_atom_features)
    train_numbers_, train_sizes_ : ndarray
        The training environments, atomic numbers and atoms per structure (kept to predict).
    dual_coef_ : ndarray of shape (n_structures,)
    signal_variance_, noise_std_ : float
        As in ``GaussianProcess``: ``predict(structures, return_std=True)``.
    """

    takes_structures = True  # fitted on structures (``atomlearn fit`` passes them), not on a feature matrix

    def __init__(
        self,
        representation: str = "auto",
        kernel: str = "rbf",
        sigma: float | Sequence[float] | str = "auto",
        alpha: float | Sequence[float] = DEFAULT_ALPHAS,
        normalization: str = "auto",
        baseline: bool = True,
        cv: str | int | Any | None = "loo",
        scoring: str = "mae",
        dtype: str = "float64",
        solver: str = "auto",
        width_subsample: int | None = None,
        refine_alphas: int | None = None,
        refine_widths: int = 3,
        n_jobs: int = -1,
        device: str = "cpu",
        random_state: int | None = 0,
    ) -> None:
        self.representation = representation
        self.kernel = kernel
        self.sigma = sigma
        self.alpha = alpha
        self.normalization = normalization
        self.baseline = baseline
        self.cv = cv
        self.scoring = scoring
        self.dtype = dtype
        self.solver = solver
        self.width_subsample = width_subsample
        self.refine_alphas = refine_alphas
        self.refine_widths = refine_widths
        self.n_jobs = n_jobs
        self.device = device
        self.random_state = random_state

    @property
    def fit_intercept(self) -> bool:
        """An intercept only without the per-element baseline (the baseline holds the offset)."""
        return not self.baseline

    # -- environments -----------------------------------------------------------------
    def _environments(self, structures: Sequence[Atoms]) -> Environments:
        result = parallel_map(
            self.featurizer_.per_atom,
            list(structures),
            ids=_ids(structures),
            n_jobs=self.n_jobs,
            stage=self.representation_,
            progress=False,
        )
        if result.errors:
            first = result.errors[0]
            raise ValueError(
                f"{len(result.errors)} structure(s) have no {self.representation_} environments, first "
                f"{first.item_id}: {first.reason} (structure_errors() lists them before fitting)"
            )
        return Environments.from_arrays(
            result.results, [atoms.numbers for atoms in structures], dtype=np.dtype(self.dtype)
        )

    def _train_environments(self) -> Environments:
        cached = getattr(self, "_train_cache", None)
        if cached is None:
            sizes = self.train_sizes_
            cached = Environments(
                self.train_features_, self.train_numbers_, np.repeat(np.arange(len(sizes)), sizes), len(sizes)
            )
            self._train_cache = cached
        return cached

    # -- the kernels FastKernelRidge searches and fits with (rows are structure indices) --
    def _gammas(self, X: np.ndarray) -> list[float]:
        if isinstance(self.sigma, str):
            if self.sigma != "auto":
                raise ValueError(f"sigma must be a number, a list or 'auto', got {self.sigma!r}")
            scale = median_distance(self._train_environments(), random_state=self.random_state)
            sigmas = [scale * f for f in AUTO_SIGMA_FACTORS]
        else:
            sigmas = [float(s) for s in np.atleast_1d(self.sigma)]
        if min(sigmas) <= 0:
            raise ValueError(f"sigma must be positive, got {min(sigmas)}")
        return [_gamma(self.kernel, s) for s in sigmas]

    def _structure_kernels(self, A: Environments, B: Environments | None, gammas: Sequence[float]) -> list[np.ndarray]:
        if self.device not in ("cpu", "auto", "cuda") and not str(self.device).startswith("cuda:"):
            raise ValueError(f"device must be 'cpu', 'cuda' or 'auto', got {self.device!r}")
        if self.device != "cpu" and (self.device != "auto" or _cuda_available()):
            from atomlearn.models.local_kernel_blocks_torch import local_kernels_torch

            return local_kernels_torch(
                A, B, gammas=gammas, kernel=self.kernel, normalization=self.normalization_, device=self.device
            )
        return local_kernels(
            A, B, gammas=gammas, kernel=self.kernel, normalization=self.normalization_, n_jobs=self.n_jobs
        )

    def _refined_widths(self) -> int:
        return int(self.refine_widths)

    def _training_rows(self, X: np.ndarray) -> Environments:
        """The training environments of the structures X indexes (all of them without a copy)."""
        train, rows = self._train_environments(), _rows(X)
        return train if np.array_equal(rows, np.arange(train.n_structures)) else train.take(rows)

    def _kernels(self, X: np.ndarray, gammas: list[float], dtype: np.dtype) -> Iterator[tuple[float, np.ndarray]]:
        envs = self._training_rows(X)
        per_width = 8 * len(X) ** 2
        group = max(1, int(0.3 * available_memory_bytes() // max(per_width, 1)))  # widths per distance pass
        for start in range(0, len(gammas), group):
            kernels = self._structure_kernels(envs, None, gammas[start : start + group])
            for gamma in gammas[start : start + group]:
                yield gamma, kernels.pop(0)  # the caller holds the only reference: freed when done with

    def _kernel(self, A: np.ndarray, B: np.ndarray | None, gamma: float, dtype: np.dtype) -> np.ndarray:
        if B is None:  # training structures against themselves
            return self._structure_kernels(self._training_rows(A), None, [gamma])[0]
        return self._structure_kernels(self._query.take(_rows(A)), self._training_rows(B), [gamma])[0]

    def _diagonal(self, X: np.ndarray) -> np.ndarray:
        return local_kernel_diagonal(self._query.take(_rows(X)), self.gamma_, self.kernel, self.normalization_)

    def _fit_final(self, X: np.ndarray, y: np.ndarray, dtype: np.dtype) -> tuple[np.ndarray, bool]:
        return super()._fit_final(X, y, np.dtype(np.float64))  # the structure kernel is float64

    def _require_memory(self, n: int, itemsize: int, what: str) -> None:
        require_memory(
            3 * n * n * 8, f"local kernel ridge regression on {n} structures ({what})", "use fewer training structures"
        )

    # -- fit / predict ----------------------------------------------------------------
    def fit(
        self, structures: Sequence[Atoms], y: np.ndarray, forces: Sequence[np.ndarray] | None = None
    ) -> LocalKernelRidge:
        """Compute the environments, subtract the baseline, choose σ and λ, fit the dual coefficients.

        Parameters
        ----------
        structures : sequence of ase.Atoms
        y : array-like of shape (n_structures,)
        forces : sequence of ndarray of shape (n_atoms, 3), optional
            Not fitted (the model learns energies; its forces are their derivatives); given, they
            make the kernel a sum (an energy).

        Returns
        -------
        self
        """
        structures, y = list(structures), np.array(y, dtype=np.float64)
        if len(structures) != len(y) or (forces is not None and len(forces) != len(y)):
            raise ValueError(
                f"{len(structures)} structures, {len(y)} targets"
                + ("" if forces is None else f" and {len(forces)} force arrays")
            )
        if not np.isfinite(y).all():
            raise ValueError(
                f"target of structure {int(np.flatnonzero(~np.isfinite(y))[0])} is not finite; remove or fix it"
            )
        if self.kernel not in LOCAL_KERNELS:
            raise ValueError(f"kernel must be one of {', '.join(LOCAL_KERNELS)}, got {self.kernel!r}")
        self.representation_ = choose_representation(self.representation, structures)
        self.featurizer_ = make_representation(self.representation_, structures).fit(structures)
        self.normalization_ = choose_pooling(self.normalization, structures, y, has_forces=forces is not None)
        envs = self._environments(structures)
        self.train_features_, self.train_numbers_, self.train_sizes_ = envs.features, envs.numbers, envs.sizes
        self._train_cache = envs
        self.reference_ = reference_energies(structures, y, self.normalization_) if self.baseline else np.zeros(101)
        super().fit(_index_column(len(y)), y - self._baseline(structures))
        self.sigma_ = _sigma(self.kernel, self.gamma_)
        return self

    def _baseline(self, structures: Sequence[Atoms]) -> np.ndarray:
        return composition_matrix(structures, self.normalization_) @ self.reference_

    def predict(
        self, structures: Sequence[Atoms], return_std: bool = False
    ) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
        """Predict one value per structure (target units); with ``return_std`` also the GP standard deviation.

        Parameters
        ----------
        structures : sequence of ase.Atoms
        return_std : bool

        Returns
        -------
        ndarray of shape (n_structures,), or (mean, std)
        """
        check_is_fitted(self, "dual_coef_")
        structures = list(structures)
        if not structures:
            return (np.zeros(0), np.zeros(0)) if return_std else np.zeros(0)
        self._query = self._environments(structures)
        try:
            result = super().predict(_index_column(len(structures)), return_std=return_std)
        finally:
            self._query = None
        baseline = self._baseline(structures)
        if return_std:
            return result[0] + baseline, result[1]
        return result + baseline

    def predict_forces(self, structures: Sequence[Atoms]) -> list[np.ndarray]:
        """Forces −∂E/∂r, one (n_atoms, 3) array per structure (target units per Å); see ``potential``."""
        potential = self.potential()
        return [potential(atoms)[1] for atoms in structures]

    def potential(self) -> Callable[[Atoms], tuple[float, np.ndarray]]:
        """``atoms -> (energy, forces)``: the fitted energy and its exact negative gradient.

        ∂E/∂x_i = −2γ Σ_j α_m(j) k(x_i, x_j) (x_i − x_j) over the training atoms j of the same
        element, chained with FCHL19's analytic ∂x_i/∂r (qmllib). So a model fitted on energies
        is a conservative force field (``atomlearn forcefield train --model krr_local``).
        Needs FCHL19 environments, the Gaussian kernel and the summed (extensive) kernel.
        """
        check_is_fitted(self, "dual_coef_")
        if (self.representation_, self.kernel, self.normalization_) != ("fchl19", "rbf", "sum"):
            raise ValueError(
                "forces need FCHL19 environments, kernel='rbf' and the summed kernel of an energy; this "
                f"model has {self.representation_}, {self.kernel}, {self.normalization_}"
            )
        train, gamma = self._train_environments(), self.gamma_
        blocks = {}
        for z in np.unique(train.numbers):
            features, owner = train.element(int(z))
            features = features.astype(float)
            blocks[int(z)] = (features, np.einsum("ij,ij->i", features, features), self.dual_coef_[owner])

        def energy_and_forces(atoms: Atoms) -> tuple[float, np.ndarray]:
            values, gradients = self.featurizer_.per_atom_gradients(atoms)
            energy = float(self._baseline([atoms])[0] + self.intercept_)
            d_energy = np.zeros_like(values)  # ∂E/∂x_i
            for z in np.unique(atoms.numbers):
                mask = atoms.numbers == z
                features, norms, coef = blocks[int(z)]
                x = values[mask]
                weights = np.exp(-gamma * squared_distances(x, features, norms)) * coef[None, :]
                energy += float(weights.sum())
                d_energy[mask] = -2.0 * gamma * (weights.sum(axis=1)[:, None] * x - weights @ features)
            return energy, -np.einsum("if,ifjx->jx", d_energy, gradients)

        return energy_and_forces

    @property
    def cutoff_A(self) -> float:
        """Reach of the environments, Å (a force field's atoms need a neighbour within it)."""
        featurizer = getattr(self, "featurizer_", None)
        if featurizer is not None:
            return float(getattr(featurizer, "cutoff_A", getattr(featurizer, "r_cut", 8.0)))
        return 5.0 if self.representation in ("soap", "acsf") else 8.0

    def structure_errors(self, structures: Sequence[Atoms]) -> dict[int, str]:
        """Why a structure cannot go into this model, by its index (the others can)."""
        representation = getattr(self, "representation_", self.representation)
        species = set(getattr(getattr(self, "featurizer_", None), "species_", None) or [])

        def check(atoms: Atoms, label: str) -> None:
            require_finite(atoms)
            if atoms.pbc.any() and not atoms.pbc.all():
                raise ValueError("periodic in only some directions; local kernels take molecules and 3-D crystals")
            if representation == "fchl19" and atoms.pbc.any():
                raise ValueError(
                    "periodic, but FCHL19 environments describe molecules only (use representation='soap')"
                )
            unknown = sorted(set(atoms.get_chemical_symbols()) - species) if species else []
            if unknown:
                raise ValueError(f"element(s) {', '.join(unknown)} absent from the training structures")
            require_no_overlap(atoms)

        return unusable_structures(structures, check)

    def __getstate__(self) -> dict[str, Any]:
        state = super().__getstate__()
        for transient in ("_train_cache", "_query", "_kept_kernel"):
            state.pop(transient, None)
        return state


def _cuda_available() -> bool:
    import torch

    return bool(torch.cuda.is_available())


def _gamma(kernel: str, sigma: float) -> float:
    """exp(-γ d²) with γ = 1/2σ² (Gaussian), exp(-γ d₁) with γ = 1/σ (Laplacian)."""
    return 1.0 / (2.0 * sigma**2) if kernel == "rbf" else 1.0 / sigma


def _sigma(kernel: str, gamma: float) -> float:
    return float(np.sqrt(1.0 / (2.0 * gamma))) if kernel == "rbf" else 1.0 / gamma


def _index_column(n: int) -> np.ndarray:
    """What FastKernelRidge sees as X: the structure indices, one column."""
    return np.arange(n, dtype=np.float64)[:, None]


def _rows(X: np.ndarray) -> np.ndarray:
    return np.asarray(X, dtype=np.float64)[:, 0].astype(np.int64)


def _ids(structures: Sequence[Atoms]) -> list[str]:
    return [str(atoms.info.get("id", index)) for index, atoms in enumerate(structures)]
