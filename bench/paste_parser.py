"""How long the paste parser takes on inputs built to make regexes backtrack.

`handlers/evidence.extract` reads untrusted text of up to 40,000 characters from the message
shortcut; its patterns are meant to be linear. Catastrophic backtracking would show here as
seconds instead of milliseconds. Target: every adversarial input under 200 ms.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from handlers.paste import extract, plan_commands
from tests.handlers.test_paste import ADVERSARIAL

TARGET_MS = 200.0


def measure(rounds: int = 3) -> list[tuple[str, float]]:
    results = []
    for text in ADVERSARIAL:
        best = float("inf")
        for _ in range(rounds):
            started = time.perf_counter()
            plan_commands(extract(text))
            best = min(best, (time.perf_counter() - started) * 1000)
        results.append((repr(text[:24]) + f"… ({len(text):,} chars)", best))
    return results


def main() -> int:
    results = measure()
    for label, ms in results:
        print(f"{ms:8.1f} ms  {label}")
    worst = max(ms for _, ms in results)
    print(f"worst {worst:.1f} ms (target < {TARGET_MS:.0f} ms)")
    return 0 if worst < TARGET_MS else 1


if __name__ == "__main__":
    raise SystemExit(main())
