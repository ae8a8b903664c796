"""MkDocs hook: the command-line reference, generated from the ``atomlearn`` argparse parsers at build
time, so it never drifts from the code. A page writes ``<!-- atomlearn-cli -->`` where it goes."""

from __future__ import annotations

import argparse
import os

MARKER = "<!-- atomlearn-cli -->"


def on_page_markdown(markdown: str, page, config, files) -> str:  # noqa: ARG001 (MkDocs hook signature)
    if MARKER not in markdown:
        return markdown
    os.environ["COLUMNS"] = "100"  # argparse wraps help text to this width
    from atomlearn.cli.app import build_parser

    return markdown.replace(MARKER, "\n".join(_sections(build_parser(), "atomlearn", level=2)))


def _sections(parser: argparse.ArgumentParser, name: str, level: int) -> list[str]:
    """A heading and the ``--help`` text of ``parser``, then the same for each of its subcommands."""
    lines = [f"{'#' * level} `{name}`", "", "```text", parser.format_help().rstrip(), "```", ""]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub_name, sub_parser in action.choices.items():
                lines += _sections(sub_parser, f"{name} {sub_name}", min(level + 1, 4))
    return lines
