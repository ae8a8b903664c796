"""The self-contained HTML report of a run folder, and the page parts other packages build their pages from
(the Boltzmann-generator report of :mod:`atomlearn.sampling`, the embedding map of :mod:`atomlearn.text`).

The report only reads what a run wrote: it never trains, draws or simulates.
"""

from atomlearn.report.active_screen import ActiveScreenSettings, ActiveScreenSummary, active_screen_report
from atomlearn.report.build import build_report, html_page
from atomlearn.report.figures import HEIGHT, WIDTH, styled_figure
from atomlearn.report.html_parts import figure, note, section, table

__all__ = [
    "HEIGHT",
    "WIDTH",
    "ActiveScreenSettings",
    "ActiveScreenSummary",
    "active_screen_report",
    "build_report",
    "figure",
    "html_page",
    "note",
    "section",
    "styled_figure",
    "table",
]
