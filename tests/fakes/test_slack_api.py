"""The fake Slack Web API and the signed-request builders, checked against Slack's own libraries.

slack_sdk's AsyncWebClient talks to the fake over real HTTP; slack_sdk's SignatureVerifier and a
real Bolt AsyncApp accept what slack_signing builds. If either drifted from Slack's shapes, these
tests would fail before the bot's tests silently tested the wrong thing.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from typing import Any

import aiohttp
import pytest
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.blocks import render_report
from handlers.core.model import Finding, Report, Severity
from tests.fakes import slack_api
from tests.fakes.slack_api import DEFAULT_TOKEN, FakeSlack
from tests.fakes.slack_signing import (
    app_mention_event,
    message_shortcut_payload,
    sign,
    signed_event,
    signed_interaction,
    signed_slash_command,
    slash_command_body,
    view_submission_payload,
)

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"


def client(fake: FakeSlack, token: str = DEFAULT_TOKEN, **kwargs: Any) -> AsyncWebClient:
    return AsyncWebClient(token=token, base_url=fake.url, **kwargs)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_web_client_methods_round_trip(fake_slack: FakeSlack) -> None:
    web = client(fake_slack)
    auth = await web.auth_test()
    assert auth["user_id"] == slack_api.BOT_USER_ID

    _, blocks = render_report(Report("probe", [Finding("c", Severity.FAIL, "Token rejected")]))
    parent = await web.chat_postMessage(channel="C1", text="asked")
    reply = await web.chat_postMessage(
        channel="C1", thread_ts=parent["ts"], text="running", blocks=blocks
    )
    assert reply["ts"] != parent["ts"]
    assert reply["message"]["thread_ts"] == parent["ts"]
    updated = await web.chat_update(channel="C1", ts=reply["ts"], text="done", blocks=blocks)
    assert updated["ts"] == reply["ts"]
    assert fake_slack.thread("C1", parent["ts"])[0]["text"] == "done"
    assert fake_slack.thread("C1", parent["ts"])[0]["blocks"] == blocks

    eph = await web.chat_postEphemeral(channel="C1", user="U1", text="denied")
    assert eph["message_ts"]
    modal = {"type": "modal", "title": {"type": "plain_text", "text": "Token"}, "blocks": []}
    opened = await web.views_open(trigger_id="trig.1", view=modal)
    assert opened["view"]["id"].startswith("V")
    home = {"type": "home", "blocks": blocks}
    assert (await web.views_publish(user_id="U1", view=home))["ok"]
    assert (await web.users_info(user="U1"))["user"]["id"] == "U1"
    assert (await web.conversations_info(channel="C1"))["channel"]["id"] == "C1"

    fake_slack.usergroups["S1"] = ["U1", "U2"]
    assert (await web.usergroups_users_list(usergroup="S1"))["users"] == ["U1", "U2"]
    with pytest.raises(SlackApiError) as err:
        await web.usergroups_users_list(usergroup="S404")
    assert err.value.response["error"] == "no_such_subteam"

    methods = [c.method for c in fake_slack.calls]
    assert methods[:4] == ["auth.test", "chat.postMessage", "chat.postMessage", "chat.update"]
    assert fake_slack.calls_of("chat.postMessage")[1].payload["blocks"] == blocks


async def test_update_of_unknown_message_fails(fake_slack: FakeSlack) -> None:
    with pytest.raises(SlackApiError) as err:
        await client(fake_slack).chat_update(channel="C1", ts="1.000001", text="x")
    assert err.value.response["error"] == "message_not_found"


async def test_tokens_are_checked(fake_slack: FakeSlack) -> None:
    with pytest.raises(SlackApiError) as err:
        await client(fake_slack, token="xoxb-wrong").auth_test()
    assert err.value.response["error"] == "invalid_auth"
    async with (
        aiohttp.ClientSession() as http,
        http.post(fake_slack.url + "auth.test") as resp,
    ):
        assert (await resp.json())["error"] == "not_authed"
    assert not any(c.ok for c in fake_slack.calls)


async def test_block_kit_limits_are_enforced(fake_slack: FakeSlack) -> None:
    web = client(fake_slack)
    section = {"type": "section", "text": {"type": "mrkdwn", "text": "x"}}
    too_many = [section] * 51
    too_long = [{"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}]
    long_header = [{"type": "header", "text": {"type": "plain_text", "text": "h" * 151}}]
    for blocks in (too_many, too_long, long_header):
        with pytest.raises(SlackApiError) as err:
            await web.chat_postMessage(channel="C1", text="t", blocks=blocks)
        assert err.value.response["error"] == "invalid_blocks"
    assert (await web.chat_postMessage(channel="C1", text="t", blocks=[section] * 50))["ok"]


async def test_renderer_output_for_huge_reports_is_accepted(fake_slack: FakeSlack) -> None:
    findings = [Finding("c", Severity.WARN, "w" * 500, "<&>" * 4000, "$ kubectl " + "y" * 9000)]
    report = Report("diagnose", findings * 300)
    text, blocks = render_report(report)
    assert (await client(fake_slack).chat_postMessage(channel="C1", text=text, blocks=blocks))["ok"]


async def test_form_encoded_calls_with_token_in_body(fake_slack: FakeSlack) -> None:
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "hi"}}]
    form = {"token": DEFAULT_TOKEN, "channel": "C9", "text": "t", "blocks": json.dumps(blocks)}
    async with (
        aiohttp.ClientSession() as http,
        http.post(fake_slack.url + "chat.postMessage", data=form) as resp,
    ):
        body = await resp.json()
    assert body["ok"]
    call = fake_slack.calls_of("chat.postMessage")[0]
    assert call.payload["blocks"] == blocks
    assert "token" not in call.payload  # recorded payloads never hold the bot token


async def test_rate_limit_per_channel_with_burst() -> None:
    clock = FakeClock()
    async with FakeSlack(rate_limit=True, burst=3, per_second=1.0, clock=clock) as fake:
        async with aiohttp.ClientSession(
            headers={"Authorization": f"Bearer {DEFAULT_TOKEN}"}
        ) as http:

            async def post(channel: str) -> aiohttp.ClientResponse:
                async with http.post(
                    fake.url + "chat.postMessage", json={"channel": channel, "text": "x"}
                ) as resp:
                    await resp.read()
                    return resp

            assert [(await post("C1")).status for _ in range(3)] == [200, 200, 200]
            limited = await post("C1")
            assert limited.status == 429
            assert limited.headers["Retry-After"] == "1"
            assert (await post("C2")).status == 200  # other channels have their own budget
            clock.now += 1.0
            assert (await post("C1")).status == 200
            assert (await post("C1")).status == 429
            # Non-message methods are not paced.
            async with http.post(fake.url + "auth.test") as resp:
                assert resp.status == 200
        assert fake.rate_limited == 2
        assert len(fake.posted("C1")) == 4


async def test_fault_injection_and_slack_sdk_retry(fake_slack: FakeSlack) -> None:
    web = client(fake_slack)
    fake_slack.fail_next("chat.postMessage", 1, status=500)
    with pytest.raises(SlackApiError):
        await web.chat_postMessage(channel="C1", text="x")
    assert (await web.chat_postMessage(channel="C1", text="x"))["ok"]

    fake_slack.fail_next("chat.postMessage", 1, status=429, retry_after=0)
    retrying = client(fake_slack, retry_handlers=[AsyncRateLimitErrorRetryHandler(1)])
    assert (await retrying.chat_postMessage(channel="C1", text="y"))["ok"]
    statuses = [c.http_status for c in fake_slack.calls]
    assert statuses == [500, 200, 429, 200]
    assert fake_slack.rate_limited == 1


async def test_wait_for_is_bounded(fake_slack: FakeSlack) -> None:
    web = client(fake_slack)

    async def later() -> None:
        await asyncio.sleep(0.05)
        await web.chat_postMessage(channel="C1", text="late")

    task = asyncio.create_task(later())
    calls = await fake_slack.wait_for(
        lambda calls: any(c.method == "chat.postMessage" for c in calls), timeout=5
    )
    await task
    assert calls[-1].payload["text"] == "late"
    with pytest.raises(TimeoutError, match=r"chat.postMessage:200"):
        await fake_slack.wait_for(lambda calls: len(calls) > 5, timeout=0.1)


async def test_dump_is_what_leak_scans_read(fake_slack: FakeSlack) -> None:
    await client(fake_slack).chat_postMessage(channel="C1", text="fingerprint sha256:abc")
    dumped = fake_slack.dump()
    assert "sha256:abc" in dumped
    assert DEFAULT_TOKEN not in dumped


def test_standalone_mode_serves_and_reports_stats() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.fakes.slack_api", "--port", "0", "--rate-limit"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        url = line.strip().rsplit(" ", 1)[-1]
        assert url.startswith("http://127.0.0.1:")

        async def use() -> dict[str, Any]:
            web = AsyncWebClient(token=DEFAULT_TOKEN, base_url=url)
            await web.chat_postMessage(channel="C1", text="bench")
            async with (
                aiohttp.ClientSession() as http,
                http.get(url.replace("/api/", "/_fake/stats")) as resp,
            ):
                stats: dict[str, Any] = await resp.json()
                return stats

        stats = asyncio.run(use())
        assert stats["by_method"] == {"chat.postMessage": 1}
        assert stats["rate_limited"] == 0
    finally:
        proc.terminate()
        proc.wait(timeout=10)


# --- signed requests --------------------------------------------------------------------------


def test_signature_matches_slack_sdk_verifier() -> None:
    body = slash_command_body("decode eyJ...")
    headers = sign(SECRET, body, timestamp=1_700_000_000)
    verifier = SignatureVerifier(SECRET, clock=_FixedClock(1_700_000_010))
    assert verifier.is_valid(
        body, headers["X-Slack-Request-Timestamp"], headers["X-Slack-Signature"]
    )
    wrong = sign("another-secret", body, timestamp=1_700_000_000)
    assert not verifier.is_valid(
        body, wrong["X-Slack-Request-Timestamp"], wrong["X-Slack-Signature"]
    )


class _FixedClock:
    def __init__(self, now: float) -> None:
        self._now = now

    def now(self) -> float:
        return self._now


def _bolt_request(raw: bytes, headers: dict[str, str]) -> AsyncBoltRequest:
    return AsyncBoltRequest(body=raw.decode(), headers={k.lower(): [v] for k, v in headers.items()})


async def test_bolt_accepts_every_payload_kind(fake_slack: FakeSlack) -> None:
    """A real Bolt app, talking to the fake for auth.test, routes each builder's request."""
    app = AsyncApp(signing_secret=SECRET, client=client(fake_slack))
    seen: dict[str, Any] = {}

    @app.command("/authcheck")
    async def on_command(ack: Any, command: dict[str, Any]) -> None:
        await ack()
        seen["command"] = command["text"]

    @app.event("app_mention")
    async def on_mention(event: dict[str, Any]) -> None:
        seen["mention"] = (event["text"], event["thread_ts"])

    @app.shortcut("diagnose")
    async def on_shortcut(ack: Any, shortcut: dict[str, Any]) -> None:
        await ack()
        seen["shortcut"] = (shortcut["type"], shortcut["message"]["text"])

    @app.view("token_modal")
    async def on_view(ack: Any, view: dict[str, Any]) -> None:
        await ack()
        seen["view"] = view["state"]["values"]["token"]["value"]["value"]

    requests = [
        signed_slash_command(SECRET, "decode eyJx"),
        signed_event(SECRET, app_mention_event("probe https://a.test", thread_ts="1.000100")),
        signed_interaction(SECRET, message_shortcut_payload("HTTP/1.1 401")),
        signed_interaction(
            SECRET, view_submission_payload("token_modal", {"token": {"value": "tok"}})
        ),
    ]
    for raw, headers in requests:
        response = await app.async_dispatch(_bolt_request(raw, headers))
        assert response.status == 200, response.body

    for _ in range(100):  # events are acked first and handled right after
        if "mention" in seen:
            break
        await asyncio.sleep(0.01)
    assert seen == {
        "command": "decode eyJx",
        "mention": (f"<@{slack_api.BOT_USER_ID}> probe https://a.test", "1.000100"),
        "shortcut": ("message_action", "HTTP/1.1 401"),
        "view": "tok",
    }

    raw, headers = signed_slash_command("not-the-secret", "decode eyJx")
    assert (await app.async_dispatch(_bolt_request(raw, headers))).status == 401
    raw, headers = signed_slash_command(SECRET, "decode eyJx", timestamp=1_000_000_000)
    assert (await app.async_dispatch(_bolt_request(raw, headers))).status == 401
