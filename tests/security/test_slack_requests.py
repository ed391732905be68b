"""Requests that do not come from Slack, or come again, are refused before anything runs; and
access control is the same on every surface (slash command, mention, shortcut, modal)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio

from bot.slack.app import MODAL_ID, SHORTCUT_ID
from bot.slack.replay import ReplayGuard
from tests.bot.slack.test_app import CHANNEL, SIGNING_SECRET, TOKEN, Running
from tests.fakes.redis_server import RedisServer
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_signing import (
    app_mention_event,
    message_shortcut_payload,
    sign,
    signed_event,
    signed_interaction,
    signed_slash_command,
    view_submission_payload,
)
from tests.reliability.conftest import running_app


@pytest_asyncio.fixture
async def app(fake_slack: FakeSlack, redis_db: RedisServer) -> AsyncIterator[Running]:
    async with running_app(fake_slack, redis_db) as running:
        yield running


def _requests() -> dict[str, tuple[bytes, dict[str, str]]]:
    return {
        "slash command": signed_slash_command(SIGNING_SECRET, "explain 401"),
        "mention": signed_event(
            SIGNING_SECRET, app_mention_event("explain 403", thread_ts="1700000000.000500")
        ),
        "shortcut": signed_interaction(
            SIGNING_SECRET,
            message_shortcut_payload("HTTP/1.1 401\nJwt is expired", callback_id=SHORTCUT_ID),
        ),
    }


@pytest.mark.parametrize("surface", ["slash command", "mention", "shortcut"])
async def test_signature_missing_wrong_stale_and_replayed_are_rejected(
    app: Running, surface: str, report_row: Any
) -> None:
    body, headers = _requests()[surface]
    missing = {k: v for k, v in headers.items() if k != "X-Slack-Signature"}
    wrong = {**headers, **sign("not-the-signing-secret", body)}
    stale = {**headers, **sign(SIGNING_SECRET, body, int(time.time()) - 301)}
    for bad in (missing, wrong, stale):
        assert (await app.post(body, bad))[0] == 401
    assert (await app.post(body, headers))[0] == 200
    assert (await app.post(body, headers))[0] == 401, "the replay is rejected"
    await app.fake.wait_for(lambda _: app.final_replies() or app.fake.calls, timeout=15)
    await asyncio.sleep(0.3)
    assert len(app.final_replies()) <= 1
    assert app.redis.client().xlen("authcheck:jobs") <= 1
    report_row(
        "Security",
        f"{surface}: unsigned, wrong signature, 5 min 1 s old, replayed",
        "signed HTTP requests to /slack/events",
        "401 for each; the genuine one runs once",
        "nothing run twice",
    )


async def test_replay_guard_works_without_redis_and_with_it(redis_db: RedisServer) -> None:
    import redis.asyncio as aioredis

    body = b"text=help"
    headers = sign(SIGNING_SECRET, body)
    memory = ReplayGuard(SIGNING_SECRET)
    assert not await memory.is_replay(body, headers)
    assert await memory.is_replay(body, headers)
    assert not await memory.is_replay(body, sign("wrong", body)), "forged ones are Bolt's to reject"

    client = aioredis.Redis.from_url(redis_db.url)
    first, second = ReplayGuard(SIGNING_SECRET, client), ReplayGuard(SIGNING_SECRET, client)
    assert not await first.is_replay(body, headers)
    assert await second.is_replay(body, headers), "replicas share what they have seen"
    keys = [k.decode() for k in redis_db.client().keys("authcheck:replay:*")]
    assert keys
    assert all(headers["X-Slack-Signature"] not in k for k in keys)
    assert 0 < redis_db.client().ttl(keys[0]) <= 600
    await client.aclose()

    later = ReplayGuard(SIGNING_SECRET, clock=lambda: time.time() + 601)
    assert not await later.is_replay(body, sign(SIGNING_SECRET, body, int(time.time()) + 601))


@pytest_asyncio.fixture
async def guarded_app(fake_slack: FakeSlack, redis_db: RedisServer) -> AsyncIterator[Running]:
    async with running_app(
        fake_slack, redis_db, allowed_channels="C0OTHER", allowed_users="U0BOSS"
    ) as running:
        yield running


async def test_access_control_on_every_surface(guarded_app: Running, report_row: Any) -> None:
    app = guarded_app
    modal = view_submission_payload(
        MODAL_ID,
        {"token": {"value": TOKEN}},
        private_metadata=f'{{"text": "decode", "channel": "{CHANNEL}", "thread_ts": ""}}',
    )
    attempts = {
        "slash command": signed_slash_command(SIGNING_SECRET, "explain 401"),
        "slash command needing a token": signed_slash_command(SIGNING_SECRET, "decode"),
        "mention": signed_event(
            SIGNING_SECRET, app_mention_event("explain 403", thread_ts="1700000000.000600")
        ),
        "shortcut": signed_interaction(
            SIGNING_SECRET,
            message_shortcut_payload("HTTP/1.1 401\nJwt is expired", callback_id=SHORTCUT_ID),
        ),
        "modal submission": signed_interaction(SIGNING_SECRET, modal),
    }
    for body, headers in attempts.values():
        assert (await app.post(body, headers))[0] == 200
    await app.fake.wait_for(
        lambda _: len(app.fake.calls_of("chat.postEphemeral")) >= len(attempts), timeout=15
    )
    await asyncio.sleep(0.3)
    refusals = [c.payload["text"] for c in app.fake.calls_of("chat.postEphemeral")]
    assert len(refusals) == len(attempts)
    assert all("not enabled in this channel" in t for t in refusals), refusals
    assert app.fake.calls_of("chat.postMessage") == []
    assert app.fake.calls_of("views.open") == []
    assert app.redis.client().xlen("authcheck:jobs") == 0
    report_row(
        "Security",
        "a channel / user not allowed, on every surface",
        ", ".join(attempts),
        "ephemeral refusal each time; no modal, no job, no message",
        "nothing run",
    )
