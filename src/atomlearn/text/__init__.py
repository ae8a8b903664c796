"""Materials discovery from text: word embeddings of a corpus of abstracts (mat2vec, Tshitoyan et
al., Nature 571, 95 (2019)), with chemical formulas recognised and normalised, ranked against a
property word."""

from atomlearn.text.corpus import CorpusCounts, Document, read_corpus
from atomlearn.text.embeddings import Embeddings
from atomlearn.text.evaluate import TimeSplit, known_material_ranking, time_split
from atomlearn.text.featurizer import TextEmbedding
from atomlearn.text.formulas import classify, normalize_formula
from atomlearn.text.tokens import tokenize
from atomlearn.text.train import EmbeddingResult, train_embeddings

__all__ = [
    "CorpusCounts",
    "Document",
    "EmbeddingResult",
    "Embeddings",
    "TextEmbedding",
    "classify",
    "normalize_formula",
    "read_corpus",
    "TimeSplit",
    "known_material_ranking",
    "time_split",
    "tokenize",
    "train_embeddings",
]
