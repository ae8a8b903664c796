"""Write a dataset to a folder that ``load_folder`` reads back: structures + labels.csv."""

from __future__ import annotations

from pathlib import Path

from atomlearn.datasets.base import Dataset
from atomlearn.structures import LazyStructures


def export_dataset(dataset: Dataset, out: str | Path, id_column: str = "id") -> dict[str, int]:
    """Write one file per structure (CIF for crystals, extended XYZ for molecules), ``labels.csv`` and,
    if the dataset recorded problems, ``errors.csv``.

    CIFs of a bundled archive are copied byte for byte rather than rewritten.

    Parameters
    ----------
    dataset : Dataset
    out : str or Path
        The folder (created).
    id_column : str
        Name of the id column of ``labels.csv``.

    Returns
    -------
    dict of str to int
        The counts written: ``structures``, ``label_rows``, ``errors``.
    """
    import ase.io

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    loader = dataset.structures.loader if isinstance(dataset.structures, LazyStructures) else None
    raw_cif = getattr(loader, "cif_text", None)
    for item_id, key in zip(dataset.ids, _keys(dataset)):
        if raw_cif is not None:
            (out / f"{item_id}.cif").write_text(raw_cif(key))
            continue
        atoms = loader(key) if loader is not None else dataset.structures[key]
        if atoms.pbc.any():
            ase.io.write(out / f"{item_id}.cif", atoms, format="cif")
        else:
            ase.io.write(out / f"{item_id}.xyz", atoms, format="extxyz")
    dataset.labels.rename_axis(id_column).to_csv(out / "labels.csv")
    if len(dataset.errors):
        dataset.errors.to_csv(out / "errors.csv", index=False)
    return {"structures": len(dataset), "label_rows": len(dataset.labels), "errors": len(dataset.errors)}


def _keys(dataset: Dataset) -> list:
    if isinstance(dataset.structures, LazyStructures):
        return dataset.structures.keys
    return list(range(len(dataset)))
