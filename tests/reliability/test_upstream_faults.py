"""Upstreams that hang, reset the connection, send garbage, trickle or flood: every command that
calls them ends with a bounded `error` finding that says what was tried — never a verdict."""

from __future__ import annotations

import json

import pytest

from handlers.core.check import CheckContext
from handlers.core.model import Severity
from tests.reliability.conftest import BadUpstreams, loopback_settings, run_text

CLIENT_SECRET = "upstream-fault-client-secret-0123"
ACCESS_TOKEN = "upstream-fault-opaque-access-token-0123456789"

#: What each broken upstream must produce in the finding's text.
EXPECTED = {
    "hang": "timed out",
    "reset": "",
    "garbage": "",
    "trickle": "",
}

SUBJECTS = {
    "hang": "accepts and never answers",
    "reset": "resets the connection (RST)",
    "garbage": "sends non-HTTP garbage",
    "trickle": "trickles a byte every 50 ms",
}

COMMANDS = {
    "probe": "probe {url} --token " + ACCESS_TOKEN,
    "token": "token {url} --client-id app --client-secret " + CLIENT_SECRET,
    "introspect": "introspect " + ACCESS_TOKEN + " --url {url} --client-id app "
    "--client-secret " + CLIENT_SECRET,
}


@pytest.mark.parametrize("behaviour", ["hang", "reset", "garbage", "trickle"])
@pytest.mark.parametrize("command", sorted(COMMANDS))
async def test_broken_upstream_gives_bounded_error(
    bad_upstreams: BadUpstreams, behaviour: str, command: str, report_row: object
) -> None:
    url = bad_upstreams.urls[behaviour]
    ctx = CheckContext(settings=loopback_settings(check_timeout=20))
    report = await run_text(COMMANDS[command].format(url=url), ctx)
    errors = [f for f in report.findings if f.status is Severity.ERROR]
    assert errors, f"{command} against {behaviour}: {report.to_dict()}"
    assert not [f for f in report.findings if f.status is Severity.FAIL]
    text = json.dumps(report.to_dict())
    assert url.split("/")[2] in text, "the finding names what was tried"
    assert EXPECTED[behaviour] in text
    # Bounded by AUTHCHECK_TIMEOUT, not by the runner's per-check timeout (20 s here).
    assert "did not finish" not in text
    assert "check timed out" not in text.lower()
    assert CLIENT_SECRET not in text
    assert ACCESS_TOKEN not in text
    assert "could not complete" not in text, "an exception escaped the check"
    report_row(  # type: ignore[operator]
        "Fault",
        f"upstream {SUBJECTS[behaviour]}: `{command}`",
        f"`{command}` against a loopback server, AUTHCHECK_TIMEOUT=1",
        "bounded `error` finding naming the URL tried; no `fail`",
        "nothing lost; no secret in the finding",
    )


async def test_huge_answer_is_cut_not_buffered(
    bad_upstreams: BadUpstreams, report_row: object
) -> None:
    ctx = CheckContext(settings=loopback_settings(timeout=3))
    report = await run_text(f"probe {bad_upstreams.urls['huge']}", ctx)
    assert report.findings
    assert all(f.status is not Severity.FAIL for f in report.findings)
    # The whole command stays well under its budget: the 20 MB body was never read to the end.
    assert "did not finish" not in json.dumps(report.to_dict())
    report_row(  # type: ignore[operator]
        "Fault",
        "upstream answers 20 MB",
        "probe against it",
        "body read capped (64 KiB for checks, 1 MiB in the transport)",
        "nothing lost",
    )
