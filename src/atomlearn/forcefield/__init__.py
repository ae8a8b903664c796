"""Machine-learned force fields: train on xTB (or any) frames, use as an ASE calculator, run MD."""

from __future__ import annotations

from atomlearn.forcefield.calculator import Calculator
from atomlearn.forcefield.frames import Frames, read_training_frames
from atomlearn.forcefield.md import run_md
from atomlearn.forcefield.train import ForceFieldResult, train_forcefield

__all__ = ["Calculator", "ForceFieldResult", "Frames", "read_training_frames", "run_md", "train_forcefield"]
