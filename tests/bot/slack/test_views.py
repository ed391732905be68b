"""The bot's own surfaces as blocks: the private form, its button, App Home, notes.

Pure functions, so each is checked against Slack's limits (the fake Slack's validator) and for
what must never be in it; the scenario tests (test_private_form, test_surfaces, test_app) drive
them through the running app.
"""

from __future__ import annotations

import json

from bot.slack.intake import NeedsToken, Rejected, needs_form
from bot.slack.views import (
    MODAL_ID,
    OPEN_MODAL_ACTION,
    form_button,
    form_fields,
    help_reply,
    home_view,
    note_blocks,
    refused_home_view,
    token_modal,
)
from handlers.commands.registry import default_registry
from handlers.core.check import UsageError
from handlers.core.grammar import parse
from tests.fakes.slack_api import MAX_MODAL_BLOCKS, block_errors


def decode_needs_token() -> NeedsToken:
    registry = default_registry()
    try:
        parse("decode", registry)
    except UsageError as exc:
        needs = needs_form("decode", registry, exc)
        assert needs is not None
        return needs
    raise AssertionError("`decode` without a token parsed")


def test_the_private_form_carries_the_command_and_its_fields_but_no_values() -> None:
    needs = decode_needs_token()
    meta = {"text": needs.text, "channel": "C1", "thread_ts": "", "user": "U1"}
    view = token_modal("decode", form_fields(needs), meta)
    assert view["callback_id"] == MODAL_ID
    assert block_errors(view["blocks"], MAX_MODAL_BLOCKS) == []
    [field] = [b for b in view["blocks"] if b["type"] == "input"]
    assert field["block_id"] == "token"
    assert field["element"]["multiline"] is True  # a token is the argument: pasted, may wrap
    carried = json.loads(view["private_metadata"])
    assert carried == {
        **meta,
        "fields": [{"name": "token", "label": "Token for decode", "argument": True}],
    }


def test_the_form_button_opens_the_form_for_this_command_and_place() -> None:
    needs = decode_needs_token()
    text, blocks = form_button(needs, "C1", "1700000000.000100")
    assert text.startswith("`decode` needs a token")
    assert block_errors(blocks) == []
    [button] = blocks[1]["elements"]
    assert button["action_id"] == OPEN_MODAL_ACTION
    value = json.loads(button["value"])
    assert (value["text"], value["channel"], value["thread_ts"]) == (
        "decode",
        "C1",
        "1700000000.000100",
    )
    assert len(button["value"]) <= 2000


def test_app_home_shows_reach_then_help_within_slacks_limits() -> None:
    registry = default_registry()
    view = home_view({"Queue": "Redis reachable", "Cluster": "configured"}, registry)
    assert view["type"] == "home"
    assert block_errors(view["blocks"]) == []
    assert "*Queue*: Redis reachable" in view["blocks"][1]["text"]["text"]
    _, help_blocks = help_reply(registry)
    assert view["blocks"][3 : 3 + len(help_blocks)] == help_blocks[: len(view["blocks"]) - 3]


def test_app_home_for_someone_not_let_in_is_the_refusal_only() -> None:
    refused = Rejected(
        "denied", "no", [{"type": "section", "text": {"type": "mrkdwn", "text": "no"}}]
    )
    view = refused_home_view(refused)
    assert [b["type"] for b in view["blocks"]] == ["header", "section"]
    assert "reach" not in json.dumps(view)


def test_a_note_is_one_context_block() -> None:
    assert block_errors(note_blocks("nothing was run")) == []
    assert note_blocks("x") == [{"type": "context", "elements": [{"type": "mrkdwn", "text": "x"}]}]
