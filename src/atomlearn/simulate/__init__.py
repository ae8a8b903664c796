"""Label generators: data that no package ships, computed by atomlearn itself.

``widom_henry`` (one structure) and ``henry_labels`` (a dataset, resumable) compute Henry
coefficients by Widom insertion; they load numba on first use. ``eqeq_charges`` (one structure)
and ``charge_dataset`` (a dataset, resumable) compute framework charges by EQeq; ``gcmc``,
``gcmc_isotherm`` and ``gcmc_labels`` (a dataset, resumable) compute loadings by grand-canonical Monte Carlo;
``helium_void_fraction`` the pore volume behind excess loadings.
"""

from atomlearn.simulate.guests import GUESTS, Guest, GuestSite, get_guest
from atomlearn.simulate.lj import ARGON, LennardJones, lj_dataset

_LAZY = {
    "widom_henry": "widom",
    "HenryResult": "widom",
    "henry_labels": "henry_batch",
    "load_forcefield": "lj_parameters",
    "accessible_region": "accessibility",
    "eqeq_charges": "charges",
    "charge_dataset": "charges_batch",
    "gcmc": "gcmc",
    "gcmc_isotherm": "gcmc",
    "gcmc_labels": "gcmc_batch",
    "fugacities": "eos",
    "helium_void_fraction": "void_fraction",
}

__all__ = [
    "ARGON",
    "GUESTS",
    "Guest",
    "GuestSite",
    "HenryResult",
    "LennardJones",
    "accessible_region",
    "charge_dataset",
    "eqeq_charges",
    "fugacities",
    "gcmc",
    "gcmc_isotherm",
    "gcmc_labels",
    "get_guest",
    "helium_void_fraction",
    "henry_labels",
    "lj_dataset",
    "load_forcefield",
    "widom_henry",
]


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f"atomlearn.simulate.{_LAZY[name]}"), name)
    raise AttributeError(f"module 'atomlearn.simulate' has no attribute {name!r}")
