"""Label generators: data that no package ships, computed by atomlearn itself.

``widom_henry`` (one structure) and ``henry_labels`` (a dataset, resumable) compute Henry
coefficients by Widom insertion; they load numba on first use. ``eqeq_charges`` (one structure)
and ``charge_dataset`` (a dataset, resumable) compute framework charges by EQeq; ``gcmc``,
``gcmc_isotherm`` and ``gcmc_labels`` (a dataset, resumable) compute loadings by grand-canonical Monte Carlo;
``helium_void_fraction`` the pore volume behind excess loadings.

The physics these engines share with the featurizers (guests, Lennard-Jones parameters, grids, Ewald,
the equation of state) lives in :mod:`atomlearn.physics`; the names below that come from there are
re-exported for convenience.
"""

from atomlearn.physics.guests import GUESTS, Guest, GuestSite, get_guest
from atomlearn.simulate.lj import ARGON, LennardJones, lj_dataset

#: exported name -> the module that defines it, imported on first use (numba, pymbar: not at ``import
#: atomlearn.simulate``)
_LAZY = {
    "widom_henry": "atomlearn.simulate.widom",
    "HenryResult": "atomlearn.simulate.widom",
    "henry_labels": "atomlearn.simulate.henry_batch",
    "load_forcefield": "atomlearn.physics.lj_parameters",
    "accessible_region": "atomlearn.physics.accessibility",
    "eqeq_charges": "atomlearn.physics.charges",
    "charge_dataset": "atomlearn.simulate.charges_batch",
    "CHARGE_ERRORS_FILE": "atomlearn.simulate.charges_batch",
    "iast_table": "atomlearn.simulate.isotherms",
    "read_gcmc_table": "atomlearn.simulate.tables",
    "MDSettings": "atomlearn.simulate.xtb",
    "xtb_md": "atomlearn.simulate.xtb",
    "xtb_calculator": "atomlearn.simulate.xtb",
    "xtb_single_points": "atomlearn.simulate.xtb",
    "gcmc": "atomlearn.simulate.grand_canonical",
    "gcmc_isotherm": "atomlearn.simulate.grand_canonical",
    "gcmc_labels": "atomlearn.simulate.gcmc_batch",
    "fugacities": "atomlearn.physics.eos",
    "helium_void_fraction": "atomlearn.simulate.void_fraction",
    "check_aif_folder": "atomlearn.simulate.aif",
    "gcmc_to_aif": "atomlearn.simulate.aif",
    "models_to_aif": "atomlearn.simulate.aif",
    "read_aif": "atomlearn.simulate.aif",
}

__all__ = [
    "CHARGE_ERRORS_FILE",
    "MDSettings",
    "iast_table",
    "read_gcmc_table",
    "xtb_calculator",
    "xtb_md",
    "xtb_single_points",
    "ARGON",
    "GUESTS",
    "Guest",
    "GuestSite",
    "HenryResult",
    "LennardJones",
    "accessible_region",
    "charge_dataset",
    "check_aif_folder",
    "eqeq_charges",
    "fugacities",
    "gcmc",
    "gcmc_isotherm",
    "gcmc_labels",
    "gcmc_to_aif",
    "get_guest",
    "helium_void_fraction",
    "henry_labels",
    "lj_dataset",
    "load_forcefield",
    "models_to_aif",
    "read_aif",
    "widom_henry",
]


#: the modules whose exports need the ``sim`` extra: xTB (tblite), GCMC (pymbar), isotherms and AIF (pyGAPS)
_SIM_EXTRA = {
    "atomlearn.simulate.xtb",
    "atomlearn.simulate.grand_canonical",
    "atomlearn.simulate.gcmc_batch",
    "atomlearn.simulate.isotherms",
    "atomlearn.simulate.aif",
}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        if _LAZY[name] in _SIM_EXTRA:
            from atomlearn.extras import require_extra

            require_extra("sim", f"atomlearn.simulate.{name}")
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'atomlearn.simulate' has no attribute {name!r}")
