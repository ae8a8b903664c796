"""``TextEmbedding``: a structure's composition as a point of a word embedding, a featurizer like
any other (``atomlearn.featurizers.base.Featurizer``): the fraction-weighted average of its elements'
word vectors, or the vector of its formula where the corpus names the formula often enough.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from ase import Atoms
from ase.data import chemical_symbols

from atomlearn.featurizers.base import Featurizer
from atomlearn.text.formulas import ELEMENT_NAMES, normalize_formula


class TextEmbedding(Featurizer):
    """Word-embedding features of a composition (Tshitoyan et al., Nature 571, 95 (2019)).

    Each element's vector is its symbol's (``Fe``), else its name's (``iron``); the features are
    those vectors averaged with the atom fractions as weights. With ``prefer_formula``, a
    composition whose canonical formula (``text.formulas``) has a vector of its own gets that
    vector instead. A structure with an element that has neither vector gives a NaN row and an
    error record naming the element. Composition only: all four symmetries hold.

    Parameters
    ----------
    embeddings : str
        An embedding folder written by ``atomlearn text train`` (``EMB_DIR``).
    prefer_formula : bool
        Use a formula's own vector where the vocabulary has it (default False).
    on_error, n_jobs, scheduler, cache
        Runtime settings of every featurizer (see :class:`~atomlearn.featurizers.base.Featurizer`).

    Attributes
    ----------
    element_vectors_ : dict of str to ndarray, shape (n_dimensions,)
        The vector of each element the vocabulary knows, by symbol.
    formula_vectors_ : dict of str to ndarray
        Vectors of the vocabulary's formulas (``prefer_formula`` only).
    embeddings_sha256_ : str
        The SHA-256 of the folder's card (the cache key of the fitted state).
    """

    name = "text_embedding"
    symmetries = frozenset({"translation", "rotation", "permutation", "supercell"})
    citation_list = (
        "V. Tshitoyan, J. Dagdelen, L. Weston, A. Dunn, Z. Rong, O. Kononova, K. A. Persson, G. Ceder, A. Jain, "
        "Unsupervised word embeddings capture latent knowledge from materials science literature, Nature 571, 95 "
        "(2019).",
    )

    def __init__(
        self,
        embeddings: str = "",
        prefer_formula: bool = False,
        on_error: str = "nan",
        n_jobs: int = 1,
        scheduler: str | None = None,
        cache: bool = False,
    ) -> None:
        self.embeddings = embeddings
        self.prefer_formula = prefer_formula
        self._set_runtime(on_error, n_jobs, scheduler, cache)

    def _fit(self, structures: Sequence[Atoms]) -> None:
        from atomlearn.text.embeddings import Embeddings

        if not self.embeddings:
            raise ValueError("TextEmbedding needs embeddings=EMB_DIR (a folder written by `atomlearn text train`)")
        loaded = Embeddings(self.embeddings)
        vectors = {}
        for symbol in chemical_symbols[1:119]:
            for word in (symbol, ELEMENT_NAMES[symbol]):
                if word in loaded:
                    vectors[symbol] = np.asarray(loaded.vectors[word], dtype=float)
                    break
        self.element_vectors_ = vectors
        self.formula_vectors_ = (
            {word: np.asarray(loaded.vectors[word], dtype=float) for word in loaded.formulas()}
            if self.prefer_formula
            else {}
        )
        self.n_dimensions_ = int(loaded.vectors.vector_size)
        self.embeddings_sha256_ = hashlib.sha256((Path(self.embeddings) / "card.json").read_bytes()).hexdigest()

    def _fitted_state(self) -> dict[str, str]:
        return {"embeddings": self.embeddings_sha256_}

    def featurize(self, atoms: Atoms) -> np.ndarray:
        symbols, counts = np.unique(atoms.get_chemical_symbols(), return_counts=True)
        if self.prefer_formula and len(symbols) > 1:
            formula = normalize_formula("".join(f"{s}{c}" for s, c in zip(symbols, counts)))
            if formula in self.formula_vectors_:
                return self.formula_vectors_[formula].copy()
        missing = [s for s in symbols if s not in self.element_vectors_]
        if missing:
            raise ValueError(
                f"element(s) {', '.join(missing)} have no vector in {self.embeddings} (neither symbol nor "
                "name occurs often enough in its corpus)"
            )
        fractions = counts / counts.sum()
        return np.sum([f * self.element_vectors_[s] for s, f in zip(symbols, fractions)], axis=0)

    def _feature_names(self) -> list[str]:
        return [f"text_{i}" for i in range(self.n_dimensions_)]
