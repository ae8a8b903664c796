"""A user's folder of structure files plus a labels CSV, and ASE database files.

Every file and every label row is accounted for: a file that cannot be read, a file
without a label row, a label row without a file and a row without an id each become
an entry of ``dataset.errors``; ``dataset.meta.notes`` gives the counts.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pandas as pd

from atomlearn.datasets.base import Dataset, DatasetMeta
from atomlearn.errors import ErrorRecord, LabelsError, errors_frame
from atomlearn.parallel import parallel_map
from atomlearn.structures import read_structure

STRUCTURE_SUFFIXES = frozenset(
    {
        ".cif",
        ".xyz",
        ".extxyz",
        ".vasp",
        ".poscar",
        ".pdb",
        ".xsf",
        ".mol",
        ".sdf",
        ".json",
        ".traj",
        ".cube",
        ".gen",
        ".res",
        ".cml",
    }
)
POSCAR_NAMES = ("POSCAR", "CONTCAR")
#: tables beside the structures (labels, errors, the summaries atomlearn writes): never structures, not reported
TABLE_SUFFIXES = frozenset({".csv"})


def is_structure_file(path: Path) -> bool:
    """Whether a file is of a structure format atomlearn reads (by extension; POSCAR/CONTCAR by name).

    Parameters
    ----------
    path : Path

    Returns
    -------
    bool
    """
    return path.suffix.lower() in STRUCTURE_SUFFIXES or path.name.startswith(POSCAR_NAMES)


def load_folder(
    folder: str | Path,
    labels: str | Path | None = "labels.csv",
    id_column: str = "id",
    n_jobs: int = 1,
) -> Dataset:
    """Read every structure file in ``folder`` (id = file name without extension) and its labels.

    ``labels`` is looked up inside ``folder`` first, then as given (absolute, or relative to the working
    directory), so ``labels.csv`` and ``my_folder/labels.csv`` both find ``my_folder/labels.csv``. CSV
    files beside the structures are tables (labels, errors, summaries), never structures. Files are read
    in parallel by local processes, also when a Dask cluster does the rest of the work: the files are on this
    machine, and the cluster gets the structures, so its workers need no shared file system. Everything that
    does not fit is recorded in ``errors``.

    Parameters
    ----------
    folder : str or Path
    labels : str or Path or None
        A CSV with an ``id_column`` and target columns; None loads structures only.
    id_column : str
    n_jobs : int
        Local processes reading the files.

    Returns
    -------
    Dataset

    Raises
    ------
    LabelsError
        For duplicate ids in the CSV, naming the lines.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder}: no such folder")
    records: list[ErrorRecord] = []
    labels_path = None if labels is None else _labels_path(folder, Path(labels))
    files = []
    for path in sorted(p for p in folder.iterdir() if p.is_file()):
        if labels_path is not None and path.resolve() == labels_path.resolve():
            continue
        if is_structure_file(path):
            files.append(path)
        elif not path.name.startswith(".") and path.suffix.lower() not in TABLE_SUFFIXES:
            records.append(ErrorRecord(path.name, "discover", "not a known structure file extension; skipped"))
    if not files:
        skipped = f" ({len(records)} other files skipped, e.g. {records[0].item_id})" if records else ""
        raise FileNotFoundError(
            f"{folder}: no structure files in this folder{skipped}; put CIF, XYZ, extXYZ, POSCAR or "
            "other ASE-readable files there, one structure per file"
        )
    stem_counts = Counter(p.stem for p in files)
    for path in [p for p in files if stem_counts[p.stem] > 1]:
        records.append(ErrorRecord(path.name, "discover", f"another file has the same id {path.stem!r}; rename one"))
    files = [p for p in files if stem_counts[p.stem] == 1]

    table = _read_labels(labels_path, id_column, records) if labels_path is not None else None
    if table is not None:
        file_ids = {p.stem for p in files}
        for item_id, line in zip(table.index, table["_line"]):
            if item_id not in file_ids:
                records.append(
                    ErrorRecord(item_id, "match", f"{labels_path.name} line {line}: no structure file with this id")
                )
        for path in files:
            if path.stem not in table.index:
                records.append(ErrorRecord(path.stem, "match", f"{path.name} has no row in {labels_path.name}"))
        files = [p for p in files if p.stem in table.index]

    result = parallel_map(
        read_structure,
        files,
        ids=[p.stem for p in files],
        n_jobs=n_jobs,
        local=True,
        stage="read",
        description="reading structures",
    )
    records.extend(result.errors)
    ids, structures = [], []
    for path, atoms in zip(files, result.results):
        if atoms is not None:
            atoms.info["id"] = path.stem
            ids.append(path.stem)
            structures.append(atoms)
    label_table = table.drop(columns="_line").reindex(ids) if table is not None else pd.DataFrame(index=ids)
    meta = DatasetMeta(
        name=folder.name,
        description=f"user folder {folder}",
        source=str(folder.resolve()),
        notes=[
            f"{len(stem_counts)} structure files, {0 if table is None else len(table)} label rows: "
            f"{len(ids)} structures loaded, {len(records)} problems recorded in dataset.errors"
        ],
    )
    return Dataset(ids, structures, label_table, meta, errors_frame(records))


def _labels_path(folder: Path, labels: Path) -> Path:
    """The labels file: inside the folder when it is there, else the path as given."""
    inside = folder / labels
    if labels.is_absolute() or not inside.is_file() and labels.is_file():
        return labels
    if not inside.is_file():
        raise LabelsError(
            f"labels file not found: neither {inside} nor {labels} exists; give the labels CSV with --labels "
            "(or labels=None in Python to load the structures only)"
        )
    return inside


def _read_labels(path: Path, id_column: str, records: list[ErrorRecord]) -> pd.DataFrame:
    if not path.is_file():
        raise LabelsError(f"{path}: labels file not found; pass labels=None to load structures only.")
    try:
        table = pd.read_csv(path, dtype={id_column: str}, skipinitialspace=True)
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        raise LabelsError(f"{path}: not a readable CSV ({exc}).") from None
    if id_column not in table.columns:
        raise LabelsError(
            f"{path}: no id column {id_column!r}; columns are {', '.join(map(str, table.columns))}. "
            "Name the column of structure ids (file names without extension): --id-column NAME on the command "
            "line, id_column= in Python."
        )
    table["_line"] = table.index + 2  # 1-based, after the header line
    table[id_column] = table[id_column].str.strip()
    for line in table.loc[table[id_column].isna() | (table[id_column] == ""), "_line"]:
        records.append(ErrorRecord(f"{path.name}:{line}", "labels", f"{path.name} line {line}: empty id"))
    table = table[table[id_column].notna() & (table[id_column] != "")]
    duplicated = table[table[id_column].duplicated(keep=False)]
    if len(duplicated):
        lines = duplicated.groupby(id_column)["_line"].apply(lambda s: ", ".join(map(str, s)))
        listing = "; ".join(f"{i!r} on lines {where}" for i, where in lines.head(5).items())
        raise LabelsError(f"{path}: duplicate ids: {listing}. Keep one row per structure.")
    return table.set_index(id_column)


def load_asedb(path: str | Path, id_key: str | None = None) -> Dataset:
    """Structures and key-value labels of an ASE database (``.db``/``.json``).

    Parameters
    ----------
    path : str or Path
    id_key : str, optional
        The key-value pair whose value is each row's id (default: the row id).

    Returns
    -------
    Dataset
    """
    import ase.db

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such ASE database")
    ids, structures, rows, records = [], [], [], []
    with ase.db.connect(path) as db:
        for row in db.select():
            item_id = str(row.key_value_pairs.get(id_key, row.id)) if id_key else str(row.id)
            try:
                atoms = row.toatoms()
            except Exception as exc:  # a corrupt row is recorded, not fatal
                records.append(ErrorRecord(item_id, "read", f"{type(exc).__name__}: {exc}"))
                continue
            atoms.info["id"] = item_id
            ids.append(item_id)
            structures.append(atoms)
            rows.append(dict(row.key_value_pairs))
    meta = DatasetMeta(name=path.stem, description=f"ASE database {path}", source=str(path.resolve()))
    return Dataset(ids, structures, pd.DataFrame(rows, index=ids), meta, errors_frame(records))
