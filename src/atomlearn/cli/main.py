"""The ``atomlearn`` command line: the top-level parser, thread sizing, warnings and error messages."""

from __future__ import annotations

import argparse
import os
import sys
import warnings
from collections.abc import Sequence

from rich.markup import escape

from atomlearn import __version__
from atomlearn.cli import (cache, charges, curve, datasets, demo, explain, featurize, fit, forcefield, predict, sample,
                          simulate, text)
from atomlearn.cli.common import error_console

#: command groups in the order ``--help`` lists them
COMMAND_GROUPS = (datasets, cache, featurize, fit, predict, curve, explain, simulate, charges, forcefield, sample, text,
                  demo)


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command line.

    Parameters
    ----------
    argv : sequence of str, optional
        The arguments after ``atomlearn`` (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        Exit status: 0 on success, 2 on a usage or input error (printed as one ``error:`` line), 130 when interrupted.
    """
    parser = build_parser()
    args = parser.parse_args(argv)
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
    except (KeyError, ValueError, FileNotFoundError, MemoryError, FloatingPointError, TimeoutError, ImportError) as exc:
        # each raised by atomlearn with what to do (a kernel too large for the memory, a diverged fit,
        # an optional package missing): one line, not a traceback
        if os.environ.get("ATOMLEARN_TRACEBACK"):  # for a bug report: where the message came from
            import traceback

            traceback.print_exc()
        message = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc
        error_console.print(f"[bold red]error:[/] {message}", highlight=False)
        return 2


def build_parser() -> argparse.ArgumentParser:
    """The ``atomlearn`` parser with every command group registered."""
    parser = argparse.ArgumentParser(prog="atomlearn", description="Machine learning for materials and molecules.")
    parser.add_argument("--version", action="version", version=f"atomlearn {__version__}")
    parser.add_argument("--threads", type=int, help="threads for BLAS/OpenMP/PyTorch (default: the cores available; "
                        "1 for MD of one molecule, which runs fastest on one)")
    parser.add_argument("-v", "--verbose", action="store_true", help="say how many threads are used")
    commands = parser.add_subparsers(title="commands")
    for group in COMMAND_GROUPS:
        group.register(commands)
    return parser


def _set_threads(args: argparse.Namespace) -> None:
    """BLAS/OpenMP/PyTorch threads: --threads, else the command's default (1 for small-system MD), else the cores."""
    from atomlearn.threads import available_cores, set_threads

    n = set_threads(args.threads or getattr(args, "default_threads", None) or available_cores())
    if args.verbose:
        error_console.print(f"threads: {n} for BLAS/OpenMP/PyTorch in this process ({available_cores()} cores available;"
                            " worker processes share the cores)", highlight=False)


def _show_warning(message: Warning | str, category: type[Warning], *_: object, **__: object) -> None:
    """Warnings of a command as one plain line on stderr (not Python's file:line: form)."""
    error_console.print(f"[yellow]warning:[/] {escape(str(message))}", highlight=False)


if __name__ == "__main__":
    sys.exit(main())
