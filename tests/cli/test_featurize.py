"""`atomlearn featurize`."""

import pandas as pd

from atomlearn.cli import main


def test_featurize_writes_table_errors_and_reuses_the_cache(tmp_path, capsys):
    out = tmp_path / "features.parquet"
    args = [
        "featurize",
        "qm9",
        "--featurizer",
        "composition,coulomb_matrix",
        "--set",
        "coulomb_matrix.max_atoms=29",
        "--n",
        "25",
        "--out",
        str(out),
        "--check-invariance",
        "--check-n",
        "3",
    ]
    assert main(args) == 0
    text = capsys.readouterr().out
    assert "25 inputs in: 25 featurized" in text and "invariance of coulomb_matrix" in text and "VIOLATED" not in text

    from atomlearn.cache import RowCache

    table = pd.read_parquet(out)
    assert table.shape == (25, 70 + 29) and table.index.name == "id"
    rows_after_first = RowCache().info()["rows"].sum()
    assert main(args[:-3]) == 0  # the same rows again: all from the cache, none added
    assert RowCache().info()["rows"].sum() == rows_after_first
    pd.testing.assert_frame_equal(pd.read_parquet(out), table)
    assert (tmp_path / "features.errors.csv").exists()


def test_featurize_list_and_bad_settings(capsys):
    assert main(["featurize", "qm9", "--featurizer", "soap", "--set", "soap.rcut=4", "--n", "5"]) == 2
    message = " ".join(capsys.readouterr().err.split())  # a raw TypeError traceback before
    assert (
        "no parameter 'rcut'; did you mean r_cut? It takes: compression, l_max, max_atoms, n_max, pooling, r_cut, "
        "sigma, species" in message
    )
    assert main(["featurize", "--list"]) == 0
    text = capsys.readouterr().out
    assert "racs" in text and "Janet" in text and "pores" in text
    assert main(["featurize", "qm9", "--featurizer", "acsf", "--set", "soap.n_max=3"]) == 2
    assert "NAME.PARAM=VALUE" in capsys.readouterr().err
