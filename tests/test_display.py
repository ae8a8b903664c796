"""Results show themselves: a compact HTML table in a notebook (``_repr_html_``), readable lines in a terminal
(``repr``), numbers to 4 significant digits, text escaped."""

import pandas as pd

from atomlearn.display import format_value
from atomlearn.featurizers import BagOfBonds
from atomlearn.models import make_model
from atomlearn.runs import run_holdout
from atomlearn.sampling.train import GeneratorResult
from atomlearn.simulate.batch import BatchResult


def test_numbers_are_formatted_for_reading():
    assert [format_value(v) for v in (12.345678, 1234567.0, 0.000123, 0.0, 3, True, float("nan"))] == [
        "12.35",
        "1.235e+06",
        "1.230e-04",
        "0",
        "3",
        "True",
        "nan",
    ]


def test_a_holdout_result_shows_its_test_metrics_against_the_baselines(qm9):
    molecules = qm9.take(range(0, 3000, 50))
    result = run_holdout(molecules, "U0_atomization_kcal_mol", [BagOfBonds()], make_model("ridge"), model_name="ridge")
    text, page = repr(result), result._repr_html_()
    assert text.startswith("HoldoutResult: ridge for U0_atomization_kcal_mol on qm9")
    assert "60 used of 60, 0 failed" in text and "dummy" in text
    mae = format_value(result.metrics["model"]["test"]["mae"])
    assert mae in text and mae in page and page.count("<table") == 2  # the metrics nest in the summary
    assert "fitted" not in text  # the fitted parts are not dumped


def test_a_batch_shows_its_counts_rows_and_failures_escaped():
    batch = BatchResult(
        results=pd.DataFrame({"id": ["A"], "henry_mol_kg_Pa": [1.5e-5], "converged": [False], "notes": ["x"]}),
        errors=pd.DataFrame({"item_id": ["<B>"], "stage": ["read"], "reason": ["bad & broken"]}),
        n_requested=2,
        n_skipped=0,
        n_computed=1,
    )
    text, page = repr(batch), batch._repr_html_()
    assert text.splitlines()[0] == "BatchResult: 2 structures requested: 0 already in the output, 1 computed, 1 failed"
    assert "unconverged: 1" in text and "1.500e-05" in text and "notes" not in text
    assert "&lt;B&gt;" in page and "bad &amp; broken" in page and "<B>" not in page


def test_a_generator_result_shows_its_ess_and_free_energies(tmp_path):
    results = {
        "system": "double-well",
        "flow": "spline",
        "n_training_samples": 1000,
        "ess_percent": 93.21,
        "n_eval": 1000,
        "free_energy_differences": [
            {"state_a": "left", "state_b": "right", "delta_f": 4.77, "error": 0.01, "reference": 4.7773}
        ],
    }
    text = repr(GeneratorResult(tmp_path, results))
    assert "effective sample size: 93.21 % of 1,000 flow samples" in text and "4.777" in text
