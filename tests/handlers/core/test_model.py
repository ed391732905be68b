"""The report model: the order of badness, the derived status, and the JSON contract."""

from __future__ import annotations

import json

import pytest

from handlers.core.model import Finding, Report, Severity

ORDER = ["ok", "info", "skip", "warn", "fail", "error"]


def test_severities_rank_in_the_contract_order() -> None:
    ranked = sorted(Severity, key=lambda s: s.rank)
    assert [s.value for s in ranked] == ORDER


@pytest.mark.parametrize(("value", "problem"), [(v, v in ("warn", "fail", "error")) for v in ORDER])
def test_only_warn_fail_and_error_are_problems(value: str, problem: bool) -> None:
    assert Severity(value).is_problem is problem


def test_worst_of_nothing_is_ok() -> None:
    assert Severity.worst([]) is Severity.OK
    assert Severity.worst([Severity.FAIL, Severity.ERROR, Severity.WARN]) is Severity.ERROR
    assert Severity.worst([Severity.SKIP, Severity.INFO]) is Severity.SKIP


def test_report_status_is_its_worst_finding_and_ok_when_empty() -> None:
    report = Report("x")
    assert report.status is Severity.OK
    assert report.headline is None
    report.findings = [Finding("a", Severity.WARN, "w"), Finding("b", Severity.INFO, "i")]
    assert report.status is Severity.WARN


def test_headline_is_the_first_finding_of_the_worst_rank() -> None:
    report = Report(
        "x",
        [
            Finding("a", Severity.FAIL, "first fail"),
            Finding("b", Severity.OK, "fine"),
            Finding("c", Severity.FAIL, "second fail"),
        ],
    )
    assert report.headline is not None
    assert report.headline.title == "first fail"


def test_report_json_shape_matches_the_contract() -> None:
    report = Report(
        "introspect",
        [Finding("introspection", Severity.FAIL, "Token is not active", "d", "r", {"k": [1]})],
        duration_ms=212,
    )
    data = json.loads(json.dumps(report.to_dict()))
    assert data == {
        "command": "introspect",
        "status": "fail",
        "duration_ms": 212,
        "findings": [
            {
                "check": "introspection",
                "status": "fail",
                "title": "Token is not active",
                "detail": "d",
                "remedy": "r",
                "evidence": {"k": [1]},
            }
        ],
    }


def test_round_trip_through_dict_keeps_everything() -> None:
    report = Report(
        "c", [Finding("a", Severity.ERROR, "t", "d", "r", {"n": 1}), Finding("b", Severity.OK, "o")]
    )
    report.duration_ms = 7
    again = Report.from_dict(json.loads(json.dumps(report.to_dict())))
    assert again == report
    assert again.status is Severity.ERROR


def test_from_dict_fills_optional_fields_and_rejects_unknown_status() -> None:
    finding = Finding.from_dict({"check": "a", "status": "skip", "title": "t", "evidence": None})
    assert finding == Finding("a", Severity.SKIP, "t")
    with pytest.raises(ValueError, match="bogus"):
        Finding.from_dict({"check": "a", "status": "bogus", "title": "t"})
