"""The ``atomlearn`` command: one module per command group, each with ``register(commands)``.

The modules only parse arguments, call the library and print; ``main`` runs a command line.
"""

from atomlearn.cli.app import build_parser, main

__all__ = ["build_parser", "main"]
