"""`python -m tests.report`: rewrites the README report section from results.json."""

from __future__ import annotations

import sys

from tests.report import README, load, render, rewrite


def main() -> int:
    readme = README.read_text(encoding="utf-8")
    rows = load()
    if not rows:
        print("no results recorded: run pytest tests/reliability tests/security first")
        return 1
    updated = rewrite(readme, render(rows))
    if updated != readme:
        README.write_text(updated, encoding="utf-8")
        print(f"README.md: report section rewritten ({len(rows)} rows)")
    else:
        print("README.md: report section already up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
