"""Energy histograms: how much of a crystal's volume binds a guest how strongly (Bucior et al. 2019).

The guest–framework Lennard-Jones energy is evaluated on a coarse grid over the unit cell
(spacing ~1 Å; the same force field, mixing and periodic images as the Widom engine,
``atomlearn.simulate``), and the fraction of grid points in each energy bin becomes a
feature, with the fraction that is repulsive, the lowest energy and log10 of the grid's
mean Boltzmann factor (a coarse, unblocked estimate of the Henry coefficient's core). A
few milliseconds per MOF, so it can describe all of CoRE MOF; adsorption in the Henry
regime is decided by exactly these energies, which RACs and pore diameters only imply.
Single-site guests (CH4, Ar, Kr, Xe).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from ase import Atoms

from atomlearn.featurizers.base import Featurizer
from atomlearn.featurizers.checks import require_periodic, require_size
from atomlearn.units import K_TO_KJ_MOL


class EnergyHistogram(Featurizer):
    """Histogram of the guest-framework Lennard-Jones energy on a grid through the cell.

    Bins of ``bin_width_kJ_mol`` from ``min_kJ_mol`` to 0 (lower energies fall in the first bin),
    the repulsive fraction (> 0), the lowest energy (kJ/mol) and log10 of the mean Boltzmann
    factor at ``temperature_K``. Features: ``eh_<guest>_<low>_<high>``, ``eh_<guest>_repulsive``,
    ``eh_<guest>_min_kJ_mol``, ``eh_<guest>_log10_boltzmann``.

    Parameters
    ----------
    guest : str
        A single-site guest: CH4, Ar, Kr or Xe.
    forcefield : {"uff", "dreiding"}
        Framework Lennard-Jones parameters.
    spacing_A : float
        Grid spacing in Å (coarsened to stay under ``max_points``).
    cutoff_A : float
        Lennard-Jones cutoff in Å.
    temperature_K : float
        Temperature of the Boltzmann factor, K.
    bin_width_kJ_mol, min_kJ_mol : float
        Bin width and lower edge of the histogram, kJ/mol.
    max_points : int
        Most grid points per structure.
    max_atoms : int
        Refuse (NaN row) structures with more atoms than this.
    on_error, n_jobs, scheduler, cache
        Runtime settings of every featurizer (see :class:`~atomlearn.featurizers.base.Featurizer`).

    Attributes
    ----------
    guest_name_ : str
    forcefield_ : FrameworkForceField
    site_epsilon_K_, site_sigma_A_ : float
        Lennard-Jones parameters of the guest site (K, Å).
    edges_kJ_mol_ : ndarray
        Bin edges, kJ/mol.
    feature_names_out_ : ndarray of str, shape (n_features,)
        Column names, fixed by ``fit``.
    n_features_out_ : int
    errors_ : list of ErrorRecord
        Structures the last ``transform`` could not featurize (id, stage, reason).
    """

    name = "energy_histogram"
    # the grid is fixed to the cell: a translation or a supercell moves the sample points
    symmetries = frozenset({"rotation", "permutation"})
    citation_list = (
        "B. J. Bucior, N. S. Bobbitt, T. Islamoglu, S. Goswami, A. Gopalan, T. Yildirim, O. K. Farha, N. Bagheri, "
        "R. Q. Snurr, Energy-based descriptors to rapidly predict hydrogen storage in metal-organic frameworks, "
        "Mol. Syst. Des. Eng. 4, 162-174 (2019).",
        "A. K. Rappé, C. J. Casewit, K. S. Colwell, W. A. Goddard III, W. M. Skiff, UFF, a full periodic table force "
        "field for molecular mechanics and molecular dynamics simulations, J. Am. Chem. Soc. 114, 10024-10035 (1992).",
    )

    def __init__(
        self,
        guest: str = "CH4",
        forcefield: str = "uff",
        spacing_A: float = 1.0,
        cutoff_A: float = 8.0,
        temperature_K: float = 298.0,
        bin_width_kJ_mol: float = 2.0,
        min_kJ_mol: float = -24.0,
        max_points: int = 400_000,
        max_atoms: int = 20_000,
        on_error: str = "nan",
        n_jobs: int = 1,
        scheduler: str | None = None,
        cache: bool = False,
    ) -> None:
        self.guest = guest
        self.forcefield = forcefield
        self.spacing_A = spacing_A
        self.cutoff_A = cutoff_A
        self.temperature_K = temperature_K
        self.bin_width_kJ_mol = bin_width_kJ_mol
        self.min_kJ_mol = min_kJ_mol
        self.max_points = max_points
        self.max_atoms = max_atoms
        self._set_runtime(on_error, n_jobs, scheduler, cache)

    def _fit(self, structures: Sequence[Atoms]) -> None:
        from atomlearn.physics.guests import get_guest
        from atomlearn.physics.lj_parameters import load_forcefield

        guest = get_guest(self.guest)
        if len(guest.sites) != 1:
            raise ValueError(
                f"energy histograms need a single-site guest (CH4, Ar, Kr, Xe); {guest.name} has "
                f"{len(guest.sites)} sites"
            )
        if not (
            self.spacing_A > 0
            and self.cutoff_A > 0
            and self.temperature_K > 0
            and self.bin_width_kJ_mol > 0
            and self.min_kJ_mol < 0
        ):
            raise ValueError("spacing_A, cutoff_A, temperature_K and bin_width_kJ_mol must be > 0 and min_kJ_mol < 0")
        self.guest_name_ = guest.name
        self.site_epsilon_K_, self.site_sigma_A_ = guest.sites[0].epsilon_K, guest.sites[0].sigma_A
        self.forcefield_ = load_forcefield(self.forcefield)  # once, not per structure
        self.edges_kJ_mol_ = np.arange(self.min_kJ_mol, 0.0 + 1e-9, self.bin_width_kJ_mol)

    def featurize(self, atoms: Atoms) -> np.ndarray:
        from atomlearn.physics.grid import grid_shape, lj_grids

        require_periodic(atoms, self.name)
        require_size(atoms, self.max_atoms, self.name)
        epsilon, sigma = self.forcefield_.parameters(
            atoms.get_chemical_symbols(), str(atoms.info.get("id", "structure"))
        )
        cell = np.asarray(atoms.cell, dtype=float)
        shape, _ = grid_shape(cell, self.spacing_A, self.max_points)
        energy_K = (
            lj_grids(
                cell,
                atoms.get_scaled_positions(wrap=True),
                epsilon,
                sigma,
                np.array([self.site_epsilon_K_]),
                np.array([self.site_sigma_A_]),
                shape,
                self.cutoff_A,
            )[0]
            .astype(float)
            .ravel()
        )
        energy = energy_K * K_TO_KJ_MOL
        attractive = energy[energy <= 0.0]
        clipped = np.maximum(attractive, self.min_kJ_mol)  # deeper than the first edge: counted in the first bin
        counts, _ = np.histogram(clipped, bins=self.edges_kJ_mol_)
        boltzmann = np.exp(-np.clip(energy_K, -50 * self.temperature_K, 50 * self.temperature_K) / self.temperature_K)
        return np.concatenate(
            [counts / energy.size, [1.0 - len(attractive) / energy.size, energy.min(), np.log10(boltzmann.mean())]]
        )

    def _feature_names(self) -> list[str]:
        prefix = f"eh_{self.guest_name_}"
        edges = self.edges_kJ_mol_
        bins = [f"{prefix}_{low:g}_{high:g}" for low, high in zip(edges[:-1], edges[1:])]
        return [*bins, f"{prefix}_repulsive", f"{prefix}_min_kJ_mol", f"{prefix}_log10_boltzmann"]
