"""The Block Kit of the bot's own surfaces: the private form (a modal), the button that opens it
from a mention, App Home, help and short notes. Builds blocks; decides nothing.

Listeners (bot/slack/listeners/) decide what to show and call these, so every surface's layout
is in one place and a listener never builds blocks inline. Reports, usage errors and refusals
are laid out by bot/slack/blocks.py.
"""

from __future__ import annotations

import json
from typing import Any

from bot.slack.blocks import render_help
from bot.slack.intake import NeedsToken, Rejected
from handlers.core.help import overview
from handlers.core.registry import Registry

Block = dict[str, Any]

#: The private form's callback id; its submission comes back to the listener registered on it.
MODAL_ID = "authcheck_token_modal"
#: The button under a mention that opens the private form (mentions carry no modal trigger).
OPEN_MODAL_ACTION = "authcheck_open_token_modal"

ALREADY_ON_IT = (
    "authcheck is already on this message (the shortcut was used on it before): "
    "the answer is, or will be, in this message's thread."
)

_HOME_HEADER: Block = {
    "type": "header",
    "text": {"type": "plain_text", "text": "authcheck"},
}


def note_blocks(text: str) -> list[Block]:
    """A one-line note (an ephemeral message) as a context block."""
    return [{"type": "context", "elements": [{"type": "mrkdwn", "text": text}]}]


def help_reply(registry: Registry) -> tuple[str, list[Block]]:
    """The overview of every command, derived from the registry's declarations."""
    return render_help(overview(registry))


def form_fields(needs: NeedsToken) -> list[dict[str, Any]]:
    """The form's fields as they travel in a view's or button's metadata (JSON)."""
    return [{"name": f.name, "label": f.label, "argument": f.argument} for f in needs.fields]


def token_modal(command: str, fields: list[dict[str, Any]], meta: dict[str, Any]) -> Block:
    """The private form: one input per field. Slack has no masked input in modals, so the note
    says where the value goes; it never reaches the channel, the job text or a log."""
    inputs = [
        {
            "type": "input",
            "block_id": str(f["name"])[:255],
            "label": {"type": "plain_text", "text": str(f["label"])[:2000]},
            "element": {
                "type": "plain_text_input",
                "action_id": "value",
                "multiline": bool(f["argument"]),
            },
        }
        for f in fields
    ]
    return {
        "type": "modal",
        "callback_id": MODAL_ID,
        "title": {"type": "plain_text", "text": "authcheck"},
        "submit": {"type": "plain_text", "text": "Run"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "private_metadata": json.dumps({**meta, "fields": fields})[:3000],
        "blocks": [
            *inputs,
            {
                "type": "context",
                "elements": [
                    {
                        "type": "mrkdwn",
                        "text": f"For `{command[:60]}`. Only the bot sees what you type here; the "
                        "channel sees a fingerprint at most.",
                    }
                ],
            },
        ],
    }


def form_button(needs: NeedsToken, channel: str, thread: str) -> tuple[str, list[Block]]:
    """The ephemeral offer under a mention: a button that opens the private form, carrying the
    command (without its secret) and where to answer in its value."""
    meta = json.dumps(
        {
            "text": needs.text,
            "channel": channel,
            "thread_ts": thread,
            "fields": form_fields(needs),
        }
    )
    what = "a token" if needs.fields[0].argument else needs.fields[0].label.lower()
    text = f"`{needs.command.name}` needs {what}: give it privately, not in the thread."
    blocks: list[Block] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": text}},
        {
            "type": "actions",
            "elements": [
                {
                    "type": "button",
                    "action_id": OPEN_MODAL_ACTION,
                    "text": {"type": "plain_text", "text": "Open a private form"},
                    "value": meta[:2000],
                }
            ],
        },
    ]
    return text, blocks


def form_failed_note(command: str, error: str) -> str:
    """What the person hears when Slack would not open the form (expired trigger, 5xx)."""
    return (
        f"Could not open the private form for `{command[:60]}` ({error}); nothing "
        "was run. Run the command again for a new form."
    )


def home_view(status: dict[str, str], registry: Registry) -> Block:
    """App Home for someone allowed in: what the bot can reach, then the help."""
    _, help_blocks = help_reply(registry)
    lines = "\n".join(f"• *{name}*: {value}" for name, value in status.items())
    blocks = [
        _HOME_HEADER,
        {"type": "section", "text": {"type": "mrkdwn", "text": "*What I can reach*\n" + lines}},
        {"type": "divider"},
        *help_blocks,
    ][:50]
    return {"type": "home", "blocks": blocks}


def refused_home_view(refused: Rejected) -> Block:
    """App Home for someone the deployment did not let in: the refusal only. No endpoints, no
    reachability: that would be a map of the cluster."""
    return {"type": "home", "blocks": [_HOME_HEADER, *refused.blocks][:50]}
