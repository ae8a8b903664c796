"""End-to-end workflows that chain the packages: simulate labels, learn, predict, check."""

from __future__ import annotations

from atomlearn.workflows.bias_variance_study import lj_bias_variance
from atomlearn.workflows.co2_screening import CO2ScreeningResult, screen_coremof_co2
from atomlearn.workflows.coremof_screening import ScreeningResult, screen_coremof

__all__ = ["CO2ScreeningResult", "ScreeningResult", "lj_bias_variance", "screen_coremof", "screen_coremof_co2"]
