"""A trained Boltzmann generator on disk (``BG_DIR``): ``generator.json`` (the potential's
description, the flow's architecture and standardization, the training settings and results),
``flow.pt`` (the flow's tensors, loaded with ``weights_only=True``: no code is unpickled) and
``history.csv``, sealed by ``complete.json``; a folder without it is refused."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, Literal

import pandas as pd
import torch
from pydantic import Field

from atomlearn.files import (
    atomic_file,
    mark_complete,
    mark_incomplete,
    require_complete,
    write_csv_atomic,
    write_text_atomic,
)
from atomlearn.sampling.flows import FLOW_KINDS, FlowSpec, build_flow
from atomlearn.sampling.generator import BoltzmannGenerator
from atomlearn.sampling.potentials import Potential
from atomlearn.schema import FileFormatError, Record, load_tensors, read_checked_json, read_table

GENERATOR_FILE, WEIGHTS_FILE, HISTORY_FILE = "generator.json", "flow.pt", "history.csv"
FORMAT = "atomlearn-boltzmann-generator-1"
#: the only generator settings a folder may set (an allow-list: nothing else in the JSON reaches the constructor)
SETTINGS = (
    "temperature",
    "learning_rate",
    "energy_learning_rate",
    "batch_size",
    "energy_weight",
    "energy_cutoff",
    "patience",
    "steps_per_epoch",
    "random_state",
)
REMEDY = "rerun `atomlearn sample train` with the same --out to finish it, or train into a new folder"

Positive = Annotated[float, Field(gt=0, allow_inf_nan=False)]
Finite = Annotated[float, Field(allow_inf_nan=False)]


class FlowRecord(Record):
    """``generator.json``'s flow: ``FlowSpec`` with the ranges a flow can have on this machine (no 10¹² units)."""

    kind: Literal[FLOW_KINDS]  # type: ignore[valid-type]
    dim: Annotated[int, Field(ge=2, le=100_000)]
    n_couplings: Annotated[int, Field(ge=1, le=256)]
    hidden: Annotated[int, Field(ge=1, le=8192)]
    bins: Annotated[int, Field(ge=1, le=1024)]
    bound: Positive
    n_particles: Annotated[int, Field(ge=0, le=100_000)]
    spatial_dim: Annotated[int, Field(ge=0, le=3)]
    n_layers: Annotated[int, Field(ge=1, le=64)]
    ode_steps: Annotated[int, Field(ge=1, le=100_000)]


class GeneratorSettings(Record):
    """The training settings a folder may set (``SETTINGS``): temperatures and rates above 0, sizes in range."""

    temperature: Positive
    learning_rate: Positive
    energy_learning_rate: Positive
    batch_size: Annotated[int, Field(ge=1, le=10_000_000)]
    energy_weight: Finite
    energy_cutoff: Positive
    patience: Annotated[int, Field(ge=0)]
    steps_per_epoch: Annotated[int, Field(ge=1)]
    random_state: int | None


class PotentialRecord(Record):
    """How to rebuild the potential (``System.spec``): the system's name and its parameters."""

    system: str
    temperature: Positive | None = None


class GeneratorRecord(Record):
    """``generator.json`` of a ``BG_DIR``."""

    format: Literal["atomlearn-boltzmann-generator-1"]
    potential: PotentialRecord
    flow: FlowRecord
    settings: GeneratorSettings
    results: dict[str, Any]


def save_generator(
    generator: BoltzmannGenerator, folder: str | Path, potential: dict[str, Any], results: dict[str, Any]
) -> Path:
    """Write ``generator`` to ``folder`` whole or not at all; ``potential`` says how to rebuild its
    potential (``sampling.train.build_potential``), ``results`` holds its measured numbers."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    mark_incomplete(folder)
    flow = generator._require_fitted()
    with atomic_file(folder / WEIGHTS_FILE) as partial:
        torch.save({name: value.detach().cpu() for name, value in flow.state_dict().items()}, partial)
    history = pd.concat(
        [pd.DataFrame(h).assign(phase=phase) for phase, h in generator.history_.items()], ignore_index=True
    )
    write_csv_atomic(history, folder / HISTORY_FILE)
    record = {
        "format": FORMAT,
        "potential": potential,
        "flow": flow.spec.to_dict(),
        "settings": {name: getattr(generator, name) for name in SETTINGS},
        "results": results,
    }
    write_text_atomic(folder / GENERATOR_FILE, json.dumps(record, indent=2))
    mark_complete(folder, [GENERATOR_FILE, WEIGHTS_FILE, HISTORY_FILE])
    return folder


def read_record(folder: str | Path) -> dict[str, Any]:
    """The ``generator.json`` of a complete ``BG_DIR``, checked against its schema.

    Parameters
    ----------
    folder : str or Path

    Returns
    -------
    dict

    Raises
    ------
    FileFormatError
        For an incomplete or foreign folder.
    """
    folder = Path(folder)
    if not any((folder / name).exists() for name in (GENERATOR_FILE, "training_settings.json")):
        raise FileNotFoundError(
            f"{folder} holds no Boltzmann generator: give the folder written by `atomlearn sample train`"
        )
    require_complete(folder, "Boltzmann generator", REMEDY, [GENERATOR_FILE, WEIGHTS_FILE, HISTORY_FILE])
    return read_checked_json(folder / GENERATOR_FILE, GeneratorRecord, REMEDY)


def load_generator(folder: str | Path, potential: Potential, device: str = "cpu") -> BoltzmannGenerator:
    """The Boltzmann generator saved in ``folder``.

    Parameters
    ----------
    folder : str or Path
        A complete ``BG_DIR``.
    potential : Potential
        What it samples: ``build_potential(read_record(folder)["potential"])``.
    device : str

    Returns
    -------
    BoltzmannGenerator
    """
    folder = Path(folder)
    record = read_record(folder)
    spec = FlowSpec(**{name: record["flow"][name] for name in FlowSpec.__dataclass_fields__})
    if spec.dim != potential.dim:
        raise ValueError(f"{folder} holds a flow of {spec.dim} coordinates; the potential has {potential.dim}")
    generator = BoltzmannGenerator(potential, flow=spec, device=device, **{k: record["settings"][k] for k in SETTINGS})
    flow = build_flow(spec)
    state = load_tensors(folder / WEIGHTS_FILE, REMEDY)
    try:
        flow.load_state_dict(state)
    except Exception as exc:  # noqa: BLE001 - torch raises several kinds for tensors that do not fit
        raise FileFormatError(
            f"{folder / WEIGHTS_FILE} is not the flow its {GENERATOR_FILE} describes ({type(exc).__name__}); {REMEDY}"
        ) from None
    generator.flow_ = flow.to(generator.device).eval()
    history = read_table(folder / HISTORY_FILE, {"phase": "text"}, "a training history", REMEDY)
    generator.history_ = {
        phase: {c: rows[c].to_numpy() for c in rows.columns if c != "phase"}
        for phase, rows in history.groupby("phase", sort=False)
    }
    return generator
