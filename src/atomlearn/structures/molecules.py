"""Molecules through RDKit: SMILES embedded in 3D (ETKDG, fixed seed, force-field relaxed) and
``ase.Atoms`` back to an RDKit molecule (bond perception from the 3D geometry).
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from typing import Any

from ase import Atoms

from atomlearn.errors import StructureError


def from_smiles(
    smiles: str,
    *,
    random_state: int = 42,
    force_field: str | None = "MMFF",
    max_iterations: int = 2000,
) -> Atoms:
    """Embed a SMILES string in 3D (RDKit ETKDGv3, hydrogens added) and relax it.

    Parameters
    ----------
    smiles : str
    random_state : int
        Seed of the embedding: same seed, same geometry.
    force_field : {"MMFF", "UFF"} or None
        MMFF94 (falling back to UFF where MMFF lacks parameters), UFF, or no relaxation.
    max_iterations : int
        Most relaxation steps.

    Returns
    -------
    ase.Atoms
        Positions in Å, ``pbc=False``, the SMILES in ``info["smiles"]``.
    """
    from rdkit import Chem, RDLogger
    from rdkit.Chem import AllChem

    RDLogger.DisableLog("rdApp.*")
    try:
        molecule = Chem.MolFromSmiles(smiles) if isinstance(smiles, str) and smiles.strip() else None
        if molecule is None:
            raise StructureError(
                f"SMILES {smiles!r} could not be parsed by RDKit; check brackets, ring closures and valences."
            )
        molecule = Chem.AddHs(molecule)
        params = AllChem.ETKDGv3()
        params.randomSeed = int(random_state)
        if AllChem.EmbedMolecule(molecule, params) != 0:
            params.useRandomCoords = True
            if AllChem.EmbedMolecule(molecule, params) != 0:
                raise StructureError(f"SMILES {smiles!r}: RDKit could not embed it in 3D.")
        _relax(molecule, force_field, max_iterations)
    finally:
        RDLogger.EnableLog("rdApp.*")
    numbers = [atom.GetAtomicNum() for atom in molecule.GetAtoms()]
    atoms = Atoms(numbers=numbers, positions=molecule.GetConformer().GetPositions(), pbc=False)
    atoms.info["smiles"] = smiles
    return atoms


def to_rdkit(atoms: Atoms, charge: int | None = None) -> Any:
    """An RDKit molecule (implicit hydrogens) for a finite molecule.

    From ``atoms.info["smiles"]`` when present, otherwise by bond perception from the 3D geometry
    (RDKit ``DetermineBonds``).

    Parameters
    ----------
    atoms : ase.Atoms
    charge : int, optional
        Total charge (default ``atoms.info["charge"]``, else 0).

    Returns
    -------
    rdkit.Chem.Mol

    Raises
    ------
    StructureError
        For a periodic structure, and when no valid bonding pattern is found.
    """
    from rdkit import Chem, RDLogger

    if atoms.pbc.any():
        raise StructureError("RDKit molecules need a finite molecule; this structure is periodic")
    smiles = atoms.info.get("smiles")
    if isinstance(smiles, str) and smiles.strip():
        molecule = Chem.MolFromSmiles(smiles)
        if molecule is None:
            raise StructureError(f"SMILES {smiles!r} in atoms.info could not be parsed by RDKit")
        return molecule
    charge = int(atoms.info.get("charge", 0) if charge is None else charge)
    editable = Chem.RWMol()
    for number in atoms.numbers:
        editable.AddAtom(Chem.Atom(int(number)))
    conformer = Chem.Conformer(len(atoms))
    for index, position in enumerate(atoms.positions):
        conformer.SetAtomPosition(index, position.tolist())
    editable.AddConformer(conformer, assignId=True)
    RDLogger.DisableLog("rdApp.*")
    try:
        molecule = _perceive_bonds(editable, charge)
    finally:
        RDLogger.EnableLog("rdApp.*")
    molecule = Chem.RemoveAllHs(molecule)
    Chem.RemoveStereochemistry(molecule)  # the graph only, as from a plain SMILES
    return molecule


def _perceive_bonds(editable: Any, charge: int) -> Any:
    """Connectivity from covalent radii, then bond orders (xyz2mol); the extended-Hückel
    connectivity is the fallback for strained rings where the radii rule fails."""
    from rdkit import Chem
    from rdkit.Chem import rdDetermineBonds

    error: Exception | None = None
    for use_hueckel in (False, True):
        molecule = Chem.RWMol(editable)
        try:
            with (
                _quiet_c_output() if use_hueckel else contextlib.nullcontext()
            ):  # YAeHMOP prints "!!! Warning !!!" lines
                rdDetermineBonds.DetermineBonds(molecule, charge=charge, useHueckel=use_hueckel)
            Chem.SanitizeMol(molecule)
            return molecule.GetMol()
        except (ValueError, RuntimeError) as failure:
            error = failure
    raise StructureError(
        f"could not assign bonds from the 3D geometry (charge {charge}): {error}; "
        "give the SMILES in atoms.info['smiles'] or the charge in atoms.info['charge']"
    )


@contextlib.contextmanager
def _quiet_c_output() -> Iterator[None]:
    """Send what compiled code writes to the process's stdout and stderr (file descriptors 1 and 2)
    to /dev/null for the duration; Python's own streams are flushed first."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = [os.dup(1), os.dup(2)]
    with open(os.devnull, "w") as sink:
        os.dup2(sink.fileno(), 1)
        os.dup2(sink.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            for fd in saved:
                os.close(fd)


def _relax(molecule: Any, force_field: str | None, max_iterations: int) -> None:
    from rdkit.Chem import AllChem

    if force_field is None:
        return
    if force_field not in ("MMFF", "UFF"):
        raise ValueError(f"force_field must be 'MMFF', 'UFF' or None, not {force_field!r}")
    if force_field == "MMFF" and AllChem.MMFFHasAllMoleculeParams(molecule):
        AllChem.MMFFOptimizeMolecule(molecule, maxIters=max_iterations)
    elif AllChem.UFFHasAllMoleculeParams(molecule):
        AllChem.UFFOptimizeMolecule(molecule, maxIters=max_iterations)
