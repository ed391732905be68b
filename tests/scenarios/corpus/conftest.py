"""`judge(case, report)`: classify one verdict, record it, and assert it is right.

A verdict is *right* when the report's headline (`Report.headline`: the finding the first line of
every reply is about, i.e. what a responder reads first) names the expected cause: the `cause`
evidence of `diagnose` equals `Case.expected`, or, for the other commands, `Case.expected`
appears (case-insensitively) in the first finding's title, and the first finding's status is
`Case.status`. It is *could not tell* when the first finding is an `error` or says no single cause
stands out; anything else is *wrong*. With AUTHCHECK_VERDICTS_OUT set, every verdict is appended
to that file as one JSON line, which `bench/verdicts.py` counts.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from handlers.core.model import Report, Severity


@dataclass(frozen=True)
class Case:
    """One scenario: what is really wrong, and what the first finding must say."""

    name: str
    #: "oidc-provider" | "glewlwyd" | "nginx" | "hydra-fake" | "recorded" | ...
    peer: str
    ground_truth: str
    #: A `diagnose` cause id (evidence["cause"]) or a substring of the first finding's title.
    expected: str
    #: The first finding's status when the verdict is right.
    status: Severity = Severity.FAIL
    #: The evidence cannot decide, and the right answer says so and what would decide it.
    undecided: bool = False


RIGHT, WRONG, UNSURE = "right", "wrong", "could not tell"


def matches(case: Case, report: Report) -> bool:
    """The reply's first line names the expected cause, with the expected status."""
    first = report.headline
    if first is None:
        return False
    cause = first.evidence.get("cause")
    named = (cause is not None and str(cause) == case.expected) or (
        case.expected.lower() in first.title.lower()
    )
    return named and first.status is case.status


def classify(case: Case, report: Report) -> str:
    first = report.headline
    if first is None:
        return WRONG
    cause = first.evidence.get("cause")
    if matches(case, report):
        # An honest "could not tell" that names what would decide it: counted apart from the
        # right causes, never as wrong.
        return UNSURE if case.undecided else RIGHT
    if first.status is Severity.ERROR or (
        cause in (None, "undecided") and ("no single cause" in first.title.lower())
    ):
        return UNSURE
    return WRONG


Judge = Callable[[Case, Report], None]


@pytest.fixture
def judge() -> Judge:
    def check(case: Case, report: Report) -> None:
        outcome = classify(case, report)
        out = os.environ.get("AUTHCHECK_VERDICTS_OUT")
        if out:
            first = report.headline
            line = {
                "case": case.name,
                "peer": case.peer,
                "expected": case.expected,
                "outcome": outcome,
                "got": first.title if first else None,
                "got_status": first.status.value if first else None,
            }
            with open(out, "a", encoding="utf-8") as handle:
                handle.write(json.dumps(line) + "\n")
        first = report.headline
        assert matches(case, report), (
            f"{case.name} ({case.ground_truth}): expected {case.expected!r}/{case.status.value}, "
            f"got {first.status.value + ' ' + first.title if first else 'no findings'!r}"
        )

    return check
