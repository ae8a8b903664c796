"""The self-contained HTML report of a run folder."""

from atomlearn.report.build import build_report

__all__ = ["build_report"]
