"""Train a Boltzmann generator for a named system and write it to ``BG_DIR``: training samples
(MCMC in each metastable state), the fit (resumable from its checkpoints), and an evaluation on
fresh flow samples (ESS, ΔF between the system's states against its reference)."""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch
from scipy.stats import wasserstein_distance

from atomlearn.display import Displayed, format_value
from atomlearn.files import check_resume_request
from atomlearn.sampling.generator import BoltzmannGenerator
from atomlearn.sampling.potentials import Potential
from atomlearn.sampling.reweighting import kish_ess, warn_if_unreliable
from atomlearn.sampling.store import GENERATOR_FILE, save_generator
from atomlearn.sampling.systems import System, get_system

SETTINGS_FILE = "training_settings.json"
CHECKPOINTS = ("checkpoint-likelihood.pt", "checkpoint-energy.pt", "checkpoint-flow-matching.pt")


def build_potential(spec: dict[str, Any]) -> Potential:
    """The potential a ``generator.json`` describes.

    Parameters
    ----------
    spec : dict
        ``{"system": NAME, ...its parameters}`` (``System.spec``).

    Returns
    -------
    Potential
    """
    if "system" not in spec:
        raise ValueError(f"unknown potential description {spec!r}; this atomlearn knows {{'system': NAME, ...}}")
    return get_system(str(spec["system"]), **{k: v for k, v in spec.items() if k != "system"})


@dataclass(frozen=True, repr=False)
class GeneratorResult(Displayed):
    """A trained generator's folder and its measured numbers."""

    folder: Path
    results: dict[str, Any]

    def _display(self) -> tuple[str, list[tuple[str, Any]]]:
        r = self.results
        differences = pd.DataFrame(r["free_energy_differences"])
        shown = [
            c for c in ("state_a", "state_b", "delta_f", "error", "reference", "reference_error") if c in differences
        ]
        return (
            f"GeneratorResult: {r['system']} ({r['flow']})",
            [
                ("folder", self.folder),
                ("training samples", r["n_training_samples"]),
                ("effective sample size", f"{format_value(r['ess_percent'])} % of {r['n_eval']:,} flow samples"),
                ("free energy differences (kT)", differences[shown]),
            ],
        )

    def summary(self) -> str:
        """One line per state pair: ΔF by reweighting against the reference, and the ESS."""
        r = self.results
        lines = [
            f"{self.folder}: {r['system']} ({r['flow']}), {r['n_training_samples']} training samples, "
            f"{r['train_seconds']:.0f} s training; ESS {r['ess_percent']:.1f} % of {r['n_eval']} flow samples"
            + (f" ({r['n_invalid']} without a finite energy, weight 0)" if r["n_invalid"] else "")
        ]
        if "reference_failure" in r:
            lines.append(f"  no reference to compare with: {r['reference_failure']}")
        else:
            lines.append(
                f"  energy W1 to the reference ({r['n_reference']} samples): {r['energy_w1_flow']:.3f} kT as "
                f"drawn, {r['energy_w1_reweighted']:.3f} kT reweighted; NLL of reference samples "
                f"{r['nll_reference']:.3f}"
            )
        for d in r["free_energy_differences"]:
            line = f"  ΔF({d['state_b']} − {d['state_a']}) = {d['delta_f']:.3f} ± {d['error']:.3f} kT"
            if not np.isnan(d["reference"]):
                line += (
                    f" (reference {d['reference']:.3f} ± {d.get('reference_error', 0.0):.3f}; "
                    f"error {d['delta_f'] - d['reference']:+.3f})"
                )
            lines.append(line)
        return "\n".join(lines)


def evaluate_generator(
    generator: BoltzmannGenerator,
    system: System,
    n: int,
    n_reference: int = 10_000,
    n_likelihood: int = 1000,
    random_state: int = 1,
) -> dict[str, Any]:
    """The generator against the system's reference, from n fresh flow samples: ESS; ΔF between the
    system's first state and each other one; the Wasserstein-1 distance between the energy
    distributions of the flow samples (as drawn and reweighted) and of reference samples; the
    negative log-likelihood of reference samples under the flow (nats per sample). A reference
    that cannot be made (MD with an unstable force field) leaves those NaN, with the reason in
    ``reference_failure``."""
    generator.sample(n, random_state=random_state)
    samples = generator.samples_
    warn_if_unreliable(kish_ess(samples.log_w))
    results = {"n_eval": n, "ess_percent": kish_ess(samples.log_w), "n_invalid": samples.n_invalid}
    try:
        reference = system.reference_samples(n_reference, random_state=random_state)
    except ValueError as exc:  # the reference MD fell apart: the generator stands, only its comparison is missing
        warnings.warn(f"no reference to compare with: {exc}", stacklevel=2)
        reference = None
        results["reference_failure"] = str(exc)
    names = list(system.states)
    differences = []
    for other in names[1:]:
        delta = generator.free_energy_difference(names[0], other).as_dict()
        delta["reference"], delta["reference_error"] = (
            (system.reference_free_energy(names[0], other), system.reference_error(names[0], other))
            if reference is not None
            else (float("nan"), float("nan"))
        )
        differences.append(delta)
    results["free_energy_differences"] = differences
    if reference is None:
        return {
            **results,
            "n_reference": 0,
            "energy_w1_flow": float("nan"),
            "energy_w1_reweighted": float("nan"),
            "nll_reference": float("nan"),
        }
    with torch.no_grad():
        reference_u = system.reduced(torch.as_tensor(reference), generator.temperature).numpy()
        flow = generator._require_fitted()
        log_q = flow.log_prob(
            torch.as_tensor(reference[: min(n_likelihood, n)], dtype=torch.float32, device=generator.device)
        )
    finite = np.isfinite(samples.reduced_energies)
    weights = np.exp(samples.log_w[finite] - samples.log_w[finite].max())
    return {
        **results,
        "n_reference": len(reference),
        "energy_w1_flow": float(wasserstein_distance(samples.reduced_energies[finite], reference_u)),
        "energy_w1_reweighted": float(
            wasserstein_distance(samples.reduced_energies[finite], reference_u, u_weights=weights)
        ),
        "nll_reference": float(-log_q.mean()),
    }


#: per flow kind: hidden units, energy steps, evaluation samples (a flow-matching sample costs an ODE solve)
FLOW_DEFAULTS = {"realnvp": (64, 1000, 100_000), "spline": (64, 1000, 100_000), "flow-matching": (64, 0, 2000)}
#: a molecule's flow: wider couplings, fewer evaluation samples (each costs a force-field call)
MOLECULE_DEFAULTS = (128, 1000, 20_000)


def train_generator(
    system_name: str,
    out: str | Path,
    n_samples: int = 10_000,
    iterations: int = 1000,
    energy_steps: int | None = None,
    flow: str | None = None,
    n_couplings: int = 8,
    hidden: int | None = None,
    n_eval: int | None = None,
    random_state: int = 0,
    device: str = "auto",
    overwrite: bool = False,
    verbose: bool = False,
    system_params: dict | None = None,
) -> GeneratorResult:
    """Train a Boltzmann generator for the system ``system_name`` and write it to ``out``.

    ``flow`` defaults to the system's own (``realnvp`` for the double well, ``flow-matching`` for
    the particle systems); ``hidden``, ``energy_steps`` and ``n_eval`` default to that flow's
    (``FLOW_DEFAULTS``). A run interrupted (Ctrl-C, a killed job) resumes from its checkpoints in
    ``out`` when rerun with the same arguments; a folder that already holds a finished generator
    is refused unless ``overwrite``.

    Parameters
    ----------
    system_name : str
        A name of :data:`atomlearn.sampling.systems.SYSTEMS` (``double-well``, ``dw4``, ``lj13``,
        ``alanine-dipeptide``, ``molecule`` with ``system_params`` naming the MD frames and force field).
    out : str or Path
        The generator's folder (flow weights, history, samples, ``results.json``).
    n_samples : int
        Training samples drawn by MCMC or MD from the system (the likelihood phase).
    iterations : int
        Likelihood (maximum-likelihood or flow-matching) training steps.
    energy_steps : int, optional
        Reverse-KL steps on the energy afterwards (0: none).
    flow : {"realnvp", "spline", "flow-matching"}, optional
    n_couplings, hidden : int
        Coupling layers and their width.
    n_eval : int, optional
        Flow samples drawn to evaluate the generator.
    random_state : int
    device : {"auto", "cpu", "cuda"}
    overwrite, verbose : bool
    system_params : dict, optional
        Parameters of the system (its ``SPEC_FIELDS``).

    Returns
    -------
    GeneratorResult
        The folder and ``results``: Kish ESS of the importance weights (``ess_percent``), ΔF between
        the system's states by reweighting with bootstrap errors against the reference (kT), energy
        Wasserstein distances as drawn and reweighted (kT), timings.

    Examples
    --------
    The double well, where ΔF is known exactly:

    >>> import tempfile
    >>> from atomlearn.sampling import train_generator
    >>> result = train_generator(
    ...     "double-well", tempfile.mkdtemp(), n_samples=1000, iterations=40, energy_steps=200, n_eval=1000
    ... )
    >>> result.results["ess_percent"] > 50
    True
    >>> delta = result.results["free_energy_differences"][0]
    >>> round(delta["reference"], 2), abs(delta["delta_f"] - delta["reference"]) < 3 * delta["error"]
    (4.78, True)
    """
    system = get_system(system_name, **(system_params or {}))
    flow = flow or system.default_flow
    if flow not in FLOW_DEFAULTS:
        raise ValueError(f"unknown flow {flow!r}; choose one of {', '.join(FLOW_DEFAULTS)}")
    defaults = MOLECULE_DEFAULTS if system.energy_unit != "kT" and flow != "flow-matching" else FLOW_DEFAULTS[flow]
    hidden, energy_steps, n_eval = (
        given if given is not None else default for given, default in zip((hidden, energy_steps, n_eval), defaults)
    )
    out = Path(out)
    if (out / GENERATOR_FILE).exists() and not overwrite:
        raise ValueError(
            f"{out} already holds a trained Boltzmann generator; choose another --out, or pass "
            "--overwrite (overwrite=True) to replace it"
        )
    settings = {
        "system": system_name,
        "system_params": system_params or {},
        "n_samples": n_samples,
        "iterations": iterations,
        "energy_steps": energy_steps,
        "flow": flow,
        "n_couplings": n_couplings,
        "hidden": hidden,
        "random_state": random_state,
    }
    check_resume_request(out, settings, CHECKPOINTS, SETTINGS_FILE)
    samples = system.training_samples(n_samples, random_state=random_state)
    generator = BoltzmannGenerator(
        system,
        flow=flow,
        temperature=system.temperature,
        n_couplings=n_couplings,
        energy_weight=system.default_energy_weight,
        hidden=hidden,
        random_state=random_state,
        checkpoint_dir=out,
        device=device,
        verbose=verbose,
    )
    started = time.perf_counter()
    generator.fit(samples, iterations=iterations, energy_steps=energy_steps)
    results = {
        "system": system_name,
        "flow": flow,
        "n_training_samples": len(samples),
        "train_seconds": time.perf_counter() - started,
        **evaluate_generator(generator, system, n_eval),
    }
    save_generator(generator, out, system.spec(), results)
    for name in (*CHECKPOINTS, SETTINGS_FILE):
        (out / name).unlink(missing_ok=True)
    return GeneratorResult(out, results)
