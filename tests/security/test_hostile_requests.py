"""Hostile requests to /slack/events: malformed bodies without a signature are refused by the
signature check before anything parses them, and a replay is refused by the process that saw
the original even after Redis lost its data (FLUSHALL, a restart without persistence)."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio

from bot.slack.replay import ReplayGuard
from tests.bot.slack.test_app import SIGNING_SECRET, Running
from tests.fakes.redis_server import RedisServer
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_signing import sign, signed_slash_command
from tests.reliability.conftest import running_app

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"

#: (body, content type): what an attacker or a broken proxy might post. Each used to be a 500
#: with a traceback in the log (Bolt parses the body before it checks the signature).
MALFORMED: dict[str, tuple[bytes, str]] = {
    "{": (b"{", JSON),
    "[]": (b"[]", JSON),
    "null": (b"null", JSON),
    "payload=%7B": (b"payload=%7B", FORM),
    "payload=null": (b"payload=null", FORM),
    "empty body": (b"", JSON),
    "wrong content type": (b"{", "text/plain"),
    "not UTF-8": (b"\xff\xfe{", JSON),
}

#: Header sets sent with each body: none at all, a forged signature, a timestamp that is not a
#: number (slack_sdk's `int(timestamp)` raised on it).
HEADERS: dict[str, dict[str, str]] = {
    "no signature": {},
    "forged signature": {
        "X-Slack-Request-Timestamp": str(int(time.time())),
        "X-Slack-Signature": "v0=00",
    },
    "timestamp not a number": {"X-Slack-Request-Timestamp": "soon", "X-Slack-Signature": "v0=00"},
}


@pytest_asyncio.fixture
async def app(fake_slack: FakeSlack, redis_db: RedisServer) -> AsyncIterator[Running]:
    async with running_app(fake_slack, redis_db) as running:
        yield running


async def test_malformed_unsigned_requests_get_401_before_parsing(
    app: Running, caplog: pytest.LogCaptureFixture, report_row: Any
) -> None:
    caplog.set_level(logging.INFO)
    answers: dict[tuple[str, str], int] = {}
    for name, (body, content_type) in MALFORMED.items():
        for kind, headers in HEADERS.items():
            status, _ = await app.post(body, {"Content-Type": content_type, **headers})
            answers[(name, kind)] = status
    assert answers == {key: 401 for key in answers}, answers
    tracebacks = [
        r.getMessage() for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR
    ]
    assert tracebacks == []
    await asyncio.sleep(0.2)
    assert app.fake.calls == []
    assert app.redis.client().xlen("authcheck:jobs") == 0
    report_row(
        "Security",
        "malformed unsigned requests to /slack/events",
        "`{`, `[]`, `null`, `payload=%7B`, empty body, wrong content type, not UTF-8; "
        "unsigned, forged, non-numeric timestamp",
        "401 from the signature check for each; no 500, no traceback in the log",
        "nothing run",
    )


async def test_signed_but_unreadable_body_is_a_400_not_a_traceback(
    app: Running, caplog: pytest.LogCaptureFixture
) -> None:
    """Only Slack (or whoever holds the signing secret) can get this far; still no 500."""
    caplog.set_level(logging.INFO)
    for body, content_type in (b"{", JSON), (b"payload=%7B", FORM):
        status, _ = await app.post(
            body, {"Content-Type": content_type, **sign(SIGNING_SECRET, body)}
        )
        assert status in (400, 401, 200), status
        assert status != 500
    assert [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR] == []


async def test_replay_is_refused_after_redis_lost_its_data(app: Running, report_row: Any) -> None:
    body, headers = signed_slash_command(SIGNING_SECRET, "explain 401")
    assert (await app.post(body, headers))[0] == 200
    await app.fake.wait_for(lambda _: app.final_replies(), timeout=15)
    client = app.redis.client()
    client.flushall()  # what a restart without persistence or a failover to an empty replica does
    assert client.keys("authcheck:replay:*") == []
    status, _ = await app.post(body, headers)
    assert status == 401, "the replay inside Slack's window is refused by the process that saw it"
    await asyncio.sleep(0.5)
    assert len(app.final_replies()) == 1
    assert client.xlen("authcheck:jobs") == 0
    client.close()
    report_row(
        "Security",
        "replayed request after Redis lost its data",
        "a signed slash command, then FLUSHALL, then the same bytes again within 5 minutes",
        "401 for the replay (in-process record beside the Redis one); answered once",
        "nothing run twice",
    )


async def test_in_process_replay_record_is_bounded_and_expires() -> None:
    now = [1_000_000.0]
    guard = ReplayGuard(SIGNING_SECRET, clock=lambda: now[0], max_remembered=3)
    requests = [
        (f"text={i}".encode(), sign(SIGNING_SECRET, f"text={i}", int(now[0]))) for i in range(5)
    ]
    for body, headers in requests:
        assert not await guard.is_replay(body, headers)
    assert len(guard._seen) <= 3
    assert await guard.is_replay(*requests[-1]), "the newest are still remembered"
    now[0] += 299  # still inside Slack's window for these requests
    assert await guard.is_replay(*requests[-2])
    now[0] += 400  # every record has expired (and Slack would refuse the timestamp anyway)
    late = (b"text=late", sign(SIGNING_SECRET, "text=late", int(now[0])))
    assert not await guard.is_replay(*late)
    assert len(guard._seen) == 1
