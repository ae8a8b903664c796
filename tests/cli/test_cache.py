"""`atomlearn cache`."""

from atomlearn.cli import main


def test_cache_commands(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("ATOMLEARN_CACHE_DIR", str(tmp_path))
    assert main(["cache", "info"]) == 0
    assert str(tmp_path) in capsys.readouterr().out.replace("\n", "")
    assert main(["cache", "clear"]) == 0
    assert "removed 0 cached rows" in capsys.readouterr().out
