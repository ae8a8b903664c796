"""Numerical symmetry checks of featurizers, and augmentation by symmetry operations.

``check`` applies random translations, rotations, atom permutations and (for crystals)
supercell expansions to structures and reports, per symmetry, the largest relative change
of the feature rows. ``augment`` makes randomly moved copies for models fed
non-invariant input (the lecture's alternative to invariant descriptors).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd
from ase import Atoms
from scipy.spatial.transform import Rotation
from sklearn.base import clone

from atomlearn.featurizers.base import SYMMETRIES, Featurizer
from atomlearn.structures import materialize

#: a declared symmetry holds when the largest relative change is below this
TOLERANCE = 1e-8


def translate(atoms: Atoms, rng: np.random.Generator) -> Atoms:
    """All atoms shifted by one random vector (up to 5 Å); crystals are wrapped back into the cell."""
    moved = atoms.copy()
    moved.positions += rng.uniform(-5.0, 5.0, size=3)
    if moved.pbc.all():
        moved.wrap()
    return moved


def rotate(atoms: Atoms, rng: np.random.Generator) -> Atoms:
    """Atoms (and the cell of a crystal) rotated by one random proper rotation about the origin."""
    matrix = Rotation.random(random_state=rng).as_matrix()
    moved = atoms.copy()
    moved.positions = moved.positions @ matrix.T
    if moved.cell.rank:
        moved.set_cell(np.asarray(moved.cell) @ matrix.T, scale_atoms=False)
    return moved


def permute(atoms: Atoms, rng: np.random.Generator) -> Atoms:
    """The same structure with its atoms listed in a random order (per-atom arrays follow)."""
    moved = atoms[rng.permutation(len(atoms))]
    moved.info = dict(atoms.info)
    return moved


def expand(atoms: Atoms, rng: np.random.Generator) -> Atoms | None:
    """A 2x supercell along one random axis (None for a molecule: not applicable)."""
    if not atoms.pbc.all():
        return None
    repeat = [1, 1, 1]
    repeat[int(rng.integers(3))] = 2
    moved = atoms.repeat(repeat)
    moved.info = dict(atoms.info)
    return moved


OPERATIONS: dict[str, Callable[[Atoms, np.random.Generator], Atoms | None]] = {
    "translation": translate,
    "rotation": rotate,
    "permutation": permute,
    "supercell": expand,
}


def relative_change(reference: np.ndarray, moved: np.ndarray) -> np.ndarray:
    """Per row: max |moved - reference| / max |reference| (rows of zeros use an absolute change)."""
    scale = np.maximum(np.abs(reference).max(axis=1), 1e-12)
    return np.abs(moved - reference).max(axis=1) / scale


def check(
    featurizer: Featurizer,
    structures: Sequence[Atoms],
    symmetries: Sequence[str] = SYMMETRIES,
    n_trials: int = 2,
    random_state: int | None = 0,
    tolerance: float = TOLERANCE,
) -> pd.DataFrame:
    """Table of the largest relative feature change under each symmetry operation.

    The featurizer is fitted on ``structures`` if it is not fitted yet (a fitted one is
    used as it is). Columns: ``symmetry``, ``declared`` (the featurizer claims it),
    ``max_relative_change`` (NaN when a moved copy failed), ``holds`` (change <
    ``tolerance``), ``n_structures`` (those it applies to: the ones featurized without
    error, and for supercells only crystals), ``status`` ("ok", "VIOLATED" when declared
    but broken, "not invariant", "not declared", "n/a").
    """
    structures = materialize(structures)
    _check_symmetries(symmetries)
    if hasattr(featurizer, "feature_names_out_"):
        featurizer = copy.deepcopy(featurizer)
    else:
        featurizer = clone(featurizer)
    if "cache" in featurizer.get_params():
        featurizer.set_params(cache=False)  # moved copies would only fill the cache
    if not hasattr(featurizer, "feature_names_out_"):
        featurizer.fit(structures)
    reference = featurizer.transform(structures)
    usable = np.isfinite(reference).all(axis=1)
    if not usable.any():
        raise ValueError(f"{featurizer.name} failed on every structure given; see featurizer.errors_table()")
    structures = [atoms for atoms, ok in zip(structures, usable) if ok]
    reference = reference[usable]
    rng = np.random.default_rng(random_state)
    rows = []
    for symmetry in symmetries:
        worst, n_applied = 0.0, 0
        for _ in range(n_trials):
            moved = [OPERATIONS[symmetry](atoms, rng) for atoms in structures]
            keep = [i for i, atoms in enumerate(moved) if atoms is not None]
            if not keep:
                continue
            features = featurizer.transform([moved[i] for i in keep])
            change = relative_change(reference[keep], features)
            worst = max(worst, float(change.max())) if np.isfinite(change).all() else np.nan
            n_applied = len(keep)
        declared = symmetry in featurizer.symmetries
        holds = bool(n_applied and worst < tolerance)
        if not n_applied:
            status = "n/a"
        elif declared:
            status = "ok" if holds else "VIOLATED"
        else:
            status = "invariant (not declared)" if holds else "not invariant"
        rows.append(
            {
                "symmetry": symmetry,
                "declared": declared,
                "max_relative_change": worst if n_applied else np.nan,
                "holds": holds,
                "n_structures": n_applied,
                "status": status,
            }
        )
    return pd.DataFrame(rows)


def augment(
    structures: Sequence[Atoms],
    n_copies: int = 4,
    operations: Sequence[str] = ("translation", "rotation", "permutation"),
    include_original: bool = True,
    random_state: int | None = 0,
) -> list[Atoms]:
    """Randomly translated/rotated/permuted copies of each structure.

    Copies of structure i sit next to each other (``n_copies`` of them, plus the original
    first with ``include_original``), so labels follow with ``np.repeat(y, k)`` where
    ``k = n_copies + include_original``. Each copy keeps ``info`` (its id included).
    """
    if n_copies < 0:
        raise ValueError("n_copies must be >= 0")
    unknown = set(operations) - {"translation", "rotation", "permutation"}
    if unknown:
        raise ValueError(f"cannot augment with {sorted(unknown)}: use translation, rotation, permutation")
    rng = np.random.default_rng(random_state)
    augmented = []
    for atoms in materialize(structures):
        if include_original:
            augmented.append(atoms.copy())
        for _ in range(n_copies):
            moved = atoms
            for name in operations:
                moved = OPERATIONS[name](moved, rng)
            augmented.append(moved)
    return augmented


def check_energy_model(
    energy: Callable[[list[Atoms]], np.ndarray],
    forces: Callable[[list[Atoms]], list[np.ndarray]] | None,
    structures: Sequence[Atoms],
    symmetries: Sequence[str] = SYMMETRIES,
    n_trials: int = 2,
    random_state: int | None = 0,
    tolerance: float = TOLERANCE,
) -> pd.DataFrame:
    """The same symmetry operations applied to a model of energies (and forces), e.g. a network's
    ``predict`` and ``predict_forces``.

    Energies must be invariant (per atom, for supercells: an extensive energy doubles with the
    cell); forces must follow the atoms (permutation, supercell images) and rotate with the
    structure. Columns: ``symmetry``, ``quantity`` ("energy" or "forces"), ``max_relative_change``
    (largest change over the largest reference value), ``holds``, ``n_structures``.
    """
    _check_symmetries(symmetries)
    structures = [atoms.copy() for atoms in materialize(structures)]
    if not structures:
        raise ValueError("no structures to check")
    for atoms in structures:
        atoms.arrays["original_index"] = np.arange(len(atoms))
    sizes = np.array([len(atoms) for atoms in structures], dtype=float)
    reference_energy = np.asarray(energy(structures), dtype=float) / sizes
    reference_forces = forces(structures) if forces is not None else None
    rng = np.random.default_rng(random_state)
    rows = []
    for symmetry in symmetries:
        worst = {"energy": 0.0, "forces": 0.0}
        n_applied = 0
        for _ in range(n_trials):
            moved = [(i, OPERATIONS[symmetry](atoms, rng)) for i, atoms in enumerate(structures)]
            moved = [(i, atoms) for i, atoms in moved if atoms is not None]
            if not moved:
                continue
            n_applied = len(moved)
            rows_of = [i for i, _ in moved]
            moved_structures = [atoms for _, atoms in moved]
            per_atom = np.asarray(energy(moved_structures), dtype=float) / np.array([len(a) for a in moved_structures])
            scale = max(np.abs(reference_energy[rows_of]).max(), 1e-12)
            worst["energy"] = max(worst["energy"], float(np.abs(per_atom - reference_energy[rows_of]).max() / scale))
            if forces is None:
                continue
            for i, atoms, predicted in zip(rows_of, moved_structures, forces(moved_structures)):
                expected = reference_forces[i][atoms.arrays["original_index"]]
                if symmetry == "rotation":
                    expected = expected @ _linear_map(structures[i], atoms).T
                scale = max(np.abs(reference_forces[i]).max(), 1e-12)
                worst["forces"] = max(worst["forces"], float(np.abs(predicted - expected).max() / scale))
        for quantity in ("energy", "forces") if forces is not None else ("energy",):
            rows.append(
                {
                    "symmetry": symmetry,
                    "quantity": quantity,
                    "max_relative_change": worst[quantity] if n_applied else np.nan,
                    "holds": bool(n_applied and worst[quantity] < tolerance),
                    "n_structures": n_applied,
                }
            )
    return pd.DataFrame(rows)


def _check_symmetries(symmetries: Sequence[str]) -> None:
    unknown = set(symmetries) - set(SYMMETRIES)
    if unknown:
        raise ValueError(f"unknown symmetry {sorted(unknown)}; choose from {', '.join(SYMMETRIES)}")


def _linear_map(original: Atoms, moved: Atoms) -> np.ndarray:
    """The matrix R with moved positions = R · original positions (up to a translation)."""
    before = original.positions - original.positions.mean(axis=0)
    after = moved.positions[np.argsort(moved.arrays["original_index"])]
    after = after - after.mean(axis=0)
    solution, *_ = np.linalg.lstsq(before, after, rcond=None)
    return solution.T
