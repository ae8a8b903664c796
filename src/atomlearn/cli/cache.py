"""``atomlearn cache info|clear``: what the feature and dataset cache holds, and emptying it."""

from __future__ import annotations

import argparse

from atomlearn.cli.common import console, table


def register(commands: argparse._SubParsersAction) -> None:
    """Add the ``cache`` command group to ``commands``."""
    cache = commands.add_parser("cache", help="inspect or clear the cache folder")
    cache_commands = cache.add_subparsers(title="cache commands", required=True)
    cache_commands.add_parser("info", help="what the cache holds").set_defaults(handler=_info)
    clear = cache_commands.add_parser("clear", help="delete cached rows and/or dataset conversions")
    clear.add_argument("--what", choices=["all", "rows", "datasets"], default="all")
    clear.set_defaults(handler=_clear)


def _info(args: argparse.Namespace) -> int:
    from atomlearn.cache import cache_dir, cache_info

    console.print(f"cache folder: {cache_dir()}")
    console.print(table(cache_info()))
    return 0


def _clear(args: argparse.Namespace) -> int:
    from atomlearn.cache import clear_cache

    for line in clear_cache(what=args.what):
        console.print(f"removed {line}")
    return 0
