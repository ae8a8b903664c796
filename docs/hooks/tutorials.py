"""MkDocs hook: the executed tutorials (``docs/build_tutorials.py`` writes them to
``docs/tutorials/generated/``) go into the navigation under "Tutorials" and into the list on the
tutorials page (``<!-- tutorial-list -->``), in number order. A tutorial without its executed page
stops the build: run ``make tutorials`` first."""

from __future__ import annotations

import re
from pathlib import Path

TUTORIALS = Path(__file__).resolve().parents[1] / "tutorials"
MARKER = "<!-- tutorial-list -->"


def tutorials() -> list[tuple[str, str]]:
    """(page path relative to docs/, title) of each tutorial source, in number order."""
    found = []
    for source in sorted(TUTORIALS.glob("[0-9][0-9]_*.py")):
        title = re.search(r"^# # (.+)$", source.read_text(), re.MULTILINE)
        found.append((f"tutorials/generated/{source.stem}.md", title.group(1) if title else source.stem))
    return found


def on_config(config):
    missing = [page for page, _ in tutorials() if not (TUTORIALS.parent / page).is_file()]
    if missing:
        raise SystemExit(
            f"not executed yet: {', '.join(missing)}; run `make tutorials` (or "
            "`python docs/build_tutorials.py --small`) before `mkdocs build`"
        )
    for section in config["nav"]:
        if isinstance(section, dict) and "Tutorials" in section:
            section["Tutorials"] = ["tutorials/index.md", *({title: page} for page, title in tutorials())]
    return config


def on_page_markdown(markdown: str, page, config, files) -> str:  # noqa: ARG001 (MkDocs hook signature)
    if MARKER not in markdown:
        return markdown
    return markdown.replace(
        MARKER, "\n".join(f"- [{title}]({Path(path).relative_to('tutorials')})" for path, title in tutorials())
    )
