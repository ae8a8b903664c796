"""Bemis–Murcko scaffolds: group molecules by ring system + linkers, for scaffold splits."""

from __future__ import annotations

from collections.abc import Sequence

from ase import Atoms

ACYCLIC = "(acyclic)"  # the group of molecules without any ring


def murcko_scaffold(atoms: Atoms) -> str:
    """Canonical SMILES of the Bemis–Murcko scaffold (J. Med. Chem. 39, 2887, 1996) of a molecule.

    Side chains are cut off; ring systems and the chains linking them stay. The molecule comes from
    ``atoms.info["smiles"]`` or from bond perception on the 3D geometry.

    Parameters
    ----------
    atoms : ase.Atoms
        A molecule (``pbc=False``).

    Returns
    -------
    str
        The scaffold's SMILES; ``"(acyclic)"`` for a molecule without rings.
    """
    from rdkit import Chem
    from rdkit.Chem.Scaffolds import MurckoScaffold

    from atomlearn.structures import to_rdkit

    if atoms.pbc.any():
        raise ValueError(
            "a Bemis-Murcko scaffold is defined for molecules, not periodic crystals; "
            "use the cluster or group splitter for crystals"
        )
    molecule = to_rdkit(atoms)
    scaffold = Chem.MolToSmiles(MurckoScaffold.GetScaffoldForMol(molecule))
    return scaffold or ACYCLIC


def scaffold_groups(structures: Sequence[Atoms]) -> list[str]:
    """The scaffold of each molecule, a group label for ``GroupKFold`` / ``GroupHoldout``.

    Parameters
    ----------
    structures : sequence of ase.Atoms

    Returns
    -------
    list of str
    """
    return [murcko_scaffold(atoms) for atoms in structures]
