"""Explain fitted models and feature spaces: permutation importance (single and grouped),
feature selection (filters, wrappers, LASSO, SISSO), projections (PCA, t-SNE, UMAP, LDA)."""

from atomlearn.explain.importance import correlated_groups, permutation_importance
from atomlearn.explain.projection import Projection, project, scree
from atomlearn.explain.run_explanation import explain_run, read_explain_summary
from atomlearn.explain.selection import CorrelationThreshold, lasso_path_frame, make_selector, selected_features
from atomlearn.explain.sisso import SISSORegressor

__all__ = [
    "CorrelationThreshold",
    "Projection",
    "SISSORegressor",
    "correlated_groups",
    "explain_run",
    "lasso_path_frame",
    "make_selector",
    "permutation_importance",
    "project",
    "read_explain_summary",
    "scree",
    "selected_features",
]
