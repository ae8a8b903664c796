"""``embedding_map(EMB_DIR)``: one self-contained HTML page mapping the word vectors of the
elements and formulas of a corpus to 2-D (``explain.project``: t-SNE or PCA of the unit vectors),
coloured by kind, with each formula's count and, where a property word is given, its cosine
similarity to that word."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from atomlearn import __version__
from atomlearn.explain import project
from atomlearn.files import write_text_atomic
from atomlearn.report import figure, html_page, note, section, styled_figure, table
from atomlearn.text.embeddings import Embeddings
from atomlearn.text.formulas import ELEMENT_SYMBOLS


def embedding_map(
    folder: str | Path,
    out: str | Path | None = None,
    method: str = "tsne",
    n: int = 500,
    property_word: str | None = None,
    random_state: int = 0,
) -> Path:
    """Write the HTML map of the ``n`` most frequent elements and formulas of an embedding folder.

    Parameters
    ----------
    folder : str or Path
    out : str or Path, optional
        Default ``folder/map.html``.
    method : {"tsne", "pca", "umap"}
    n : int
    property_word : str, optional
        Colour by the cosine similarity to it, and list the nearest.
    random_state : int

    Returns
    -------
    Path
    """
    embeddings = Embeddings(folder)
    words = [w for w in embeddings.vectors.index_to_key if w in ELEMENT_SYMBOLS][:n]
    words += embeddings.formulas()[: max(n - len(words), 0)]
    if len(words) < 4:
        raise ValueError(f"{folder}: {len(words)} elements and formulas have vectors; a map needs at least 4")
    vectors = np.array([embeddings.vectors.get_vector(w, norm=True) for w in words])
    projection = project(vectors, method=method, ids=words, standardize=False, random_state=random_state)
    points = projection.coordinates.assign(
        kind=["element" if w in ELEMENT_SYMBOLS else "formula" for w in words],
        count=[embeddings.counts[w] for w in words],
    )
    colour_by = "kind"
    if property_word:
        target = embeddings.key(property_word)
        points["similarity"] = embeddings.vectors.cosine_similarities(
            embeddings.vectors[target], np.array([embeddings.vectors[w] for w in words])
        )
        colour_by = "similarity"
    fig = go.Figure()
    if colour_by == "kind":
        for kind, rows in points.groupby("kind"):
            fig.add_trace(
                go.Scatter(
                    x=rows["dim1"],
                    y=rows["dim2"],
                    mode="markers+text",
                    name=kind,
                    text=rows["id"],
                    textposition="top center",
                    textfont={"size": 9},
                    customdata=rows[["count"]],
                    hovertemplate="%{text}: %{customdata[0]} times",
                )
            )
    else:
        fig.add_trace(
            go.Scatter(
                x=points["dim1"],
                y=points["dim2"],
                mode="markers+text",
                text=points["id"],
                textposition="top center",
                textfont={"size": 9},
                marker={
                    "color": points["similarity"],
                    "colorscale": "Viridis",
                    "showscale": True,
                    "colorbar": {"title": f"cos to {target}"},
                },
                customdata=points[["count", "similarity"]],
                hovertemplate="%{text}: %{customdata[0]} times, cos %{customdata[1]:.3f}",
            )
        )
    styled_figure(fig, f"Elements and formulas of {Path(folder).name} ({method})", "dimension 1", "dimension 2")
    fig.update_layout(width=900, height=700)
    nearest = (
        points.sort_values("similarity", ascending=False).head(20)[["id", "kind", "count", "similarity"]]
        if property_word
        else pd.DataFrame()
    )
    sections = [
        section(
            "Map",
            figure(fig, "map"),
            note(
                f"{len(words)} words: the {int((points['kind'] == 'element').sum())} elements and the most frequent "
                "formulas "
                f"of the vocabulary, unit vectors projected by {method} ({projection.seconds:.1f} s). Corpus: "
                f"{embeddings.card['documents']['summary']}."
            ),
        )
    ]
    if property_word:
        sections.append(section(f"Nearest to {target}", table(nearest, "{:.3f}")))
    path = Path(out) if out is not None else Path(folder) / "map.html"
    write_text_atomic(
        path,
        html_page(
            f"atomlearn: word-embedding map of {Path(folder).name}", f"atomlearn {__version__} · {folder}", sections
        ),
    )
    return path
