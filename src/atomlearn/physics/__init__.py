"""The physics that featurizers and label engines share: guest molecules, Lennard-Jones parameters and
mixing, energy grids and their interpolation, supercells, Ewald electrostatics, the gas equation of state,
and the accessible region of a framework.

It imports only :mod:`atomlearn.units` and :mod:`atomlearn.structures`; the energy-histogram featurizer
and the Widom/GCMC engines of :mod:`atomlearn.simulate` both build on it. Loading it loads numba (the
grid kernels compile on first use).

* :mod:`.guests`: rigid guests (CH4, Ar, Kr, Xe, N2, CO2) as Lennard-Jones sites with charges (TraPPE).
* :mod:`.lj_parameters`: UFF and DREIDING framework parameters, Lorentz–Berthelot mixing.
* :mod:`.grid`: periodic Lennard-Jones energy grids, 4-point Lagrange interpolation, direct pair sums.
* :mod:`.ewald`: the Ewald potential of framework charges (real-space pairs + reciprocal sum).
* :mod:`.eos`: Peng–Robinson fugacities of gas mixtures.
* :mod:`.supercell`: the smallest repeating cell of a structure; :mod:`.accessibility`: pockets a guest
  cannot reach from the percolating pore network.
* :mod:`.charges`: EQeq framework charges (one linear solve on the Ewald pair potential).
* :mod:`.framework_energy`: the framework as a guest sees it (``FrameworkModel``: the grids of each site
  type and of the framework charges' potential, interpolated energies of rigid guests, pocket blocking),
  shared by the Widom and GCMC engines and the energy-histogram featurizer.
"""

from atomlearn.physics.accessibility import Accessibility, accessible_region
from atomlearn.physics.charges import eqeq_charges
from atomlearn.physics.eos import (
    CriticalConstants,
    compressibility,
    critical_constants,
    fugacities,
    fugacity_coefficients,
)
from atomlearn.physics.ewald import (
    POTENTIAL_CUTOFF_A,
    ewald_alpha,
    pair_potential_matrix,
    potential_cutoff,
    reciprocal_potential,
    reciprocal_vectors,
)
from atomlearn.physics.framework_energy import (
    MAX_GRID_SPACING_A,
    OVERLAP_KT,
    FrameworkModel,
    coarse_grid_note,
    framework_charges,
    site_energy,
)
from atomlearn.physics.grid import (
    ENERGY_CAP_K,
    DirectLJ,
    grid_shape,
    interpolate_one,
    lj_grids,
    perpendicular_widths,
    supercell_for_cutoff,
)
from atomlearn.physics.guests import GUESTS, Guest, GuestSite, get_guest
from atomlearn.physics.lj_parameters import FrameworkForceField, load_forcefield, lorentz_berthelot
from atomlearn.physics.supercell import reduce_supercell

__all__ = [
    "ENERGY_CAP_K",
    "MAX_GRID_SPACING_A",
    "OVERLAP_KT",
    "FrameworkModel",
    "coarse_grid_note",
    "eqeq_charges",
    "framework_charges",
    "site_energy",
    "GUESTS",
    "POTENTIAL_CUTOFF_A",
    "Accessibility",
    "CriticalConstants",
    "DirectLJ",
    "FrameworkForceField",
    "Guest",
    "GuestSite",
    "accessible_region",
    "compressibility",
    "critical_constants",
    "ewald_alpha",
    "fugacities",
    "fugacity_coefficients",
    "get_guest",
    "grid_shape",
    "interpolate_one",
    "lj_grids",
    "load_forcefield",
    "lorentz_berthelot",
    "pair_potential_matrix",
    "perpendicular_widths",
    "potential_cutoff",
    "reciprocal_potential",
    "reciprocal_vectors",
    "reduce_supercell",
    "supercell_for_cutoff",
]
