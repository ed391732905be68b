"""The README's "Reliability and security report", generated from what the suite recorded.

Tests in `tests/reliability/` and `tests/security/` call the `report_row` fixture with what they
injected or tried and what came out; `tests.report.plugin` keeps rows of tests that passed
(a failed test's row says FAILED) and merges them into `results.json` at the end of the
session. `python -m tests.report` rewrites the README section between the markers from that
file; `tests/security/test_report.py` fails when the committed README disagrees with it. Rows
hold no timings, so the table only changes when behaviour does.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "tests" / "reliability" / "results.json"
README = ROOT / "README.md"
START = "<!-- reliability-report:start -->"
END = "<!-- reliability-report:end -->"
AREAS = ("Fault", "Bad input", "Security")


@dataclass(frozen=True)
class Row:
    area: str  # Fault, Bad input, Security
    subject: str  # the fault injected / the input tried / the attack
    tried: str  # how much, how: "2,000 generated command lines", "redis-server restarted"
    outcome: str  # what the bot did
    lost: str  # "nothing lost", or what was
    test: str  # the test that proves it (node id without parameters)
    result: str = "passed"

    @property
    def key(self) -> tuple[str, str]:
        return (self.area, self.subject)


def load(path: Path = RESULTS) -> list[Row]:
    if not path.exists():
        return []
    return [Row(**item) for item in json.loads(path.read_text(encoding="utf-8"))]


def merge(old: list[Row], new: list[Row]) -> list[Row]:
    """Rows recorded this session replace those with the same key; the rest stay."""
    rows = {r.key: r for r in old}
    rows.update({r.key: r for r in new})
    return sorted(rows.values(), key=lambda r: (AREAS.index(r.area), r.subject))


def save(rows: list[Row], path: Path = RESULTS) -> None:
    text = json.dumps([asdict(r) for r in rows], indent=2, ensure_ascii=False) + "\n"
    path.write_text(text, encoding="utf-8")


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render(rows: list[Row]) -> str:
    lines = [
        "| area | fault injected / input tried | how | outcome | lost | result | test |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        cells = (r.area, r.subject, r.tried, r.outcome, r.lost, r.result, f"`{r.test}`")
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return "\n".join(lines)


def section(readme: str) -> str | None:
    """The text between the markers, stripped, or None when the markers are missing."""
    if START not in readme or END not in readme:
        return None
    return readme.split(START, 1)[1].split(END, 1)[0].strip()


def rewrite(readme: str, table: str) -> str:
    head, rest = readme.split(START, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{START}\n{table}\n{END}{tail}"
