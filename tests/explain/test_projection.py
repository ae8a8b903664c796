import importlib.util

import numpy as np
import pytest
from sklearn.datasets import make_blobs
from sklearn.decomposition import PCA
from sklearn.metrics import silhouette_score
from sklearn.preprocessing import StandardScaler

from atomlearn.explain.projection import project, scree


@pytest.fixture
def blobs():
    X, labels = make_blobs(n_samples=300, centers=3, n_features=10, cluster_std=1.0, random_state=0)
    return X, labels


def test_pca_coordinates_and_scree_match_sklearn(blobs):
    X, _ = blobs
    result = project(X, "pca", ids=[f"m{i}" for i in range(len(X))])
    reference = PCA(2).fit(StandardScaler().fit_transform(X))
    np.testing.assert_allclose(
        np.abs(result.coordinates[["dim1", "dim2"]].to_numpy()),
        np.abs(reference.transform(StandardScaler().fit_transform(X))),
        atol=1e-8,
    )
    assert result.coordinates["id"].iloc[5] == "m5"
    table = scree(X)
    np.testing.assert_allclose(table["explained_variance_ratio"].iloc[:2], result.explained_variance_ratio)
    assert (
        table["cumulative"].iloc[-1] == pytest.approx(1.0) and table["explained_variance_ratio"].is_monotonic_decreasing
    )


def test_tsne_keeps_clusters_apart_and_records_its_perplexity(blobs):
    X, labels = blobs
    result = project(X, "tsne", perplexity=20, random_state=0)
    coords = result.coordinates[["dim1", "dim2"]].to_numpy()
    assert result.params["perplexity"] == 20 and coords.shape == (300, 2)
    assert silhouette_score(coords, labels) > 0.6
    again = project(X, "tsne", perplexity=20, random_state=0).coordinates
    np.testing.assert_allclose(again[["dim1", "dim2"]].to_numpy(), coords)  # fixed seed, same map
    with pytest.warns(UserWarning, match="perplexity 200 is too large for 300 samples.*used 99"):
        assert project(X, "tsne", perplexity=200).params["perplexity"] == 99  # a valid one, said aloud
    with pytest.raises(ValueError, match="at least 1"):
        project(X, "tsne", perplexity=0.5)


def test_lda_separates_classes_in_at_most_k_minus_1_dimensions(blobs):
    X, labels = blobs
    result = project(X, "lda", y=labels, n_components=5)
    assert result.params["n_components"] == 2 and silhouette_score(result.coordinates[["dim1", "dim2"]], labels) > 0.7
    with pytest.raises(ValueError, match="class label"):
        project(X, "lda")


def test_bad_rows_and_missing_umap_are_explained(blobs):
    X, _ = blobs
    X = X.copy()
    X[7, 3] = np.nan
    with pytest.raises(ValueError, match="row 7"):
        project(X, "pca")
    if importlib.util.find_spec("umap") is None:
        with pytest.raises(ImportError, match="umap-learn"):
            project(blobs[0], "umap")
