"""``sampling_report(BG_DIR)``: one self-contained HTML page for a trained Boltzmann generator:
ESS, the ΔF table against the reference (and against the flow's unweighted samples), the free-energy
profile along the collective variable, the energy distributions of flow samples, reweighted flow
samples and reference samples, and the training history."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from atomlearn import __version__
from atomlearn.files import write_text_atomic
from atomlearn.report import HEIGHT, WIDTH, figure, html_page, note, section, styled_figure, table
from atomlearn.sampling.reweighting import free_energy_difference, kish_ess, reweighted_histogram
from atomlearn.sampling.store import load_generator, read_record
from atomlearn.sampling.train import build_potential

FLOW, REWEIGHTED, REFERENCE = "#9aa5b1", "#d9480f", "#1c7ed6"
MIN_BIN_SAMPLES = 10


def _cv_figure(system, x: np.ndarray, log_w: np.ndarray, reference: np.ndarray) -> go.Figure:
    """The free-energy profile along the system's collective variable (a 1D system with an exact
    profile), or the density of all pair distances (particle systems): flow as drawn, reweighted, reference."""
    fig = go.Figure()
    cv = system.collective_variable(x)
    per_sample = len(cv) // len(x)  # pair distances: several values per sample, each with the sample's weight
    log_w = np.repeat(log_w, per_sample)
    reference_cv = system.collective_variable(reference) if reference is not None else None
    edges = np.linspace(*np.percentile(cv if reference_cv is None else reference_cv, [0.05, 99.95]), 61)
    centres = 0.5 * (edges[1:] + edges[:-1])
    counts, _ = np.histogram(cv, bins=edges)
    if reference is None:
        curves = []
    elif per_sample == 1:
        curves = [("reference", system.reference_profile(edges), REFERENCE)]
    else:
        curves = [("reference", reweighted_histogram(reference_cv, np.zeros(len(reference_cv)), edges)[1], REFERENCE)]
    if per_sample == 1:
        _, _, reweighted = reweighted_histogram(cv, log_w, edges)
        _, _, raw = reweighted_histogram(cv, np.zeros_like(log_w), edges)
        axis = "F (kT)"
    else:
        reweighted = reweighted_histogram(cv, log_w, edges)[1]
        raw = reweighted_histogram(cv, np.zeros_like(log_w), edges)[1]
        axis = "density"
    reweighted = np.where(counts >= MIN_BIN_SAMPLES, reweighted, np.nan)  # a bin of 1-2 samples: noise, not shown
    curves += [("flow, reweighted", reweighted, REWEIGHTED), ("flow, as drawn", raw, FLOW)]
    for name, values, colour in curves:
        fig.add_trace(
            go.Scatter(
                x=centres,
                y=np.where(np.isfinite(values), values, np.nan),
                mode="lines",
                name=name,
                line={"color": colour},
            )
        )
    title = f"Free energy along {system.cv_label}" if per_sample == 1 else f"Distribution of every {system.cv_label}"
    return styled_figure(fig, title, system.cv_label, axis)


def _energies(flow_u: np.ndarray, log_w: np.ndarray, reference_u: np.ndarray | None) -> go.Figure:
    finite = np.isfinite(flow_u)
    weights = np.exp(log_w[finite] - log_w[finite].max())
    curves = [("flow, as drawn", flow_u[finite], None, FLOW), ("flow, reweighted", flow_u[finite], weights, REWEIGHTED)]
    if reference_u is not None:
        curves.append(("reference", reference_u, None, REFERENCE))
    low, high = np.percentile(np.concatenate([values for _, values, _, _ in curves]), [0.1, 99.5])
    edges = np.linspace(low, high, 60)
    fig = go.Figure()
    for name, values, w, colour in curves:
        density, _ = np.histogram(values, bins=edges, weights=w, density=True)
        fig.add_trace(
            go.Scatter(
                x=0.5 * (edges[1:] + edges[:-1]),
                y=density,
                mode="lines",
                name=name,
                line={"color": colour, "shape": "hvh"},
            )
        )
    return styled_figure(fig, "Energy distribution", "u = U/kT", "density")


def _ramachandran(system, x: np.ndarray, log_w: np.ndarray, reference: np.ndarray) -> go.Figure:
    """Free energy over (φ, ψ): the reference MD beside the reweighted flow samples."""
    from plotly.subplots import make_subplots

    edges = np.linspace(-180, 180, 49)
    fig = make_subplots(rows=1, cols=2, subplot_titles=("reference MD", "flow, reweighted"), shared_yaxes=True)
    finite = np.isfinite(log_w)
    for column, (z, weights) in enumerate(
        ((reference, None), (x[finite], np.exp(log_w[finite] - log_w[finite].max())))
    ):
        phi, psi = system.ramachandran(z)
        density, _, _ = np.histogram2d(phi, psi, bins=[edges, edges], weights=weights, density=True)
        with np.errstate(divide="ignore"):
            free_energy = -np.log(density.T)
        free_energy -= np.min(free_energy[np.isfinite(free_energy)])
        fig.add_trace(
            go.Heatmap(
                x=0.5 * (edges[1:] + edges[:-1]),
                y=0.5 * (edges[1:] + edges[:-1]),
                z=np.where(free_energy < 10, free_energy, np.nan),
                zmin=0,
                zmax=10,
                colorscale="Viridis",
                colorbar={"title": "F (kT)"},
                showscale=column == 1,
            ),
            row=1,
            col=column + 1,
        )
    fig.update_layout(
        title="Ramachandran plot",
        width=2 * WIDTH,
        height=HEIGHT,
        template="plotly_white",
        margin={"l": 60, "r": 20, "t": 70, "b": 50},
    )
    fig.update_xaxes(title_text="φ (degrees)")
    fig.update_yaxes(title_text="ψ (degrees)", col=1)
    return fig


def _history(folder: Path) -> go.Figure:
    history = pd.read_csv(folder / "history.csv")
    fig = go.Figure()
    offset = 0
    for phase, rows in history.groupby("phase", sort=False):
        fig.add_trace(
            go.Scatter(x=rows["epoch"] + offset, y=rows["validation_loss"], mode="lines", name=f"{phase} (validation)")
        )
        offset += int(rows["epoch"].max())
    return styled_figure(fig, "Training", "epoch (both phases)", "validation loss")


def _free_energy_rows(generator, system, samples, has_reference: bool) -> list[dict]:
    names, rows = list(system.states), []
    for other in names[1:]:
        delta = generator.free_energy_difference(names[0], other)
        raw = free_energy_difference(
            np.where(np.isfinite(samples.log_w), 0.0, -np.inf),
            system.states[names[0]](samples.x),
            system.states[other](samples.x),
        )
        reference = system.reference_free_energy(names[0], other) if has_reference else float("nan")
        rows.append(
            {
                "ΔF": f"{other} − {names[0]}",
                "reweighted (kT)": delta.delta_f,
                "± (kT)": delta.error,
                "reference (kT)": reference,
                "reference ± (kT)": system.reference_error(names[0], other) if has_reference else float("nan"),
                "error (kT)": delta.delta_f - reference,
                "flow as drawn (kT)": raw.delta_f,
            }
        )
    return rows


def sampling_report(
    folder: str | Path, out: str | Path | None = None, n: int | None = None, random_state: int = 1
) -> Path:
    """Write the HTML report of a trained Boltzmann generator: ESS, ΔF against the reference, the profile
    along the collective variable, energy distributions and the training history.

    Parameters
    ----------
    folder : str or Path
        A complete ``BG_DIR``.
    out : str or Path, optional
        Default ``folder/report.html``.
    n : int, optional
        Fresh flow samples drawn for the page (default: as many as its evaluation drew).
    random_state : int

    Returns
    -------
    Path
    """
    import torch

    folder = Path(folder)
    record = read_record(folder)
    results = record["results"]
    system = build_potential(record["potential"])
    generator = load_generator(folder, system)
    n = n or results["n_eval"]
    generator.sample(n, random_state=random_state)
    samples = generator.samples_
    ess = kish_ess(samples.log_w)
    reference = reference_u = None
    if "reference_failure" not in results:
        reference = system.reference_samples(min(max(n, 10_000), 100_000), random_state=random_state)
        with torch.no_grad():
            reference_u = system.reduced(torch.as_tensor(reference), generator.temperature).numpy()
    missing = f" No reference could be made: {results['reference_failure']}" if "reference_failure" in results else ""
    summary = pd.DataFrame(
        [
            {
                "system": results["system"],
                "flow": results["flow"],
                "training samples": results["n_training_samples"],
                "training (s)": results["train_seconds"],
                "flow samples": n,
                "ESS (%)": ess,
                "no finite energy": samples.n_invalid,
                "energy W1, as drawn / reweighted (kT)": f"{results['energy_w1_flow']:.3f} / "
                f"{results['energy_w1_reweighted']:.3f}",
                "NLL of reference samples": results["nll_reference"],
            }
        ]
    )
    sections = [
        section(
            "Summary",
            table(summary),
            note(
                "ESS: Kish effective sample size of the importance weights w = exp(−u)/q, as a percentage of the flow "
                "samples."
                + (" Below 1 % the estimates are unreliable." if ess < 1 else "")
                + " Energy W1 and NLL: from the "
                f"evaluation after training ({results['n_eval']} flow samples, {results['n_reference']} reference "
                "samples)." + missing
            ),
        )
    ]
    if len(system.states) > 1:
        sections.append(
            section(
                "Free-energy differences",
                table(pd.DataFrame(_free_energy_rows(generator, system, samples, reference is not None)), "{:.3f}"),
                note(
                    "Reweighted: from the flow samples with their importance weights, ± one bootstrap standard error. "
                    "As drawn: the flow samples counted as they are, which is biased wherever q differs from p."
                ),
            )
        )
    sections += [
        section(
            "Profile and energies",
            "<div class='row'>"
            + figure(_cv_figure(system, samples.x, samples.log_w, reference), "profile")
            + figure(_energies(samples.reduced_energies, samples.log_w, reference_u), "energies")
            + "</div>",
            note(
                f"The reweighted curve leaves out bins with fewer than {MIN_BIN_SAMPLES} flow samples. "
                f"Reference: {system.reference_description}."
            ),
        ),
        section("Training", figure(_history(folder), "history")),
    ]
    if hasattr(system, "ramachandran") and reference is not None:
        sections.insert(
            -1,
            section(
                "Ramachandran plot", figure(_ramachandran(system, samples.x, samples.log_w, reference), "ramachandran")
            ),
        )
    path = Path(out) if out is not None else folder / "report.html"
    write_text_atomic(
        path,
        html_page(
            f"atomlearn: Boltzmann generator for {results['system']}", f"atomlearn {__version__} · {folder}", sections
        ),
    )
    return path
