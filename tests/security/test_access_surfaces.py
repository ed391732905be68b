"""Access control before anything is offered, on the surfaces that come before a command exists:
the token button under a mention, the click on that button (the private form), App Home, and
a message shortcut on a message with nothing to diagnose. A person the deployment did not let in
gets a refusal and nothing else: no button, no form, no endpoints, no reachability."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest_asyncio

from bot.slack.app import OPEN_MODAL_ACTION, SHORTCUT_ID
from tests.bot.slack.test_app import CHANNEL, SIGNING_SECRET, Running
from tests.fakes.redis_server import RedisServer
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_signing import (
    API_APP_ID,
    TEAM_ID,
    app_mention_event,
    message_shortcut_payload,
    signed_event,
    signed_interaction,
)
from tests.reliability.conftest import running_app

OUTSIDER = "U0MALLORY"
BOSS = "U0BOSS"


def button_click(user: str, channel: str, value: str) -> dict[str, Any]:
    """A `block_actions` payload as Slack sends it for a button in an ephemeral message."""
    ts = f"{int(time.time())}.000100"
    return {
        "type": "block_actions",
        "user": {"id": user, "username": user.lower(), "team_id": TEAM_ID},
        "api_app_id": API_APP_ID,
        "token": "deprecated-verification-token",
        "container": {
            "type": "message",
            "message_ts": ts,
            "channel_id": channel,
            "is_ephemeral": True,
        },
        "trigger_id": "trig.click.1",
        "team": {"id": TEAM_ID, "domain": "fake"},
        "is_enterprise_install": False,
        "channel": {"id": channel, "name": "incident"},
        "response_url": f"https://hooks.slack.test/actions/{TEAM_ID}/1/x",
        "actions": [
            {
                "action_id": OPEN_MODAL_ACTION,
                "block_id": "b1",
                "text": {"type": "plain_text", "text": "Open a private form"},
                "value": value,
                "type": "button",
                "action_ts": ts,
            }
        ],
    }


def home_opened(user: str) -> dict[str, Any]:
    return {
        "token": "x",
        "team_id": TEAM_ID,
        "api_app_id": API_APP_ID,
        "type": "event_callback",
        "event_id": f"EvHOME{user}",
        "event_time": int(time.time()),
        "event": {"type": "app_home_opened", "user": user, "channel": "D1", "tab": "home"},
    }


@pytest_asyncio.fixture
async def guarded(fake_slack: FakeSlack, redis_db: RedisServer) -> AsyncIterator[Running]:
    async with running_app(fake_slack, redis_db, allowed_users=BOSS) as running:
        yield running


def _buttons(app: Running) -> list[Any]:
    return [
        c
        for c in app.fake.calls_of("chat.postEphemeral")
        if OPEN_MODAL_ACTION in json.dumps(c.payload.get("blocks"))
    ]


async def test_token_button_and_form_are_refused_to_a_denied_user(
    guarded: Running, report_row: Any
) -> None:
    app = guarded
    mention = app_mention_event("decode", user_id=OUTSIDER, thread_ts="1700000000.000700")
    assert (await app.post(*signed_event(SIGNING_SECRET, mention)))[0] == 200
    await app.fake.wait_for(lambda _: app.fake.calls_of("chat.postEphemeral"), timeout=10)
    # The click a denied user could still send (an old button, or one crafted by hand).
    meta = json.dumps({"text": "decode", "channel": CHANNEL, "thread_ts": "", "fields": []})
    click = button_click(OUTSIDER, CHANNEL, meta)
    assert (await app.post(*signed_interaction(SIGNING_SECRET, click)))[0] == 200
    await app.fake.wait_for(lambda _: len(app.fake.calls_of("chat.postEphemeral")) >= 2, 10)
    await asyncio.sleep(0.3)
    assert _buttons(app) == [], "no token button offered to a denied user"
    assert app.fake.calls_of("views.open") == [], "no private form opened for a denied user"
    refusals = [c.payload["text"] for c in app.fake.calls_of("chat.postEphemeral")]
    assert len(refusals) == 2
    assert all("not on the list" in text for text in refusals), refusals
    assert app.redis.client().xlen("authcheck:jobs") == 0

    # The allowed user gets both, so the refusal above is access control, not a broken button.
    mention = app_mention_event("decode", user_id=BOSS, thread_ts="1700000000.000800")
    assert (await app.post(*signed_event(SIGNING_SECRET, mention)))[0] == 200
    await app.fake.wait_for(lambda _: _buttons(app), timeout=10)
    click = button_click(BOSS, CHANNEL, meta)
    assert (await app.post(*signed_interaction(SIGNING_SECRET, click)))[0] == 200
    await app.fake.wait_for(lambda _: app.fake.calls_of("views.open"), timeout=10)
    report_row(
        "Security",
        "token button and private form for a user not allowed",
        "a mention needing a token; a click on the form button (sent by hand)",
        "ephemeral refusal each time; no button, no form opened, no job",
        "nothing offered",
    )


async def test_app_home_shows_a_denied_user_no_endpoints_or_reachability(
    guarded: Running, report_row: Any
) -> None:
    app = guarded
    assert (await app.post(*signed_event(SIGNING_SECRET, home_opened(OUTSIDER))))[0] == 200
    await app.fake.wait_for(lambda _: app.fake.calls_of("views.publish"), timeout=10)
    denied = json.dumps(app.fake.calls_of("views.publish")[0].payload["view"])
    assert "not on the list" in denied
    for revealing in ("Redis", "Hydra", "Cluster", "reach", "http://", "https://"):
        assert revealing not in denied, revealing

    assert (await app.post(*signed_event(SIGNING_SECRET, home_opened(BOSS))))[0] == 200
    await app.fake.wait_for(lambda _: len(app.fake.calls_of("views.publish")) >= 2, timeout=10)
    allowed = json.dumps(app.fake.calls_of("views.publish")[1].payload["view"])
    assert "Redis reachable" in allowed
    report_row(
        "Security",
        "App Home opened by a user not allowed",
        "app_home_opened from a user outside AUTHCHECK_ALLOWED_USERS",
        "a refusal only: no endpoints, no reachability status (the allowed user sees both)",
        "nothing shown",
    )


async def test_message_shortcut_refuses_before_reading_the_message(
    guarded: Running, report_row: Any
) -> None:
    app = guarded
    payload = message_shortcut_payload(
        "just chatting, nothing to diagnose", callback_id=SHORTCUT_ID, user_id=OUTSIDER
    )
    assert (await app.post(*signed_interaction(SIGNING_SECRET, payload)))[0] == 200
    await app.fake.wait_for(lambda _: app.fake.calls_of("chat.postEphemeral"), timeout=10)
    await asyncio.sleep(0.2)
    texts = [c.payload["text"] for c in app.fake.calls_of("chat.postEphemeral")]
    assert len(texts) == 1
    assert "not on the list" in texts[0], texts
    assert app.fake.calls_of("chat.postMessage") == []
    report_row(
        "Security",
        "message shortcut by a user not allowed",
        "the shortcut on a message with nothing to diagnose",
        "refusal first, not a usage hint; nothing posted",
        "nothing run",
    )
