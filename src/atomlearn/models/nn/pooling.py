"""Extensive or intensive targets: how the structure networks pool their atoms' outputs.

An energy grows with the structure (``sum`` of atomic contributions); a density, a band gap
or a pore size does not (``mean``). ``auto`` decides from the training data by which
composition baseline predicts the target better in leave-one-out: least squares on the
element counts (extensive) or on the element fractions (intensive). Forces imply an energy,
so a fit with forces always sums.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from ase import Atoms

MAX_Z = 100
POOLINGS = ("auto", "sum", "mean")


def composition_matrix(structures: Sequence[Atoms], pooling: str) -> np.ndarray:
    """(n_structures, MAX_Z + 1): element counts (``sum``) or fractions (``mean``) per structure."""
    counts = np.zeros((len(structures), MAX_Z + 1))
    for row, atoms in enumerate(structures):
        np.add.at(counts[row], atoms.numbers, 1.0)
    if pooling == "mean":
        counts /= np.maximum(counts.sum(axis=1, keepdims=True), 1.0)
    return counts


def reference_energies(structures: Sequence[Atoms], y: np.ndarray, pooling: str = "sum") -> np.ndarray:
    """Per-element values (index Z) fitted to ``y`` by ridge-regularised least squares on the counts
    (``sum``) or fractions (``mean``); ``composition_matrix(...) @ reference`` is the baseline."""
    design = composition_matrix(structures, pooling)
    present = np.flatnonzero(design.sum(axis=0))
    coefficients, _ = _ridge(design[:, present], y)
    reference = np.zeros(MAX_Z + 1)
    reference[present] = coefficients
    return reference


def choose_pooling(pooling: str, structures: Sequence[Atoms], y: np.ndarray, has_forces: bool) -> str:
    """``sum`` or ``mean``: the one asked for, or for ``auto`` the better composition baseline in leave-one-out."""
    if pooling not in POOLINGS:
        raise ValueError(f"pooling must be one of {', '.join(POOLINGS)}, got {pooling!r}")
    if has_forces:
        if pooling == "mean":
            raise ValueError(
                "forces are derivatives of an energy, which sums over atoms: use pooling='sum' (or 'auto')"
            )
        return "sum"
    if pooling != "auto":
        return pooling
    errors = {}
    for candidate in ("sum", "mean"):
        design = composition_matrix(structures, candidate)
        design = design[:, np.flatnonzero(design.sum(axis=0))]
        errors[candidate] = _loo_mean_squared_error(design, np.asarray(y, dtype=float))
    return "sum" if errors["sum"] <= errors["mean"] else "mean"


def _ridge(design: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Least-squares coefficients with a tiny ridge (for elements that always appear together) and
    the inverse of the regularised normal matrix."""
    gram = design.T @ design
    gram += 1e-8 * max(1.0, float(np.trace(gram))) * np.eye(len(gram))
    inverse = np.linalg.inv(gram)
    return inverse @ (design.T @ y), inverse


def _loo_mean_squared_error(design: np.ndarray, y: np.ndarray) -> float:
    """Mean squared leave-one-out error of the least-squares fit, r_i / (1 − h_ii), over rows with
    leverage below 0.99 (a structure with an element of its own cannot be predicted by either)."""
    coefficients, inverse = _ridge(design, y)
    leverage = np.einsum("ij,jk,ik->i", design, inverse, design)
    residual = (y - design @ coefficients) / np.maximum(1.0 - leverage, 1e-12)
    keep = leverage < 0.99
    return float(np.mean(residual[keep] ** 2)) if keep.any() else float(np.mean(residual**2))


def unusable_structures(structures: Sequence[Atoms], check) -> dict[int, str]:
    """Index -> reason for each structure that is empty, holds an element beyond ``MAX_Z``, or that
    the network's ``check(atoms, label)`` (building its graph, say) refuses with a ValueError."""
    reasons = {}
    for index, atoms in enumerate(structures):
        label = atoms.info.get("id", f"structure {index}")
        if len(atoms) == 0:
            reasons[index] = f"{label}: no atoms"
        elif atoms.numbers.max() > MAX_Z:
            reasons[index] = f"{label}: element Z = {atoms.numbers.max()} beyond the networks' Z <= {MAX_Z}"
        else:
            try:
                check(atoms, label)
            except ValueError as exc:
                message = str(exc)
                reasons[index] = message if message.startswith(str(label)) else f"{label}: {message}"
    return reasons
