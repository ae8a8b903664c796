"""SISSO-style symbolic descriptors: build formulas from primary features, screen them by
correlation (SIS), then pick the best few-term linear model by exhaustive search (SO).

Ouyang et al., Phys. Rev. Mater. 2, 083802 (2018). Candidates are built in rungs: rung 0
is the primary features; rung k adds every operator applied to the features of rung < k
(unary: exp, log, x⁻¹, x², x³, √x, |x|; binary: +, −, ×, ÷). With ``units`` only
dimensionally valid ones are built (+ and − of equal units, exp and log of dimensionless
arguments). The last rung is never stored: it is generated in blocks of bounded size and
only the best-correlated candidates are kept, so memory stays at a few blocks.

For d = 1..``n_terms``: SIS keeps the ``n_sis`` candidates most correlated with the
residual of the best (d-1)-term model; SO fits every d-subset of all kept candidates by
least squares (with an intercept) and keeps the one with the lowest RMSE.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils.validation import check_is_fitted

from atomlearn.explain.dimensions import DIMENSIONLESS, Unit, format_unit, parse_unit, power, product, quotient

UNARY = ("exp", "log", "inv", "sq", "cube", "sqrt", "abs")
BINARY = ("add", "sub", "mul", "div")
OPERATORS = BINARY + UNARY
_POWERS = {"inv": -1, "sq": 2, "cube": 3, "sqrt": Fraction(1, 2)}
_FORMAT = {
    "exp": "exp({})",
    "log": "log({})",
    "inv": "1/({})",
    "sq": "({})^2",
    "cube": "({})^3",
    "sqrt": "sqrt({})",
    "abs": "|{}|",
    "add": "({} + {})",
    "sub": "({} - {})",
    "mul": "{} * {}",
    "div": "{} / {}",
}
Tree = tuple  # ("x", j) | (unary, tree) | (binary, tree, tree)


def _apply_unary(op: str, v: np.ndarray) -> np.ndarray:
    with np.errstate(all="ignore"):
        if op == "exp":
            return np.exp(v)
        if op == "log":
            return np.where(v > 0, np.log(np.where(v > 0, v, 1.0)), np.nan)
        if op == "inv":
            return 1.0 / v
        if op == "sq":
            return v * v
        if op == "cube":
            return v * v * v
        if op == "sqrt":
            return np.where(v >= 0, np.sqrt(np.abs(v)), np.nan)
        return np.abs(v)


def _apply_binary(op: str, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    with np.errstate(all="ignore"):
        if op == "add":
            return a + b
        if op == "sub":
            return a - b
        if op == "mul":
            return a * b
        return a / b


def evaluate(tree: Tree, X: np.ndarray) -> np.ndarray:
    """Values of an expression tree on the columns of X (n_samples,)."""
    if tree[0] == "x":
        return np.asarray(X[:, tree[1]], dtype=float)
    if len(tree) == 2:
        return _apply_unary(tree[0], evaluate(tree[1], X))
    return _apply_binary(tree[0], evaluate(tree[1], X), evaluate(tree[2], X))


def to_string(tree: Tree, names: Sequence[str]) -> str:
    """A formula tree as readable text, with the primary features' ``names`` and only the brackets needed."""
    if tree[0] == "x":
        return names[tree[1]]
    parts = [to_string(child, names) for child in tree[1:]]
    if tree[0] == "div" and tree[2][0] in ("mul", "div"):
        parts[1] = f"({parts[1]})"  # a / (b * c), not a / b * c
    return _FORMAT[tree[0]].format(*parts)


@dataclass
class _Pool:
    """Materialised features: values (m, n), their trees, units and sizes (nodes per tree)."""

    values: np.ndarray
    trees: list[Tree]
    units: list[Unit]
    sizes: np.ndarray

    def take(self, rows: Sequence[int] | np.ndarray) -> _Pool:
        rows = np.asarray(rows, dtype=int)
        return _Pool(self.values[rows], [self.trees[k] for k in rows], [self.units[k] for k in rows], self.sizes[rows])


@dataclass
class _Block:
    """Candidates ``op(source[left])`` or ``op(source[left], source[right])``; trees and units
    are only built for the rows that are kept (``take``)."""

    values: np.ndarray
    op: str
    left: np.ndarray
    right: np.ndarray | None
    source: _Pool
    with_units: bool

    @property
    def sizes(self) -> np.ndarray:
        extra = 0 if self.right is None else self.source.sizes[self.right]
        return 1 + self.source.sizes[self.left] + extra

    def take(self, rows: Sequence[int] | np.ndarray) -> _Pool:
        rows = np.asarray(rows, dtype=int)
        trees, units = [], []
        for k in rows:
            a = self.left[k]
            if self.right is None:
                trees.append((self.op, self.source.trees[a]))
                units.append(_unary_unit(self.op, self.source.units[a], self.with_units))
            else:
                b = self.right[k]
                trees.append((self.op, self.source.trees[a], self.source.trees[b]))
                units.append(_binary_unit(self.op, self.source.units[a], self.source.units[b]))
        return _Pool(self.values[rows], trees, units, self.sizes[rows])


def _usable(values: np.ndarray) -> np.ndarray:
    """Rows that are finite everywhere and not constant."""
    finite = np.isfinite(values).all(axis=-1)
    spread = np.where(finite, np.ptp(np.where(np.isfinite(values), values, 0.0), axis=-1), 0.0)
    scale = np.abs(np.where(np.isfinite(values), values, 0.0)).max(axis=-1)
    return finite & (spread > 1e-12 * np.maximum(scale, 1e-300))


def _unary_unit(op: str, unit: Unit, with_units: bool) -> Unit | None:
    if op in ("exp", "log"):
        return DIMENSIONLESS if (unit == DIMENSIONLESS or not with_units) else None
    if op == "abs":
        return unit
    return power(unit, _POWERS[op])


def _binary_unit(op: str, a: Unit, b: Unit) -> Unit | None:
    if op in ("add", "sub"):
        return a if a == b else None
    return product(a, b) if op == "mul" else quotient(a, b)


def _expand(pool: _Pool, operators: Sequence[str], with_units: bool, block_values: int) -> Iterator[_Block]:
    """New candidates from one operator applied to the pool, in blocks of at most ``block_values`` numbers."""
    m, n = pool.values.shape
    for op in (o for o in operators if o in UNARY):
        rows = np.array([i for i, u in enumerate(pool.units) if _unary_unit(op, u, with_units) is not None], dtype=int)
        step = max(1, block_values // n)
        for start in range(0, len(rows), step):
            chunk = rows[start : start + step]
            values = _apply_unary(op, pool.values[chunk])
            keep = _usable(values) & ~np.all(values == pool.values[chunk], axis=1)  # |x| of a positive x is x
            yield _Block(values[keep], op, chunk[keep], None, pool, with_units)
    unit_ids = {u: k for k, u in enumerate(dict.fromkeys(pool.units))}
    unit_of = np.array([unit_ids[u] for u in pool.units])
    rows_per_block = max(1, block_values // max(1, m * n))
    for op in (o for o in operators if o in BINARY):
        for start in range(0, m, rows_per_block):
            i, j = np.meshgrid(np.arange(start, min(m, start + rows_per_block)), np.arange(m), indexing="ij")
            pairs = (j > i) if op in ("add", "sub", "mul") else (j != i)  # a∘b = ±b∘a: one order
            if op in ("add", "sub") and with_units:
                pairs &= unit_of[i] == unit_of[j]
            i, j = i[pairs], j[pairs]
            if len(i):
                values = _apply_binary(op, pool.values[i], pool.values[j])
                keep = _usable(values)
                yield _Block(values[keep], op, i[keep], j[keep], pool, with_units)


def _concat(pools: Sequence[_Pool], n: int) -> _Pool:
    if not pools:
        return _Pool(np.empty((0, n)), [], [], np.empty(0, dtype=int))
    return _Pool(
        np.concatenate([p.values for p in pools]),
        [t for p in pools for t in p.trees],
        [u for p in pools for u in p.units],
        np.concatenate([p.sizes for p in pools]),
    )


def _abs_correlation(values: np.ndarray, target: np.ndarray) -> np.ndarray:
    centred = values - values.mean(axis=1, keepdims=True)
    t = target - target.mean()
    with np.errstate(all="ignore"):
        score = np.abs(centred @ t) / (np.linalg.norm(centred, axis=1) * np.linalg.norm(t))
    return np.nan_to_num(score, nan=0.0)


class SISSORegressor(RegressorMixin, BaseEstimator):
    """Symbolic regression by sure independence screening and sparsifying operator.

    Parameters
    ----------
    complexity : rungs of operators (1: op(x); 2: op(op(x), op(x)) ...; 3 is costly).
    n_terms : terms of the final linear model (the best 1..n_terms models are all kept).
    n_sis : candidates kept by screening per term.
    operators : a subset of "add", "sub", "mul", "div", "exp", "log", "inv", "sq", "cube", "sqrt", "abs".
    units : one unit string per primary feature (list, or dict by name), e.g. ["Å", "Å", "eV"];
        None: all dimensionless and every combination is allowed.
    feature_names : names used in the formulas (default: DataFrame columns, else x0, x1, ...).
    max_block_mb : memory for one block of generated candidate values (MB).

    Attributes
    ----------
    models_ : per number of terms: formulas, coefficients, intercept, RMSE.
    formula_, coef_, intercept_ : the ``n_terms`` model.
    n_candidates_ : candidates built per rung, and the valid ones.
    fit_seconds_ : wall time of ``fit`` (s).
    """

    def __init__(
        self,
        complexity: int = 2,
        n_terms: int = 2,
        n_sis: int = 20,
        operators: Sequence[str] = OPERATORS,
        units: Sequence[str] | dict[str, str] | None = None,
        feature_names: Sequence[str] | None = None,
        max_block_mb: float = 256.0,
    ) -> None:
        self.complexity = complexity
        self.n_terms = n_terms
        self.n_sis = n_sis
        self.operators = operators
        self.units = units
        self.feature_names = feature_names
        self.max_block_mb = max_block_mb

    def _check(self, X: Any, y: Any) -> tuple[np.ndarray, np.ndarray, list[str], list[Unit] | None]:
        names = (
            list(self.feature_names)
            if self.feature_names is not None
            else ([str(c) for c in X.columns] if isinstance(X, pd.DataFrame) else None)
        )
        X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
        if X.ndim != 2 or len(X) != len(y):
            raise ValueError(f"X must be 2-D with one row per target: got X {X.shape}, y {y.shape}")
        if not (np.isfinite(X).all() and np.isfinite(y).all()):
            raise ValueError("SISSO needs finite primary features and targets: drop or fill the NaN rows first")
        names = names or [f"x{j}" for j in range(X.shape[1])]
        if len(names) != X.shape[1]:
            raise ValueError(f"{len(names)} feature names for {X.shape[1]} columns")
        unknown = set(self.operators) - set(OPERATORS)
        if unknown:
            raise ValueError(f"unknown operators {sorted(unknown)}; choose from {', '.join(OPERATORS)}")
        if not 1 <= self.complexity <= 3 or not 1 <= self.n_terms <= 4:
            raise ValueError(f"complexity must be 1-3 and n_terms 1-4, got {self.complexity} and {self.n_terms}")
        if len(X) < self.n_terms + 2:
            raise ValueError(f"{len(X)} samples: SISSO needs more rows than n_terms + 1 ({self.n_terms + 1})")
        units = None
        if self.units is not None:
            given = [self.units[name] for name in names] if isinstance(self.units, dict) else list(self.units)
            if len(given) != len(names):
                raise ValueError(f"{len(given)} units for {len(names)} features")
            units = [parse_unit(u) for u in given]
        return X, y, names, units

    def _candidates(self, X: np.ndarray, units: list[Unit] | None) -> Iterator[_Pool | _Block]:
        """Every candidate up to ``complexity``: lower rungs materialised, the last one streamed."""
        n = len(X)
        block = max(n, int(self.max_block_mb * 2**20 / 8))
        pool = _Pool(
            X.T.copy(),
            [("x", j) for j in range(X.shape[1])],
            list(units) if units else [DIMENSIONLESS] * X.shape[1],
            np.ones(X.shape[1], dtype=int),
        )
        counts = [len(pool.trees)]
        yield pool
        for rung in range(1, self.complexity + 1):
            total, grown = 0, []
            for part in _expand(pool, self.operators, units is not None, block):
                total += len(part.values)
                if rung == self.complexity:
                    yield part
                else:
                    grown.append(part.take(np.arange(len(part.values))))
            counts.append(total)
            if rung < self.complexity:
                new = _concat(grown, n)
                yield new
                pool = _concat([pool, new], n)
        self.n_candidates_ = counts

    def _screen(
        self, X: np.ndarray, units: list[Unit] | None, target: np.ndarray, exclude: set[str], names: list[str]
    ) -> _Pool:
        """The ``n_sis`` candidates most correlated with ``target`` (no near-duplicates)."""
        keep = 4 * self.n_sis
        best, best_score = _concat([], len(target)), np.empty(0)
        for part in self._candidates(X, units):
            if not len(part.values):
                continue
            score = _abs_correlation(part.values, target)
            if len(score) > keep:  # only this block's leaders can enter the overall top
                leaders = np.argpartition(-score, keep)[:keep]
                part, score = part.take(leaders), score[leaders]
            elif isinstance(part, _Block):
                part = part.take(np.arange(len(score)))
            merged, merged_score = _concat([best, part], len(target)), np.concatenate([best_score, score])
            # equal scores (one descriptor written two ways): the shorter formula first
            top = np.lexsort((merged.sizes, -np.round(merged_score, 12)))[:keep]
            best, best_score = merged.take(top), merged_score[top]
        chosen: list[int] = []
        for k in range(len(best.trees)):
            if to_string(best.trees[k], names) in exclude:
                continue
            if chosen and np.max(_abs_correlation(best.values[chosen], best.values[k])) > 1 - 1e-10:
                continue  # the same descriptor written another way
            chosen.append(k)
            if len(chosen) == self.n_sis:
                break
        return best.take(chosen)

    def fit(self, X: Any, y: Any) -> SISSORegressor:
        """Build the candidate formulas, screen them (SIS) and fit the best 1..``n_terms``-term linear models (ℓ0).

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_primary)
            Primary features; a DataFrame's column names name them in the formulas.
        y : array-like of shape (n_samples,)

        Returns
        -------
        self
        """
        clock = time.perf_counter()
        X, y, names, units = self._check(X, y)
        self.feature_names_in_ = np.array(names, dtype=object)
        self.n_features_in_ = X.shape[1]
        subspace = _concat([], len(y))
        residual = y.copy()
        self.models_ = []
        for d in range(1, self.n_terms + 1):
            found = self._screen(X, units, residual, {to_string(t, names) for t in subspace.trees}, names)
            subspace = _concat([subspace, found], len(y))
            model = _best_subset(subspace.values, y, d)
            if model is None:
                break
            columns, coef, intercept, rmse = model
            self.models_.append(
                {
                    "n_terms": d,
                    "trees": [subspace.trees[c] for c in columns],
                    "formulas": [to_string(subspace.trees[c], names) for c in columns],
                    "units": [format_unit(subspace.units[c]) if units else "" for c in columns],
                    "coef": coef.tolist(),
                    "intercept": float(intercept),
                    "rmse": float(rmse),
                }
            )
            residual = y - (coef @ subspace.values[columns] + intercept)
        final = self.models_[-1]
        self.formula_ = (
            " + ".join(f"{c:.6g} * {f}" for c, f in zip(final["coef"], final["formulas"]))
            + f" + {final['intercept']:.6g}"
        )
        self.coef_, self.intercept_ = np.array(final["coef"]), final["intercept"]
        self.fit_seconds_ = time.perf_counter() - clock
        return self

    def predict(self, X: Any, n_terms: int | None = None) -> np.ndarray:
        """Predictions of the ``n_terms`` model (default: the largest fitted)."""
        check_is_fitted(self, "models_")
        X = np.asarray(X, dtype=float)
        if X.ndim != 2 or X.shape[1] != self.n_features_in_:
            raise ValueError(f"X has {X.shape[-1]} features; this model was fitted on {self.n_features_in_}")
        model = self.models_[(n_terms or len(self.models_)) - 1]
        return sum(c * evaluate(t, X) for c, t in zip(model["coef"], model["trees"])) + model["intercept"]

    def models_frame(self) -> pd.DataFrame:
        """One row per number of terms: formulas, coefficients, intercept, training RMSE."""
        check_is_fitted(self, "models_")
        return pd.DataFrame([{k: v for k, v in m.items() if k != "trees"} for m in self.models_])


def _best_subset(values: np.ndarray, y: np.ndarray, d: int) -> tuple[np.ndarray, np.ndarray, float, float] | None:
    """Least squares with intercept on every d-subset of the rows of ``values``; the lowest RMSE."""
    s = len(values)
    if s < d:
        return None
    centred = values - values.mean(axis=1, keepdims=True)
    yc = y - y.mean()
    gram, rhs = centred @ centred.T, centred @ yc
    combos = np.array(list(itertools.combinations(range(s), d)))
    G = gram[combos[:, :, None], combos[:, None, :]]
    b = rhs[combos]
    coef = np.einsum("cij,cj->ci", np.linalg.pinv(G, hermitian=True), b)
    sse = yc @ yc - np.einsum("ci,ci->c", coef, b)
    columns = combos[int(np.argmin(sse))]
    # refit the chosen subset by QR-based least squares (the normal equations lose digits)
    design = np.column_stack([values[columns].T, np.ones(len(y))])
    solution = np.linalg.lstsq(design, y, rcond=None)[0]
    rmse = float(np.sqrt(np.mean((design @ solution - y) ** 2)))
    return columns, solution[:-1], float(solution[-1]), rmse
