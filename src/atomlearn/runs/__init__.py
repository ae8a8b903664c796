"""Runs: the supervised run (fit on the training part, score the test part once), its results, the
run folder and the model bundle (skops + card, loaded through a fixed allow-list of types)."""

from atomlearn.runs.bundle import CARD_FILE, MODEL_FILE, Bundle, load_bundle, save_bundle
from atomlearn.runs.bundle_safety import BundleError
from atomlearn.runs.holdout import run_holdout
from atomlearn.runs.prepare import featurized_split, featurizer_parts, model_inputs
from atomlearn.runs.results import FittedRun, HoldoutResult, json_default, package_versions
from atomlearn.runs.run_folder import RUN_FILES, require_complete_run, write_run

__all__ = [
    "CARD_FILE",
    "MODEL_FILE",
    "RUN_FILES",
    "Bundle",
    "BundleError",
    "FittedRun",
    "HoldoutResult",
    "featurized_split",
    "featurizer_parts",
    "json_default",
    "load_bundle",
    "model_inputs",
    "package_versions",
    "require_complete_run",
    "run_holdout",
    "save_bundle",
    "write_run",
]
