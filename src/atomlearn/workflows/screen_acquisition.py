"""The active screen's surrogate and how it picks the next batch: BoTorch Gaussian processes and acquisitions.

One exact GP per objective (``botorch.models.SingleTaskGP``: RBF kernel with one length scale per feature and BoTorch's
dimension-scaled priors, standardised outcomes, hyperparameters by marginal likelihood) on features scaled to
the unit cube over the whole pool. A batch of ``q`` structures is chosen among the unlabelled ones by

- ``ei``: q-log expected improvement over the best label (``qLogExpectedImprovement``); for two objectives
  q-log noisy expected hypervolume improvement (``qLogNoisyExpectedHypervolumeImprovement``);
- ``ucb``: q upper confidence bound (``qUpperConfidenceBound``, beta = 4: about mean + 2 sd); for two
  objectives the UCBs under a random Chebyshev scalarisation per pick;
- ``thompson``: the best of each of ``q`` posterior function draws (pathwise, ``draw_matheron_paths``: a draw
  costs the same for 600 or 12,000 candidates); for two objectives under a random Chebyshev scalarisation;
- ``greedy``: the best predicted means (the first Pareto layers for two objectives);
- ``random``: a uniform draw (the baseline every other choice is measured against).

The q-batch acquisitions are maximised over the discrete pool by BoTorch's sequential greedy
``optimize_acqf_discrete`` (each pick conditions on the ones before it, so a batch spreads out). On pools of
more than ``PREFILTER`` candidates they search only the ``PREFILTER`` most optimistic ones (highest mean + 3 sd,
for two objectives the first Pareto layers of it): expected improvement and UCB grow with both the mean and the
sd, so their maximisers lie among those, and a round on 12,000 MOFs costs seconds instead of minutes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from atomlearn.models import fit_single_task_gp, one_torch_thread

if TYPE_CHECKING:  # imported where used: the core install has no PyTorch (the nn extra)
    import torch

__all__ = [
    "ACQUISITIONS",
    "PREFILTER",
    "UCB_BETA",
    "BatchChoice",
    "choose_batch",
    "fit_surrogate",
    "one_torch_thread",
    "predict",
    "unit_cube",
]

ACQUISITIONS = ("ei", "ucb", "thompson", "greedy", "random")
#: beta of qUpperConfidenceBound (mean + sqrt(beta) sd for one point)
UCB_BETA = 4.0
#: MC samples of the q-batch acquisitions
MC_SAMPLES = 256
#: candidates the q-batch acquisitions search at most (the most optimistic ones)
PREFILTER = 1000


@dataclass
class BatchChoice:
    """The picks of one round.

    Attributes
    ----------
    positions : numpy.ndarray of int, shape (q,)
        Rows of the pool, in the order they were picked.
    score : numpy.ndarray of float, shape (q,)
        The acquisition value of each pick when it was picked (NaN for ``random``).
    """

    positions: np.ndarray
    score: np.ndarray


def unit_cube(X: np.ndarray) -> np.ndarray:
    """Features scaled to [0, 1] over the pool (constant columns dropped), as GP inputs.

    Parameters
    ----------
    X : numpy.ndarray, shape (n_pool, n_features)
        Finite features of every candidate.

    Returns
    -------
    numpy.ndarray, shape (n_pool, n_varying)
    """
    low, high = X.min(axis=0), X.max(axis=0)
    varying = high > low
    return (X[:, varying] - low[varying]) / (high[varying] - low[varying])


def fit_surrogate(X: np.ndarray, Y: np.ndarray, random_state: int = 0):  # noqa: ANN201 - a botorch ModelListGP
    """One GP per objective, fitted by marginal likelihood.

    Parameters
    ----------
    X : numpy.ndarray, shape (n_labelled, d)
        Labelled structures' features in the unit cube.
    Y : numpy.ndarray, shape (n_labelled, n_objectives)
        Their objectives (maximised), finite.
    random_state : int
        Seed of the hyperparameter fit's restarts.

    Returns
    -------
    botorch.models.ModelListGP
    """
    import torch
    from botorch.models import ModelListGP

    torch.manual_seed(random_state)
    return ModelListGP(*(fit_single_task_gp(X, Y[:, column]) for column in range(Y.shape[1])))


def predict(model, X: np.ndarray, observation_noise: bool = False, chunk: int = 4096) -> tuple[np.ndarray, np.ndarray]:
    """Posterior mean and standard deviation of every objective.

    Parameters
    ----------
    model : botorch.models.ModelListGP
    X : numpy.ndarray, shape (n, d)
    observation_noise : bool
        The sd of a new label (latent sd and the fitted noise), rather than of the latent function.
    chunk : int
        Rows per posterior call (memory).

    Returns
    -------
    mean, std : numpy.ndarray, shape (n, n_objectives)
    """
    import torch

    means, stds = [], []
    with torch.no_grad():
        for start in range(0, len(X), chunk):
            rows = torch.as_tensor(X[start : start + chunk], dtype=torch.float64)
            posterior = model.posterior(rows, observation_noise=observation_noise)
            means.append(posterior.mean.numpy())
            stds.append(posterior.variance.clamp_min(0).sqrt().numpy())
    return np.vstack(means), np.vstack(stds)


def choose_batch(
    acquisition: str,
    model,
    X_pool: np.ndarray,
    candidates: np.ndarray,
    X_train: np.ndarray,
    Y_train: np.ndarray,
    q: int,
    random_state: int,
) -> BatchChoice:
    """The next ``q`` structures to label.

    Parameters
    ----------
    acquisition : {"ei", "ucb", "thompson", "greedy", "random"}
    model : botorch.models.ModelListGP or None
        The surrogate (unused by ``random``).
    X_pool : numpy.ndarray, shape (n_pool, d)
        Every candidate's features in the unit cube.
    candidates : numpy.ndarray of int
        Rows of ``X_pool`` not labelled yet.
    X_train, Y_train : numpy.ndarray
        The labelled structures (for the incumbent and the hypervolume's reference).
    q : int
        Batch size (at most ``len(candidates)``).
    random_state : int
        Seed of this round's random draws.

    Returns
    -------
    BatchChoice
    """
    import torch

    q = min(q, len(candidates))
    rng = np.random.default_rng(random_state)
    torch.manual_seed(random_state)
    if acquisition == "random":
        return BatchChoice(rng.choice(candidates, size=q, replace=False), np.full(q, np.nan))
    X = torch.as_tensor(X_pool[candidates], dtype=torch.float64)
    n_objectives = Y_train.shape[1]
    if acquisition == "greedy":
        picks, score = _greedy(model, X_pool[candidates], q)
    elif acquisition == "thompson":
        picks, score = _thompson(model, X, q, rng)
    elif acquisition == "ucb" and n_objectives > 1:
        picks, score = _scalarised_ucb(model, X, Y_train, q, rng)
    elif acquisition in ("ei", "ucb"):
        shortlist = _most_optimistic(model, X_pool[candidates], PREFILTER)
        picks, score = _discrete(_q_acquisition(acquisition, model, X_train, Y_train), X[shortlist], q)
        picks = shortlist[picks]
    else:
        raise ValueError(f"unknown acquisition {acquisition!r}: choose one of {', '.join(ACQUISITIONS)}")
    return BatchChoice(candidates[np.asarray(picks, dtype=int)], np.asarray(score, dtype=float))


def _q_acquisition(acquisition: str, model, X_train: np.ndarray, Y_train: np.ndarray):
    import torch
    from botorch.acquisition import qUpperConfidenceBound
    from botorch.acquisition.logei import qLogExpectedImprovement
    from botorch.acquisition.multi_objective.logei import qLogNoisyExpectedHypervolumeImprovement
    from botorch.sampling import SobolQMCNormalSampler

    sampler = SobolQMCNormalSampler(sample_shape=torch.Size([MC_SAMPLES]))
    if acquisition == "ucb":
        return qUpperConfidenceBound(model.models[0], beta=UCB_BETA, sampler=sampler)
    if Y_train.shape[1] == 1:
        return qLogExpectedImprovement(model.models[0], best_f=float(Y_train.max()), sampler=sampler)
    return qLogNoisyExpectedHypervolumeImprovement(
        model,
        ref_point=reference_point(Y_train).tolist(),
        X_baseline=torch.as_tensor(X_train, dtype=torch.float64),
        prune_baseline=True,
        sampler=sampler,
    )


def reference_point(Y: np.ndarray) -> np.ndarray:
    """The hypervolume's reference: a tenth of each objective's range below its worst label."""
    low, high = Y.min(axis=0), Y.max(axis=0)
    return low - 0.1 * np.maximum(high - low, 1e-6)


def _discrete(acquisition, X: torch.Tensor, q: int) -> tuple[list[int], list[float]]:
    """Sequential greedy maximisation over the candidates; the picks as candidate rows."""
    import torch
    from botorch.optim import optimize_acqf_discrete

    chosen, values = optimize_acqf_discrete(acquisition, q=q, choices=X, max_batch_size=1024, unique=True)
    rows: list[int] = []
    for x in chosen:  # the candidate row of each pick (equal features: the first one not taken)
        rows.append(next(int(r) for r in torch.nonzero((X == x).all(dim=1))[:, 0] if int(r) not in rows))
    return rows, values.detach().numpy().reshape(-1).tolist()


def _most_optimistic(model, X: np.ndarray, n: int) -> np.ndarray:
    """Rows of the ``n`` candidates with the highest mean + 3 sd (all rows when there are at most ``n``); for
    two objectives the first Pareto layers of mean + 3 sd that hold ``n`` (in row order)."""
    if len(X) <= n:
        return np.arange(len(X))
    from atomlearn.evaluate import pareto_layers

    mean, std = predict(model, X)
    optimistic = mean + 3.0 * std
    if optimistic.shape[1] == 1:
        return np.sort(np.argpartition(-optimistic[:, 0], n)[:n])
    layer = pareto_layers(optimistic[:, 0], optimistic[:, 1])
    counts = np.cumsum(np.bincount(layer[layer >= 0]))
    last = int(np.searchsorted(counts, n))  # the first layer that brings the count to n
    return np.flatnonzero((layer >= 0) & (layer <= last))


def _greedy(model, X: np.ndarray, q: int) -> tuple[list[int], list[float]]:
    """The best means, or for two objectives the first Pareto layers of the means (by first objective within)."""
    from atomlearn.evaluate import pareto_layers

    mean, _ = predict(model, X)
    if mean.shape[1] == 1:
        order = np.argsort(-mean[:, 0], kind="stable")[:q]
        return order.tolist(), mean[order, 0].tolist()
    layer = pareto_layers(mean[:, 0], mean[:, 1], q)
    layer = np.where(layer < 0, q, layer)
    order = np.lexsort((-mean[:, 0], layer))[:q]
    return order.tolist(), (-layer[order]).astype(float).tolist()


def _thompson(model, X: torch.Tensor, q: int, rng: np.random.Generator) -> tuple[list[int], list[float]]:
    """The argmax of each of ``q`` pathwise posterior draws (Chebyshev-scalarised for two objectives)."""
    import torch
    from botorch.sampling.pathwise import draw_matheron_paths

    with torch.no_grad():
        draws = torch.stack([draw_matheron_paths(gp, torch.Size([q]))(X) for gp in model.models], dim=-1)
    values = _scalarised(draws.numpy(), rng)  # (q, n)
    return _distinct_argmax(values)


def _scalarised_ucb(model, X: torch.Tensor, Y_train: np.ndarray, q: int, rng: np.random.Generator):
    """Two objectives: each pick maximises the UCBs under its own random Chebyshev weights."""
    mean, std = predict(model, X.numpy())
    ucb = mean + np.sqrt(UCB_BETA) * std
    values = _scalarised(np.broadcast_to(ucb, (q, *ucb.shape)), rng)
    return _distinct_argmax(values)


def _scalarised(values: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """(q, n, k) -> (q, n): one objective as it is; two under augmented Chebyshev weights drawn per pick."""
    if values.shape[-1] == 1:
        return values[..., 0]
    low, high = values.min(axis=(0, 1)), values.max(axis=(0, 1))
    scaled = (values - low) / np.maximum(high - low, 1e-12)
    weights = rng.dirichlet(np.ones(values.shape[-1]), size=values.shape[0])[:, None, :]
    weighted = weights * scaled
    return weighted.min(axis=-1) + 0.05 * weighted.sum(axis=-1)


def _distinct_argmax(values: np.ndarray) -> tuple[list[int], list[float]]:
    """Row i's best candidate not picked by rows before it."""
    picks: list[int] = []
    for row in values:
        row = row.copy()
        row[picks] = -np.inf
        picks.append(int(np.argmax(row)))
    return picks, [float(values[i, p]) for i, p in enumerate(picks)]
