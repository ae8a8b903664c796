"""Long loops report progress in a log (not a terminal): stage, done/total, rate and time left."""

from atomlearn.parallel import parallel_map
from atomlearn.progress import Progress


def test_a_log_gets_lines_with_counts_rate_and_time_left(capsys):
    with Progress("featurizing (racs)", 400, interval_s=0.0) as progress:
        progress.advance(100)
        progress.update(300, "featurizing (racs), 2 failed")
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 2
    assert (
        lines[0].startswith("featurizing (racs): 100/400 (25 %), ") and "/s, about " in lines[0] and "left" in lines[0]
    )
    assert lines[1].startswith("featurizing (racs), 2 failed: 300/400 (75 %)")


def test_silent_when_asked_and_between_intervals(capsys):
    with Progress("x", 10, show=False, interval_s=0.0) as progress:
        progress.advance(5)
    with Progress("y", 10, interval_s=3600.0) as progress:
        progress.advance(5)
    assert capsys.readouterr().err == ""
    assert parallel_map(abs, [-1, -2], progress=False).results == [1, 2]
