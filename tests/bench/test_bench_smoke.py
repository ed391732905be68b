"""The benchmarks in `bench/` are run on demand, not here; these run each one's smallest
configuration so the scripts cannot rot. No timing is asserted — only that each script runs end
to end against the real processes and that its functional checks (every request answered,
answered once, nothing left in Redis) hold.
"""

from __future__ import annotations

import shutil

import pytest

from bench import ack_latency, burst, memory, orchestration, queue_throughput, redis_hang

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis-server"),
]


def _figure(out: str, label: str) -> str:
    for line in out.splitlines():
        if line.strip().startswith(label + ":"):
            return line.split(":", 1)[1].strip()
    raise AssertionError(f"{label!r} not printed:\n{out}")


def test_ack_latency_smallest(capsys: pytest.CaptureFixture[str]) -> None:
    ack_latency.run(count=5, rate=50.0)
    out = capsys.readouterr().out
    assert _figure(out, "non-200") == "0"
    assert _figure(out, "target every request answered 200") == "MET"


def test_orchestration_smallest(capsys: pytest.CaptureFixture[str]) -> None:
    # raises if a command is never answered; the ratio itself is not judged here
    orchestration.run(count=1, delay=0.05)
    out = capsys.readouterr().out
    assert float(_figure(out, "ratio p50")) > 1.0  # end-to-end includes the upstream call


def test_burst_smallest(capsys: pytest.CaptureFixture[str]) -> None:
    burst.run(commands=3, seconds=0.3, users=3, channels=3, concurrency=3, timeout=60, settle=0.5)
    out = capsys.readouterr().out
    for target in (
        "every command answered",
        "answered exactly once",
        "nothing left in Redis",
        "no 429 from Slack",
    ):
        assert _figure(out, f"target {target}") == "MET", out


def test_memory_smallest(capsys: pytest.CaptureFixture[str]) -> None:
    memory.run(jobs=3, hold=0.5)
    out = capsys.readouterr().out
    assert _figure(out, "target 3 jobs in flight") == "MET"


def test_queue_throughput_smallest(capsys: pytest.CaptureFixture[str]) -> None:
    queue_throughput.run(n=20, in_flight=5, consumers=2, xadd_requests=1000, with_saq=False)
    out = capsys.readouterr().out
    assert float(_figure(out, "RedisQueue no-op processed (jobs/s)")) > 0


def test_paste_parser_measures_every_adversarial_input() -> None:
    from bench import paste_parser

    results = paste_parser.measure(rounds=1)
    assert len(results) == len(paste_parser.ADVERSARIAL)
    assert all(ms >= 0 for _, ms in results)


def test_redis_hang_smallest(capsys: pytest.CaptureFixture[str]) -> None:
    redis_hang.run(count=3, rate=10.0)
    out = capsys.readouterr().out
    assert _figure(out, "non-200") == "0"
    assert _figure(out, "target /readyz 503 while hung, 200 after") == "MET"
