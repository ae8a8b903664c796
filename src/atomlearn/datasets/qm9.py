"""QM9: 130,831 small organic molecules (C, H, O, N, F) with B3LYP/6-31G(2df,p) properties.

Data come from the ``qm9pack`` package (CSV files). The first load converts them to
numpy arrays and a Parquet table under the cache folder (about 30 s); later loads
read those (well under a second) and build each ``ase.Atoms`` on access.

Label columns carry their unit in the name. Atomization energies are the molecular
energy minus the free-atom energies of the same method (QM9 ``atomref`` table), so a
stable molecule has a negative value.
"""

from __future__ import annotations

import os
import shutil
import warnings
from functools import cached_property
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
from ase import Atoms
from ase.data import atomic_numbers
from filelock import FileLock

from atomlearn.cache import cache_dir
from atomlearn.datasets.base import Dataset, DatasetMeta
from atomlearn.structures import LazyStructures
from atomlearn.units import HARTREE_TO_EV, HARTREE_TO_KCAL_MOL

CACHE_VERSION = "v1"
CSV_PARTS = ("qm9_part1.csv", "qm9_part2.csv", "qm9_part3.csv")
POLARIZABILITY_CSV = "qm9_polarizability.csv"

#: Free-atom energies (Hartree) at B3LYP/6-31G(2df,p), from the QM9 atomref table
#: (Ramakrishnan et al. 2014): U0 (0 K), U, H and G (298.15 K).
ATOM_REFERENCE_HARTREE = {
    "U0": {"H": -0.500273, "C": -37.846772, "N": -54.583861, "O": -75.064579, "F": -99.718730},
    "U": {"H": -0.498857, "C": -37.845355, "N": -54.582445, "O": -75.063162, "F": -99.717314},
    "H": {"H": -0.497912, "C": -37.844411, "N": -54.581501, "O": -75.062219, "F": -99.716370},
    "G": {"H": -0.510927, "C": -37.861317, "N": -54.598897, "O": -75.079532, "F": -99.733544},
}

#: qm9pack column -> (our column, unit)
SCALAR_COLUMNS = {
    "Index": ("index", ""),
    "SMILES": ("smiles", ""),
    "InChi": ("inchi", ""),
    "N_atoms": ("n_atoms", ""),
    "RotA_GHz": ("rot_A_GHz", "GHz"),
    "RotB_GHz": ("rot_B_GHz", "GHz"),
    "RotC_GHz": ("rot_C_GHz", "GHz"),
    "Dipole_debye": ("dipole_D", "D"),
    "Polarizability_bohr3": ("polarizability_bohr3", "bohr^3"),
    "HOMO_au": ("HOMO_Ha", "Ha"),
    "LUMO_au": ("LUMO_Ha", "Ha"),
    "HOMO_LUMO_gap_au": ("gap_Ha", "Ha"),
    "R2_bohr2": ("R2_bohr2", "bohr^2"),
    "ZPVE_au": ("ZPVE_Ha", "Ha"),
    "InternalEnergy_0K_au": ("U0_Ha", "Ha"),
    "InternalEnergy_298K_au": ("U_Ha", "Ha"),
    "Enthalphy_298K_au": ("H_Ha", "Ha"),
    "GibbsFreeEnergy_298K_au": ("G_Ha", "Ha"),
    "Heatcapacity_Cv_cal_mol_K": ("Cv_cal_mol_K", "cal/(mol K)"),
}
TENSOR_COLUMNS = ["A_xx", "A_xy", "A_yy", "A_xz", "A_yz", "A_zz"]

CITATION = (
    "R. Ramakrishnan, P. O. Dral, M. Rupp, O. A. von Lilienfeld, Quantum chemistry structures "
    "and properties of 134 kilo molecules, Sci. Data 1, 140022 (2014). "
    "doi:10.1038/sdata.2014.22"
)


def load_qm9() -> Dataset:
    """All 130,831 QM9 molecules of ``qm9pack`` with their properties (lazy structures)."""
    folder = converted_qm9_folder()
    labels = pd.read_parquet(folder / "labels.parquet")
    units = {our: unit for our, unit in SCALAR_COLUMNS.values()}
    units.update({f"polarizability_{c}_bohr3": "bohr^3" for c in TENSOR_COLUMNS})
    units.update(
        {c: ("eV" if c.endswith("_eV") else "kcal/mol") for c in labels.columns if c.endswith(("_eV", "_kcal_mol"))}
    )
    meta = DatasetMeta(
        name="qm9",
        description="QM9: 130,831 organic molecules with up to 9 heavy atoms (C, O, N, F); "
        "B3LYP/6-31G(2df,p) geometries and properties.",
        units={c: units.get(c, "") for c in labels.columns},
        citation=CITATION,
        source="PyPI package qm9pack 1.0.3",
        notes=[
            "Atomization energies (*_atomization_*) = molecular energy minus QM9 atomref "
            "free-atom energies; negative for a bound molecule.",
            "Per-atom Mulliken charges (e) are in atoms.arrays['mulliken_charge_e']; harmonic "
            "frequencies (cm^-1) in atoms.info['harmonic_frequencies_cm1'].",
        ],
    )
    return Dataset(list(labels.index), LazyStructures(range(len(labels)), Qm9Loader(folder)), labels, meta)


class Qm9Loader:
    """Builds QM9 molecule ``i`` from the converted arrays (read once per process, ~100 MB)."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    def __getstate__(self) -> dict:
        return {"folder": self.folder}

    def __setstate__(self, state: dict) -> None:
        self.folder = state["folder"]

    @cached_property
    def _arrays(self) -> dict[str, np.ndarray]:
        names = ("ids", "numbers", "positions", "atom_offsets", "mulliken", "frequencies", "frequency_offsets")
        return {name: np.load(self.folder / f"{name}.npy") for name in names}

    def __call__(self, index: int) -> Atoms:
        a = self._arrays
        start, stop = a["atom_offsets"][index], a["atom_offsets"][index + 1]
        atoms = Atoms(numbers=a["numbers"][start:stop], positions=a["positions"][start:stop], pbc=False)
        atoms.arrays["mulliken_charge_e"] = a["mulliken"][start:stop].astype(float)
        f_start, f_stop = a["frequency_offsets"][index], a["frequency_offsets"][index + 1]
        atoms.info["harmonic_frequencies_cm1"] = a["frequencies"][f_start:f_stop].copy()
        atoms.info["id"] = str(a["ids"][index])
        return atoms

    def __repr__(self) -> str:
        return f"Qm9Loader({str(self.folder)!r})"


def converted_qm9_folder() -> Path:
    """The converted QM9 arrays in the cache folder, converting once if needed (thread/process safe)."""
    root = cache_dir() / "qm9"
    root.mkdir(parents=True, exist_ok=True)
    folder = root / CACHE_VERSION
    if (folder / "labels.parquet").exists():
        return folder
    with FileLock(str(root / f"{CACHE_VERSION}.lock")):
        if not (folder / "labels.parquet").exists():
            staging = root / f"{CACHE_VERSION}.tmp-{os.getpid()}"
            shutil.rmtree(staging, ignore_errors=True)
            staging.mkdir()
            convert_qm9(staging)
            os.replace(staging, folder)
    return folder


def _package_file(name: str) -> Path:
    with warnings.catch_warnings():  # qm9pack imports pkg_resources: its deprecation is not the user's business
        warnings.filterwarnings("ignore", message="pkg_resources is deprecated")
        return Path(str(resources.files("qm9pack") / "data" / name))


def _flatten_lists(column: pd.Series, dtype: type) -> np.ndarray:
    """Parse a column of '[a,b,...]' strings (nested allowed) into one flat array."""
    text = ",".join(column.tolist()).translate(str.maketrans("", "", "[]' \""))
    return np.array(text.split(","), dtype=dtype)


def convert_qm9(out: Path) -> None:
    """Convert the qm9pack CSV files to arrays + a Parquet label table in ``out``."""
    table = pd.concat([pd.read_csv(_package_file(part)) for part in CSV_PARTS], ignore_index=True)
    n_atoms = table["N_atoms"].to_numpy(dtype=np.int64)
    atom_offsets = np.concatenate([[0], np.cumsum(n_atoms)])
    symbols = _flatten_lists(table["Elements"], str)
    numbers = np.array([atomic_numbers[s] for s in symbols], dtype=np.uint8)
    positions = _flatten_lists(table["XYZ_Ang"], np.float64).reshape(-1, 3)
    mulliken = _flatten_lists(table["Mulliken_pop"], np.float64)
    if not (len(numbers) == len(positions) == len(mulliken) == atom_offsets[-1]):
        raise RuntimeError("qm9pack data are inconsistent: atom counts do not match N_atoms")
    frequency_counts = table["Harmonic_Freq_cmi"].str.count(",").to_numpy() + 1
    frequencies = _flatten_lists(table["Harmonic_Freq_cmi"], np.float64)
    frequency_offsets = np.concatenate([[0], np.cumsum(frequency_counts)])
    ids = table["XYZ_file"].str.removesuffix(".xyz").to_numpy(dtype=str)

    labels = table[list(SCALAR_COLUMNS)].rename(columns={k: v[0] for k, v in SCALAR_COLUMNS.items()})
    labels.index = pd.Index(ids, name="id")
    polar = pd.read_csv(_package_file(POLARIZABILITY_CSV))
    polar.index = polar.pop("XYZ_file").str.removesuffix(".xyz")
    polar = polar.reindex(labels.index)
    for column in TENSOR_COLUMNS:
        labels[f"polarizability_{column}_bohr3"] = polar[column].to_numpy()
    _add_derived_labels(labels, numbers, atom_offsets)

    np.save(out / "ids.npy", ids)
    np.save(out / "numbers.npy", numbers)
    np.save(out / "positions.npy", positions)
    np.save(out / "atom_offsets.npy", atom_offsets)
    np.save(out / "mulliken.npy", mulliken.astype(np.float32))
    np.save(out / "frequencies.npy", frequencies)
    np.save(out / "frequency_offsets.npy", frequency_offsets)
    labels.to_parquet(out / "labels.parquet")


def _add_derived_labels(labels: pd.DataFrame, numbers: np.ndarray, atom_offsets: np.ndarray) -> None:
    """HOMO/LUMO/gap in eV and atomization energies (eV, kcal/mol), in place."""
    for orbital in ("HOMO", "LUMO", "gap"):
        labels[f"{orbital}_eV"] = labels[f"{orbital}_Ha"] * HARTREE_TO_EV
    molecule_of_atom = np.repeat(np.arange(len(labels)), np.diff(atom_offsets))
    for energy, reference in ATOM_REFERENCE_HARTREE.items():
        per_z = np.zeros(10)
        for symbol, value in reference.items():
            per_z[atomic_numbers[symbol]] = value
        free_atoms = np.bincount(molecule_of_atom, weights=per_z[numbers], minlength=len(labels))
        atomization_ha = labels[f"{energy}_Ha"].to_numpy() - free_atoms
        labels[f"{energy}_atomization_eV"] = atomization_ha * HARTREE_TO_EV
        labels[f"{energy}_atomization_kcal_mol"] = atomization_ha * HARTREE_TO_KCAL_MOL
