"""The Slack app manifest must name what the code listens to, or a new install silently fails."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from bot.slack.app import SHORTCUT_ID, SLASH

MANIFEST = Path(__file__).resolve().parents[3] / "manifest.yaml"


def load() -> dict[str, Any]:
    data = yaml.safe_load(MANIFEST.read_text())
    assert isinstance(data, dict)
    return data


def test_manifest_declares_the_slash_command_and_the_shortcut_the_app_handles() -> None:
    features = load()["features"]
    assert [c["command"] for c in features["slash_commands"]] == [SLASH]
    shortcut = features["shortcuts"][0]
    assert shortcut["type"] == "message"
    assert shortcut["callback_id"] == SHORTCUT_ID


def test_manifest_subscribes_to_the_events_and_scopes_the_listeners_need() -> None:
    data = load()
    events = set(data["settings"]["event_subscriptions"]["bot_events"])
    assert {"app_mention", "app_home_opened"} <= events
    scopes = set(data["oauth_config"]["scopes"]["bot"])
    assert {"app_mentions:read", "chat:write", "commands", "usergroups:read"} <= scopes
    assert data["settings"]["interactivity"]["is_enabled"] is True
    assert data["features"]["app_home"]["home_tab_enabled"] is True
