"""The Slack app end to end: signed HTTP requests in, fake Slack Web API calls out, a real
redis-server queue and a real worker in between."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import aiohttp
import jwt
import pytest
import pytest_asyncio
from aiohttp import web

from bot.health import start_site
from bot.service import Service
from bot.settings import BotSettings
from bot.slack.app import MODAL_ID, SHORTCUT_ID
from handlers.core.settings import Settings
from tests.fakes.redis_server import RedisServer, free_port
from tests.fakes.slack_api import DEFAULT_TOKEN, FakeSlack
from tests.fakes.slack_signing import (
    app_mention_event,
    message_shortcut_payload,
    signed,
    signed_event,
    signed_interaction,
    signed_slash_command,
    view_submission_payload,
)

SIGNING_SECRET = "test-signing-secret-0123456789"
JOB_KEY = "job-key-for-tests-0123456789"
CHANNEL = "C0INCIDENT"
TOKEN = jwt.encode(
    {"sub": "alice", "exp": 1_000_000_000, "scope": "read"}, "k" * 32, algorithm="HS256"
)


@dataclass
class Running:
    service: Service
    url: str
    fake: FakeSlack
    redis: RedisServer
    http: aiohttp.ClientSession

    async def post(self, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
        async with self.http.post(self.url, data=body, headers=headers) as response:
            return response.status, await response.text()

    async def slash(self, text: str, **kwargs: Any) -> tuple[int, str]:
        return await self.post(*signed_slash_command(SIGNING_SECRET, text, **kwargs))

    def final_replies(self) -> list[dict[str, Any]]:
        """Thread replies whose text is a finished report (no 'running')."""
        return [
            m
            for m in self.fake.posted(CHANNEL)
            if m.get("thread_ts") and "running" not in str(m.get("text", "")).lower()
        ]


def bot_settings(fake: FakeSlack, redis: RedisServer, **extra: Any) -> BotSettings:
    values: dict[str, Any] = {
        "slack_bot_token": DEFAULT_TOKEN,
        "slack_signing_secret": SIGNING_SECRET,
        "slack_api_url": fake.url,
        "redis_url": redis.url,
        "job_key": JOB_KEY,
        "health_port": 0,
        "channel_rate": 50.0,
    }
    values.update(extra)
    return BotSettings(**values)


@pytest_asyncio.fixture
async def running(
    fake_slack: FakeSlack, redis_db: RedisServer, request: pytest.FixtureRequest
) -> AsyncIterator[Running]:
    extra = getattr(request, "param", {})
    service = Service(Settings(), bot_settings(fake_slack, redis_db, **extra))
    bot = service.bot(service.intake())
    port = free_port()
    runner: web.AppRunner = await start_site(service.web_app(bot), port, host="127.0.0.1")
    worker = asyncio.create_task(service.worker.run_forever())
    async with aiohttp.ClientSession() as http:
        yield Running(service, f"http://127.0.0.1:{port}/slack/events", fake_slack, redis_db, http)
    service.worker.stop()
    await asyncio.wait_for(worker, timeout=30)
    await runner.cleanup()
    await service.close()


async def test_slash_command_acks_posts_parent_and_answers_in_its_thread(running: Running) -> None:
    status, body = await running.slash("help decode")
    assert status == 200
    assert body == ""  # plain ack: the answer goes to the thread
    await running.fake.wait_for(lambda _: running.final_replies(), timeout=10)
    parent = running.fake.calls_of("chat.postMessage")[0].payload
    assert "thread_ts" not in parent or not parent["thread_ts"]
    assert "<@U0ALICE>" in parent["text"]
    reply = running.final_replies()[0]
    assert reply["thread_ts"] == running.fake.calls_of("chat.postMessage")[0].response["ts"]
    assert "decode" in json.dumps(reply)


async def test_usage_error_is_an_ephemeral_ack_and_nothing_is_queued(running: Running) -> None:
    status, body = await running.slash("frobnicate everything")
    assert status == 200
    answer = json.loads(body)
    assert answer["response_type"] == "ephemeral"
    assert "unknown command" in answer["text"]
    assert "usage" in answer["text"].lower()
    assert running.redis.client().xlen("authcheck:jobs") == 0
    assert running.fake.calls_of("chat.postMessage") == []


async def test_bad_signature_and_stale_requests_are_rejected(running: Running) -> None:
    body, headers = signed_slash_command("wrong-secret", "help")
    assert (await running.post(body, headers))[0] == 401
    body, headers = signed_slash_command(SIGNING_SECRET, "help", timestamp=1_600_000_000)
    assert (await running.post(body, headers))[0] == 401
    raw, headers = signed(SIGNING_SECRET, "text=help", "application/x-www-form-urlencoded")
    headers.pop("X-Slack-Signature")
    assert (await running.post(raw, headers))[0] == 401
    await asyncio.sleep(0.2)
    assert running.fake.calls_of("chat.postMessage") == []


async def test_mention_in_a_thread_answers_in_that_thread(running: Running) -> None:
    event = app_mention_event("explain 401", thread_ts="1700000000.000100")
    status, _ = await running.post(*signed_event(SIGNING_SECRET, event))
    assert status == 200
    await running.fake.wait_for(lambda _: running.final_replies(), timeout=10)
    reply = running.final_replies()[0]
    assert reply["thread_ts"] == "1700000000.000100"


async def test_slack_retry_of_the_same_event_starts_no_second_job(running: Running) -> None:
    event = app_mention_event("explain 403", thread_ts="1700000000.000300", event_id="EvSAME")
    now = int(time.time())
    for attempt in range(3):  # each delivery is signed anew; an identical one is a replay (401)
        assert (await running.post(*signed_event(SIGNING_SECRET, event, now - attempt)))[0] == 200
    await running.fake.wait_for(lambda _: running.final_replies(), timeout=10)
    await asyncio.sleep(0.5)
    assert len(running.final_replies()) == 1


async def test_command_needing_a_token_opens_a_modal_and_the_token_stays_private(
    running: Running,
) -> None:
    status, _ = await running.slash("decode")
    assert status == 200
    await running.fake.wait_for(lambda _: running.fake.calls_of("views.open"), timeout=10)
    view = running.fake.calls_of("views.open")[0].payload["view"]
    view = json.loads(view) if isinstance(view, str) else view
    assert view["callback_id"] == MODAL_ID
    submission = view_submission_payload(
        MODAL_ID, {"token": {"value": TOKEN}}, private_metadata=view["private_metadata"]
    )
    status, _ = await running.post(*signed_interaction(SIGNING_SECRET, submission))
    assert status == 200
    await running.fake.wait_for(lambda _: running.final_replies(), timeout=10)
    reply = json.dumps(running.final_replies()[0])
    assert "expired" in reply.lower()
    assert TOKEN not in running.fake.dump()
    assert TOKEN.split(".")[2] not in running.fake.dump()


async def test_shortcut_on_a_pasted_error_runs_the_matching_checks(running: Running) -> None:
    pasted = (
        "$ curl -v https://api.example.com/orders\n"
        "< HTTP/1.1 401 Unauthorized\n"
        '< www-authenticate: Bearer realm="orders", error="invalid_token"\n'
        "Jwt is expired\n"
        f"token was {TOKEN}\n"
    )
    payload = message_shortcut_payload(pasted, callback_id=SHORTCUT_ID)
    status, _ = await running.post(*signed_interaction(SIGNING_SECRET, payload))
    assert status == 200
    await running.fake.wait_for(lambda _: len(running.final_replies()) >= 2, timeout=15)
    replies = running.final_replies()
    assert all(r["thread_ts"] == "1700000000.000200" for r in replies)
    assert TOKEN not in running.fake.dump()


@pytest.mark.parametrize("running", [{"allowed_users": "U0BOSS"}], indirect=True)
async def test_users_not_allowed_get_an_ephemeral_refusal(running: Running) -> None:
    status, _ = await running.slash("help decode")
    assert status == 200
    await running.fake.wait_for(lambda _: running.fake.calls_of("chat.postEphemeral"), 10)
    refusal = running.fake.calls_of("chat.postEphemeral")[0].payload
    assert refusal["user"] == "U0ALICE"
    assert "not on the list" in refusal["text"]
    assert running.fake.calls_of("chat.postMessage") == []


async def test_queue_down_gets_an_immediate_try_again(running: Running) -> None:
    running.redis.stop()
    try:
        status, _ = await running.slash("help decode")
        assert status == 200
        await running.fake.wait_for(lambda _: running.fake.calls_of("chat.postEphemeral"), 15)
        text = running.fake.calls_of("chat.postEphemeral")[0].payload["text"]
        assert "try again" in text
    finally:
        running.redis.start_again()


async def test_app_home_shows_commands_and_what_the_bot_can_reach(running: Running) -> None:
    event = {
        "token": "x",
        "team_id": "T0FAKE",
        "api_app_id": "A0AUTHCHECK",
        "type": "event_callback",
        "event_id": "EvHOME1",
        "event_time": 1,
        "event": {"type": "app_home_opened", "user": "U0ALICE", "channel": "D1", "tab": "home"},
    }
    assert (await running.post(*signed_event(SIGNING_SECRET, event)))[0] == 200
    await running.fake.wait_for(lambda _: running.fake.calls_of("views.publish"), timeout=10)
    view = running.fake.calls_of("views.publish")[0].payload["view"]
    text = json.dumps(view)
    assert "Redis reachable" in text
    assert "decode" in text


async def test_health_and_metrics_endpoints(running: Running) -> None:
    base = running.url.rsplit("/slack/events", 1)[0]
    async with running.http.get(base + "/healthz") as response:
        assert response.status == 200
    async with running.http.get(base + "/readyz") as response:
        assert response.status == 200
        assert (await response.json())["checks"] == {"redis": True}
    await running.slash("help decode")
    await running.fake.wait_for(lambda _: running.final_replies(), timeout=10)
    async with running.http.get(base + "/metrics") as response:
        metrics = await response.text()
    assert "authcheck_commands_total" in metrics
    assert 'source="slash"' in metrics
