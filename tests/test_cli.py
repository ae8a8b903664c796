import json
import re

import pandas as pd

from atomlearn.cli import main


def test_fit_writes_a_run_folder_and_predict_uses_its_bundle(tmp_path, capsys):
    run = tmp_path / "run"
    code = main(
        [
            "fit",
            "qm9",
            "--target",
            "U0_atomization_kcal_mol",
            "--featurizer",
            "element_fraction,coulomb_matrix",
            "--model",
            "krr",
            "--split",
            "stratified",
            "--nested",
            "3x3",
            "--n",
            "300",
            "--bootstrap",
            "200",
            "--out",
            str(run),
        ]
    )
    text = capsys.readouterr().out
    assert code == 0, text
    assert (
        "krr" in text
        and "baselines on the same split: dummy, ridge, gbr" in text
        and "300 structures in: 300 used" in text
    )
    assert "nested CV 3x3" in text
    result = json.loads((run / "results.json").read_text())
    assert result["metrics"]["model"]["test"]["mae"] < result["metrics"]["dummy"]["test"]["mae"] / 4
    assert result["nested"]["test_scored_once"] and result["split"]["kind"] == "stratified"
    predictions = pd.read_csv(run / "predictions.csv")
    assert len(predictions) == 300 and set(predictions["set"]) == {"train", "test"}
    card = json.loads((run / "bundle" / "card.json").read_text())
    assert card["featurizer"]["names"] == ["element_fraction", "coulomb_matrix"] and card["target_unit"] == "kcal/mol"

    # new files: three test molecules of the run and one broken file
    folder = tmp_path / "new"
    assert main(["datasets", "export", "qm9", "--out", str(folder), "--n", "3", "--seed", "5"]) == 0
    (folder / "broken.xyz").write_text("not a structure\n")
    capsys.readouterr()
    assert main(["predict", str(run), str(folder), "--out", str(tmp_path / "p.csv")]) == 0
    assert "4 files in: 3 predicted, 1 failed" in capsys.readouterr().out
    new = pd.read_csv(tmp_path / "p.csv").set_index("id")
    labels = pd.read_csv(folder / "labels.csv").set_index("id")["U0_atomization_kcal_mol"]
    assert new.loc["broken", "error"].startswith("read:")
    errors = (new["y_pred"].dropna() - labels.reindex(new["y_pred"].dropna().index)).abs()
    assert errors.max() < 150  # kcal/mol: the model, not the training mean (the spread is ~240)
    # the bundle's model gives the same numbers as the run's predictions for a molecule it saw
    seen = predictions.set_index("id")["y_pred"]
    both = [i for i in new.index if i in seen.index]
    assert all(abs(new.loc[i, "y_pred"] - seen[i]) < 1e-6 for i in both)

    # a tampered bundle is refused
    with open(run / "bundle" / "model.skops", "ab") as handle:
        handle.write(b"x")
    assert main(["predict", str(run), str(folder)]) == 2
    assert "bundle/model.skops was changed after the run folder was written" in " ".join(
        capsys.readouterr().err.split()
    )
    assert main(["predict", str(run / "bundle"), str(folder)]) == 2  # the bundle alone: its card's checksum
    assert "does not match its card" in capsys.readouterr().err


def test_curve_bias_variance_and_models_commands(tmp_path, capsys):
    assert (
        main(
            [
                "curve",
                "qm9",
                "--target",
                "U0_atomization_kcal_mol",
                "--featurizer",
                "bag_of_bonds",
                "--model",
                "krr_laplacian",
                "--n",
                "400",
                "--sizes",
                "40,120,300",
                "--out",
                str(tmp_path / "c.csv"),
            ]
        )
        == 0
    )
    text = capsys.readouterr().out
    assert "log-log slope of the test MAE" in text
    assert len(pd.read_csv(tmp_path / "c.csv")) == 9
    assert main(["curve", "qm9", "--target", "U0_atomization_kcal_mol", "--n", "100", "--sizes", "500"]) == 2
    assert "exceed the 80 training structures" in capsys.readouterr().err
    assert (
        main(
            [
                "bias-variance",
                "--degrees",
                "1-3",
                "--lambdas",
                "1,10",
                "--rounds",
                "20",
                "--out",
                str(tmp_path / "bv.csv"),
            ]
        )
        == 0
    )
    assert "lowest expected error: Lennard-Jones form" in capsys.readouterr().out
    assert len(pd.read_csv(tmp_path / "bv.csv")) == 6
    assert main(["models"]) == 0
    assert "gpr" in capsys.readouterr().out
    assert main(["fit", "qm9", "--target", "U0_atomization_kcal_mol", "--nested", "5"]) == 2
    assert "OUTERxINNER" in capsys.readouterr().err
    assert main(["fit", "qm9", "--target", "U0_atomization_kcal_mol", "--n", "50", "--split", "group"]) == 2
    assert "needs a label column naming each structure's group" in capsys.readouterr().err
    (tmp_path / "empty").mkdir()
    assert main(["predict", str(tmp_path), str(tmp_path / "empty")]) == 2
    assert "is not a model bundle" in " ".join(capsys.readouterr().err.split())


def test_datasets_commands(tmp_path, capsys):
    assert main(["datasets", "list"]) == 0
    assert "coremof2019" in capsys.readouterr().out
    assert main(["datasets", "info", "qm9"]) == 0
    assert "U0_atomization_kcal_mol" in capsys.readouterr().out
    assert main(["datasets", "export", "coremof2019", "--out", str(tmp_path / "mofs"), "--n", "40"]) == 0
    assert "wrote 40 structures" in capsys.readouterr().out
    assert len(list((tmp_path / "mofs").glob("*.cif"))) == 40
    assert main(["fit", "--dataset", str(tmp_path / "mofs"), "--target", "density_g_cm3", "--test-size", "0.25"]) == 0
    summary = re.search(r"40 structures in: (\d+) used .* (\d+) failed", capsys.readouterr().out)
    assert int(summary[1]) + int(summary[2]) == 40  # test MOFs with a metal unseen in training fail, reported
    assert main(["fit", "--dataset", str(tmp_path / "mofs"), "--target", "density_g_cm3", "--n", "2"]) == 2
    assert "too few usable structures" in capsys.readouterr().err


def test_cache_commands(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("ATOMLEARN_CACHE_DIR", str(tmp_path))
    assert main(["cache", "info"]) == 0
    assert str(tmp_path) in capsys.readouterr().out.replace("\n", "")
    assert main(["cache", "clear"]) == 0
    assert "removed 0 cached rows" in capsys.readouterr().out


def test_bad_input_gives_clear_error(capsys):
    assert main(["fit", "--dataset", "qm9", "--target", "not_a_column", "--n", "10"]) == 2
    assert "no label column 'not_a_column'" in capsys.readouterr().err
    assert main(["datasets", "info", "nope"]) == 2
    assert "unknown dataset 'nope'" in capsys.readouterr().err


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
    import pandas as pd

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


def test_help_imports_only_what_it_needs():
    # `atomlearn --help` took 5 s when every command imported PyTorch, scikit-learn and pandas
    import subprocess
    import sys

    code = (
        "import sys\nfrom atomlearn.cli import main\ntry:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in ('torch', 'sklearn', 'pandas', 'ase', 'scipy') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip().splitlines()[-1] == "[]"
    # the choices --help lists without importing the registries: the same names
    from atomlearn.cli.forcefield import MODELS
    from atomlearn.cli.sample import FLOWS
    from atomlearn.cli.sample import SYSTEMS as SAMPLE_SYSTEMS
    from atomlearn.cli.simulate import CHARGE_SOURCES, GUEST_NAMES
    from atomlearn.forcefield.train import FORCEFIELD_MODELS
    from atomlearn.physics import GUESTS
    from atomlearn.sampling.flows import FLOW_KINDS
    from atomlearn.sampling.systems import SYSTEMS
    from atomlearn.simulate.widom import CHARGE_SOURCES as WIDOM_CHARGE_SOURCES

    assert MODELS == tuple(FORCEFIELD_MODELS) and CHARGE_SOURCES == WIDOM_CHARGE_SOURCES and FLOWS == FLOW_KINDS
    assert SAMPLE_SYSTEMS == tuple(name for name in SYSTEMS if name != "molecule")  # molecule: MD frames given
    assert GUEST_NAMES == tuple(GUESTS)


def test_a_kernel_too_large_for_the_memory_is_one_error_line(monkeypatch, capsys):
    """MemoryError (and FloatingPointError, TimeoutError) raised by atomlearn with advice: one line, exit 2."""
    from atomlearn.models import kernels

    monkeypatch.setattr(kernels, "available_memory_bytes", lambda: 1000)
    code = main(["fit", "qm9", "--target", "U0_atomization_kcal_mol", "--model", "krr", "--n", "60"])
    err = " ".join(capsys.readouterr().err.split())
    assert code == 2 and "error:" in err and "GiB of memory is available; use dtype='float32'" in err
    assert "Traceback" not in err
