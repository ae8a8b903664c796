"""EQeq charges of a dataset (simulate/charges_batch.py) and their use by Widom insertion: every
structure written with its charges or recorded as failed, a rerun skips the finished ones, and a
charged guest in an uncharged framework gets EQeq charges."""

import os

import numpy as np
import pandas as pd

from atomlearn.datasets import load_folder
from atomlearn.physics.charges import eqeq_charges
from atomlearn.simulate.charges_batch import charge_dataset
from atomlearn.simulate.widom import widom_henry

IDS = ["UZUNAF_clean", "ANOMUM_clean", "EHAFUQ_clean"]  # EHAFUQ holds uranium: no EQeq parameters


def test_a_dataset_is_charged_into_a_folder_dataset_and_a_rerun_skips_it(coremof, tmp_path):
    dataset = coremof.subset(IDS)
    batch = charge_dataset(dataset, tmp_path / "charged", n_jobs=2)
    assert batch.n_requested == 3 == len(batch.results) + len(batch.errors)  # in = out + failed
    assert list(batch.errors["item_id"]) == ["EHAFUQ_clean"] and "no parameters for U" in batch.errors["reason"][0]
    folder = load_folder(tmp_path / "charged")
    assert sorted(folder.ids) == ["ANOMUM_clean", "UZUNAF_clean"]
    assert set(folder.labels.columns) == set(coremof.labels.columns)  # the labels travel along
    for item_id in folder.ids:
        np.testing.assert_allclose(
            folder.structure(item_id).get_initial_charges(), eqeq_charges(coremof.structure(item_id)), atol=1e-6
        )
    again = charge_dataset(dataset, tmp_path / "charged")
    assert (again.n_skipped, again.n_computed, len(again.errors)) == (2, 0, 1)
    assert list(pd.read_csv(tmp_path / "charged" / "charges.csv")["id"]) == list(batch.results["id"])


def test_on_a_cluster_the_charged_cifs_are_written_here_not_on_the_workers(coremof, tmp_path, monkeypatch):
    from distributed import Client, LocalCluster

    elsewhere = tmp_path / "worker-home"
    elsewhere.mkdir()
    monkeypatch.chdir(tmp_path)
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        with Client(cluster.scheduler_address) as client:
            client.run(os.chdir, str(elsewhere))  # the workers no longer see this folder under its relative name
        batch = charge_dataset(coremof.subset(IDS[:2]), "charged", scheduler=cluster.scheduler_address)
    assert len(batch.results) == 2 and batch.errors.empty
    assert sorted(load_folder("charged").ids) == sorted(IDS[:2])
    assert not list(elsewhere.rglob("*.cif"))


def test_a_charged_guest_in_an_uncharged_framework_gets_eqeq_charges(coremof):
    framework = coremof.structure("UZUNAF_clean")
    assert not framework.get_initial_charges().any()
    options = dict(
        block_pockets=False, max_insertions=40_000, target_relative_error=0.5, random_state=2, grid_spacing_A=0.2
    )
    automatic = widom_henry(framework, "CO2", 298.0, **options)
    charged = framework.copy()
    charged.set_initial_charges(eqeq_charges(framework))
    given = widom_henry(charged, "CO2", 298.0, charges="cif", **options)
    assert automatic.electrostatics == "ewald (EQeq charges)" and given.electrostatics == "ewald (CIF charges)"
    assert automatic.henry_mol_kg_Pa == given.henry_mol_kg_Pa
    lj_only = widom_henry(framework, "CO2", 298.0, charges="cif", **options)
    assert lj_only.electrostatics.startswith("none") and lj_only.henry_mol_kg_Pa != automatic.henry_mol_kg_Pa
