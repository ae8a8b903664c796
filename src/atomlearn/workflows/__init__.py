"""End-to-end workflows that chain the packages: simulate labels, learn, predict, check."""

from __future__ import annotations

from atomlearn.workflows.active_learning import OBJECTIVE_CHOICES, ScreenResult, active_screen
from atomlearn.workflows.bias_variance_study import lj_bias_variance
from atomlearn.workflows.co2_screening import CO2ScreeningResult, screen_coremof_co2
from atomlearn.workflows.coremof_screening import ScreeningResult, screen_coremof
from atomlearn.workflows.screen_acquisition import ACQUISITIONS
from atomlearn.workflows.screen_labels import LabelSource, parse_label_spec

__all__ = [
    "ACQUISITIONS",
    "OBJECTIVE_CHOICES",
    "CO2ScreeningResult",
    "LabelSource",
    "ScreenResult",
    "ScreeningResult",
    "active_screen",
    "lj_bias_variance",
    "parse_label_spec",
    "screen_coremof",
    "screen_coremof_co2",
]
