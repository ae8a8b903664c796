import pytest

from atomlearn.datasets import load


@pytest.fixture(scope="module")
def mof():
    """A small porous CoRE MOF (DORFAS: 171 atoms, hexagonal channels of 6.9 Å)."""
    atoms = load("coremof2019").subset(["DORFAS_clean"]).structures[0]
    atoms.info["id"] = "DORFAS_clean"
    return atoms
