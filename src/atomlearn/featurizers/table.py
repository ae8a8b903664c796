"""Several featurizers side by side: one table of named columns, indexed by structure id."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from ase import Atoms

from atomlearn.errors import errors_frame
from atomlearn.featurizers.base import Featurizer
from atomlearn.structures import load_each


def featurize_table(
    featurizers: Sequence[Featurizer], structures: Sequence[Atoms], ids: Sequence[str]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Fit each featurizer on ``structures`` (unsupervised: species lists, padding sizes) and transform them.

    A structure whose file cannot be read, or that fails in a featurizer, keeps its row (NaN in the
    columns concerned) and appears in the errors table; nothing is dropped.

    Parameters
    ----------
    featurizers : sequence of Featurizer
    structures : sequence of ase.Atoms
    ids : sequence of str

    Returns
    -------
    features : pandas.DataFrame
        Indexed by id, one column per feature (the featurizers' names).
    errors : pandas.DataFrame
        id, featurizer, stage and reason of every failure.
    """
    if len(ids) != len(structures):
        raise ValueError(f"{len(ids)} ids for {len(structures)} structures")
    if len(structures) == 0:
        raise ValueError("no structures to featurize (were none of the files readable? see the dataset's errors)")
    loaded, load_errors = load_each(structures)
    usable = [i for i, atoms in enumerate(loaded) if atoms is not None]
    if not usable:
        raise ValueError(
            "none of the structures could be loaded; see the first error: "
            + (load_errors[0].reason if load_errors else "-")
        )
    index = pd.Index(ids, name="id")
    blocks, errors = [], [errors_frame(load_errors)]
    for featurizer in featurizers:
        values = featurizer.fit([loaded[i] for i in usable]).transform([loaded[i] for i in usable])
        block = pd.DataFrame(np.nan, columns=featurizer.get_feature_names_out(), index=index)
        block.iloc[usable] = values
        blocks.append(block)
        errors.append(featurizer.errors_table())
    table = pd.concat(blocks, axis=1)
    duplicated = table.columns[table.columns.duplicated()].tolist()
    if duplicated:
        raise ValueError(f"two featurizers give the same column names {duplicated[:3]}; use each featurizer once")
    return table, pd.concat([e for e in errors if len(e)] or [errors_frame([])], ignore_index=True)


def complete_rows(table: pd.DataFrame) -> np.ndarray:
    """Rows without NaN (every featurizer succeeded).

    Parameters
    ----------
    table : pandas.DataFrame

    Returns
    -------
    ndarray of bool, shape (n_rows,)
    """
    return np.isfinite(table.to_numpy(dtype=float)).all(axis=1)
