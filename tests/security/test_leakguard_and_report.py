"""The leak guard finds what it is meant to find, and the README report is the generated one."""

from __future__ import annotations

import logging
import types

from tests.fakes import leakguard
from tests.fakes.slack_api import FakeSlack
from tests.report import README, load, render, section

CANARY = "leakguard-canary-token-0123456789"


async def test_guard_finds_a_secret_in_a_slack_call(fake_slack: FakeSlack) -> None:
    import aiohttp

    async with aiohttp.ClientSession() as http:
        await http.post(fake_slack.url + "chat.postMessage", data={"channel": "C1", "text": "hi"})
    sources = dict(leakguard._sources({"fake": fake_slack}))
    assert leakguard.find_leaks({"hi there"}, "x", str(sources)) == []
    assert leakguard.find_leaks({'"text": "hi"'}, "slack", next(iter(sources.values())))


def test_guard_names_the_fingerprint_never_the_value() -> None:
    leaks = leakguard.find_leaks({CANARY}, "a log line", f"oops {CANARY}")
    assert leaks
    assert CANARY not in leaks[0]
    assert leaks[0].startswith("sha256:")


def test_module_constants_named_secret_are_registered() -> None:
    module = types.SimpleNamespace(
        CLIENT_SECRET="a-client-secret-value", DEFAULT_TOKEN="xoxb-not-a-test-secret", ID="x" * 20
    )
    found = leakguard.secrets_of_module(module)
    assert found == {"a-client-secret-value"}


def test_log_capture_sees_authcheck_loggers_and_exceptions() -> None:
    capture = leakguard._Capture()
    logger = logging.getLogger("authcheck.test")
    logger.addHandler(capture)
    try:
        try:
            raise ValueError(CANARY)
        except ValueError:
            logger.exception("failed")
    finally:
        logger.removeHandler(capture)
    assert leakguard.find_leaks({CANARY}, "log", "\n".join(capture.lines))


def test_committed_readme_report_is_the_generated_one() -> None:
    rows = load()
    assert rows, "tests/reliability/results.json is missing: run the suite"
    shown = section(README.read_text(encoding="utf-8"))
    assert shown == render(rows), "run `python -m tests.report` and commit README.md"
    assert all(r.result == "passed" for r in rows), [
        r.subject for r in rows if r.result != "passed"
    ]
