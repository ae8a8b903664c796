"""The results tables of the simulation commands as they are read back: declared columns, checked values."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from atomlearn.schema import read_table

#: the columns of a `simulate gcmc` table that a reader relies on (one more per guest: ``loading_<GUEST>_mol_kg``)
GCMC_COLUMNS = {"id": "text", "composition": "text", "pressure_bar": "positive", "temperature_K": "positive"}


def read_gcmc_table(path: str | Path) -> pd.DataFrame:
    """A ``simulate gcmc`` CSV, checked against its schema.

    Ids and compositions as text, pressures and temperatures above 0, every ``loading_*`` column numeric.

    Parameters
    ----------
    path : str or Path

    Returns
    -------
    pandas.DataFrame

    Raises
    ------
    FileFormatError
        Naming the column and row that does not fit.
    """
    return read_table(
        path,
        GCMC_COLUMNS,
        "a `simulate gcmc` table",
        "give the CSV that `atomlearn simulate gcmc` wrote",
        prefixed={"loading_": "number", "excess_loading_": "number"},
    )
