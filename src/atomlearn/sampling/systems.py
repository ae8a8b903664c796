"""The standard test systems of Boltzmann generators, each with a reference no flow computed.

* ``double-well``: the 2D double well of Noé et al., Science 365, eaaw1147 (2019), Fig. 2:
  u(x) = a x₁⁴/4 − b x₁²/2 + c x₁ + d x₂²/2 (a=1, b=6, c=1, d=1), in kT. Its ΔF between the wells
  and its profile along x₁ are exact by numerical quadrature (x₂ separates).

A system is a reduced potential (temperature 1) with named states (boolean functions of the
samples), a collective variable for profiles, and starting points in each metastable state for
the training samples (short MCMC runs, not in equilibrium proportion: the flow's reweighting
recovers the proportion).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import torch
from scipy import integrate

from atomlearn.registry import Entry, Registry
from atomlearn.sampling.potentials import Potential


@dataclass
class System(Potential):
    """A reduced potential with states, a collective variable and a reference.

    Attributes
    ----------
    name : str
        The name the command line takes.
    dim : int
        Coordinates per sample.
    states : dict of str to callable
        State name -> function of samples (n, dim) returning a boolean mask (n,).
    cv_label : str
        Name of the collective variable of the profiles.
    """

    name: str = ""
    dim: int = 0
    states: dict[str, Callable[[np.ndarray], np.ndarray]] = field(default_factory=dict)
    cv_label: str = ""
    energy_unit: str = "kT"
    reference_description: str = ""
    default_flow: str = "realnvp"
    default_energy_weight: float = 0.9  # reverse KL : likelihood in the energy phase
    temperature: float = 1.0
    #: the constructor parameters ``spec`` saves (beyond the name)
    SPEC_FIELDS = ()

    def spec(self) -> dict:
        """What ``generator.json`` stores to rebuild this system (``get_system(**spec)``)."""
        return {"system": self.name, **{name: getattr(self, name) for name in self.SPEC_FIELDS}}

    def collective_variable(self, x: np.ndarray) -> np.ndarray:
        """The collective variable of samples (n, dim), shape (n,)."""
        raise NotImplementedError

    def starting_points(self) -> np.ndarray:
        """One point in each metastable state, shape (n_states, dim): where the training MCMC starts."""
        raise NotImplementedError

    def reference_free_energy(self, state_a: str, state_b: str) -> float:
        """The reference ΔF = F_b − F_a in kT."""
        raise NotImplementedError

    def reference_error(self, state_a: str, state_b: str) -> float:
        """The reference ΔF's standard error in kT: 0 for an exact reference (override for a sampled one)."""
        return 0.0

    def reference_profile(self, edges: np.ndarray) -> np.ndarray:
        """The reference free energy (kT, minimum 0) in the bins of the collective variable."""
        raise NotImplementedError

    def reference_samples(self, n: int, random_state: int | None = 0) -> np.ndarray:
        """n equilibrium samples (n, dim) drawn without any flow: the reference energy distribution."""
        raise NotImplementedError

    def training_samples(self, n: int, random_state: int | None = 0) -> np.ndarray:
        """About n samples (n, dim) from short MCMC runs started in every metastable state (not in
        equilibrium proportion): what a user would have from MD in each state."""
        raise NotImplementedError


@dataclass
class DoubleWell2D(System):
    """Noé's 2D double well u(x) = a x₁⁴/4 − b x₁²/2 + c x₁ + d x₂²/2 in kT; states ``left`` (x₁ < 0) and
    ``right``; free energies exact by quadrature.

    Parameters
    ----------
    a, b, c, d : float
        The coefficients of u (kT).
    temperature : float
        In units of the energy's kT (1: as written).
    """

    a: float = 1.0
    b: float = 6.0
    c: float = 1.0
    d: float = 1.0
    name: str = "double-well"
    dim: int = 2
    cv_label: str = "x1"
    reference_description: str = "exact, by numerical quadrature (x2 separates)"

    def __post_init__(self) -> None:
        self.states = {"left": lambda x: np.asarray(x)[:, 0] < 0, "right": lambda x: np.asarray(x)[:, 0] >= 0}

    def _u1(self, x1):
        return 0.25 * self.a * x1**4 - 0.5 * self.b * x1**2 + self.c * x1

    def energy(self, x: torch.Tensor) -> torch.Tensor:
        return self._u1(x[:, 0]) + 0.5 * self.d * x[:, 1] ** 2

    def collective_variable(self, x: np.ndarray) -> np.ndarray:
        return np.asarray(x)[:, 0]

    def starting_points(self) -> np.ndarray:
        well = np.sqrt(self.b / self.a)
        return np.array([[-well, 0.0], [well, 0.0]])

    def _partition(self, low: float, high: float) -> float:
        return integrate.quad(lambda x1: np.exp(-self._u1(x1)), low, high, epsabs=0, epsrel=1e-12, limit=200)[0]

    def reference_free_energy(self, state_a: str, state_b: str) -> float:
        bounds = {"left": (-np.inf, 0.0), "right": (0.0, np.inf)}
        return float(-np.log(self._partition(*bounds[state_b]) / self._partition(*bounds[state_a])))

    def training_samples(self, n: int, random_state: int | None = 0) -> np.ndarray:
        from atomlearn.sampling.mcmc import metropolis

        walkers = 50
        steps = 10 * (max(n // (2 * walkers), 1) + 10)  # every 10th step kept, the first 10 kept ones dropped
        chain = metropolis(
            self, np.repeat(self.starting_points(), walkers, axis=0), steps, 0.5, thin=10, random_state=random_state
        )
        return chain.flat(burn_in=10)

    def reference_samples(self, n: int, random_state: int | None = 0) -> np.ndarray:
        rng = np.random.default_rng(random_state)
        grid = np.linspace(-6.0, 6.0, 200_001)
        density = np.exp(-(self._u1(grid) - self._u1(grid).min()))
        cdf = np.cumsum(density)
        x1 = np.interp(rng.random(n) * cdf[-1], cdf, grid)
        return np.column_stack([x1, rng.normal(0.0, 1.0 / np.sqrt(self.d), n)])

    def reference_profile(self, edges: np.ndarray) -> np.ndarray:
        mass = np.array([self._partition(low, high) for low, high in zip(edges[:-1], edges[1:])])
        profile = -np.log(mass / np.diff(edges))
        return profile - np.nanmin(profile[np.isfinite(profile)])


NOE = (
    "F. Noé, S. Olsson, J. Köhler, H. Wu, Boltzmann generators: Sampling equilibrium states of many-body "
    "systems with deep learning, Science 365, eaaw1147 (2019)"
)
KOEHLER = (
    "J. Köhler, L. Klein, F. Noé, Equivariant flows: exact likelihood generative learning for symmetric "
    "densities, ICML 2020"
)
AMBER = "J. A. Maier et al., ff14SB, J. Chem. Theory Comput. 11, 3696-3713 (2015)"

#: name -> the system class (imported when used); ``atomlearn sample train`` knows the same names
SYSTEMS = Registry(
    "system",
    [
        Entry("double-well", "atomlearn.sampling.systems:DoubleWell2D", "2-D double well (exact free energies)", NOE),
        Entry(
            "dw4",
            "atomlearn.sampling.particles:DoubleWellParticles",
            "4 particles in 2-D with a double-well pair potential",
            KOEHLER,
        ),
        Entry("lj13", "atomlearn.sampling.particles:LennardJonesCluster", "13-atom Lennard-Jones cluster", KOEHLER),
        Entry(
            "alanine-dipeptide",
            "atomlearn.sampling.alanine:AlanineDipeptide",
            "alanine dipeptide in implicit solvent (Amber ff14SB + OBC2, OpenMM), internal coordinates",
            AMBER,
        ),
        Entry(
            "molecule",
            "atomlearn.sampling.molecule:FramesMolecule",
            "your molecule: its MD frames and a trained force field",
        ),
    ],
)


def get_system(name: str, **params) -> System:
    """A system by name, with parameters.

    Parameters
    ----------
    name : str
        A name of :data:`SYSTEMS` (double-well, dw4, lj13, alanine-dipeptide, molecule).
    **params
        The parameters its ``SPEC_FIELDS`` name.

    Returns
    -------
    System

    Raises
    ------
    UnknownNameError, ValueError
        An unknown name (with the known ones) or parameter.
    """

    system_class = SYSTEMS.load(name)
    unknown = set(params) - set(system_class.SPEC_FIELDS)
    if unknown:
        raise ValueError(f"system {name!r} takes no parameter {', '.join(sorted(unknown))}")
    return system_class(**params)
