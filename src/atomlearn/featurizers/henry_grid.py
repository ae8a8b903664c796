"""Henry-regime descriptors of a guest in a crystal from a coarse grid: the quantities Widom insertion
estimates, at a fraction of its cost, for the screen's cheap end.

On the grid of points (and orientations, for a molecule) that :mod:`.guest_energies` evaluates:

* the Henry coefficient K_H = ⟨e^(−U/kT)⟩ / (ρ R T) (mol/(kg·Pa)), ρ the framework density;
* the isosteric heat at infinite dilution Q_st = RT − ⟨U e^(−U/kT)⟩ / ⟨e^(−U/kT)⟩ (kJ/mol);
* the accessible fraction of the cell: points where the guest's energy is below ``ACCESSIBLE_KT`` kT;
* the helium void fraction ⟨e^(−U_He/kT)⟩ at 298 K (σ 2.64 Å, ε/k_B 10.9 K: RASPA's convention).

No pocket blocking: a pocket the guest cannot reach counts as it does in an unblocked Widom run.
"""

from __future__ import annotations

import numpy as np
from ase import Atoms

from atomlearn.featurizers.checks import require_periodic, require_size
from atomlearn.featurizers.guest_energies import GuestGridFeaturizer
from atomlearn.units import A3_TO_M3, AMU_KG, GAS_CONSTANT, K_TO_KJ_MOL

#: a point whose energy is below this many kT counts as accessible (the pocket-blocking threshold of Widom)
ACCESSIBLE_KT = 15.0
#: helium probe of the void fraction (Hirschfelder, Curtiss & Bird; RASPA's defaults)
HELIUM_EPSILON_K, HELIUM_SIGMA_A, HELIUM_TEMPERATURE_K = 10.9, 2.64, 298.0


class HenryGrid(GuestGridFeaturizer):
    """Grid estimates of a guest's Henry coefficient, heat of adsorption, accessible volume and the helium
    void fraction of a crystal.

    Features: ``henry_<guest>_log10_mol_kg_Pa``, ``henry_<guest>_qst_kJ_mol``,
    ``henry_<guest>_accessible_fraction``, ``henry_<guest>_helium_void_fraction`` (the same for every guest).

    Parameters
    ----------
    guest : str
        CH4, Ar, Kr or Xe (one Lennard-Jones site), or CO2 or N2 (rigid, charged, several sites).
    forcefield : {"uff", "dreiding"}
        Framework Lennard-Jones parameters.
    spacing_A : float, optional
        Spacing (Å) of the grid of points (default 1.0 for a single site, 0.7 for a molecule).
    cutoff_A : float
        Lennard-Jones cutoff in Å.
    temperature_K : float
    max_points : int
        Most grid points per structure.
    max_atoms : int
        Refuse (NaN row) structures with more atoms than this.
    charges : {"auto", "cif", "eqeq", "off"}
        Framework charges for a charged guest (see ``EnergyHistogram``).
    n_orientations : int
        Orientations of a multi-site guest at each point.
    grid_spacing_A : float
        Spacing (Å) of the energy grids a molecule's sites are interpolated from.
    random_state : int
        Seed of the orientations.
    on_error, n_jobs, scheduler, cache
        Runtime settings of every featurizer (see :class:`~atomlearn.featurizers.base.Featurizer`).

    Attributes
    ----------
    guest_name_ : str
    forcefield_ : FrameworkForceField
    spacing_A_ : float
    orientations_ : ndarray, shape (n_orientations, 3, 3), or None
    feature_names_out_ : ndarray of str, shape (4,)
    n_features_out_ : int
    errors_ : list of ErrorRecord
        Structures the last ``transform`` could not featurize (id, stage, reason).
    """

    name = "henry_grid"
    # the grid is fixed to the cell: a translation or a supercell moves the sample points
    symmetries = frozenset({"rotation", "permutation"})
    citation_list = (
        "B. Widom, Some topics in the theory of fluids, J. Chem. Phys. 39, 2808-2812 (1963).",
        "O. Talu, A. L. Myers, Molecular simulation of adsorption: Gibbs dividing surface and comparison with "
        "experiment, AIChE J. 47, 1160-1168 (2001).",
    )

    def __init__(
        self,
        guest: str = "CH4",
        forcefield: str = "uff",
        spacing_A: float | None = None,
        cutoff_A: float = 8.0,
        temperature_K: float = 298.0,
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
        self.max_points = max_points
        self.max_atoms = max_atoms
        self.charges = charges
        self.n_orientations = n_orientations
        self.grid_spacing_A = grid_spacing_A
        self.random_state = random_state
        self._set_runtime(on_error, n_jobs, scheduler, cache)

    def featurize(self, atoms: Atoms) -> np.ndarray:
        require_periodic(atoms, self.name)
        require_size(atoms, self.max_atoms, self.name)
        energy_K, boltzmann, weighted_K = self.point_energies(atoms)
        temperature = self.temperature_K
        density_kg_m3 = atoms.get_masses().sum() * AMU_KG / (abs(atoms.cell.volume) * A3_TO_M3)
        henry = boltzmann.mean() / (density_kg_m3 * GAS_CONSTANT * temperature)
        qst = K_TO_KJ_MOL * (temperature - weighted_K.sum() / boltzmann.sum())
        accessible = float(np.mean(energy_K < ACCESSIBLE_KT * temperature))
        helium = self.site_energies(atoms, HELIUM_EPSILON_K, HELIUM_SIGMA_A)
        void = np.exp(-np.clip(helium, -50 * HELIUM_TEMPERATURE_K, 50 * HELIUM_TEMPERATURE_K) / HELIUM_TEMPERATURE_K)
        return np.array([np.log10(henry), qst, accessible, void.mean()])

    def _feature_names(self) -> list[str]:
        prefix = f"henry_{self.guest_name_}"
        return [
            f"{prefix}_log10_mol_kg_Pa",
            f"{prefix}_qst_kJ_mol",
            f"{prefix}_accessible_fraction",
            f"{prefix}_helium_void_fraction",
        ]
