"""Featurizer speed against DScribe, RACs/pores throughput on CoRE MOF, peak memory on QM9.

Run side by side in one process; each result is one JSON line:
* ACSF, Coulomb matrix, SOAP: molecules/second on 2,000 QM9 molecules, atomlearn with
  n_jobs=1 and 2 vs DScribe with n_jobs=1 and 2, same parameters (ratio = ours / theirs).
* RACs and pore geometry: structures/second on 200 CoRE MOF 2019 structures (2 jobs).
  RACs have no peer timing: mofdscribe 0.0.8 fails to import with current pymatgen
  (``BrunnerNN_relative`` was removed) and molSimplify 2.0 pulls in TensorFlow and a
  torch that conflicts with our pin.
* Peak memory (RSS) of featurizing all of QM9 with composition + Coulomb matrix, in a
  child process.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time

import numpy as np

from atomlearn.datasets import load


def _timed(function) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def bench_molecular(n: int = 2000) -> None:
    from dscribe.descriptors import ACSF as DACSF
    from dscribe.descriptors import SOAP as DSOAP
    from dscribe.descriptors import CoulombMatrix as DCM

    from atomlearn.featurizers import ACSF, SOAP, CoulombMatrix

    molecules = load("qm9").sample(n, random_state=0).structures.materialize()
    acsf = ACSF(pooling="sum").fit(molecules)
    soap = SOAP().fit(molecules)
    cm = CoulombMatrix().fit(molecules)
    peers = {
        "acsf": (
            acsf,
            DACSF(r_cut=acsf.r_cut, g2_params=acsf.g2_params, g4_params=acsf.g4_params, species=acsf.species_),
        ),
        "coulomb_matrix": (cm, DCM(n_atoms_max=cm.max_atoms_, permutation="eigenspectrum")),
        "soap": (
            soap,
            DSOAP(
                species=soap.species_,
                r_cut=soap.r_cut,
                n_max=soap.n_max,
                l_max=soap.l_max,
                sigma=soap.sigma,
                average="outer",
            ),
        ),
    }
    for name, (ours, theirs) in peers.items():
        for n_jobs in (1, 2):
            ours.set_params(n_jobs=n_jobs)
            t_ours = _timed(lambda ours=ours: ours.transform(molecules))
            t_theirs = _timed(lambda theirs=theirs, n_jobs=n_jobs: theirs.create(molecules, n_jobs=n_jobs))
            print(
                json.dumps(
                    {
                        "benchmark": f"{name}_qm9",
                        "n": n,
                        "n_jobs": n_jobs,
                        "atomlearn_per_s": round(n / t_ours, 1),
                        "dscribe_per_s": round(n / t_theirs, 1),
                        "ratio_atomlearn_over_dscribe": round(t_theirs / t_ours, 2),
                    }
                ),
                flush=True,
            )


def bench_mofs(n: int = 200) -> None:
    from atomlearn.featurizers import PoreGeometry, RACs

    structures = load("coremof2019").sample(n, random_state=0).structures.materialize()
    for featurizer in (RACs(n_jobs=2), PoreGeometry(n_jobs=2)):
        featurizer.fit(structures)
        seconds = _timed(lambda featurizer=featurizer: featurizer.transform(structures))
        print(
            json.dumps(
                {
                    "benchmark": f"{featurizer.name}_coremof2019",
                    "n": n,
                    "n_jobs": 2,
                    "structures_per_s": round(n / seconds, 2),
                    "failed": len(featurizer.errors_table()),
                    "mean_atoms": round(float(np.mean([len(a) for a in structures])), 1),
                }
            ),
            flush=True,
        )


def peak_memory_all_qm9() -> None:
    code = (
        "import resource, time\n"
        "from atomlearn.datasets import load\n"
        "from atomlearn.featurizers import CompositionStats, CoulombMatrix\n"
        "d = load('qm9'); s = d.structures.materialize(); t = time.perf_counter()\n"
        "for f in (CompositionStats(n_jobs=2), CoulombMatrix(n_jobs=2)): X = f.fit(s).transform(s)\n"
        "print(len(s), time.perf_counter() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
    )
    n, seconds, peak_kb = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    print(
        json.dumps(
            {
                "benchmark": "qm9_all_composition_coulomb",
                "structures": int(n),
                "seconds": round(float(seconds), 1),
                "peak_rss_MiB": round(int(peak_kb) / 1024),
                "children_peak_rss_MiB": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024),
            }
        ),
        flush=True,
    )


if __name__ == "__main__":
    bench_molecular()
    bench_mofs()
    peak_memory_all_qm9()
