"""Materials discovery from text: word embeddings of a corpus of abstracts (mat2vec, Tshitoyan et
al., Nature 571, 95 (2019)), with chemical formulas recognised and normalised, ranked against a
property word."""

from atomlearn.text.corpus import CorpusCounts, Document, read_corpus
from atomlearn.text.embeddings import MAT2VEC_ANALOGIES, Embeddings
from atomlearn.text.evaluate import TimeSplit, known_material_ranking, time_split
from atomlearn.text.featurizer import TextEmbedding
from atomlearn.text.formulas import classify, normalize_formula
from atomlearn.text.map_page import embedding_map
from atomlearn.text.offline import SOURCES, available_sources, write_offline_corpus
from atomlearn.text.tokens import tokenize
from atomlearn.text.train import CARD, EmbeddingResult, train_embeddings

__all__ = [
    "CARD",
    "MAT2VEC_ANALOGIES",
    "SOURCES",
    "CorpusCounts",
    "Document",
    "EmbeddingResult",
    "Embeddings",
    "TextEmbedding",
    "TimeSplit",
    "available_sources",
    "classify",
    "embedding_map",
    "known_material_ranking",
    "normalize_formula",
    "read_corpus",
    "time_split",
    "tokenize",
    "train_embeddings",
    "write_offline_corpus",
]
