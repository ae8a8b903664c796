import pytest

from atomlearn.datasets import load


@pytest.fixture(scope="module")
def mof():
    """A small porous CoRE MOF (ACODUT: 218 atoms, hexagonal channels)."""
    atoms = load("coremof2019").subset(["ACODUT_clean"]).structures[0]
    atoms.info["id"] = "ACODUT_clean"
    return atoms
