"""Boltzmann generators: flows that draw equilibrium configurations, reweighted to exact estimates."""

# ruff: noqa: E402 - the extra is checked before its modules import PyTorch
from atomlearn.extras import require_extra

require_extra("sampling", "atomlearn.sampling (the Boltzmann generators)")

from atomlearn.sampling.generator import BoltzmannGenerator, SampleSet
from atomlearn.sampling.mcmc import Chain, metropolis
from atomlearn.sampling.potentials import ASEPotential, ForceFieldPotential, OpenMMPotential, Potential, TorchPotential
from atomlearn.sampling.report_page import sampling_report
from atomlearn.sampling.reweighting import (
    free_energy_difference,
    kish_ess,
    log_importance_weights,
    reweighted_histogram,
    warn_if_unreliable,
)
from atomlearn.sampling.store import load_generator, read_record
from atomlearn.sampling.systems import DoubleWell2D, System, get_system
from atomlearn.sampling.train import build_potential, train_generator

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
    "build_potential",
    "free_energy_difference",
    "get_system",
    "kish_ess",
    "load_generator",
    "log_importance_weights",
    "metropolis",
    "read_record",
    "reweighted_histogram",
    "sampling_report",
    "train_generator",
    "warn_if_unreliable",
]
