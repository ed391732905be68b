"""Runs the verdict corpus (tests/scenarios/corpus) and prints the share of right top causes.

Usage: `.venv/bin/python -m bench.verdicts`. Every case's verdict is classified by the corpus's
`judge` fixture as right, wrong or "could not tell" and appended to a JSON-lines file; this
script counts them per peer. The target is 100 % right and 0 wrong.
"""

from __future__ import annotations

import collections
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "verdicts.jsonl"
        env = {**os.environ, "AUTHCHECK_VERDICTS_OUT": str(out)}
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "-q",
                "-p",
                "no:cacheprovider",
                "tests/scenarios/corpus",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        rows = [json.loads(line) for line in out.read_text().splitlines()] if out.exists() else []
    if not rows:
        print("no verdicts recorded: the corpus did not run")
        return 1
    total = collections.Counter(r["outcome"] for r in rows)
    per_peer: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    for r in rows:
        per_peer[r["peer"]][r["outcome"]] += 1
    n = len(rows)
    print(f"verdict corpus: {n} cases")
    for outcome in ("right", "wrong", "could not tell"):
        print(f"  {outcome:15} {total[outcome]:3}  {100 * total[outcome] / n:5.1f} %")
    print("per peer:")
    for peer, counts in sorted(per_peer.items()):
        shown = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
        print(f"  {peer:14} {shown}")
    for r in rows:
        if r["outcome"] == "wrong":
            print(
                f"  ✗ {r['case']} ({r['peer']}): expected {r['expected']!r}, got "
                f"{r['got_status']} {r['got']!r}"
            )
        elif r["outcome"] == "could not tell":
            print(f"  ? {r['case']} ({r['peer']}): says {r['got']!r}")
    return 0 if total["wrong"] == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
