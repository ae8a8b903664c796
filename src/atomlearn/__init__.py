"""atomlearn: machine learning for materials science and chemistry.

Structures in (``atomlearn.structures``), bundled and user datasets
(``atomlearn.datasets``), symmetry-aware featurizers (``atomlearn.featurizers``),
honest evaluation (``atomlearn.evaluate``) and a parallel runner
(``atomlearn.parallel``).
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("atomlearn")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+local"

__all__ = ["__version__"]
