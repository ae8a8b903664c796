"""Pore geometry of crystals through Zeo++ (``pyzeo``).

Zeo++ prints to the terminal and, on degenerate Voronoi tessellations, calls ``exit()``
on the whole process. Each structure therefore runs in a forked child process (``parallel.call_in_child``) with its
output silenced and a time limit: a crash or a timeout becomes that structure's error
record, never the end of the batch. Coordinates are jittered by 1e-6 (fractional,
seeded) to break the exact symmetry that triggers most of those crashes; the values
move by less than Zeo++'s own sampling noise.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence

import numpy as np
from ase import Atoms

from atomlearn.featurizers.base import Featurizer
from atomlearn.featurizers.checks import (
    require_no_overlap,
    require_periodic,
    require_size,
)
from atomlearn.parallel import call_in_child

FEATURES = {
    "Di_A": "largest included sphere diameter (LCD), Å",
    "Df_A": "largest free sphere diameter (PLD), Å",
    "Dif_A": "largest included sphere along the free-sphere path, Å",
    "density_g_cm3": "framework density, g/cm³",
    "ASA_A2": "accessible surface area per cell, Å²",
    "ASA_m2_cm3": "accessible surface area, m²/cm³",
    "ASA_m2_g": "accessible surface area, m²/g",
    "NASA_m2_cm3": "non-accessible surface area, m²/cm³",
    "NASA_m2_g": "non-accessible surface area, m²/g",
    "AV_fraction": "probe-accessible volume fraction",
    "AV_cm3_g": "probe-accessible volume, cm³/g",
    "NAV_cm3_g": "non-accessible volume, cm³/g",
    "void_fraction": "geometric void fraction (point probe, as in the CoRE MOF table)",
}


def _p1_cif(atoms: Atoms, jitter: float, seed: int) -> str:
    """A P1 CIF that Zeo++ reads: cell parameters and fractional coordinates."""
    a, b, c, alpha, beta, gamma = atoms.cell.cellpar()
    fractional = atoms.cell.scaled_positions(atoms.positions)
    fractional = (fractional + np.random.default_rng(seed).normal(scale=jitter, size=fractional.shape)) % 1.0
    lines = [
        "data_atomlearn",
        f"_cell_length_a {a:.8f}",
        f"_cell_length_b {b:.8f}",
        f"_cell_length_c {c:.8f}",
        f"_cell_angle_alpha {alpha:.8f}",
        f"_cell_angle_beta {beta:.8f}",
        f"_cell_angle_gamma {gamma:.8f}",
        "_symmetry_space_group_name_H-M 'P 1'",
        "_symmetry_Int_Tables_number 1",
        "loop_",
        "_symmetry_equiv_pos_as_xyz",
        "  'x, y, z'",
        "loop_",
        "_atom_site_label",
        "_atom_site_type_symbol",
        "_atom_site_fract_x",
        "_atom_site_fract_y",
        "_atom_site_fract_z",
    ]
    for index, (symbol, (x, y, z)) in enumerate(zip(atoms.get_chemical_symbols(), fractional), 1):
        lines.append(f"{symbol}{index} {symbol} {x:.10f} {y:.10f} {z:.10f}")
    return "\n".join(lines) + "\n"


def _parse_zeo(text: bytes) -> dict[str, float]:
    """'key: value' pairs of a Zeo++ area/volume report."""
    tokens = text.decode().split()
    values = {}
    for key, value in zip(tokens, tokens[1:]):
        if key.endswith(":"):
            try:
                values[key[:-1]] = float(value)
            except ValueError:
                pass
    return values


def zeo_geometry(
    cif_text: str, probe_radius: float, surface_samples: int, volume_samples: int, high_accuracy: str | None
) -> dict[str, float]:
    """Run Zeo++ on a P1 CIF (in this process); see ``FEATURES`` for the keys."""
    from pyzeo.extension import high_accuracy_atomnet, surface_area, volume
    from pyzeo.netstorage import AtomNetwork

    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "structure.cif")
        with open(path, "w") as handle:
            handle.write(cif_text)
        network = AtomNetwork.read_from_CIF(path)
        if high_accuracy:
            high_accuracy_atomnet(network, high_accuracy)
        network.calculate_free_sphere_parameters(os.path.join(folder, "structure.res"))
        with open(os.path.join(folder, "structure.res")) as handle:
            di, df, dif = (float(v) for v in handle.read().split()[1:4])
    area = _parse_zeo(surface_area(network, probe_radius, probe_radius, surface_samples, False))
    occupiable = _parse_zeo(volume(network, probe_radius, probe_radius, volume_samples, False))
    geometric = _parse_zeo(volume(network, 0.0, 0.0, volume_samples, False))
    return {
        "Di_A": di,
        "Df_A": df,
        "Dif_A": dif,
        "density_g_cm3": area["Density"],
        "ASA_A2": area["ASA_A^2"],
        "ASA_m2_cm3": area["ASA_m^2/cm^3"],
        "ASA_m2_g": area["ASA_m^2/g"],
        "NASA_m2_cm3": area["NASA_m^2/cm^3"],
        "NASA_m2_g": area["NASA_m^2/g"],
        "AV_fraction": occupiable["AV_Volume_fraction"],
        "AV_cm3_g": occupiable["AV_cm^3/g"],
        "NAV_cm3_g": occupiable["NAV_cm^3/g"],
        "void_fraction": geometric["AV_Volume_fraction"],
    }


class PoreGeometry(Featurizer):
    """Zeo++ pore geometry of a crystal: Di, Df, Dif (Å), density, accessible and
    non-accessible surface areas and volumes, and the geometric void fraction.

    Crystal-only: a molecule gives a NaN row. Areas and volumes are Monte Carlo estimates:
    the cell is passed as lengths and angles, so rotation leaves the row unchanged, but
    translation, atom order and supercells change the random sample.
    Features: ``pore_<key>`` for the keys of ``FEATURES``.

    Parameters
    ----------
    probe_radius : float
        Probe radius in Å (1.86 Å: N2, as in the CoRE MOF table).
    surface_samples : int
        Monte Carlo samples per atom for the surface areas.
    volume_samples : int
        Monte Carlo samples per cell for the volumes.
    high_accuracy : str, optional
        Zeo++'s ``-ha`` setting (e.g. ``"DEF"``): large atoms split into small spheres for a more
        exact Voronoi network, as the CoRE MOF table was computed; 10-100x slower, so off by
        default, which gives diameters within a few tenths of an Å of the table.
    timeout : float
        Seconds one structure may take (it runs in a worker process); past it, a NaN row.
    max_atoms : int
        Refuse (NaN row) structures with more atoms than this.
    on_error, n_jobs, scheduler, cache
        Runtime settings of every featurizer (see :class:`~atomlearn.featurizers.base.Featurizer`).

    Attributes
    ----------
    feature_names_out_ : ndarray of str, shape (n_features,)
        Column names, fixed by ``fit``.
    n_features_out_ : int
    errors_ : list of ErrorRecord
        Structures the last ``transform`` could not featurize (id, stage, reason).
    """

    name = "pores"
    isolated = True  # native code (vesin, zeo++, DScribe): a pathological cell must not kill the batch
    symmetries = frozenset({"rotation"})
    citation_list = (
        "T. F. Willems, C. H. Rycroft, M. Kazi, J. C. Meza, M. Haranczyk, Algorithms and tools for "
        "high-throughput geometry-based analysis of crystalline porous materials, Microporous "
        "Mesoporous Mater. 149, 134-141 (2012).",
    )

    def __init__(
        self,
        probe_radius: float = 1.86,
        surface_samples: int = 2000,
        volume_samples: int = 50_000,
        high_accuracy: str | None = None,
        timeout: float = 300.0,
        max_atoms: int = 20_000,
        on_error: str = "nan",
        n_jobs: int = 1,
        scheduler: str | None = None,
        cache: bool = False,
    ) -> None:
        self.probe_radius = probe_radius
        self.surface_samples = surface_samples
        self.volume_samples = volume_samples
        self.high_accuracy = high_accuracy
        self.timeout = timeout
        self.max_atoms = max_atoms
        self._set_runtime(on_error, n_jobs, scheduler, cache)

    def _fit(self, structures: Sequence[Atoms]) -> None:
        if self.probe_radius < 0:
            raise ValueError("probe_radius must be >= 0 Å")

    def featurize(self, atoms: Atoms) -> np.ndarray:
        require_periodic(atoms, self.name)
        require_size(atoms, self.max_atoms, self.name)
        require_no_overlap(atoms)
        cif_text = _p1_cif(atoms, jitter=1e-6, seed=len(atoms))
        values = call_in_child(
            zeo_geometry,
            (
                cif_text,
                float(self.probe_radius),
                int(self.surface_samples),
                int(self.volume_samples),
                self.high_accuracy,
            ),
            self.timeout,
            what="Zeo++",
        )
        return np.array([values[key] for key in FEATURES], dtype=float)

    def _feature_names(self) -> list[str]:
        return [f"pore_{key}" for key in FEATURES]
