"""pytest plugin: the `report_row` fixture and merging rows into results.json at session end.

A row is kept only with its test's outcome: a test that fails records `FAILED`, so the table
cannot claim what the suite did not show. At the end of the session the rows are merged into
results.json, and if any recorded row differs from the committed README table the session
fails with "run python -m tests.report" — CI never rewrites the README itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace

import pytest

from tests.report import README, Row, load, merge, render, save, section

_rows: dict[str, list[Row]] = {}
_final: list[Row] = []

RowMaker = Callable[..., None]


@pytest.fixture
def report_row(request: pytest.FixtureRequest) -> Iterator[RowMaker]:
    """`report_row(area, subject, tried, outcome, lost="nothing lost")` for the README table."""
    node = request.node
    test = node.nodeid.split("[", 1)[0]
    rows = _rows.setdefault(node.nodeid, [])

    def add(area: str, subject: str, tried: str, outcome: str, lost: str = "nothing lost") -> None:
        rows.append(Row(area, subject, tried, outcome, lost, test))

    return add


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    report = yield
    rows = _rows.get(item.nodeid)
    if rows and (report.when == "call" or report.failed):
        for row in rows:
            result = "passed" if report.passed else "FAILED"
            _final[:] = [r for r in _final if r.key != row.key]
            _final.append(replace(row, result=result))
        if report.failed:
            _rows.pop(item.nodeid, None)
    return report


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if not _final:
        return
    committed = load()
    merged = merge(committed, _final)
    if merged != committed:
        save(merged)
    table = (section(README.read_text(encoding="utf-8")) or "").splitlines()
    fresh = render([r for r in merged if r.key in {f.key for f in _final}]).splitlines()[2:]
    if any(line not in table for line in fresh):
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line(
                "README reliability report is out of date: run `python -m tests.report` and "
                "commit README.md and tests/reliability/results.json",
                red=True,
            )
