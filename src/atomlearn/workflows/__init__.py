"""End-to-end workflows that chain the packages: simulate labels, learn, predict, check."""

from __future__ import annotations

from atomlearn.workflows.coremof_screening import ScreeningResult, screen_coremof
from atomlearn.workflows.lj_bias_variance import lj_bias_variance

__all__ = ["ScreeningResult", "lj_bias_variance", "screen_coremof"]
