import multiprocessing

import numpy as np
import pytest

from atomlearn.cache import RowCache, cache_dir, cache_info, clear_cache, row_key


def test_cache_dir_follows_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("ATOMLEARN_CACHE_DIR", str(tmp_path / "here"))
    assert cache_dir() == tmp_path / "here" and cache_dir().is_dir()


def test_keys_depend_on_structure_name_parameters_and_version(monkeypatch):
    base = row_key("abc", "soap", {"r_cut": 5.0})
    assert base == row_key("abc", "soap", {"r_cut": 5.0})
    assert base != row_key("abd", "soap", {"r_cut": 5.0})
    assert base != row_key("abc", "acsf", {"r_cut": 5.0})
    assert base != row_key("abc", "soap", {"r_cut": 6.0})
    import atomlearn

    monkeypatch.setattr(atomlearn, "__version__", "999")
    assert base != row_key("abc", "soap", {"r_cut": 5.0})


def test_put_get_info_clear(tmp_path):
    cache = RowCache(tmp_path)
    rows = {f"k{i}": np.arange(5, dtype=float) * i for i in range(10)}
    cache.put_many(rows, namespace="demo")
    found = cache.get_many(["k3", "k7", "missing"])
    assert set(found) == {"k3", "k7"}
    np.testing.assert_array_equal(found["k7"], np.arange(5) * 7.0)
    info = cache.info()
    assert info.loc[0, "namespace"] == "demo" and info.loc[0, "rows"] == 10
    (tmp_path / "qm9").mkdir()
    (tmp_path / "qm9" / "x.npy").write_bytes(b"1234")
    table = cache_info(tmp_path)
    assert set(table["entry"]) == {"rows:demo", "dataset:qm9"}
    removed = clear_cache(tmp_path)
    assert removed == ["10 cached rows", "dataset conversion qm9/"]
    assert cache.get_many(["k3"]) == {} and not (tmp_path / "qm9").exists()


def _writer(folder: str, offset: int) -> None:
    cache = RowCache(folder)
    for start in range(0, 300, 10):  # many small transactions, interleaved with the other writer
        cache.put_many({f"r{i}": np.full(16, float(i)) for i in range(offset + start, offset + start + 10)}, "w")


def test_two_processes_writing_at_once(tmp_path):
    RowCache(tmp_path)
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_writer, args=(str(tmp_path), offset)) for offset in (0, 300)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
        assert worker.exitcode == 0
    found = RowCache(tmp_path).get_many([f"r{i}" for i in range(600)])
    assert len(found) == 600
    assert all(np.all(found[f"r{i}"] == i) for i in range(600))


def test_clear_rejects_unknown_target(tmp_path):
    with pytest.raises(ValueError, match="what must be"):
        clear_cache(tmp_path, what="everything")
