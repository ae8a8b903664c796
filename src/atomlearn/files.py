"""Outputs that appear whole or not at all: write under a temporary name, fsync, then rename.

A process killed mid-write leaves only a hidden ``*.partial`` file beside the target, never a torn
target, and an earlier complete output at the same path survives until the new one is whole. A
folder of several files (a run folder) carries a completion record written last: ``complete.json``
with the SHA-256 of each file, removed when a rewrite starts; readers refuse a folder without it.
"""

from __future__ import annotations

import hashlib
import json
import os
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

__all__ = [
    "COMPLETION_FILE",
    "PARTIAL_SUFFIX",
    "append_csv_row",
    "atomic_file",
    "check_resume_request",
    "drop_torn_row",
    "file_sha256",
    "mark_complete",
    "mark_incomplete",
    "read_appended_csv",
    "require_complete",
    "write_csv_atomic",
    "write_text_atomic",
]

PARTIAL_SUFFIX = ".partial"


def _fsync(path: Path) -> None:
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())


@contextmanager
def atomic_file(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; when the block ends without error, its file is
    synced and renamed to ``path`` (replacing an older one); after an error it is removed."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}{PARTIAL_SUFFIX}")
    try:
        yield partial
        _fsync(partial)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def write_text_atomic(path: str | Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` whole or not at all."""
    with atomic_file(path) as partial:
        partial.write_text(text, encoding="utf-8")


COMPLETION_FILE = "complete.json"


def file_sha256(path: str | Path) -> str:
    """SHA-256 of a file's bytes (hex), read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def mark_incomplete(folder: str | Path) -> None:
    """Remove ``folder``'s completion record: from now on readers refuse it until ``mark_complete``."""
    (Path(folder) / COMPLETION_FILE).unlink(missing_ok=True)


def mark_complete(folder: str | Path, files: list[str]) -> None:
    """Write ``folder``'s completion record (the SHA-256 of each of ``files``, paths relative to it), last."""
    folder = Path(folder)
    record = {"files": {name: file_sha256(folder / name) for name in files}}
    write_text_atomic(folder / COMPLETION_FILE, json.dumps(record, indent=2))


def require_complete(folder: str | Path, what: str, remedy: str, required: Sequence[str]) -> None:
    """Refuse a folder without a valid completion record, whose record lists a path outside it or leaves out
    one of the ``required`` files, or whose recorded files are missing or changed.

    Parameters
    ----------
    folder : path
    what : str
        What the folder is, for messages (``"run folder"``).
    remedy : str
        What to do when it is refused.
    required : sequence of str
        The files (relative paths) the reader needs: each must be sealed.
    """
    from atomlearn.schema import CompletionRecord, FileFormatError, read_json

    folder = Path(folder)
    if not folder.is_dir():
        raise FileFormatError(
            f"{folder} is {'not a folder' if folder.exists() else 'missing'}: expected a {what}; {remedy}"
        )
    record_path = folder / COMPLETION_FILE
    if not record_path.exists():
        raise FileFormatError(
            f"{folder} is an incomplete {what}: it has no {COMPLETION_FILE}, so the command that wrote "
            f"it was interrupted (or the folder predates this check); {remedy}"
        )
    files = read_json(record_path, CompletionRecord, remedy).files
    root = folder.resolve()
    for name in files:
        inside = (root / name).resolve()
        if Path(name).is_absolute() or ".." in Path(name).parts or not inside.is_relative_to(root) or inside == root:
            raise FileFormatError(
                f"{record_path} lists {name!r}, which is not a file inside {folder}; the record was altered: {remedy}"
            )
    unsealed = [name for name in required if name not in files]
    if unsealed:
        raise FileFormatError(f"{record_path} does not seal {', '.join(unsealed)}, which the {what} needs; {remedy}")
    for name, digest in files.items():
        path = folder / name
        if not path.is_file():
            raise FileFormatError(f"{folder} is an incomplete {what}: {name} is missing; {remedy}")
        if file_sha256(path) != digest:
            raise FileFormatError(f"{folder}: {name} was changed after the {what} was written; {remedy}")


def write_csv_atomic(frame, path: str | Path) -> None:
    """Write a ``pandas.DataFrame`` as CSV (no index) to ``path`` whole or not at all."""
    with atomic_file(path) as partial:
        frame.to_csv(partial, index=False)


def append_csv_row(path: str | Path, row: dict) -> None:
    """Append one row to a results CSV (header first when the file is new or empty), so that a
    batch keeps every finished item at once; a kill tears at most this row (``drop_torn_row``)."""
    import pandas as pd

    path = Path(path)
    new = not path.exists() or path.stat().st_size == 0
    pd.DataFrame([row]).to_csv(path, mode="a", header=new, index=False)


def drop_torn_row(path: str | Path) -> None:
    """Cut off a last row without its newline (a run killed while appending): it is recomputed."""
    path = Path(path)
    data = path.read_bytes()
    if data and not data.endswith(b"\n"):
        with open(path, "r+b") as handle:
            handle.truncate(data.rfind(b"\n") + 1)


def read_appended_csv(path: str | Path | None):
    """The rows an append-only CSV holds (its torn last row dropped first), ids as text; None when there are none."""
    import pandas as pd

    if path is None or not Path(path).exists():
        return None
    drop_torn_row(path)
    if Path(path).stat().st_size == 0:
        return None
    return pd.read_csv(path, dtype={"id": str})


def check_resume_request(folder: Path, settings: dict, checkpoints: tuple[str, ...], settings_name: str) -> None:
    """Refuse to resume checkpoints of another training request (that would mix two runs), and record
    this request's settings for the next run.

    Parameters
    ----------
    folder : Path
    settings : dict
        What the training was asked to do.
    checkpoints : tuple of str
        The checkpoint file names in ``folder``.
    settings_name : str
        The file the settings are saved as, beside them.

    Raises
    ------
    ValueError
        Naming the setting that differs and what to do.
    """
    folder.mkdir(parents=True, exist_ok=True)
    saved, wanted = folder / settings_name, json.loads(json.dumps(settings))  # as JSON reads it back
    if any((folder / name).exists() for name in checkpoints) and saved.exists():
        try:
            previous = json.loads(saved.read_text())
        except (json.JSONDecodeError, UnicodeDecodeError):
            previous = None
        if not isinstance(previous, dict):
            raise ValueError(f"{saved} is not the settings record of a training run; choose another --out")
        changed = sorted(key for key in wanted if previous.get(key) != wanted[key])
        if changed:
            raise ValueError(
                f"{folder} holds the checkpoint of another training run (different {', '.join(changed)}); "
                "rerun with the same arguments to resume, or choose another --out"
            )
    write_text_atomic(saved, json.dumps(wanted))
