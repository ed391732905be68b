"""The verdict line and the display order, decided once in the model (issue 17)."""

from __future__ import annotations

from handlers.core.model import DISPLAY_ORDER, Finding, Report, Severity, ordered, plural


def f(status: Severity, title: str) -> Finding:
    return Finding("c", status, title)


def test_display_order_is_fail_error_warn_info_ok_then_skip() -> None:
    assert [s.value for s in DISPLAY_ORDER] == ["fail", "error", "warn", "info", "ok", "skip"]
    assert set(DISPLAY_ORDER) == set(Severity)


def test_order_is_stable_within_a_status() -> None:
    found = [
        f(Severity.OK, "o1"),
        f(Severity.FAIL, "f1"),
        f(Severity.OK, "o2"),
        f(Severity.FAIL, "f2"),
    ]
    assert [x.title for x in ordered(found)] == ["f1", "f2", "o1", "o2"]


def test_a_proven_fail_heads_the_answer_before_an_error() -> None:
    report = Report("x", [f(Severity.ERROR, "could not reach"), f(Severity.FAIL, "expired")])
    assert report.status is Severity.ERROR  # the contract's status is unchanged
    assert report.verdict == "FAIL — expired (+1 more)"


def test_a_good_answer_is_headed_by_its_ok_finding_not_by_a_note() -> None:
    report = Report("x", [f(Severity.INFO, "header: alg RS256"), f(Severity.OK, "Token valid")])
    assert report.verdict == "OK — Token valid"
    notes = Report("x", [f(Severity.INFO, "401 means …")])
    assert notes.verdict == "INFO — 401 means …"
    assert Report("x").verdict == "OK — nothing to report"


def test_plural() -> None:
    assert [plural(n, "finding") for n in (0, 1, 2)] == ["0 findings", "1 finding", "2 findings"]
