"""Slack's own faults, and people using Slack the way people do, against the running app: every
case ends in an answer or an ephemeral note to the person, never silence, and a Slack-side error
never sends a job back to run against the upstream again.

The running app (signed HTTP in, real redis-server and worker) talks to the fake Slack Web API,
which drops connections, answers 500, or finds the bot's reply deleted.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

import bot.slack.sink
from bot.slack.app import SHORTCUT_ID
from tests.bot.slack.test_app import CHANNEL, SIGNING_SECRET, Running
from tests.bot.slack.test_surfaces import Upstream, upstream  # noqa: F401
from tests.fakes.redis_server import RedisServer
from tests.fakes.slack_api import RESET, FakeSlack
from tests.fakes.slack_signing import message_shortcut_payload, signed_interaction
from tests.reliability.conftest import loopback_settings, running_app

PASTED = (
    "$ curl -v https://api.example.com/orders\n&lt; HTTP/1.1 401 Unauthorized\nJwt is expired\n"
)


def _ephemerals(app: Running, user: str | None = None) -> list[dict[str, Any]]:
    return [
        c.payload
        for c in app.fake.calls_of("chat.postEphemeral")
        if user is None or c.payload.get("user") == user
    ]


async def _settle(app: Running, seconds: float = 1.0) -> None:
    """Lets anything still in flight arrive before counting (not a timing assertion)."""
    await asyncio.sleep(seconds)


async def test_second_person_using_the_shortcut_gets_a_pointer(
    fake_slack: FakeSlack, redis_db: RedisServer, report_row: Any
) -> None:
    async with running_app(fake_slack, redis_db) as app:
        for user in ("U0ALICE", "U0BOB"):
            payload = message_shortcut_payload(PASTED, callback_id=SHORTCUT_ID, user_id=user)
            assert (await app.post(*signed_interaction(SIGNING_SECRET, payload)))[0] == 200
        await app.fake.wait_for(lambda _: _ephemerals(app, "U0BOB"), timeout=15)
        await app.fake.wait_for(lambda _: len(app.final_replies()) >= 2, timeout=20)
        await _settle(app)
        note = _ephemerals(app, "U0BOB")[0]
        assert "already on this message" in note["text"]
        assert note["thread_ts"] == "1700000000.000200"
        replies = app.final_replies()
        texts = [json.dumps(r) for r in replies]
        assert len(texts) == len(set(texts)), "each check answered once"
        assert _ephemerals(app, "U0ALICE") == []
    report_row(
        "Fault",
        "a second person uses the shortcut on the same message",
        "two people, one message, one after the other",
        "the checks run once; the second person gets an ephemeral pointer to the thread",
        "nothing lost, nothing run twice",
    )


async def test_views_open_failing_is_an_ephemeral_note(
    fake_slack: FakeSlack, redis_db: RedisServer, report_row: Any
) -> None:
    async with running_app(fake_slack, redis_db) as app:
        app.fake.fail_next("views.open", count=10, status=500)
        assert (await app.slash("decode"))[0] == 200
        await app.fake.wait_for(lambda _: _ephemerals(app), timeout=20)
        note = _ephemerals(app)[0]
        assert note["user"] == "U0ALICE"
        assert "Could not open the private form" in note["text"]
        assert "fatal_error" in note["text"]
        assert redis_db.client().xlen("authcheck:jobs") == 0
    report_row(
        "Fault",
        "Slack's views.open fails (500) when the private form should open",
        "every views.open answered 500",
        "ephemeral note: the form could not open, nothing was run, run the command again",
        "nothing run",
    )


async def test_connection_reset_on_the_parent_message_is_a_try_again_note(
    fake_slack: FakeSlack, redis_db: RedisServer, report_row: Any
) -> None:
    async with running_app(fake_slack, redis_db) as app:
        app.fake.fail_next("chat.postMessage", count=10, status=RESET)
        assert (await app.slash("explain 401"))[0] == 200
        await app.fake.wait_for(lambda _: _ephemerals(app), timeout=30)
        note = _ephemerals(app)[0]
        assert "could not reach Slack" in note["text"]
        assert "try again" in note["text"]
        # The job was queued before the parent (so a bot restart cannot lose it); the worker
        # finds the parent marked failed and drops the job unrun (bounded wait).
        for _ in range(50):
            if redis_db.client().xlen("authcheck:jobs") == 0:
                break
            await asyncio.sleep(0.1)
        assert redis_db.client().xlen("authcheck:jobs") == 0
        assert app.final_replies() == []
    report_row(
        "Fault",
        "Slack resets the connection on the parent message",
        "every chat.postMessage dropped (TCP reset) after the slash command's ack",
        "ephemeral 'could not reach Slack … try again'; nothing half-started",
        "nothing run",
    )


async def _baseline(app: Running, up: Upstream, path: str) -> int:
    """How many upstream requests one `probe` makes when Slack behaves."""
    before = len(up.paths)
    assert (await app.slash(f"probe {up.url}{path}"))[0] == 200
    await app.fake.wait_for(lambda _: app.final_replies(), timeout=30)
    await _settle(app)
    return len(up.paths) - before


@pytest.mark.parametrize("fault", ["reset", "500"])
async def test_slack_refusing_the_answer_never_reruns_the_job(
    fault: str,
    fake_slack: FakeSlack,
    redis_db: RedisServer,
    upstream: Upstream,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
    report_row: Any,
) -> None:
    monkeypatch.setattr(bot.slack.sink, "DELIVERY_RETRY_DELAYS", (0.2,))
    async with running_app(fake_slack, redis_db, loopback_settings()) as app:
        once = await _baseline(app, upstream, "/baseline")
        assert once >= 1
        app.fake.reset()
        before = len(upstream.paths)
        status = RESET if fault == "reset" else 500
        app.fake.fail_next("chat.update", count=100, status=status)
        assert (await app.slash(f"probe {upstream.url}/faulty"))[0] == 200
        await app.fake.wait_for(lambda _: _ephemerals(app), timeout=60)
        await _settle(app, 2.0)
        note = _ephemerals(app)[0]
        assert "Slack would not take the answer" in note["text"]
        assert note["user"] == "U0ALICE"
        assert len(upstream.paths) - before == once, "the job ran once, not again"
        client = redis_db.client()
        assert client.xpending("authcheck:jobs", "authcheck-workers")["pending"] == 0
        assert client.llen("authcheck:dead") == 0
    report_row(
        "Fault",
        f"Slack refuses the finished answer ({'connection reset' if status == RESET else '500'})",
        "every chat.update of the answer fails, after slack_sdk's and the sink's retries",
        "the person gets an ephemeral note; the job is not re-run against the upstream",
        "the answer (Slack would not take it); nothing run twice",
    )


async def test_transient_reset_on_the_answer_is_retried_and_posted_once(
    fake_slack: FakeSlack,
    redis_db: RedisServer,
    upstream: Upstream,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
    report_row: Any,
) -> None:
    monkeypatch.setattr(bot.slack.sink, "DELIVERY_RETRY_DELAYS", (0.2, 0.2, 0.2))
    async with running_app(fake_slack, redis_db, loopback_settings()) as app:
        once = await _baseline(app, upstream, "/baseline")
        app.fake.reset()
        before = len(upstream.paths)
        gate = app.fake.hold("chat.update")  # the answer's edit: held, then reset 3 times
        assert (await app.slash(f"probe {upstream.url}/flaky"))[0] == 200
        await app.fake.wait_for(lambda _: app.fake.held, timeout=30)
        app.fake.fail_next("chat.update", count=3, status=RESET)
        gate.set()
        await app.fake.wait_for(lambda _: app.final_replies(), timeout=30)
        await _settle(app)
        assert len(app.final_replies()) == 1
        assert _ephemerals(app) == []
        assert len(upstream.paths) - before == once
    report_row(
        "Fault",
        "Slack resets the connection while the answer is posted",
        "three chat.update calls of the answer dropped (TCP reset)",
        "retried; one answer in the thread",
        "nothing lost, nothing run twice",
    )


async def test_reply_deleted_by_a_user_is_answered_anew(
    fake_slack: FakeSlack, redis_db: RedisServer, report_row: Any
) -> None:
    async with running_app(fake_slack, redis_db) as app:
        gate = app.fake.hold("chat.update")
        assert (await app.slash("explain 401"))[0] == 200
        await app.fake.wait_for(lambda _: app.fake.held, timeout=30)
        held = app.fake.held[0].payload
        app.fake.delete(CHANNEL, str(held["ts"]))  # someone deletes the "running…" reply
        gate.set()
        await app.fake.wait_for(lambda _: app.final_replies(), timeout=30)
        await _settle(app)
        replies = app.final_replies()
        assert len(replies) == 1
        assert replies[0]["ts"] != held["ts"]
        assert "401" in json.dumps(replies[0])
        assert redis_db.client().llen("authcheck:dead") == 0
    report_row(
        "Fault",
        "the bot's reply deleted by a user while the job runs",
        "the 'running…' message deleted before the answer edits it (message_not_found)",
        "the answer is posted as a new reply in the thread",
        "nothing lost",
    )
