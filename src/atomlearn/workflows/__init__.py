"""End-to-end workflows that chain the packages: simulate labels, learn, predict, check."""

from __future__ import annotations

from atomlearn.workflows.coremof_screening import ScreeningResult, screen_coremof

__all__ = ["ScreeningResult", "screen_coremof"]
