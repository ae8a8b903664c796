"""Energy histograms: how much of a crystal's volume binds a guest how strongly (Bucior et al. 2019).

The guest–framework energy is evaluated on a coarse grid over the unit cell (spacing ~1 Å; the same
force field, mixing, periodic images and Ewald electrostatics as the Widom engine, from
:mod:`atomlearn.physics`), and the fraction of grid points in each energy bin becomes a feature,
with the fraction that is repulsive, the lowest energy and log10 of the grid's mean Boltzmann factor
(a coarse, unblocked estimate of the Henry coefficient's core). Adsorption in the Henry regime is
decided by exactly these energies, which RACs and pore diameters only imply.

A single-site guest (CH4, Ar, Kr, Xe) is one Lennard-Jones site: its energy at a grid point is the
grid value, a few milliseconds per MOF. A rigid molecule with several sites and charges (CO2, N2)
takes ``n_orientations`` orientations at each point, fixed to the cell's own frame (so a rotated
crystal gives the same row); each site's Lennard-Jones and Coulomb energy is interpolated from the
framework's grids (its partial charges from the CIF, else EQeq, as Widom takes them), and the point's
energy is the orientational free energy −kT ln⟨e^(−U/kT)⟩ over the orientations.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from ase import Atoms

from atomlearn.featurizers.checks import require_periodic, require_size
from atomlearn.featurizers.guest_energies import GuestGridFeaturizer
from atomlearn.units import K_TO_KJ_MOL


class EnergyHistogram(GuestGridFeaturizer):
    """Histogram of the guest-framework Lennard-Jones energy on a grid through the cell.

    Bins of ``bin_width_kJ_mol`` from ``min_kJ_mol`` to 0 (lower energies fall in the first bin),
    the repulsive fraction (> 0), the lowest energy (kJ/mol) and log10 of the mean Boltzmann
    factor at ``temperature_K``. Features: ``eh_<guest>_<low>_<high>``, ``eh_<guest>_repulsive``,
    ``eh_<guest>_min_kJ_mol``, ``eh_<guest>_log10_boltzmann``.

    Parameters
    ----------
    guest : str
        CH4, Ar, Kr or Xe (one Lennard-Jones site), or CO2 or N2 (rigid, charged, several sites).
    forcefield : {"uff", "dreiding"}
        Framework Lennard-Jones parameters.
    spacing_A : float, optional
        Spacing (Å) of the grid of points the histogram counts (coarsened to stay under ``max_points``);
        default 1.0 for a single-site guest, 0.7 for a molecule (whose narrow channels a 1 Å grid misses:
        on 25 CoRE MOFs its log10 Boltzmann factor for CO2 was off Widom's by 0.29 on average at 1 Å,
        0.18 at 0.7 Å with 48 orientations, Spearman ρ 0.995; ``benchmarks/bench_guest_grids.py``).
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
    charges : {"auto", "cif", "eqeq", "off"}
        Framework charges for a charged guest: the structure's own (``_atom_site_charge``), else EQeq
        ("auto"); only its own ("cif"); EQeq always; none ("off"). Unused for uncharged guests.
    n_orientations : int
        Orientations of a multi-site guest at each grid point (fixed to the cell's frame).
    grid_spacing_A : float
        Spacing (Å) of the energy grids a multi-site guest's sites are interpolated from.
    random_state : int
        Seed of the orientations.
    on_error, n_jobs, scheduler, cache
        Runtime settings of every featurizer (see :class:`~atomlearn.featurizers.base.Featurizer`).

    Attributes
    ----------
    guest_name_ : str
    forcefield_ : FrameworkForceField
    site_epsilon_K_, site_sigma_A_ : float
        Lennard-Jones parameters of a single-site guest (K, Å).
    spacing_A_ : float
        The spacing used.
    orientations_ : ndarray, shape (n_orientations, 3, 3)
        Rotations of a multi-site guest in the cell's frame (None for a single-site guest).
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
        spacing_A: float | None = None,
        cutoff_A: float = 8.0,
        temperature_K: float = 298.0,
        bin_width_kJ_mol: float = 2.0,
        min_kJ_mol: float = -24.0,
        max_points: int = 400_000,
        max_atoms: int = 20_000,
        charges: str = "auto",
        n_orientations: int = 48,
        grid_spacing_A: float = 0.2,
        random_state: int = 0,
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
        self.charges = charges
        self.n_orientations = n_orientations
        self.grid_spacing_A = grid_spacing_A
        self.random_state = random_state
        self._set_runtime(on_error, n_jobs, scheduler, cache)

    def _fit(self, structures: Sequence[Atoms]) -> None:
        if not (self.bin_width_kJ_mol > 0 and self.min_kJ_mol < 0):
            raise ValueError("bin_width_kJ_mol must be > 0 and min_kJ_mol < 0")
        super()._fit(structures)
        self.edges_kJ_mol_ = np.arange(self.min_kJ_mol, 0.0 + 1e-9, self.bin_width_kJ_mol)

    def featurize(self, atoms: Atoms) -> np.ndarray:
        require_periodic(atoms, self.name)
        require_size(atoms, self.max_atoms, self.name)
        energy_K, boltzmann, _ = self.point_energies(atoms)
        energy = energy_K * K_TO_KJ_MOL
        attractive = energy[energy <= 0.0]
        clipped = np.maximum(attractive, self.min_kJ_mol)  # deeper than the first edge: counted in the first bin
        counts, _ = np.histogram(clipped, bins=self.edges_kJ_mol_)
        return np.concatenate(
            [counts / energy.size, [1.0 - len(attractive) / energy.size, energy.min(), np.log10(boltzmann.mean())]]
        )

    def __setstate__(self, state: dict) -> None:
        """Restore a saved featurizer; one saved before molecules came takes the defaults of the new settings."""
        defaults = {"charges": "auto", "n_orientations": 48, "grid_spacing_A": 0.2, "random_state": 0}
        super().__setstate__({**defaults, **state})

    def _feature_names(self) -> list[str]:
        prefix = f"eh_{self.guest_name_}"
        edges = self.edges_kJ_mol_
        bins = [f"{prefix}_{low:g}_{high:g}" for low, high in zip(edges[:-1], edges[1:])]
        return [*bins, f"{prefix}_repulsive", f"{prefix}_min_kJ_mol", f"{prefix}_log10_boltzmann"]
