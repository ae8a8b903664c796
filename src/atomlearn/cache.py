"""Content-addressed cache of computed rows (features, labels) and dataset conversions.

The folder is ``$ATOMLEARN_CACHE_DIR`` or ``~/.cache/atomlearn``. Computed rows live in
one SQLite database (``rows.sqlite``, WAL mode): a row's key is the SHA-256 of the
structure hash, the featurizer name, its parameters and the atomlearn version, so a
change of any of them misses the cache. SQLite's locking makes concurrent writers from
several processes safe. Converted datasets live in sub-folders (``qm9/``, ``coremof/``)
and are written to a temporary name and renamed, under a file lock.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
from collections.abc import Iterable, Mapping
from contextlib import closing
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import atomlearn

__all__ = ["CACHE_ENV", "ROWS_FILE", "RowCache", "cache_dir", "cache_info", "clear_cache", "row_key"]

CACHE_ENV = "ATOMLEARN_CACHE_DIR"
ROWS_FILE = "rows.sqlite"
_SQL_BATCH = 500


def cache_dir() -> Path:
    """The cache folder (created if needed): ``$ATOMLEARN_CACHE_DIR`` or ``~/.cache/atomlearn``."""
    folder = Path(os.environ.get(CACHE_ENV) or Path.home() / ".cache" / "atomlearn").expanduser()
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def row_key(structure_hash: str, name: str, params: Mapping[str, Any]) -> str:
    """Cache key of one computed row: structure, computation name, parameters, version."""
    payload = json.dumps([structure_hash, name, params, atomlearn.__version__], sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


class RowCache:
    """Store of float arrays by key, grouped by a namespace (e.g. a featurizer name)."""

    def __init__(self, directory: str | Path | None = None) -> None:
        self.directory = Path(directory) if directory is not None else cache_dir()
        self.directory.mkdir(parents=True, exist_ok=True)
        self.path = self.directory / ROWS_FILE
        with closing(self._connect()) as db, db:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute(
                "CREATE TABLE IF NOT EXISTS rows (key TEXT PRIMARY KEY, namespace TEXT NOT NULL, "
                "dtype TEXT NOT NULL, shape TEXT NOT NULL, data BLOB NOT NULL)"
            )

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=120.0)

    def get_many(self, keys: Iterable[str]) -> dict[str, np.ndarray]:
        """Arrays found for ``keys`` (missing keys are simply absent)."""
        keys = list(keys)
        found: dict[str, np.ndarray] = {}
        with closing(self._connect()) as db:
            for start in range(0, len(keys), _SQL_BATCH):
                batch = keys[start : start + _SQL_BATCH]
                marks = ",".join("?" * len(batch))
                query = f"SELECT key, dtype, shape, data FROM rows WHERE key IN ({marks})"
                for key, dtype, shape, data in db.execute(query, batch):
                    found[key] = np.frombuffer(data, dtype=dtype).reshape(json.loads(shape))
        return found

    def put_many(self, rows: Mapping[str, np.ndarray], namespace: str) -> None:
        """Store arrays by key (one transaction; safe with concurrent writers)."""
        records = [
            (key, namespace, value.dtype.str, json.dumps(value.shape), value.tobytes())
            for key, value in ((k, np.ascontiguousarray(v)) for k, v in rows.items())
        ]
        with closing(self._connect()) as db, db:
            db.executemany("INSERT OR REPLACE INTO rows VALUES (?, ?, ?, ?, ?)", records)

    def info(self) -> pd.DataFrame:
        """Rows and bytes per namespace."""
        with closing(self._connect()) as db:
            table = pd.read_sql_query(
                "SELECT namespace, COUNT(*) AS rows, SUM(LENGTH(data)) AS bytes "
                "FROM rows GROUP BY namespace ORDER BY namespace",
                db,
            )
        return table

    def clear(self, namespace: str | None = None) -> int:
        """Delete all rows (or those of one namespace); returns how many were deleted."""
        with closing(self._connect()) as db, db:
            if namespace is None:
                deleted = db.execute("DELETE FROM rows").rowcount
            else:
                deleted = db.execute("DELETE FROM rows WHERE namespace = ?", (namespace,)).rowcount
        with closing(self._connect()) as db:
            db.execute("VACUUM")
        return deleted


def cache_info(directory: str | Path | None = None) -> pd.DataFrame:
    """Everything in the cache folder: row namespaces and dataset conversions, with sizes."""
    folder = Path(directory) if directory is not None else cache_dir()
    entries = [
        {"entry": f"rows:{row.namespace}", "items": int(row.rows), "bytes": int(row.bytes or 0)}
        for row in RowCache(folder).info().itertuples()
    ]
    for sub in sorted(p for p in folder.iterdir() if p.is_dir()):
        files = [f for f in sub.rglob("*") if f.is_file() and not f.name.endswith(".lock")]
        entries.append(
            {"entry": f"dataset:{sub.name}", "items": len(files), "bytes": sum(f.stat().st_size for f in files)}
        )
    return pd.DataFrame(entries, columns=["entry", "items", "bytes"])


def clear_cache(directory: str | Path | None = None, what: str = "all") -> list[str]:
    """Remove cached rows (``what="rows"``), dataset conversions (``"datasets"``) or both."""
    if what not in ("all", "rows", "datasets"):
        raise ValueError("what must be 'all', 'rows' or 'datasets'")
    folder = Path(directory) if directory is not None else cache_dir()
    removed = []
    if what in ("all", "rows"):
        removed.append(f"{RowCache(folder).clear()} cached rows")
    if what in ("all", "datasets"):
        for sub in sorted(p for p in folder.iterdir() if p.is_dir()):
            shutil.rmtree(sub)
            removed.append(f"dataset conversion {sub.name}/")
    return removed
