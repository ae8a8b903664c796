"""Runs: the supervised run (fit on the training part, score the test part once), its results, the
run folder and the model bundle (skops + card, loaded through a fixed allow-list of types)."""

from atomlearn.runs.bundle import Bundle, load_bundle, save_bundle
from atomlearn.runs.bundle_safety import BundleError
from atomlearn.runs.holdout import run_holdout
from atomlearn.runs.results import FittedRun, HoldoutResult, package_versions
from atomlearn.runs.run_folder import require_complete_run, write_run

__all__ = [
    "Bundle",
    "BundleError",
    "FittedRun",
    "HoldoutResult",
    "load_bundle",
    "package_versions",
    "require_complete_run",
    "run_holdout",
    "save_bundle",
    "write_run",
]
