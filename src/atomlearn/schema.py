"""Declared schemas of the files atomlearn writes and reads back, and the one way to read them.

A JSON file is validated against a pydantic model (types, ranges and shapes, strictly: ``"1"`` is not a
number and ``1e12`` hidden units is out of range), a CSV table against its declared columns. Every
failure is a ``FileFormatError`` that names the file, the field and what to do; nothing from a file
reaches a constructor, an allocation or a loop before it has passed. Each writer declares its models
beside its own code (``sampling.store.GeneratorRecord``, ``runs.bundle.BundleCard``, ...).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, StringConstraints, TypeAdapter, ValidationError

from atomlearn.errors import AtomlearnError

__all__ = [
    "ColumnKind",
    "CompletionRecord",
    "FileFormatError",
    "Record",
    "Sha256",
    "describe",
    "load_arrays",
    "load_tensors",
    "read_checked_json",
    "read_json",
    "read_table",
    "validate_json",
]

Model = TypeVar("Model")
#: the kinds of column a declared table may hold
ColumnKind = Literal["text", "number", "positive"]


class FileFormatError(AtomlearnError, ValueError):
    """A file atomlearn reads back is missing, damaged, or not what it declares; the message says which field."""


class Record(BaseModel):
    """Base of the JSON records atomlearn writes: the declared fields strictly typed; other fields kept as they
    are (a newer writer's, or free-form results that are shown, never used to size or build anything)."""

    model_config = ConfigDict(strict=True, extra="allow", frozen=True)


#: a SHA-256 digest as written: 64 lowercase hexadecimal digits
Sha256 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]


class CompletionRecord(Record):
    """``complete.json`` (``files.mark_complete``): the SHA-256 of each sealed file, by its path inside the folder."""

    files: dict[str, Sha256]


def read_json(path: str | Path, schema: type[Model] | Any, remedy: str) -> Model:
    """The JSON file at ``path``, validated against ``schema`` (a pydantic model, a dataclass or a type).

    Parameters
    ----------
    path : path
        The file.
    schema : type
        What the file must hold; dataclasses and plain types go through ``pydantic.TypeAdapter``.
    remedy : str
        What the user should do when the file is refused (``"rerun `atomlearn fit --out` into it"``).

    Raises
    ------
    FileFormatError
        When the file is missing, not a file, not JSON, or does not match ``schema``.
    """
    return validate_json(_text(Path(path), remedy), schema, path, remedy)


def read_checked_json(path: str | Path, schema: type[Model] | Any, remedy: str) -> Any:
    """The JSON file at ``path`` as plain data (its own key order and numbers), once the same text has passed
    ``schema``: what a reader that works on dicts uses."""
    import json

    text = _text(Path(path), remedy)
    validate_json(text, schema, path, remedy)
    return json.loads(text)


def _text(path: Path, remedy: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise FileFormatError(f"{path} is missing; {remedy}") from None
    except (IsADirectoryError, NotADirectoryError, PermissionError, UnicodeDecodeError) as exc:
        raise FileFormatError(f"{path} cannot be read as a text file ({type(exc).__name__}); {remedy}") from None


def validate_json(text: str | bytes, schema: type[Model] | Any, path: str | Path, remedy: str) -> Model:
    """JSON text checked against ``schema`` strictly (a list stands for a tuple, an integer for a float; NaN is
    a number); a ``FileFormatError`` naming ``path`` and the field."""
    try:
        if isinstance(schema, type) and issubclass(schema, BaseModel):
            return schema.model_validate_json(text, strict=True)
        return TypeAdapter(schema).validate_json(text, strict=True)
    except ValidationError as exc:
        if any(error["type"] == "json_invalid" for error in exc.errors()):
            raise FileFormatError(f"{path} is not valid JSON; {remedy}") from None
        raise FileFormatError(f"{path}: {describe(exc)}; {remedy}") from None


def describe(exc: ValidationError) -> str:
    """The first problem of a validation error as ``field a.b[2]: what is wrong (got VALUE)``, and how many more."""
    errors = exc.errors(include_url=False)
    first = errors[0]
    where = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in first["loc"]).lstrip(".")
    got = repr(first.get("input"))
    shown = got[:60] + ("…" if len(got) > 60 else "")
    text = f"{'field ' + where if where else 'the top level'}: {first['msg']} (got {shown})"
    return text + (f", and {len(errors) - 1} more problems" if len(errors) > 1 else "")


def read_table(
    path: str | Path,
    columns: Mapping[str, ColumnKind],
    what: str,
    remedy: str,
    prefixed: Mapping[str, ColumnKind] | None = None,
    separator: str = ",",
):  # noqa: ANN201 - a pandas.DataFrame
    """A CSV table checked against its declared columns: each present, each value of its kind.

    Parameters
    ----------
    path : path
    columns : mapping of str to ColumnKind
        Columns that must be there, and what their values must be.
    what : str
        What the table is, for messages (``"a `simulate gcmc` table"``).
    remedy : str
    prefixed : mapping of str to ColumnKind, optional
        Kinds of the columns whose names start with a key (``"loading_"``), wherever they occur.
    separator : str
        "," for CSV, "\\t" for a TSV whose text is kept verbatim (no quoting, "NA" stays a word).

    Returns
    -------
    pandas.DataFrame
        With ``id`` (if declared) as text.

    Raises
    ------
    FileFormatError
        Naming the file, the column and the first row (1-based, after the header) that does not fit.
    """
    import pandas as pd

    path = Path(path)
    if not path.is_file():
        raise FileFormatError(f"{path} is {'not a file' if path.exists() else 'missing'}: expected {what}; {remedy}")
    try:
        text_kept = {"sep": "\t", "keep_default_na": False, "quoting": 3} if separator == "\t" else {}
        frame = pd.read_csv(path, dtype={"id": str} if "id" in columns else None, **text_kept)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, ValueError) as exc:
        reason = " ".join(str(exc).split())
        raise FileFormatError(f"{path} is not {what} ({type(exc).__name__}: {reason}); {remedy}") from None
    missing = [name for name in columns if name not in frame.columns]
    if missing:
        raise FileFormatError(f"{path} is not {what}: it has no column {', '.join(missing)}; {remedy}")
    kinds = dict(columns)
    for prefix, kind in (prefixed or {}).items():
        kinds |= {name: kind for name in frame.columns if str(name).startswith(prefix) and name not in kinds}
    for name, kind in kinds.items():
        bad = _bad_rows(frame[name], kind)
        if len(bad):
            row = int(bad[0])
            raise FileFormatError(
                f"{path}: column {name}, row {row + 1}: {frame[name].iloc[row]!r} is not {_KIND_TEXT[kind]}; {remedy}"
            )
    return frame


_KIND_TEXT = {"text": "text", "number": "a number", "positive": "a number above 0"}


def _bad_rows(column: Any, kind: ColumnKind) -> Any:
    """Row positions whose value is not of ``kind`` (missing text is allowed; a missing number is NaN)."""
    import numpy as np
    import pandas as pd

    if kind == "text":
        return np.flatnonzero(~column.map(lambda v: isinstance(v, str) or (isinstance(v, float) and math.isnan(v))))
    numbers = pd.to_numeric(column, errors="coerce")
    wrong = numbers.isna() & column.notna()
    if kind == "positive":
        wrong |= ~(numbers > 0)
    return np.flatnonzero(wrong.to_numpy())


def load_arrays(path: str | Path, shapes: Mapping[str, tuple[int | None, ...] | None], remedy: str) -> dict[str, Any]:
    """The arrays of an ``.npz`` file atomlearn wrote, each checked for presence, its type (numbers or text) and shape.

    Parameters
    ----------
    path : path
    shapes : mapping of str to tuple or None
        Array name to its shape (``None`` in a place: any length there; ``None`` for the whole: any shape).
    remedy : str

    Raises
    ------
    FileFormatError
        For a file that is missing, not an npz archive, holds pickled objects (refused, never loaded), or an
        array of another type or shape.
    """
    import zipfile

    import numpy as np

    path = Path(path)
    arrays: dict[str, Any] = {}
    try:
        with np.load(path, allow_pickle=False) as saved:
            for name, shape in shapes.items():
                if name not in saved.files:
                    raise FileFormatError(f"{path} holds no array {name!r}; {remedy}")
                value = saved[name]
                if value.dtype.kind not in "biufUS":
                    raise FileFormatError(f"{path}: array {name!r} holds {value.dtype}, not numbers or text; {remedy}")
                if shape is not None and (
                    len(shape) != value.ndim or any(s is not None and s != n for s, n in zip(shape, value.shape))
                ):
                    raise FileFormatError(
                        f"{path}: array {name!r} has shape {value.shape}, expected "
                        f"{tuple('any' if s is None else s for s in shape)}; {remedy}"
                    )
                arrays[name] = value
    except FileFormatError:
        raise
    except FileNotFoundError:
        raise FileFormatError(f"{path} is missing; {remedy}") from None
    except ValueError as exc:
        if "pickle" in str(exc):
            raise FileFormatError(
                f"{path} holds pickled Python objects: it is not a file atomlearn wrote, and it was "
                f"refused unread; {remedy}"
            ) from None
        raise FileFormatError(f"{path} is damaged ({' '.join(str(exc).split())}); {remedy}") from None
    except (zipfile.BadZipFile, EOFError, OSError, KeyError) as exc:
        raise FileFormatError(
            f"{path} is not an array archive atomlearn wrote ({type(exc).__name__}); {remedy}"
        ) from None
    return arrays


def load_tensors(path: str | Path, remedy: str) -> dict[str, Any]:
    """A PyTorch file atomlearn wrote (a state dict or a checkpoint), loaded with ``weights_only=True``.

    A file that holds anything beyond tensors and plain values is refused unread, with our words: it is
    not a file atomlearn wrote (never torch's advice to load it unsafely).

    Raises
    ------
    FileFormatError
        For a missing, damaged, foreign or unsafe file, or one that does not hold a dict.
    """
    import pickle

    import torch

    path = Path(path)
    try:
        with warnings.catch_warnings():  # torch's advice about pickle protocols is not for the user
            warnings.simplefilter("ignore")
            state = torch.load(path, weights_only=True, map_location="cpu")
    except FileNotFoundError:
        raise FileFormatError(f"{path} is missing; {remedy}") from None
    except pickle.UnpicklingError:
        raise FileFormatError(
            f"{path} holds Python objects beyond tensors: it is not a file atomlearn wrote, and it "
            f"was refused unread; {remedy}"
        ) from None
    except Exception as exc:  # noqa: BLE001 - torch raises many kinds for a damaged file
        raise FileFormatError(f"{path} is not a tensor file atomlearn wrote ({type(exc).__name__}); {remedy}") from None
    if not isinstance(state, dict):
        raise FileFormatError(f"{path} does not hold a dictionary of tensors; {remedy}")
    return state
