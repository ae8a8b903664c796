import os

import pytest

from atomlearn.parallel import parallel_map


def square_or_fail(x: int) -> int:
    if x == 13:
        raise ValueError("thirteen is unlucky")
    return x * x


def crash_on_seven(x: int) -> int:
    if x == 7:
        os._exit(1)  # simulates a segfault in compiled code: the worker process dies
    return x + 1


EXPECTED = [x * x if x != 13 else None for x in range(40)]


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_local_results_in_order_and_failures_recorded(n_jobs):
    result = parallel_map(square_or_fail, list(range(40)), n_jobs=n_jobs, chunk_size=3, stage="square")
    assert result.results == EXPECTED
    assert (result.n_in, result.n_ok, result.n_failed) == (40, 39, 1)
    error = result.errors[0]
    assert (error.item_id, error.stage) == ("13", "square")
    assert "thirteen is unlucky" in error.reason
    assert result.summary() == "40 in, 39 succeeded, 1 failed"


def test_dask_cluster_gives_identical_results():
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        on_dask = parallel_map(square_or_fail, list(range(40)), scheduler=cluster.scheduler_address, chunk_size=4)
    local = parallel_map(square_or_fail, list(range(40)), n_jobs=2, chunk_size=4)
    assert on_dask.results == local.results == EXPECTED
    assert [e.to_dict() for e in on_dask.errors] == [e.to_dict() for e in local.errors]


def test_scheduler_from_environment(monkeypatch):
    from distributed import LocalCluster

    with LocalCluster(n_workers=1, processes=False, dashboard_address=None) as cluster:
        monkeypatch.setenv("ATOMLEARN_SCHEDULER", cluster.scheduler_address)
        result = parallel_map(square_or_fail, [1, 2, 13], ids=["a", "b", "c"])
    assert result.results == [1, 4, None] and result.errors[0].item_id == "c"


def test_files_of_a_folder_are_read_here_whatever_the_scheduler(monkeypatch, tmp_path):
    # a cluster's workers need not see this machine's files: a folder dataset is read by local processes
    from ase import Atoms
    from ase.io import write

    from atomlearn.datasets import load_folder

    monkeypatch.setenv("ATOMLEARN_SCHEDULER", "tcp://127.0.0.1:9")  # nothing listens: a dask call would fail
    assert parallel_map(square_or_fail, [1, 2], local=True).results == [1, 4]
    (tmp_path / "mofs").mkdir()
    write(tmp_path / "mofs" / "a.xyz", Atoms("Ar", positions=[[0, 0, 0]]))
    monkeypatch.chdir(tmp_path)
    assert load_folder("mofs", labels=None).ids == ["a"]


def test_worker_crash_loses_only_the_crashing_item():
    result = parallel_map(crash_on_seven, list(range(12)), n_jobs=2, chunk_size=4)
    assert result.results == [x + 1 if x != 7 else None for x in range(12)]
    assert [e.item_id for e in result.errors] == ["7"]
    assert "worker process died" in result.errors[0].reason


def fpe_on_three(x: int) -> int:
    if x == 3:
        import faulthandler
        import signal

        faulthandler.disable()  # pytest's crash report of the dying worker is noise here
        os.kill(os.getpid(), signal.SIGFPE)  # what vesin did on a 1e6 Å cell: the process dies
    return x


def test_isolated_work_survives_a_crash_at_one_job():
    result = parallel_map(fpe_on_three, list(range(6)), n_jobs=1, isolate=True)
    assert result.results == [0, 1, 2, None, 4, 5]
    assert [e.item_id for e in result.errors] == ["3"] and "WorkerCrash" in result.errors[0].reason


def test_ids_must_match_items():
    with pytest.raises(ValueError, match="2 ids for 3 items"):
        parallel_map(square_or_fail, [1, 2, 3], ids=["a", "b"])


def test_compiled_code_gets_the_cores_of_its_worker(monkeypatch):
    from atomlearn.parallel import compiled_threads
    from atomlearn.threads import available_cores

    monkeypatch.delenv("ATOMLEARN_SCHEDULER", raising=False)
    assert compiled_threads(1) == available_cores()
    assert compiled_threads(available_cores() * 2) == 1
    assert compiled_threads(1, scheduler="tcp://host:8786") == 1  # one single-threaded dask worker per core
    monkeypatch.setenv("ATOMLEARN_SCHEDULER", "tcp://host:8786")
    assert compiled_threads(1) == 1
