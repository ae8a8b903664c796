"""the `atomlearn` command itself: errors as one line, `--help` imports little."""

from atomlearn.cli import main


def test_bad_input_gives_clear_error(capsys):
    assert main(["fit", "--dataset", "qm9", "--target", "not_a_column", "--n", "10"]) == 2
    assert "no label column 'not_a_column'" in capsys.readouterr().err
    assert main(["datasets", "info", "nope"]) == 2
    assert "unknown dataset 'nope'" in capsys.readouterr().err


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
    from atomlearn.cli.screen import ACQUISITIONS, OBJECTIVES
    from atomlearn.workflows import ACQUISITIONS as SCREEN_ACQUISITIONS
    from atomlearn.workflows import OBJECTIVE_CHOICES

    assert ACQUISITIONS == SCREEN_ACQUISITIONS and OBJECTIVES == OBJECTIVE_CHOICES


def test_a_kernel_too_large_for_the_memory_is_one_error_line(monkeypatch, capsys):
    """MemoryError (and FloatingPointError, TimeoutError) raised by atomlearn with advice: one line, exit 2."""
    from atomlearn.models import kernels

    monkeypatch.setattr(kernels, "available_memory_bytes", lambda: 1000)
    code = main(["fit", "qm9", "--target", "U0_atomization_kcal_mol", "--model", "krr", "--n", "60"])
    err = " ".join(capsys.readouterr().err.split())
    assert code == 2 and "error:" in err and "GiB of memory is available; use dtype='float32'" in err
    assert "Traceback" not in err


def test_threads_follow_the_environment_unless_given(monkeypatch, capsys):
    # a batch system (or pytest-xdist) that sets OMP_NUM_THREADS shares the cores: the default must not undo it
    from atomlearn.threads import available_cores, environment_threads, set_threads

    before = environment_threads() or available_cores()
    try:
        monkeypatch.setenv("OMP_NUM_THREADS", "1")
        assert main(["-v", "datasets", "list"]) == 0
        assert "threads: 1 for BLAS" in capsys.readouterr().err
        assert main(["-v", "--threads", "3", "datasets", "list"]) == 0
        assert "threads: 3 for BLAS" in capsys.readouterr().err
        monkeypatch.setenv("OMP_NUM_THREADS", "all")  # not a count: the cores
        assert main(["-v", "datasets", "list"]) == 0
        assert f"threads: {available_cores()} for BLAS" in capsys.readouterr().err
    finally:
        set_threads(before)
