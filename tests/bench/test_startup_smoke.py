"""`bench/startup.py` runs end to end (its smallest configuration); no timing is asserted."""

from __future__ import annotations

import pytest

from bench import startup


def test_startup_bench_runs_and_prints_its_figures(capsys: pytest.CaptureFixture[str]) -> None:
    times = startup.measure(runs=1)
    assert len(times) == 1
    assert times[0] > 0
    startup.main(["1"])
    out = capsys.readouterr().out
    assert "command: authcheck run -- help" in out
    assert "median:" in out
