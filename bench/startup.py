"""How fast `authcheck run -- help` answers: the first thing people type.

Each run is a fresh subprocess of the installed console script (interpreter start-up, imports,
parse, print), so the figure is what a person waits for. Target: median at most 250 ms on the
project's CI machine. Start-up is kept down by importing what only a check run needs (rich,
pydantic-settings, httpx, the worker and its metrics, cryptography, kubernetes) when a run needs
it; `tests/bot/test_cli_startup.py` checks the module list, this script measures the time.

Usage: `.venv/bin/python bench/startup.py [runs] [-- command words]` (default: 15 runs of help).
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

TARGET_MS = 250.0
AUTHCHECK = Path(sys.executable).with_name("authcheck")


def measure(runs: int = 15, words: tuple[str, ...] = ("help",)) -> list[float]:
    """Wall time of each run in milliseconds; one unmeasured run first warms the disk cache."""
    argv = [str(AUTHCHECK), "run", "--", *words]
    subprocess.run(argv, capture_output=True, check=True)
    times: list[float] = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(argv, capture_output=True, check=True)
        times.append((time.perf_counter() - started) * 1000)
    return times


def main(argv: list[str]) -> int:
    words: tuple[str, ...] = ("help",)
    if "--" in argv:
        cut = argv.index("--")
        words, argv = tuple(argv[cut + 1 :]), argv[:cut]
    runs = int(argv[0]) if argv else 15
    times = measure(runs, words)
    median = statistics.median(times)
    print(f"command: authcheck run -- {' '.join(words)}")
    print(f"runs: {runs}")
    print(f"min: {min(times):.0f} ms")
    print(f"median: {median:.0f} ms")
    print(f"max: {max(times):.0f} ms")
    met = "MET" if median <= TARGET_MS else "NOT MET"
    print(f"target median <= {TARGET_MS:.0f} ms: {met}")
    return 0 if median <= TARGET_MS else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
