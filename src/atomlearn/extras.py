"""The optional parts of atomlearn and the pip extra that installs each (``pip install "atomlearn[nn]"``).

The core install reads structures, featurizes, splits, fits the scikit-learn and kernel models,
evaluates, explains and reports. ``nn`` adds the networks, force fields and BoTorch GPs (PyTorch);
``sim`` the label engines that need xTB, pyGAPS or pymbar; ``sampling`` the Boltzmann generators;
``text`` the word embeddings. Whatever needs a missing extra says, in one line, what to install.
"""

from __future__ import annotations

import importlib.util
from functools import cache

__all__ = ["EXTRAS", "MissingExtraError", "extra_message", "require_extra"]

#: extra -> the packages it installs that atomlearn imports
EXTRAS = {
    "nn": ("torch", "botorch", "gpytorch"),
    "sim": ("tblite", "pygaps", "pymbar"),
    "sampling": ("torch", "zuko", "openmm"),
    "text": ("gensim", "mendeleev"),
}


class MissingExtraError(ImportError):
    """A part of atomlearn was used whose extra is not installed; the message says what to install."""


@cache
def _installed(package: str) -> bool:
    try:
        return importlib.util.find_spec(package) is not None
    except (ImportError, ValueError):
        return False


def require_extra(extra: str, what: str) -> None:
    """Refuse, in one line, to go on when a package of ``extra`` is missing.

    Parameters
    ----------
    extra : str
        A key of :data:`EXTRAS`.
    what : str
        What needs it, for the message (``"the painn model"``).

    Raises
    ------
    MissingExtraError
        ``what needs PACKAGE (the "EXTRA" extra): pip install "atomlearn[EXTRA]"``.
    """
    for package in EXTRAS[extra]:
        if not _installed(package):
            raise MissingExtraError(f'{what} needs {package} (the "{extra}" extra): pip install "atomlearn[{extra}]"')


def extra_message(exc: BaseException) -> str | None:
    """The one line to show for an import of a package an extra installs (None for any other error)."""
    if isinstance(exc, MissingExtraError):
        return str(exc)
    if isinstance(exc, ModuleNotFoundError) and exc.name:
        package = exc.name.split(".")[0]
        extra = next((name for name, packages in EXTRAS.items() if package in packages), None)
        if extra is not None:
            return f'this needs {package} (the "{extra}" extra): pip install "atomlearn[{extra}]"'
    return None
