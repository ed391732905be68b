"""`schemes.sigv4_time`: the request time against the scope date and a pinned clock."""

from __future__ import annotations

from datetime import UTC, datetime

from handlers.core.findings import FindingBuilder
from handlers.core.model import Severity
from handlers.schemes.sigv4_time import time_findings

NOW = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
OUT = FindingBuilder("header")
SCOPE = ["AKIAEXAMPLEEXAMPLE12", "20300101", "eu-central-1", "s3", "aws4_request"]


def _titles(headers: dict[str, str] | None, scope: list[str] = SCOPE) -> list[tuple[Severity, str]]:
    return [(f.status, f.title) for f in time_findings(OUT, scope, headers, NOW)]


def test_a_fresh_request_has_nothing_to_say() -> None:
    assert _titles({"x-amz-date": "20300101T115500Z"}) == []


def test_more_than_fifteen_minutes_of_skew_fails() -> None:
    assert _titles({"x-amz-date": "20300101T112000Z"}) == [
        (Severity.FAIL, "The request time is 40 min behind now: more than 15 minutes")
    ]


def test_the_scope_date_must_be_the_request_date() -> None:
    scope = [*SCOPE[:1], "20291231", *SCOPE[2:]]
    titles = _titles({"x-amz-date": "20300101T115500Z"}, scope)
    assert titles == [
        (Severity.FAIL, "The credential scope date 20291231 is not the X-Amz-Date date 20300101")
    ]


def test_no_time_header_and_a_temporary_key_without_its_token() -> None:
    assert _titles({}) == [(Severity.FAIL, "The request has no X-Amz-Date (or Date) header")]
    scope = ["ASIAEXAMPLEEXAMPLE12", *SCOPE[1:]]
    assert _titles({"date": "Tue, 01 Jan 2030 11:58:00 GMT"}, scope) == [
        (Severity.FAIL, "A temporary key (`ASIA…`) without X-Amz-Security-Token")
    ]


def test_only_the_value_pasted_compares_the_scope_date_with_today() -> None:
    assert _titles(None)[0][0] is Severity.INFO
    old = ["AKIAEXAMPLEEXAMPLE12", "20291201", *SCOPE[2:]]
    assert _titles(None, old) == [
        (Severity.WARN, "The credential scope date is 31 days from today")
    ]
