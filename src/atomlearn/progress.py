"""Progress of long loops, for a person at a terminal and for a log file alike.

On a terminal: a rich progress bar. Elsewhere (``nohup``, a batch queue, ``> log``): one line on
stderr every ``LOG_INTERVAL_S`` seconds with the stage, done/total, the rate and the time left, so
that an 11-minute run is never silent. ``show=False`` prints nothing.
"""

from __future__ import annotations

import sys
import time
from typing import Any

__all__ = ["LOG_INTERVAL_S", "Progress"]

LOG_INTERVAL_S = 15.0


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    return (
        f"{seconds // 3600}h{seconds % 3600 // 60:02d}m" if seconds >= 3600 else f"{seconds // 60}m{seconds % 60:02d}s"
    )


class Progress:
    """``with Progress("featurizing (racs)", total=n) as progress: ... progress.advance(k)``.

    ``show``: None or True (default) show a bar on a terminal and log lines otherwise; False prints
    nothing. ``done``: items already finished before this run (a resumed job); the rate counts
    only those done now."""

    def __init__(
        self,
        description: str,
        total: int | None,
        show: bool | None = None,
        unit: str = "",
        interval_s: float = LOG_INTERVAL_S,
        done: int = 0,
    ) -> None:
        self.description, self.total, self.unit, self.interval_s = description, total, unit, interval_s
        self.mode = "off" if show is False else ("bar" if sys.stderr.isatty() else "log")
        self.done = self._start = done
        self._bar: Any = None

    def __enter__(self) -> Progress:
        self.started = self.last_line = time.monotonic()
        if self.mode == "bar":
            from rich.progress import Progress as RichProgress

            self._bar = RichProgress(transient=True)
            self._bar.start()
            self._task = self._bar.add_task(self.description, total=self.total, completed=self.done)
        return self

    def advance(self, n: int = 1, description: str | None = None) -> None:
        """Count ``n`` more items done (and change the description when given)."""
        self.update(self.done + n, description)

    def update(self, done: int, description: str | None = None) -> None:
        """Set the count of finished items (and, optionally, a new description)."""
        self.done = done
        if description is not None:
            self.description = description
        if self._bar is not None:
            self._bar.update(self._task, completed=done, description=self.description)
        elif self.mode == "log" and time.monotonic() - self.last_line >= self.interval_s:
            self.last_line = time.monotonic()
            sys.stderr.write(self.line() + "\n")
            sys.stderr.flush()

    def line(self) -> str:
        """'<description>: 120/400 items (30 %), 8.1/s, about 0m35s left' for the log."""
        elapsed = max(time.monotonic() - self.started, 1e-9)
        rate = (self.done - self._start) / elapsed
        share = f" ({100 * self.done / self.total:.0f} %)" if self.total else ""
        left = f", about {_duration((self.total - self.done) / rate)} left" if rate > 0 and self.total else ""
        count = f"{self.done}/{self.total}" if self.total is not None else str(self.done)  # None: a stream
        return f"{self.description}: {count}{' ' + self.unit if self.unit else ''}{share}, {rate:.3g}/s{left}"

    def __exit__(self, *exc_info: object) -> None:
        if self._bar is not None:
            self._bar.stop()
