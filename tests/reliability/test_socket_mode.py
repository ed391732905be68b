"""Socket Mode end to end, the mode the README recommends: a real `authcheck serve` process gets
its websocket URL from the fake Web API's `apps.connections.open`, connects to the test's
websocket (tests/fakes/socket_mode.py), and receives slash-command, event and interactive
envelopes. Each envelope is acknowledged (its `envelope_id`) within Slack's 3 s, and the answer
lands in the thread on the fake Web API. A `disconnect` from Slack is followed by a reconnect,
and envelopes on the new connection are served too.
"""

from __future__ import annotations

import json
import signal
from typing import Any
from urllib.parse import parse_qsl

from tests.fakes.redis_server import RedisServer
from tests.fakes.slack_api import DEFAULT_APP_TOKEN, FakeSlack
from tests.fakes.slack_signing import (
    app_mention_event,
    message_shortcut_payload,
    slash_command_body,
)
from tests.fakes.socket_mode import FakeSocketMode
from tests.reliability.test_startup import _ended, _env, _started

CHANNEL = "C0INCIDENT"
#: Slack's own limit for an acknowledgement.
ACK_WITHIN = 3.0


def _answered(fake: FakeSlack, thread: str) -> list[dict[str, Any]]:
    return [
        m for m in fake.thread(CHANNEL, thread) if "running" not in str(m.get("text", "")).lower()
    ]


async def test_socket_mode_envelopes_are_acked_and_answered_in_the_thread(
    fake_slack: FakeSlack,
    fake_socket_mode: FakeSocketMode,
    redis_db: RedisServer,
    report_row: Any,
) -> None:
    fake_slack.socket_url = fake_socket_mode.url
    env = _env(fake_slack, REDIS_URL=redis_db.url, SLACK_APP_TOKEN=DEFAULT_APP_TOKEN)
    env.pop("SLACK_SIGNING_SECRET")  # not needed in Socket Mode
    async with _started("serve", env=env, ready="Socket Mode") as process:
        await fake_socket_mode.wait_for_connection()

        # A slash command: a plain ack, a parent message, the answer in its thread.
        slash = dict(parse_qsl(slash_command_body("explain 401")))
        envelope = await fake_socket_mode.send("slash_commands", slash, True)
        await fake_socket_mode.wait_ack(envelope, ACK_WITHIN)
        await fake_slack.wait_for(
            lambda _: any(m.get("thread_ts") for m in _answered_all(fake_slack)), timeout=20
        )

        # A mention inside an incident thread, as Slack delivers it (backticks, <!here>).
        thread = "1700000000.000700"
        mention = app_mention_event("", thread_ts=thread)
        mention["event"]["text"] = "<@U0AUTHBOT> `explain 403` <!here>"
        envelope = await fake_socket_mode.send("events_api", mention)
        await fake_socket_mode.wait_ack(envelope, ACK_WITHIN)
        await fake_slack.wait_for(lambda _: _answered(fake_slack, thread), timeout=20)
        assert "403" in json.dumps(_answered(fake_slack, thread))

        # The message shortcut on a pasted error.
        pasted = "&lt; HTTP/1.1 401 Unauthorized\nJwt is expired\n"
        shortcut = message_shortcut_payload(
            pasted, callback_id="diagnose_with_authcheck", message_ts="1700000000.000800"
        )
        envelope = await fake_socket_mode.send("interactive", shortcut)
        await fake_socket_mode.wait_ack(envelope, ACK_WITHIN)
        await fake_slack.wait_for(lambda _: _answered(fake_slack, "1700000000.000800"), 20)

        # A usage error is answered in the ack itself (ephemeral), as over HTTP.
        bad = dict(parse_qsl(slash_command_body("frobnicate")))
        envelope = await fake_socket_mode.send("slash_commands", bad, True)
        ack = await fake_socket_mode.wait_ack(envelope, ACK_WITHIN)
        assert ack["payload"]["response_type"] == "ephemeral"
        assert "unknown command" in ack["payload"]["text"]

        # Slack rotates the connection: the app opens a new one and keeps serving.
        await fake_socket_mode.disconnect()
        await fake_socket_mode.wait_for_connection(count=2, timeout=30)
        assert len(fake_slack.calls_of("apps.connections.open")) >= 2
        thread = "1700000000.000750"
        again = app_mention_event("explain invalid_client", thread_ts=thread)
        envelope = await fake_socket_mode.send("events_api", again)
        await fake_socket_mode.wait_ack(envelope, ACK_WITHIN)
        await fake_slack.wait_for(lambda _: _answered(fake_slack, thread), timeout=20)

        process.send_signal(signal.SIGTERM)
        ended = await _ended(process)
    assert ended.code == 0, ended
    assert "Traceback" not in ended.stderr
    report_row(
        "Fault",
        "Socket Mode: envelopes over the websocket, then Slack's disconnect",
        "slash_commands, events_api (mention in a thread), interactive (shortcut); disconnect",
        "each envelope acked within 3 s; answers in their threads; reconnects and keeps serving",
        "nothing lost",
    )


def _answered_all(fake: FakeSlack) -> list[dict[str, Any]]:
    return [m for m in fake.posted(CHANNEL) if "running" not in str(m.get("text", "")).lower()]
