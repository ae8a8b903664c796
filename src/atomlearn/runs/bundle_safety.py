"""What a model bundle's ``model.skops`` may hold: an explicit allow-list, checked before anything loads.

skops rebuilds objects from a JSON schema of nodes, each naming a loader (how to rebuild it)
and a type (``module.Class``). A node that names a function or a callable type (``builtins.eval``,
``os.system``, ``ase.io.write``, ``functools.partial`` of anything) is called while loading, so
trusting a module prefix lets a stranger's bundle run code. Here every node of the schema is
read as plain JSON (nothing imported, nothing called) and the file is refused unless each node
uses a loader that only rebuilds data and a type on the fixed lists below: the classes
atomlearn writes and the specific scikit-learn, NumPy and builtin types they contain.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from atomlearn.errors import AtomlearnError
from atomlearn.plugins import FEATURIZER_GROUP, plugin_type_name, plugins


class BundleError(AtomlearnError, ValueError):
    """A model bundle is damaged, incomplete, or holds something atomlearn does not trust."""


#: the classes atomlearn writes into bundles (featurizers, models and what they hold)
ATOMLEARN_TYPES = frozenset(
    {
        "atomlearn.featurizers.acsf.ACSF",
        "atomlearn.featurizers.cartesian.CartesianCoordinates",
        "atomlearn.featurizers.element_fraction.ElementFraction",
        "atomlearn.featurizers.composition_stats.CompositionStats",
        "atomlearn.featurizers.coremof_pores.CoreMofPores",
        "atomlearn.featurizers.coulomb.BagOfBonds",
        "atomlearn.featurizers.coulomb.CoulombMatrix",
        "atomlearn.featurizers.energy_histogram.EnergyHistogram",
        "atomlearn.featurizers.fchl19.FCHL19",
        "atomlearn.featurizers.henry_grid.HenryGrid",
        "atomlearn.featurizers.fingerprints.MorganFingerprint",
        "atomlearn.featurizers.fingerprints.RDKitDescriptors",
        "atomlearn.featurizers.pores.PoreGeometry",
        "atomlearn.featurizers.racs.RACs",
        "atomlearn.featurizers.soap.SOAP",
        "atomlearn.physics.lj_parameters.FrameworkForceField",
        "atomlearn.models.feature_maps.QuadraticFeatureMap",
        "atomlearn.models.gpr.GaussianProcess",
        "atomlearn.models.ard_gp.ARDGaussianProcess",
        "atomlearn.models.kernel_forcefield.KernelForceField",
        "atomlearn.models.krr.FastKernelRidge",
        "atomlearn.models.linear.AutogradLinearRegression",
        "atomlearn.models.local_krr.LocalKernelRidge",
        "atomlearn.models.linear.ClosedFormLinearRegression",
        "atomlearn.models.nn.bond_graph_net.BondGraphRegressor",
        "atomlearn.models.nn.mlp.MLPRegressor",
        "atomlearn.models.nn.painn.PaiNNRegressor",
        "atomlearn.models.nn.schnet.SchNetRegressor",
        "atomlearn.models.nystroem.NystroemKernelRidge",
        "atomlearn.splits.splitters.ClusterKFold",  # inner CV splitters a tuned model keeps as its cv parameter
        "atomlearn.splits.splitters.QuantileStratifiedKFold",
    }
)
#: the featurizers atomlearn's side packages offer through the plug-in entry points (``TextEmbedding``);
#: another package's plug-ins are not trusted: a bundle that holds one is refused
ATOMLEARN_TYPES |= {
    plugin_type_name(value) for value in plugins(FEATURIZER_GROUP).values() if value.startswith("atomlearn.")
}
#: classes that moved to another module in a layout change: the path an older bundle names -> where
#: the class lives now (the same class; an older bundle loads as it did)
MOVED_TYPES = {
    "atomlearn.featurizers.composition.ElementFraction": "atomlearn.featurizers.element_fraction.ElementFraction",
    "atomlearn.simulate.lj_parameters.FrameworkForceField": "atomlearn.physics.lj_parameters.FrameworkForceField",
    "atomlearn.simulate.forcefields.FrameworkForceField": "atomlearn.physics.lj_parameters.FrameworkForceField",
    "atomlearn.evaluate.splitters.ClusterKFold": "atomlearn.splits.splitters.ClusterKFold",
    "atomlearn.evaluate.splitters.QuantileStratifiedKFold": "atomlearn.splits.splitters.QuantileStratifiedKFold",
}

#: the scikit-learn classes our models are built from (estimators and their fitted parts)
SKLEARN_TYPES = frozenset(
    {
        "sklearn.dummy.DummyRegressor",
        "sklearn.ensemble._hist_gradient_boosting.binning._BinMapper",
        "sklearn.ensemble._hist_gradient_boosting.gradient_boosting.HistGradientBoostingRegressor",
        "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
        "sklearn.kernel_approximation.Nystroem",
        "sklearn.linear_model._coordinate_descent.ElasticNetCV",
        "sklearn.linear_model._coordinate_descent.LassoCV",
        "sklearn.linear_model._ridge.RidgeCV",
        "sklearn.model_selection._split.GroupKFold",
        "sklearn.model_selection._split.KFold",
        "sklearn.model_selection._split.RepeatedKFold",
        "sklearn.pipeline.FeatureUnion",
        "sklearn.pipeline.Pipeline",
        "sklearn.preprocessing._data.StandardScaler",
        "sklearn._loss.link.IdentityLink",
        "sklearn._loss.link.Interval",
        "sklearn._loss.loss.HalfSquaredError",
        "sklearn._loss._loss.CyHalfSquaredError",
    }
)

#: NumPy array and scalar types (rebuilt from data, never called on anything else)
NUMPY_TYPES = frozenset(
    {"numpy.ndarray"}
    | {
        f"numpy.{name}"
        for name in (
            "bool_",
            "float16",
            "float32",
            "float64",
            "int8",
            "int16",
            "int32",
            "int64",
            "uint8",
            "uint16",
            "uint32",
            "uint64",
            "str_",
        )
    }
)

#: plain data: JSON values and containers
BUILTIN_TYPES = frozenset(
    {f"builtins.{name}" for name in ("str", "int", "float", "bool", "NoneType", "list", "tuple", "dict", "set")}
    | {"collections.OrderedDict"}
)

#: loader -> the types it may rebuild. Loaders that call functions (FunctionNode, MethodNode,
#: PartialNode, OperatorFuncNode, ConstructorFromReduceNode, DefaultDictNode) are absent: refused.
ALLOWED_NODES: dict[str, frozenset[str]] = {
    "JsonNode": BUILTIN_TYPES,
    "ListNode": frozenset({"builtins.list"}),
    "TupleNode": frozenset({"builtins.tuple"}),
    "SetNode": frozenset({"builtins.set"}),
    "DictNode": frozenset({"builtins.dict", "collections.OrderedDict"}),
    "NdArrayNode": NUMPY_TYPES,
    "DTypeNode": frozenset({"numpy.dtype"}),
    "RandomGeneratorNode": frozenset({"numpy.random._generator.Generator"}),
    "RandomStateNode": frozenset({"numpy.random.mtrand.RandomState"}),
    "TypeNode": BUILTIN_TYPES | NUMPY_TYPES,  # a type as a value (dtype=float), not called on data
    "ObjectNode": ATOMLEARN_TYPES | SKLEARN_TYPES,
    "LossNode": SKLEARN_TYPES,
    "CachedNode": ATOMLEARN_TYPES | SKLEARN_TYPES | NUMPY_TYPES | BUILTIN_TYPES,  # a reference to a node above
}


def _nodes(state: Any) -> Iterator[dict[str, Any]]:
    """Every dict with a ``__loader__`` key, at any depth (what skops would rebuild)."""
    stack = [state]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if "__loader__" in item:
                yield item
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def read_schema(path: Path) -> dict[str, Any]:
    """The skops schema of ``path`` as plain JSON; a file that is not a skops zip is a ``BundleError``."""
    try:
        with zipfile.ZipFile(path) as archive:
            schema = json.loads(archive.read("schema.json"))
    except (zipfile.BadZipFile, KeyError, OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BundleError(
            f"{path} is not a valid atomlearn bundle ({type(exc).__name__}: {exc}); "
            "it is truncated, empty or not a skops file — refit, or copy the run folder whole"
        ) from exc
    if not isinstance(schema, dict) or "__loader__" not in schema:
        raise BundleError(f"{path} is not a valid atomlearn bundle: its schema.json holds no skops object")
    return schema


def audit_model_file(path: str | Path) -> list[str]:
    """The types ``path`` holds (sorted ``module.Class`` names), after checking every node against
    ``ALLOWED_NODES``. Raises ``BundleError`` naming each refused loader/type pair; nothing is
    imported or called, so a malicious file is refused before it can act."""
    import skops.io._protocol as skops_protocol

    path = Path(path)
    schema = read_schema(path)
    if schema.get("protocol") != skops_protocol.PROTOCOL:
        raise BundleError(
            f"{path}: skops protocol {schema.get('protocol')!r}, expected {skops_protocol.PROTOCOL}; "
            "refit the model with this atomlearn version"
        )
    types, refused = set(), set()
    for node in _nodes(schema):
        loader, module, name = node.get("__loader__"), node.get("__module__"), node.get("__class__")
        full = MOVED_TYPES.get(f"{module}.{name}", f"{module}.{name}")
        if not all(isinstance(v, str) for v in (loader, module, name)) or full not in ALLOWED_NODES.get(loader, ()):
            refused.add(f"{full} ({loader})")
        types.add(full)
    if refused:
        raise BundleError(
            f"{path} holds types atomlearn does not trust: {', '.join(sorted(refused))}; "
            "refusing to load it (a bundle written by atomlearn holds only its own models and data)"
        )
    return sorted(types)


def current_model_bytes(path: str | Path) -> bytes:
    """The bytes of a skops file, with the classes of ``MOVED_TYPES`` renamed to where they live now
    (a bundle written before a layout change loads as it did; a current one is returned as is)."""
    data = Path(path).read_bytes()
    schema = read_schema(Path(path))
    moved = False
    for node in _nodes(schema):
        new = MOVED_TYPES.get(f"{node.get('__module__')}.{node.get('__class__')}")
        if new is not None:
            node["__module__"], node["__class__"] = new.rsplit(".", 1)
            moved = True
    if not moved:
        return data
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as old, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as new_file:
        for item in old.infolist():
            content = json.dumps(schema).encode() if item.filename == "schema.json" else old.read(item)
            new_file.writestr(item, content)
    return buffer.getvalue()


def current_type_names(types: list[str]) -> list[str]:
    """Type names of a card, with moved classes under their current path (sorted)."""
    return sorted(MOVED_TYPES.get(name, name) for name in types)
