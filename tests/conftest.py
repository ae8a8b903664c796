"""Shared fixtures: small slices of the bundled datasets (the cache folder holds their conversions)."""

from __future__ import annotations

import pytest

from atomlearn.datasets import load_coremof, load_qm9


@pytest.fixture(scope="session")
def qm9():
    return load_qm9()


@pytest.fixture(scope="session")
def coremof():
    return load_coremof("2019-ASR")


@pytest.fixture(scope="session")
def coremof_cifs(coremof, tmp_path_factory):
    """60 CoRE MOF 2019 CIF files on disk: every 200th id plus the four with space-group symmetry."""
    folder = tmp_path_factory.mktemp("coremof_cifs")
    symmetric = ["DONNAW01_SL", "POZHUI_ion_b", "ja406030p_si_002_manual", "ja406030p_si_007_manual"]
    ids = coremof.ids[::200][:56] + symmetric
    loader = coremof.structures.loader
    paths = []
    for item_id in ids:
        path = folder / f"{item_id}.cif"
        path.write_text(loader.cif_text(item_id))
        paths.append(path)
    return paths


@pytest.fixture(scope="session")
def qm9_molecules(qm9):
    """40 QM9 molecules spread over the set (ids every 3,000th)."""
    return qm9.take(range(0, 120_000, 3000)).structures.materialize()


@pytest.fixture(scope="session")
def small_mofs(coremof):
    """8 CoRE MOF 2019 structures with at most 200 atoms, featurizable (no overlapping atoms)."""
    from atomlearn.featurizers.checks import require_no_overlap

    chosen = []
    for atoms in coremof.take(range(0, 12_000, 97)).structures:
        if len(atoms) > 200:
            continue
        try:
            require_no_overlap(atoms)
        except ValueError:
            continue
        chosen.append(atoms)
        if len(chosen) == 8:
            break
    return chosen
