"""Revised autocorrelation functions (RACs) over the bond graph, with the MOF scopes.

For a property P, a set of start atoms s and a scope (the atoms j may range over):

* product    RAC_d = (1/|s|) Σ_{i∈s} Σ_{j: d_ij = d} P_i P_j
* difference RAC_d = (1/|s|) Σ_{i∈s} Σ_{j: d_ij = d} (P_i - P_j)

with d_ij the number of bonds on the shortest path (Janet & Kulik 2017). Properties:
electronegativity χ (Pauling), nuclear charge Z, identity I = 1, topology T (coordination
number), size S (covalent radius, Å), polarizability α (bohr³). Scopes (Moosavi et al.
2020) for MOFs:

* ``mc``     metal-centred: start = metal atoms, over the whole framework;
* ``lc``     linker-connecting: start = linker atoms bonded to a metal, over the linkers;
* ``func``   functional groups: start = linker atoms other than C and H that do not bind a
             metal, over the linkers (zeros when a MOF has none);
* ``linker`` the whole linker: start = all linker atoms, products only;
* ``full``   the whole structure (molecules): start = all atoms, products only.

Linkers are the non-metal atoms with the bonds among them. Averaging per start atom
makes every value intensive, so a supercell gives the same row. Cells narrower than the
longest bond path of ``max_depth`` bonds are expanded first, so that no path wraps onto
an image of its own start atom.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from ase import Atoms
from scipy import sparse

from atomlearn.featurizers import elements
from atomlearn.featurizers.base import Featurizer
from atomlearn.featurizers.checks import refuse_close_pairs, require_size
from atomlearn.featurizers.graph import (
    BOND_TOLERANCE_A,
    bond_graph,
    distance_shells,
    is_metal,
)

PROPERTIES = {
    "chi": "electronegativity_pauling",
    "Z": None,
    "I": None,
    "T": None,
    "S": "covalent_radius_A",
    "alpha": "polarizability_bohr3",
}
SCOPES = ("mc", "lc", "func", "linker", "full")
PRODUCT_ONLY = frozenset({"linker", "full"})
MOF_SCOPES = ("mc", "lc", "func", "linker")


def rac_sums(shells: list[sparse.csr_matrix], start: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Product and difference RACs averaged over start atoms, shape (depths, properties) each.

    ``start`` is a boolean mask over atoms, ``values`` an (n_atoms, n_properties) array;
    ``shells`` restricted to the scope beforehand (rows/columns outside it are zero).
    """
    n_depth = len(shells)
    if not start.any():
        zeros = np.zeros((n_depth, values.shape[1]))
        return zeros, zeros.copy()
    start_values = values[start]
    products, differences = [], []
    for shell in shells:
        rows = shell[start]
        neighbour_sum = rows @ values
        count = np.asarray(rows.sum(axis=1))
        products.append((start_values * neighbour_sum).sum(axis=0))
        differences.append((start_values * count - neighbour_sum).sum(axis=0))
    n_start = start.sum()
    return np.asarray(products) / n_start, np.asarray(differences) / n_start


class RACs(Featurizer):
    """Revised autocorrelation functions of the bond graph (see the module docstring).

    Differences of I and at depth 0 are zero by definition and are left out.
    Features: ``rac_<scope>_<prod|diff>_<property>_d<depth>``.

    Parameters
    ----------
    scopes : sequence of {"mc", "lc", "func", "linker", "full"}
        Metal-centred, linker-connecting, functional-group and linker scopes (MOFs; the default),
        or ``full`` (the whole graph: molecules and any structure).
    properties : sequence of str
        Atomic properties: Pauling electronegativity ``chi``, nuclear charge ``Z``, identity ``I``,
        topology (coordination) ``T``, covalent radius ``S``, polarizability ``alpha``.
    max_depth : int
        Largest bond distance (0-3 in the papers).
    bond_tolerance : float
        Two atoms are bonded closer than the sum of their covalent radii plus this, in Å.
    max_atoms : int
        Refuse (NaN row) structures with more atoms than this.
    on_error, n_jobs, scheduler, cache
        Runtime settings of every featurizer (see :class:`~atomlearn.featurizers.base.Featurizer`).

    Attributes
    ----------
    feature_names_out_ : ndarray of str, shape (n_features,)
        Column names, fixed by ``fit``.
    n_features_out_ : int
    errors_ : list of ErrorRecord
        Structures the last ``transform`` could not featurize (id, stage, reason).
    """

    name = "racs"
    isolated = True  # native code (vesin, zeo++, DScribe): a pathological cell must not kill the batch
    symmetries = frozenset({"translation", "rotation", "permutation", "supercell"})
    citation_list = (
        "J. P. Janet, H. J. Kulik, Resolving Transition Metal Chemical Space: Feature Selection for "
        "Machine Learning and Structure-Property Relationships, J. Phys. Chem. A 121, 8939-8954 (2017).",
        "S. M. Moosavi et al., Understanding the diversity of the metal-organic framework ecosystem, "
        "Nat. Commun. 11, 4068 (2020).",
        elements.CITATION,
    )

    def __init__(
        self,
        scopes: Sequence[str] = MOF_SCOPES,
        properties: Sequence[str] = tuple(PROPERTIES),
        max_depth: int = 3,
        bond_tolerance: float = BOND_TOLERANCE_A,
        max_atoms: int = 50_000,
        on_error: str = "nan",
        n_jobs: int = 1,
        scheduler: str | None = None,
        cache: bool = False,
    ) -> None:
        self.scopes = scopes
        self.properties = properties
        self.max_depth = max_depth
        self.bond_tolerance = bond_tolerance
        self.max_atoms = max_atoms
        self._set_runtime(on_error, n_jobs, scheduler, cache)

    def _fit(self, structures: Sequence[Atoms]) -> None:
        bad = [s for s in self.scopes if s not in SCOPES]
        if bad:
            raise ValueError(f"unknown RAC scope(s) {bad}; choose from {', '.join(SCOPES)}")
        bad = [p for p in self.properties if p not in PROPERTIES]
        if bad:
            raise ValueError(f"unknown RAC property {bad}; choose from {', '.join(PROPERTIES)}")
        if not 0 <= self.max_depth <= 6:
            raise ValueError("max_depth must be between 0 and 6 bonds")

    def featurize(self, atoms: Atoms) -> np.ndarray:
        require_size(atoms, self.max_atoms, self.name)
        graph = bond_graph(atoms, self.bond_tolerance)  # bonds reach beyond 0.5 Å: the overlap check can use them
        refuse_close_pairs(atoms, graph.first, graph.second, graph.length)
        if len(graph.length) == 0:
            raise ValueError("no bonds found: the structure is a set of isolated atoms")
        atoms = self._expanded(atoms, float(graph.length.max()))
        if len(atoms) > self.max_atoms:
            raise ValueError(
                f"the cell expanded for the bond paths holds {len(atoms)} atoms, above max_atoms={self.max_atoms}"
            )
        if len(atoms) != len(graph.coordination):
            graph = bond_graph(atoms, self.bond_tolerance)
        values = self._property_values(atoms, graph.coordination)
        metal = is_metal(atoms.numbers)
        needs_metal = {"mc", "lc"} & set(self.scopes)
        if needs_metal and not metal.any():
            raise ValueError(
                f"no metal atom, so the {'/'.join(sorted(needs_metal))} scopes are undefined; for molecules use "
                "scopes=('full',) (command line: --set racs.scopes='[\"full\"]')"
            )
        shells = distance_shells(graph.adjacency, self.max_depth)
        linker_mask = sparse.diags((~metal).astype(float))
        linker_shells = None
        parts = []
        for scope in self.scopes:
            if scope in ("lc", "func", "linker") and linker_shells is None:
                linker_graph = (linker_mask @ graph.adjacency @ linker_mask).tocsr()
                linker_graph.eliminate_zeros()
                linker_shells = [
                    (linker_mask @ s @ linker_mask).tocsr() for s in distance_shells(linker_graph, self.max_depth)
                ]
            start, scope_shells = self._scope(scope, atoms.numbers, metal, graph, shells, linker_shells)
            product, difference = rac_sums(scope_shells, start, values)
            parts.append(product.T.ravel())
            if scope not in PRODUCT_ONLY:
                parts.append(difference[1:, self._diff_columns()].T.ravel())
        return np.concatenate(parts)

    def _expanded(self, atoms: Atoms, longest_bond: float) -> Atoms:
        """Repeat narrow periodic cells so that paths of ``max_depth`` bonds cannot wrap."""
        if not atoms.pbc.any() or self.max_depth == 0:
            return atoms
        reciprocal = np.linalg.inv(np.asarray(atoms.cell)).T
        widths = 1.0 / np.linalg.norm(reciprocal, axis=1)
        needed = 2.0 * self.max_depth * longest_bond
        repeat = [int(np.floor(needed / w + 1e-9)) + 1 if periodic else 1 for w, periodic in zip(widths, atoms.pbc)]
        return atoms.repeat(repeat) if max(repeat) > 1 else atoms

    def _property_values(self, atoms: Atoms, coordination: np.ndarray) -> np.ndarray:
        columns = []
        for name in self.properties:
            if name == "Z":
                columns.append(atoms.numbers.astype(float))
            elif name == "I":
                columns.append(np.ones(len(atoms)))
            elif name == "T":
                columns.append(coordination.astype(float))
            else:
                columns.append(elements.lookup(PROPERTIES[name], atoms.numbers))
        return np.column_stack(columns)

    @staticmethod
    def _scope(scope, numbers, metal, graph, shells, linker_shells):
        if scope == "full":
            return np.ones(len(numbers), dtype=bool), shells
        if scope == "mc":
            return metal, shells
        binds_metal = np.zeros(len(numbers), dtype=bool)
        binds_metal[graph.first[metal[graph.second]]] = True
        connecting = ~metal & binds_metal
        if scope == "lc":
            return connecting, linker_shells
        if scope == "func":
            return ~metal & ~connecting & ~np.isin(numbers, [1, 6]), linker_shells
        return ~metal, linker_shells

    def _diff_columns(self) -> list[int]:
        return [k for k, name in enumerate(self.properties) if name != "I"]

    def _feature_names(self) -> list[str]:
        names = []
        for scope in self.scopes:
            names += [f"rac_{scope}_prod_{p}_d{d}" for p in self.properties for d in range(self.max_depth + 1)]
            if scope not in PRODUCT_ONLY:
                names += [
                    f"rac_{scope}_diff_{p}_d{d}"
                    for p in self.properties
                    if p != "I"
                    for d in range(1, self.max_depth + 1)
                ]
        return names
