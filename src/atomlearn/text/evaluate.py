"""How good a ranking by a property word is, the two ways of the mat2vec paper (Tshitoyan et al. 2019):

* ``known_material_ranking``: against labels, e.g. the paper's thermoelectric table
  (``MAT2VEC_THERMOELECTRICS``): how many known materials are among the top k, against their share
  among all candidates, and the ROC AUC of the similarity as a score;
* ``time_split``: embeddings trained on the documents up to a year rank candidates; a candidate is
  a hit if a later document names it within a few words of the property word. Its precision is
  compared with the hit rate of every candidate (the baseline of a random pick).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from sklearn.metrics import roc_auc_score

from atomlearn.text.corpus import read_corpus
from atomlearn.text.embeddings import MAT2VEC_THERMOELECTRICS, Embeddings
from atomlearn.text.tokens import tokenize


def known_material_ranking(
    embeddings: Embeddings, property_word: str = "thermoelectric", labels: dict[str, bool] | None = None, k: int = 50
) -> dict[str, float]:
    """How well the cosine similarity to a property word ranks formulas with known labels.

    Parameters
    ----------
    embeddings : Embeddings
    property_word : str
    labels : dict of str to bool, optional
        Formula (any writing) -> has the property (default: the paper's thermoelectric table).
    k : int

    Returns
    -------
    dict of str to float
        Top-k precision and ROC AUC over the labelled formulas that have a vector, and their count.
    """
    if labels is None:
        table = json.loads(Path(MAT2VEC_THERMOELECTRICS).read_text())
        labels = {formula: bool(entry[1]) for formula, entry in table.items()}
    labels = {_canonical(formula): known for formula, known in labels.items()}
    present = [f for f in labels if f in embeddings]
    if not present:
        raise ValueError(
            f"none of the {len(labels)} labelled formulas has a vector in {embeddings.folder}: the corpus "
            "does not mention them often enough"
        )
    ranking = embeddings.rank(property_word, candidates=present, n=None)
    known = ranking["formula"].map(labels).to_numpy(dtype=bool)
    top = known[:k]
    both = known.any() and not known.all()
    return {
        "candidates": len(present),
        "known": int(known.sum()),
        "k": min(k, len(known)),
        "known_in_top_k": int(top.sum()),
        "precision_at_k": float(top.mean()),
        "base_rate": float(known.mean()),
        "roc_auc": float(roc_auc_score(known, ranking["similarity"])) if both else float("nan"),
    }


def _canonical(formula: str) -> str:
    from atomlearn.text.formulas import classify

    return classify(formula)[1]


@dataclass(frozen=True)
class TimeSplit:
    """The top candidates of embeddings trained up to ``year`` and whether later documents confirm them.

    Attributes
    ----------
    year : int
    property_word : str
    table : pandas.DataFrame
        The ranked formulas, with whether a later document names each near the property word.
    hit_rate_all : float
        The share of all ranked formulas later named so: the rate to beat.
    """

    year: int
    property_word: str
    table: pd.DataFrame  # rank, formula, similarity, count, hit, first_year
    hit_rate_all: float  # share of every candidate formula that later appears near the property word

    def summary(self) -> str:
        """One line: hits among the top k against the hit rate of all candidates."""
        hits, k = int(self.table["hit"].sum()), len(self.table)
        return (
            f"after {self.year}: {hits} of the top {k} candidates for {self.property_word} appear near it "
            f"({hits / max(k, 1):.1%}), against {self.hit_rate_all:.1%} of all candidate formulas"
        )


def time_split(
    corpus: str | Path,
    embeddings: Embeddings,
    year: int,
    property_word: str,
    k: int = 50,
    window: int = 8,
    max_count: int | None = None,
) -> TimeSplit:
    """The paper's time split: rank the formulas by a property word with embeddings trained on documents up
    to ``year`` and mark each one a later document names near the property word.

    Parameters
    ----------
    corpus : str or Path
    embeddings : Embeddings
        Trained with ``train_embeddings(max_year=year)``.
    year : int
    property_word : str
    k : int
        Top candidates listed.
    window : int
        Tokens around the property word that count as "near".
    max_count : int, optional
        Leave out formulas seen more often (the well known).

    Returns
    -------
    TimeSplit
    """
    target = embeddings.key(property_word)
    ranking = embeddings.rank(property_word, max_count=max_count, n=None)
    first_year = _first_mentions_near(corpus, year, target, set(ranking["formula"]), window)
    ranking["hit"] = ranking["formula"].isin(first_year)
    ranking["first_year"] = ranking["formula"].map(first_year)
    return TimeSplit(year, target, ranking.head(k).reset_index(drop=True), float(ranking["hit"].mean()))


def _first_mentions_near(corpus: str | Path, year: int, target: str, formulas: set[str], window: int) -> dict[str, int]:
    """Formula -> the first year after ``year`` a document names it within ``window`` tokens of ``target``."""
    first: dict[str, int] = {}
    for document in read_corpus(corpus):
        if document.year is None or document.year <= year:
            continue
        tokens = tokenize(document.text)
        positions = [i for i, token in enumerate(tokens) if target in token.split("_")]  # a phrase holding it counts
        if not positions:
            continue
        for i, token in enumerate(tokens):
            if token in formulas and min(abs(i - p) for p in positions) <= window:
                first[token] = min(first.get(token, document.year), document.year)
    return first
