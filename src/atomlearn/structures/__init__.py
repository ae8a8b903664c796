"""Read, convert and hash atomic structures; everything becomes an ``ase.Atoms``.

* CIF through gemmi (:mod:`.cif`), every value checked first (:mod:`.cif_checks`).
* P1 CIFs with partial charges written (:mod:`.cif_write`).
* Any other format that ``ase.io`` reads: XYZ, extended XYZ, POSCAR, PDB, ... (:mod:`.files`).
* SMILES through RDKit, and back (:mod:`.molecules`).
* pymatgen ``Structure``/``Molecule`` conversion at the edge (:mod:`.pymatgen_objects`).
* Lazy lists that read each structure when used (:mod:`.lazy`).
* Extended XYZ trajectories appended frame by frame, torn last frames cut (:mod:`.trajectory`).
* Overlapping sites (unresolved disorder, duplicated atoms) refused on reading (:mod:`.overlaps`).
* ``structure_hash``: a content hash used as the cache key (:mod:`.hashing`).

Molecules have ``pbc=False``; crystals ``pbc=True`` and a cell in Å.
"""

from atomlearn.structures.cif import (
    CIF_SUFFIXES,
    CifRepairWarning,
    PartialOccupancyWarning,
    cif_text_to_atoms,
    read_cif,
)
from atomlearn.structures.cif_write import cif_text, write_cif
from atomlearn.structures.files import BINARY_FORMAT_SUFFIXES, check_cell, check_structure, read_frames, read_structure
from atomlearn.structures.hashing import structure_hash
from atomlearn.structures.lazy import LazyStructures, load_each, materialize, take_structures
from atomlearn.structures.molecules import from_smiles, to_rdkit
from atomlearn.structures.neighbours import pairs_within
from atomlearn.structures.overlaps import (
    MIN_DISTANCE_A,
    OVERLAP_FACTOR,
    check_overlaps,
    overlap_mask,
    overlapping_pairs,
)
from atomlearn.structures.pymatgen_objects import from_pymatgen, to_pymatgen
from atomlearn.structures.trajectory import append_frame, read_md_frames

__all__ = [
    "BINARY_FORMAT_SUFFIXES",
    "CIF_SUFFIXES",
    "CifRepairWarning",
    "LazyStructures",
    "PartialOccupancyWarning",
    "append_frame",
    "check_cell",
    "check_structure",
    "check_overlaps",
    "overlapping_pairs",
    "overlap_mask",
    "OVERLAP_FACTOR",
    "MIN_DISTANCE_A",
    "cif_text",
    "cif_text_to_atoms",
    "from_pymatgen",
    "from_smiles",
    "load_each",
    "materialize",
    "pairs_within",
    "read_cif",
    "read_frames",
    "read_md_frames",
    "read_structure",
    "structure_hash",
    "take_structures",
    "to_pymatgen",
    "to_rdkit",
    "write_cif",
]
