"""The training loop the networks share: minibatches, Adam, early stopping on a validation part,
a loss history, and a checkpoint file from which an interrupted fit resumes.

Weights leave the loop as plain numpy arrays (``state_to_numpy``), so a fitted network is saved
in a model bundle by skops like any other estimator, without pickled torch objects.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from atomlearn.files import atomic_file
from atomlearn.progress import Progress

HISTORY_COLUMNS = ("epoch", "train_loss", "validation_loss", "learning_rate", "seconds")


def seeded_generator(random_state: int | None) -> torch.Generator:
    """A torch generator seeded with ``random_state``; None: a fresh random seed (not reproducible)."""
    generator = torch.Generator()
    if random_state is None:
        generator.seed()
    else:
        generator.manual_seed(int(random_state))
    return generator


def seed_torch(random_state: int | None) -> None:
    """Seed torch's global generator (weight initialisation).

    Parameters
    ----------
    random_state : int or None
        None leaves it random.
    """
    if random_state is None:
        torch.seed()
    else:
        torch.manual_seed(int(random_state))


def resolve_device(device: str) -> torch.device:
    """The torch device to train on.

    Parameters
    ----------
    device : str
        ``"auto"`` (the GPU when one is present, else the CPU) or a torch device name.

    Returns
    -------
    torch.device
    """
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise ValueError(f"device {device!r} asked for, but no CUDA GPU is available; use device='auto' or 'cpu'")
    return torch.device(device)


def validation_split(n: int, fraction: float, random_state: int | None) -> tuple[np.ndarray, np.ndarray]:
    """Shuffled training and validation rows (at least one of each when n >= 2).

    Parameters
    ----------
    n : int
    fraction : float
        Share of the rows held back for validation.
    random_state : int or None

    Returns
    -------
    train, validation : ndarray of int
    """
    if not 0.0 < fraction < 1.0:
        raise ValueError(f"validation_fraction must be between 0 and 1, got {fraction}")
    if n < 2:
        raise ValueError(f"{n} sample(s): a network needs at least 2 (one to train on, one to stop early on)")
    order = np.random.default_rng(random_state).permutation(n)
    n_val = min(max(1, int(round(fraction * n))), n - 1)
    return np.sort(order[n_val:]), np.sort(order[:n_val])


def state_to_numpy(module: torch.nn.Module) -> dict[str, np.ndarray]:
    """The module's parameters and buffers as float64 numpy arrays (safe to save with skops)."""
    return {name: value.detach().cpu().double().numpy().copy() for name, value in module.state_dict().items()}


def load_numpy_state(module: torch.nn.Module, state: dict[str, np.ndarray]) -> torch.nn.Module:
    """Put numpy weights (``state_to_numpy``) back into ``module``; returns it."""
    reference = module.state_dict()
    module.load_state_dict({name: torch.as_tensor(state[name], dtype=reference[name].dtype) for name in reference})
    return module


@dataclass
class LoopSettings:
    """How to train: step size, penalty, batches, how long, when to stop, where to checkpoint.

    Attributes
    ----------
    learning_rate : float
        Initial Adam step; halved when the validation loss stalls.
    weight_decay : float
    batch_size : int
    max_epochs : int
    patience : int
        Epochs without a better validation loss before stopping.
    random_state : int or None
    checkpoint : str or Path, optional
        Saved every epoch; a rerun resumes from it.
    verbose : bool
        A progress bar per epoch (on a terminal).
    max_grad_norm : float, optional
        Clip the gradient's norm.
    ema_decay : float, optional
        Average the weights over the steps: an exponential moving average with this decay per step
        (e.g. 0.999; (1 + n) / (10 + n) over the first n steps). Validation, early stopping and the
        weights returned use the average. It smooths the step-to-step noise of a stochastic loss
        (flow matching's random times and prior draws).
    """

    learning_rate: float = 1e-3
    weight_decay: float = 0.0
    batch_size: int = 32
    max_epochs: int = 500
    patience: int = 50
    random_state: int | None = 0
    checkpoint: str | Path | None = None
    verbose: bool = False  # a progress bar per epoch (on a terminal)
    max_grad_norm: float | None = None  # clip the gradient's norm (a rare huge gradient, e.g. from an energy)
    ema_decay: float | None = None  # validate and return an exponential moving average of the weights

    @classmethod
    def of(cls, estimator: object) -> LoopSettings:
        """The settings an estimator holds as parameters of the same names (defaults for those it lacks)."""
        return cls(**{name: getattr(estimator, name, spec.default) for name, spec in cls.__dataclass_fields__.items()})


def train_network(
    module: torch.nn.Module,
    batch_loss: Callable[[np.ndarray], torch.Tensor],
    validation_loss: Callable[[], float],
    n_train: int,
    settings: LoopSettings,
) -> dict[str, np.ndarray]:
    """Minimise a loss over shuffled minibatches with Adam and early stopping on a validation loss.

    After each epoch ``validation_loss()`` is scored, the step halved when it stalls, and training stops
    after ``patience`` epochs without improvement; the module ends with its best-validation weights. With
    a ``checkpoint`` file, each epoch is saved and a rerun resumes from it.

    Parameters
    ----------
    module : torch.nn.Module
    batch_loss : callable
        ``batch_loss(rows) -> loss`` for an array of training row indices.
    validation_loss : callable
        ``validation_loss() -> float``.
    n_train : int
        Training rows (minibatches are drawn from ``range(n_train)``).
    settings : LoopSettings

    Returns
    -------
    dict of str to ndarray
        The history per epoch: ``epoch``, ``train_loss``, ``validation_loss``, ``learning_rate``,
        ``seconds`` (``pd.DataFrame(history)``).
    """
    optimizer = torch.optim.Adam(module.parameters(), lr=settings.learning_rate, weight_decay=settings.weight_decay)
    scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(
        optimizer, factor=0.5, patience=max(1, settings.patience // 4)
    )
    generator = seeded_generator(settings.random_state)
    averaged = (
        torch.optim.swa_utils.AveragedModel(module, multi_avg_fn=_warming_ema(settings.ema_decay), use_buffers=True)
        if settings.ema_decay
        else None
    )
    state = {
        "epoch": 0,
        "best": float("inf"),
        "best_weights": copy.deepcopy(module.state_dict()),
        "waited": 0,
        "history": [],
    }
    checkpoint = Path(settings.checkpoint) if settings.checkpoint else None
    if checkpoint is not None and checkpoint.exists():
        state = _resume(checkpoint, module, optimizer, scheduler, generator, averaged)
    with Progress("training", settings.max_epochs, show=settings.verbose, unit="epochs", done=state["epoch"]) as bar:
        while state["epoch"] < settings.max_epochs and state["waited"] < settings.patience:
            clock = time.perf_counter()
            module.train()
            order = torch.randperm(n_train, generator=generator).numpy()
            total, seen = 0.0, 0
            for start in range(0, n_train, settings.batch_size):
                rows = order[start : start + settings.batch_size]
                optimizer.zero_grad()
                loss = batch_loss(rows)
                if not torch.isfinite(loss):
                    raise FloatingPointError(
                        f"the training loss became {float(loss)} in epoch {state['epoch'] + 1}; "
                        "lower learning_rate or check the targets for extreme values"
                    )
                loss.backward()
                if settings.max_grad_norm is not None:
                    torch.nn.utils.clip_grad_norm_(module.parameters(), settings.max_grad_norm)
                optimizer.step()
                if averaged is not None:
                    averaged.update_parameters(module)
                total += float(loss.detach()) * len(rows)
                seen += len(rows)
            module.eval()
            raw = None
            if averaged is not None:  # validate the average: it is what training returns
                raw = copy.deepcopy(module.state_dict())
                module.load_state_dict(averaged.module.state_dict())
            validation = float(validation_loss())
            scheduler.step(validation)
            state["epoch"] += 1
            if validation < state["best"]:
                state["best"], state["waited"] = validation, 0
                state["best_weights"] = copy.deepcopy(module.state_dict())
            else:
                state["waited"] += 1
            if raw is not None:
                module.load_state_dict(raw)
            state["history"].append(
                {
                    "epoch": state["epoch"],
                    "train_loss": total / seen,
                    "validation_loss": validation,
                    "learning_rate": optimizer.param_groups[0]["lr"],
                    "seconds": time.perf_counter() - clock,
                }
            )
            bar.update(
                state["epoch"], f"epoch {state['epoch']}: validation loss {validation:.4g} (best {state['best']:.4g})"
            )
            if checkpoint is not None:
                _save(
                    checkpoint,
                    {
                        "module": module.state_dict(),
                        "optimizer": optimizer.state_dict(),
                        "scheduler": scheduler.state_dict(),
                        "generator": generator.get_state(),
                        "torch_rng": torch.get_rng_state(),  # what a stochastic loss draws (flow matching)
                        "loop": state,
                        **({"averaged": averaged.state_dict()} if averaged is not None else {}),
                    },
                )
    module.load_state_dict(state["best_weights"])
    module.eval()
    return {column: np.array([row[column] for row in state["history"]], dtype=float) for column in HISTORY_COLUMNS}


def _warming_ema(decay: float) -> Callable:
    """A moving average whose decay grows to ``decay`` as (1 + n) / (10 + n) over the first steps n: a short
    run is not held near its first weights."""

    def update(averaged: list[torch.Tensor], current: list[torch.Tensor], n_averaged: torch.Tensor) -> None:
        n = float(n_averaged)
        weight = 1.0 - min(decay, (1.0 + n) / (10.0 + n))
        for mean, value in zip(averaged, current):
            mean.lerp_(value, weight)

    return update


def _save(path: Path, payload: dict) -> None:
    """Write atomically: a kill during the write leaves the previous checkpoint intact."""
    with atomic_file(path) as partial:
        torch.save(payload, partial)


def _resume(
    path: Path,
    module: torch.nn.Module,
    optimizer: torch.optim.Optimizer,
    scheduler: Any,
    generator: torch.Generator,
    averaged: torch.nn.Module | None = None,
) -> dict:
    """Load a checkpoint (never unpickling code: ``weights_only=True``) into the training parts; the loop state.
    A checkpoint that does not fit them is refused as a whole, with the file named."""
    from atomlearn.schema import FileFormatError, load_tensors

    remedy = "delete it to train from the start"
    saved = load_tensors(path, remedy)
    try:
        module.load_state_dict(saved["module"])
        optimizer.load_state_dict(saved["optimizer"])
        scheduler.load_state_dict(saved["scheduler"])
        generator.set_state(saved["generator"])
        if "torch_rng" in saved:  # absent from checkpoints written before 2026-12-08
            torch.set_rng_state(saved["torch_rng"])
        if averaged is not None:
            averaged.load_state_dict(saved["averaged"])
        loop = saved["loop"]
        if not (
            isinstance(loop, dict)
            and isinstance(loop.get("epoch"), int)
            and isinstance(loop.get("waited"), int)
            and isinstance(loop.get("history"), list)
            and "best_weights" in loop
        ):
            raise TypeError("the loop state is not what training writes")
    except Exception as exc:  # noqa: BLE001 - torch raises several kinds for tensors that do not fit
        raise FileFormatError(
            f"{path} is not a checkpoint of this training ({type(exc).__name__}: "
            f"{' '.join(str(exc).split())[:120]}); {remedy}"
        ) from None
    return loop
