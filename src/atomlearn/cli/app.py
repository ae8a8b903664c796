"""The ``atomlearn`` command line: the top-level parser, thread sizing, warnings and error messages."""

from __future__ import annotations

import argparse
import os
import sys
import warnings
from collections.abc import Sequence
from typing import NoReturn

from rich.markup import escape

from atomlearn import __version__
from atomlearn.cli import (
    cache,
    charges,
    curve,
    datasets,
    demo,
    explain,
    featurize,
    fit,
    forcefield,
    predict,
    sample,
    screen,
    simulate,
    text,
)
from atomlearn.cli.common import COUNT, error_console

#: command groups in the order ``--help`` lists them
COMMAND_GROUPS = (
    datasets,
    cache,
    featurize,
    fit,
    predict,
    curve,
    explain,
    simulate,
    charges,
    screen,
    forcefield,
    sample,
    text,
    demo,
)


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command line.

    Parameters
    ----------
    argv : sequence of str, optional
        The arguments after ``atomlearn`` (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        Exit status: 0 on success, 2 on a usage or input error (printed as one ``error:`` line), 130 when
        interrupted. Any failure prints one line; ``-v`` adds the traceback.
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # --help, --version (0) or a refused argument (2, its line already printed)
        return int(exit_.code or 0)
    if not hasattr(args, "handler"):
        parser.print_help()
        return 2
    try:
        _set_threads(args)
        with warnings.catch_warnings():
            warnings.showwarning = _show_warning
            return args.handler(args) or 0
    except KeyboardInterrupt:
        error_console.print("[bold red]interrupted[/] (Ctrl-C)", highlight=False)
        return 130
    except Exception as exc:  # noqa: BLE001 - the one error boundary: one line, the traceback only with -v
        if args.verbose or os.environ.get("ATOMLEARN_TRACEBACK"):  # for a bug report: where the message came from
            import traceback

            traceback.print_exc()
        error_console.print(f"[bold red]error:[/] {escape(one_line(error_message(exc)))}", highlight=False)
        return 2


class OneLineParser(argparse.ArgumentParser):
    """An argument parser whose refusals are one ``error:`` line naming the command, not a usage block."""

    def error(self, message: str) -> NoReturn:
        """Print ``error: PROG: MESSAGE (see PROG --help)`` on stderr and exit with status 2."""
        error_console.print(
            f"[bold red]error:[/] {escape(one_line(f'{self.prog}: {message}'))} (see `{self.prog} --help`)",
            highlight=False,
        )
        raise SystemExit(2)


def error_message(exc: BaseException) -> str:
    """What went wrong, for the one error line: our own messages as they are, anything else with its kind
    (``EOFError: …``), and never a message that tells the user to switch a safety off."""
    from atomlearn.extras import extra_message

    missing = extra_message(exc)
    if missing is not None:  # an extra that is not installed: what to install, not where the import failed
        return missing
    if isinstance(exc, KeyError) and exc.args:  # ours say what to do; a bare key is a bug or an altered file
        key = str(exc.args[0])
        return key if " " in key else f"KeyError: no entry {key!r} (a file that was altered, or a bug; -v shows where)"
    text = str(exc).strip()
    if not isinstance(exc, (ValueError, FileNotFoundError, ImportError, TimeoutError, FloatingPointError)) or not text:
        text = f"{type(exc).__name__}: {text}" if text else f"{type(exc).__name__} (no message; -v shows where)"
    return text


def one_line(text: str) -> str:
    """``text`` on one line: a log can be grepped, whatever the terminal's width."""
    return " ".join(str(text).split())


def build_parser() -> argparse.ArgumentParser:
    """The ``atomlearn`` parser with every command group registered."""
    parser = OneLineParser(prog="atomlearn", description="Machine learning for materials and molecules.")
    parser.add_argument("--version", action="version", version=f"atomlearn {__version__}")
    parser.add_argument(
        "--threads",
        type=COUNT,
        help="threads for BLAS/OpenMP/PyTorch (default: OMP_NUM_THREADS where set, else the cores available; "
        "1 for MD of one molecule, which runs fastest on one)",
    )
    parser.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="say how many threads are used, and print the traceback of an error",
    )
    commands = parser.add_subparsers(title="commands")
    for group in COMMAND_GROUPS:
        group.register(commands)
    return parser


def _set_threads(args: argparse.Namespace) -> None:
    """BLAS/OpenMP/PyTorch threads: --threads, else the command's default (1 for small-system MD), else
    ``OMP_NUM_THREADS`` where the environment sets it (a batch system or a parallel test run sharing the
    cores), else the cores."""
    from atomlearn.threads import available_cores, environment_threads, set_threads

    n = set_threads(
        args.threads or getattr(args, "default_threads", None) or environment_threads() or available_cores()
    )
    if args.verbose:
        error_console.print(
            f"threads: {n} for BLAS/OpenMP/PyTorch in this process ({available_cores()} cores available;"
            " worker processes share the cores)",
            highlight=False,
        )


def _show_warning(message: Warning | str, category: type[Warning], *_: object, **__: object) -> None:
    """Warnings of a command as one plain line on stderr (not Python's file:line: form)."""
    error_console.print(f"[yellow]warning:[/] {escape(str(message))}", highlight=False)


if __name__ == "__main__":
    sys.exit(main())
