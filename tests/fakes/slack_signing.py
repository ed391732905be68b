"""Signed Slack requests, built the way Slack builds them, to send to the running app over HTTP.

Signature (https://api.slack.com/authentication/verifying-requests-from-slack):
`v0=` + hex HMAC-SHA256 of `v0:<timestamp>:<raw body>` keyed with the signing secret. Bolt rejects
a bad signature or a timestamp more than five minutes old, so tests that need a stale request pass
an explicit `timestamp`.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
from typing import Any
from urllib.parse import urlencode

TEAM_ID = "T0FAKE"
API_APP_ID = "A0AUTHCHECK"
BOT_USER_ID = "U0AUTHBOT"

_ids = itertools.count(1)


def _next(prefix: str) -> str:
    return f"{prefix}{next(_ids):08d}"


def sign(
    signing_secret: str, body: str | bytes, timestamp: int | str | None = None
) -> dict[str, str]:
    """The headers Slack adds to every request it sends to the app."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    raw = body if isinstance(body, bytes) else body.encode()
    base = b"v0:" + ts.encode() + b":" + raw
    digest = hmac.new(signing_secret.encode(), base, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}


def signed(
    signing_secret: str, body: str, content_type: str, timestamp: int | str | None = None
) -> tuple[bytes, dict[str, str]]:
    """(raw body, headers) ready for `POST /slack/events`."""
    headers = {"Content-Type": content_type, **sign(signing_secret, body, timestamp)}
    return body.encode(), headers


# --- slash commands ---------------------------------------------------------------------------


def slash_command_body(
    text: str,
    *,
    user_id: str = "U0ALICE",
    channel_id: str = "C0INCIDENT",
    command: str = "/authcheck",
    trigger_id: str | None = None,
    team_id: str = TEAM_ID,
) -> str:
    """Form body of a slash command, as Slack posts it (`application/x-www-form-urlencoded`)."""
    fields = {
        "token": "deprecated-verification-token",
        "team_id": team_id,
        "team_domain": "fake",
        "channel_id": channel_id,
        "channel_name": "incident",
        "user_id": user_id,
        "user_name": user_id.lower(),
        "command": command,
        "text": text,
        "api_app_id": API_APP_ID,
        "is_enterprise_install": "false",
        "response_url": f"https://hooks.slack.test/commands/{team_id}/{_next('')}/x",
        "trigger_id": trigger_id or _next("trig."),
    }
    return urlencode(fields)


def signed_slash_command(
    signing_secret: str, text: str, timestamp: int | str | None = None, **kwargs: Any
) -> tuple[bytes, dict[str, str]]:
    body = slash_command_body(text, **kwargs)
    return signed(signing_secret, body, "application/x-www-form-urlencoded", timestamp)


# --- events -----------------------------------------------------------------------------------


def app_mention_event(
    text: str,
    *,
    user_id: str = "U0ALICE",
    channel_id: str = "C0INCIDENT",
    thread_ts: str | None = "1700000000.000100",
    ts: str | None = None,
    event_id: str | None = None,
    team_id: str = TEAM_ID,
    bot_user_id: str = BOT_USER_ID,
) -> dict[str, Any]:
    """An `event_callback` wrapping `app_mention`; `text` is what follows the mention."""
    ts = ts or f"{int(time.time())}.{next(_ids):06d}"
    event: dict[str, Any] = {
        "type": "app_mention",
        "user": user_id,
        "text": f"<@{bot_user_id}> {text}",
        "ts": ts,
        "channel": channel_id,
        "event_ts": ts,
        "team": team_id,
    }
    if thread_ts:
        event["thread_ts"] = thread_ts
    return {
        "token": "deprecated-verification-token",
        "team_id": team_id,
        "api_app_id": API_APP_ID,
        "event": event,
        "type": "event_callback",
        "event_id": event_id or _next("Ev"),
        "event_time": int(time.time()),
        "authorizations": [
            {"team_id": team_id, "user_id": bot_user_id, "is_bot": True, "enterprise_id": None}
        ],
        "is_ext_shared_channel": False,
    }


def signed_event(
    signing_secret: str, payload: dict[str, Any], timestamp: int | str | None = None
) -> tuple[bytes, dict[str, str]]:
    """Events API requests are JSON bodies."""
    return signed(signing_secret, json.dumps(payload), "application/json", timestamp)


# --- interactivity (shortcuts, modals) ---------------------------------------------------------


def message_shortcut_payload(
    message_text: str,
    *,
    callback_id: str = "diagnose",
    user_id: str = "U0ALICE",
    channel_id: str = "C0INCIDENT",
    message_ts: str = "1700000000.000200",
    thread_ts: str | None = None,
    trigger_id: str | None = None,
    team_id: str = TEAM_ID,
) -> dict[str, Any]:
    """A message shortcut ("Diagnose with authcheck") on someone's pasted message."""
    message: dict[str, Any] = {
        "type": "message",
        "user": "U0BOB",
        "text": message_text,
        "ts": message_ts,
    }
    if thread_ts:
        message["thread_ts"] = thread_ts
    return {
        "type": "message_action",
        "token": "deprecated-verification-token",
        "action_ts": f"{int(time.time())}.{next(_ids):06d}",
        "team": {"id": team_id, "domain": "fake"},
        "user": {"id": user_id, "username": user_id.lower(), "team_id": team_id},
        "channel": {"id": channel_id, "name": "incident"},
        "is_enterprise_install": False,
        "callback_id": callback_id,
        "trigger_id": trigger_id or _next("trig."),
        "message_ts": message_ts,
        "message": message,
        "response_url": f"https://hooks.slack.test/actions/{team_id}/{_next('')}/x",
    }


def view_submission_payload(
    callback_id: str,
    values: dict[str, dict[str, str]],
    *,
    private_metadata: str = "",
    user_id: str = "U0ALICE",
    team_id: str = TEAM_ID,
    view_id: str | None = None,
) -> dict[str, Any]:
    """A modal submission; `values` maps block_id → {action_id: plain text input value}."""
    state = {
        block: {
            action: {"type": "plain_text_input", "value": value}
            for action, value in actions.items()
        }
        for block, actions in values.items()
    }
    return {
        "type": "view_submission",
        "team": {"id": team_id, "domain": "fake"},
        "user": {"id": user_id, "username": user_id.lower(), "team_id": team_id},
        "api_app_id": API_APP_ID,
        "token": "deprecated-verification-token",
        "trigger_id": _next("trig."),
        "view": {
            "id": view_id or _next("V"),
            "team_id": team_id,
            "type": "modal",
            "callback_id": callback_id,
            "private_metadata": private_metadata,
            "state": {"values": state},
            "hash": _next("h."),
            "title": {"type": "plain_text", "text": "authcheck"},
            "blocks": [],
        },
        "response_urls": [],
        "is_enterprise_install": False,
    }


def signed_interaction(
    signing_secret: str, payload: dict[str, Any], timestamp: int | str | None = None
) -> tuple[bytes, dict[str, str]]:
    """Shortcuts and view submissions arrive as a form with one `payload` JSON field."""
    body = urlencode({"payload": json.dumps(payload)})
    return signed(signing_secret, body, "application/x-www-form-urlencoded", timestamp)
