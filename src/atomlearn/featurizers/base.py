"""The Featurizer contract: a scikit-learn transformer over a sequence of ``ase.Atoms``.

Subclasses implement ``_fit(structures)`` (learn what depends on data, e.g. the
species list), ``featurize(atoms) -> 1-D array`` and ``_feature_names()``, and declare
``symmetries`` (a subset of ``SYMMETRIES``) and ``citation_list``.

``transform`` runs ``featurize`` over the structures through ``atomlearn.parallel``;
a structure that fails gives a row of NaN and an entry in ``errors_`` (id, stage,
reason), or raises ``FeaturizationError`` with ``on_error="raise"``. With
``cache=True`` rows are stored in and read from the content-addressed cache.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from ase import Atoms
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from atomlearn.cache import RowCache, row_key
from atomlearn.errors import ErrorRecord, FeaturizationError, errors_frame
from atomlearn.featurizers.checks import require_finite
from atomlearn.parallel import parallel_map
from atomlearn.structures import check_cell, load_each, structure_hash

SYMMETRIES = ("translation", "rotation", "permutation", "supercell")
RUNTIME_PARAMS = frozenset({"n_jobs", "scheduler", "on_error", "cache"})


class Featurizer(TransformerMixin, BaseEstimator):
    """Base class of every featurizer: a scikit-learn transformer over a sequence of ``ase.Atoms``.

    Subclasses list their own parameters in ``__init__`` and take the runtime settings below.

    Other Parameters
    ----------------
    on_error : {"nan", "raise"}
        "nan": a structure that cannot be featurized gives a row of NaN and a record in
        ``errors_``; "raise": ``FeaturizationError`` naming the structure.
    n_jobs : int
        Worker processes for ``transform`` (-1: all cores).
    scheduler : str, optional
        Address of a ``dask.distributed`` scheduler to run on instead (or ``$ATOMLEARN_SCHEDULER``).
    cache : bool
        Read and store rows in the content-addressed cache (keyed by structure, parameters, fitted state).

    Attributes
    ----------
    feature_names_out_ : ndarray of str, shape (n_features,)
        Column names, fixed by ``fit``.
    n_features_out_ : int
    errors_ : list of ErrorRecord
        Structures the last ``transform`` could not featurize (id, stage, reason).
    """

    name: ClassVar[str] = "featurizer"
    symmetries: ClassVar[frozenset[str]] = frozenset()
    citation_list: ClassVar[tuple[str, ...]] = ()
    #: True when ``featurize`` calls compiled code that can kill the process on a pathological
    #: structure: rows are then computed in a worker process even at ``n_jobs=1``
    isolated: ClassVar[bool] = False

    def _set_runtime(self, on_error: str, n_jobs: int, scheduler: str | None, cache: bool) -> None:
        """Store the parameters every featurizer takes (names as in ``RUNTIME_PARAMS``)."""
        self.on_error, self.n_jobs, self.scheduler, self.cache = on_error, n_jobs, scheduler, cache

    # ---- to implement
    def _fit(self, structures: Sequence[Atoms]) -> None:
        """Learn data-dependent state; store it in attributes ending in ``_``."""

    def featurize(self, atoms: Atoms) -> np.ndarray:
        """One structure -> one 1-D float row (raise on failure)."""
        raise NotImplementedError

    def _feature_names(self) -> list[str]:
        raise NotImplementedError

    def _fitted_state(self) -> dict[str, Any]:
        """Fitted attributes that change the output (part of the cache key)."""
        return {}

    # ---- scikit-learn API
    def fit(self, structures: Sequence[Atoms], y: Any = None) -> Featurizer:
        """Learn what depends on the data (structures whose file cannot be read are skipped); returns ``self``."""
        return self._fit_loaded(_load(structures)[0])

    def transform(self, structures: Sequence[Atoms]) -> np.ndarray:
        """Features, shape ``(n_structures, n_features)``; failed structures give NaN rows."""
        check_is_fitted(self, "feature_names_out_")
        return self._transform_loaded(*_load(structures))

    def fit_transform(self, structures: Sequence[Atoms], y: Any = None, **fit_params: Any) -> np.ndarray:
        """``fit`` then ``transform``, loading lazy structures once."""
        loaded, ids, errors = _load(structures)
        return self._fit_loaded(loaded)._transform_loaded(loaded, ids, errors)

    def _fit_loaded(self, structures: list[Atoms | None]) -> Featurizer:
        usable = [atoms for atoms in structures if atoms is not None]
        if not usable:
            raise ValueError("none of the structures given could be loaded")
        self._fit(usable)
        self.feature_names_out_ = np.asarray(self._feature_names(), dtype=object)
        self.n_features_out_ = len(self.feature_names_out_)
        return self

    def _transform_loaded(
        self, structures: list[Atoms | None], ids: list[str], errors: list[ErrorRecord]
    ) -> np.ndarray:
        rows: list[np.ndarray | None] = [None] * len(structures)
        cache, keys = self._cached_rows(structures, rows)
        todo = [i for i, row in enumerate(rows) if row is None and structures[i] is not None]
        result = parallel_map(
            self._checked_featurize,
            [structures[i] for i in todo],
            ids=[ids[i] for i in todo],
            n_jobs=getattr(self, "n_jobs", 1),
            scheduler=getattr(self, "scheduler", None),
            stage=f"featurize:{self.name}",
            description=f"featurizing ({self.name})",
            isolate=self.isolated,
        )
        errors += list(result.errors)
        for index, row in zip(todo, result.results):
            problem = _row_problem(row, self.n_features_out_)
            if problem:
                errors.append(ErrorRecord(ids[index], f"featurize:{self.name}", problem))
                row = None
            rows[index] = row
        if cache is not None:
            cache.put_many({keys[i]: rows[i] for i in todo if rows[i] is not None}, namespace=self.name)
        self.errors_ = [error.to_dict() for error in errors]  # plain records: a bundle saves them safely
        if errors and getattr(self, "on_error", "nan") == "raise":
            first = errors[0]
            raise FeaturizationError(
                f"{self.name}: structure {first.item_id}: {first.reason} ({len(errors)} failed in all)"
            )
        output = np.full((len(structures), self.n_features_out_), np.nan)
        for index, row in enumerate(rows):
            if row is not None:
                output[index] = row
        return output

    def _checked_featurize(self, atoms: Atoms) -> np.ndarray:
        require_finite(atoms)
        check_cell(atoms, str(atoms.info.get("id", "structure")))
        return self.featurize(atoms)

    def _cached_rows(self, structures: Sequence[Atoms | None], rows: list) -> tuple[RowCache | None, list[str]]:
        if not getattr(self, "cache", False):
            return None, []
        cache = RowCache()
        params = {"params": self._identity_params(), "state": self._fitted_state()}
        keys = [row_key(structure_hash(atoms), self.name, params) if atoms is not None else "" for atoms in structures]
        found = cache.get_many(keys)
        for index, key in enumerate(keys):
            rows[index] = found.get(key)
        return cache, keys

    def _identity_params(self) -> dict[str, Any]:
        return {k: v for k, v in self.get_params(deep=False).items() if k not in RUNTIME_PARAMS}

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """The names of the output columns, shape (n_features,), fixed by ``fit`` (e.g. ``rac_metal_prod_chi_d1``)."""
        check_is_fitted(self, "feature_names_out_")
        return self.feature_names_out_

    def citations(self) -> list[str]:
        """Papers to cite when publishing results obtained with this featurizer."""
        return list(self.citation_list)

    def errors_table(self) -> pd.DataFrame:
        """Structures that failed in the last ``transform`` (id, stage, reason)."""
        return errors_frame([ErrorRecord(**record) for record in getattr(self, "errors_", [])])


def _row_problem(row: np.ndarray | None, n_features: int) -> str:
    """Why a featurizer's row cannot be used ("" when it can)."""
    if row is None:
        return ""
    if np.shape(row) != (n_features,):
        return f"row of shape {np.shape(row)}, expected ({n_features},)"
    if not np.isfinite(row).all():
        return f"{int((~np.isfinite(row)).sum())} feature value(s) are NaN or inf"
    return ""


def _load(structures: Sequence[Atoms]) -> tuple[list[Atoms | None], list[str], list[ErrorRecord]]:
    """Structures (None where one cannot be loaded), their ids and the load errors."""
    if isinstance(structures, Atoms):
        raise TypeError("pass a list of ase.Atoms, not a single Atoms object")
    if len(structures) == 0:
        raise ValueError("no structures given: the list is empty")
    keys = getattr(structures, "keys", None)  # a lazy dataset: ids even for unreadable files
    loaded, errors = load_each(structures)
    ids = []
    for index, atoms in enumerate(loaded):
        if atoms is not None:
            ids.append(str(atoms.info.get("id", index)))
        elif keys is not None:
            ids.append(str(keys[index]))
        else:
            ids.append(str(index))
            errors.append(ErrorRecord(str(index), "load", "no structure (None) at this position"))
    return loaded, ids, errors
