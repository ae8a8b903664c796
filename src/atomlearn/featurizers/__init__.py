"""Featurizers: scikit-learn transformers that turn ``ase.Atoms`` into feature rows."""

from __future__ import annotations

from atomlearn.featurizers import invariance
from atomlearn.featurizers.acsf import ACSF
from atomlearn.featurizers.base import RUNTIME_PARAMS, SYMMETRIES, Featurizer
from atomlearn.featurizers.cartesian import CartesianCoordinates
from atomlearn.featurizers.checks import require_finite, require_no_overlap
from atomlearn.featurizers.composition_stats import CompositionStats
from atomlearn.featurizers.coremof_pores import CoreMofPores
from atomlearn.featurizers.coulomb import BagOfBonds, CoulombMatrix
from atomlearn.featurizers.element_fraction import ElementFraction
from atomlearn.featurizers.elements import lookup
from atomlearn.featurizers.energy_histogram import EnergyHistogram
from atomlearn.featurizers.fchl19 import FCHL19
from atomlearn.featurizers.fingerprints import MorganFingerprint, RDKitDescriptors
from atomlearn.featurizers.graph import bond_graph
from atomlearn.featurizers.henry_grid import HenryGrid
from atomlearn.featurizers.pores import PoreGeometry
from atomlearn.featurizers.racs import RACs
from atomlearn.featurizers.soap import SOAP
from atomlearn.featurizers.table import complete_rows, featurize_table
from atomlearn.plugins import FEATURIZER_GROUP
from atomlearn.registry import Entry, Registry


def _entry(name: str, cls: type[Featurizer], extra: str | None = None) -> Entry:
    summary = (cls.__doc__ or "").strip().split("\n\n")[0]
    return Entry(name, cls, " ".join(summary.split()), "; ".join(cls.citation_list), extra)


#: command-line name -> featurizer class, then the plug-ins other packages declare (``text_embedding``)
FEATURIZERS = Registry(
    "featurizer",
    [
        _entry("composition", CompositionStats),
        _entry("element_fraction", ElementFraction),
        _entry("coulomb_matrix", CoulombMatrix),
        _entry("bag_of_bonds", BagOfBonds),
        _entry("acsf", ACSF),
        _entry("soap", SOAP),
        _entry("fchl19", FCHL19),
        _entry("racs", RACs),
        _entry("pores", PoreGeometry),
        _entry("coremof_pores", CoreMofPores),
        _entry("energy_histogram", EnergyHistogram),
        _entry("henry_grid", HenryGrid),
        _entry("morgan", MorganFingerprint),
        _entry("rdkit2d", RDKitDescriptors),
        _entry("cartesian", CartesianCoordinates),
    ],
    plugin_group=FEATURIZER_GROUP,
)


def featurizer_class(name: str) -> type[Featurizer]:
    """The featurizer class of a command-line name, built-in or a plug-in (:data:`FEATURIZERS`).

    Parameters
    ----------
    name : str

    Returns
    -------
    type
    """
    return FEATURIZERS.load(name)


def make_featurizer(name: str, **params: object) -> Featurizer:
    """A featurizer by its command-line name, with parameters.

    Parameters
    ----------
    name : str
        A name of :data:`FEATURIZERS` (``atomlearn featurize --list`` shows them all).
    **params
        The featurizer's parameters; an unknown one is refused with the ones it takes and the closest.

    Returns
    -------
    Featurizer
        Unfitted; ``fit_transform(structures)`` gives an array of shape (n_structures, n_features)
        whose columns ``get_feature_names_out()`` names.

    Examples
    --------
    >>> from ase.build import molecule
    >>> from atomlearn.featurizers import make_featurizer
    >>> fractions = make_featurizer("element_fraction")
    >>> fractions.fit_transform([molecule("CH4"), molecule("H2O")]).round(2)
    array([[0.8 , 0.2 , 0.  , 4.  , 1.  , 0.  , 5.  ],
           [0.67, 0.  , 0.33, 2.  , 0.  , 1.  , 3.  ]])
    >>> fractions.get_feature_names_out()[:3].tolist()
    ['frac_H', 'frac_C', 'frac_O']
    """
    import difflib

    cls = featurizer_class(name)
    valid = cls().get_params()
    for param in params:
        if param not in valid:
            close = difflib.get_close_matches(param, valid, n=1, cutoff=0.5)
            hint = f"; did you mean {close[0]}?" if close else ""
            raise ValueError(
                f"featurizer {name} has no parameter {param!r}{hint} It takes: "
                f"{', '.join(sorted(set(valid) - RUNTIME_PARAMS))} (command line: --set {name}.PARAM=VALUE; "
                "see `atomlearn featurize --list`)"
            )
    return cls(**params)


__all__ = [
    "ACSF",
    "FCHL19",
    "FEATURIZERS",
    "HenryGrid",
    "RUNTIME_PARAMS",
    "SOAP",
    "SYMMETRIES",
    "BagOfBonds",
    "CartesianCoordinates",
    "CompositionStats",
    "CoreMofPores",
    "CoulombMatrix",
    "ElementFraction",
    "EnergyHistogram",
    "Featurizer",
    "MorganFingerprint",
    "PoreGeometry",
    "RACs",
    "RDKitDescriptors",
    "bond_graph",
    "complete_rows",
    "featurize_table",
    "featurizer_class",
    "invariance",
    "lookup",
    "make_featurizer",
    "require_finite",
    "require_no_overlap",
]
