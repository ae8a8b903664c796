import json
import re

import numpy as np
import pytest

from atomlearn.cli import main


@pytest.fixture(scope="module")
def explained_run(tmp_path_factory):
    run = tmp_path_factory.mktemp("report") / "run"
    assert (
        main(
            [
                "fit",
                "qm9",
                "--target",
                "U0_atomization_kcal_mol",
                "--featurizer",
                "element_fraction,coulomb_matrix",
                "--model",
                "ridge",
                "--n",
                "400",
                "--split",
                "stratified",
                "--nested",
                "3x3",
                "--bootstrap",
                "100",
                "--out",
                str(run),
            ]
        )
        == 0
    )
    assert (
        main(["explain", str(run), "--importance", "--select", "lasso", "--map", "pca", "--curve", "40,80,160,320"])
        == 0
    )
    return run


def test_report_opens_in_a_headless_browser_with_every_plot_drawn(
    explained_run, tmp_path, capsys, render_page, screenshot_page
):
    page = tmp_path / "report.html"
    assert main(["report", str(explained_run), "-o", str(page)]) == 0
    assert "report written to" in capsys.readouterr().out
    text = page.read_text()
    assert "http://" not in re.sub(r"xmlns(:\w+)?=\"http://[^\"]+\"", "", text.split("</script>", 2)[-1])  # no fetches
    errors, sizes = render_page(page)
    assert errors is None, errors
    assert render_page.overflow == [], render_page.overflow  # at 1280 px nothing runs off the side
    expected = {"parity", "residuals", "curve", "importance", "importance-grouped", "lasso-path", "map"}
    assert expected <= set(sizes) and all(w > 300 and h > 300 for w, h in sizes.values()), sizes
    shot = screenshot_page(page)
    import shutil

    shutil.copy(shot, tmp_path.parent / "report_screenshot.png")  # to look at, as a person would
    from matplotlib.image import imread

    pixels = imread(shot)
    assert pixels.shape[0] > 1000 and pixels[..., :3].std() > 0.05  # a page with content, not a blank frame


def test_report_names_what_it_shows(explained_run):
    from atomlearn.report import build_report

    text = build_report(explained_run).read_text()
    for heading in (
        "Data",
        "Split",
        "Test performance",
        "Learning curve",
        "Nested cross-validation",
        "Permutation importance",
        "Feature selection",
        "Map of the structures",
        "Timings",
    ):
        assert f"<h2>{heading}" in text, heading
    assert "400 structures in: 400 used, 0 failed" in text and "stratified split" in text
    assert "PCA of the standardised features (explained variance " in text
    assert np.isfinite(json.loads((explained_run / "explain.json").read_text())["curve"]["log_log_slope"])


def test_report_refuses_a_folder_that_is_not_a_run(tmp_path, capsys):
    assert main(["report", str(tmp_path)]) == 2
    assert "results.json" in capsys.readouterr().err


def test_a_gaussian_process_run_reports_its_calibration(tmp_path):
    """The calibration section of a model with a predictive std (it once asked for a level the
    calibration does not compute, and the report crashed)."""
    from atomlearn.report import build_report

    run = tmp_path / "run"
    assert (
        main(
            [
                "fit",
                "qm9",
                "--target",
                "U0_atomization_kcal_mol",
                "--featurizer",
                "element_fraction",
                "--model",
                "gpr",
                "--n",
                "100",
                "--bootstrap",
                "50",
                "--out",
                str(run),
            ]
        )
        == 0
    )
    coverage = json.loads((run / "results.json").read_text())["calibration"]["coverage"]
    text = build_report(run).read_text()
    assert "<h2>Uncertainty calibration (test set)" in text
    assert f"The 70 % / 95 % intervals hold {coverage['0.7']:.0%} / {coverage['0.95']:.0%} of the test" in text
