"""Boltzmann generators: flows that draw equilibrium configurations, reweighted to exact estimates."""

from atomlearn.sampling.generator import BoltzmannGenerator, SampleSet
from atomlearn.sampling.mcmc import Chain, metropolis
from atomlearn.sampling.potentials import ASEPotential, ForceFieldPotential, OpenMMPotential, Potential, TorchPotential
from atomlearn.sampling.reweighting import (
    free_energy_difference,
    kish_ess,
    log_importance_weights,
    reweighted_histogram,
)
from atomlearn.sampling.systems import DoubleWell2D, System, get_system

__all__ = [
    "ASEPotential",
    "BoltzmannGenerator",
    "Chain",
    "DoubleWell2D",
    "ForceFieldPotential",
    "OpenMMPotential",
    "Potential",
    "SampleSet",
    "System",
    "TorchPotential",
    "free_energy_difference",
    "get_system",
    "kish_ess",
    "log_importance_weights",
    "metropolis",
    "reweighted_histogram",
]
