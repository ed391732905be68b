"""How listeners answer the person in front of them: an ephemeral note, the private form, or
nothing at all. Shared by every listener so a refusal reads the same on every surface.

These calls happen after the ack; if Slack refuses or cannot be reached there is nowhere else
to say so, so the failure is logged by Slack's error code (never the exception text, which may
quote the request).
"""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.intake import Outcome, Rejected
from bot.slack.views import form_failed_note, note_blocks, token_modal

log = logging.getLogger("authcheck.app")


def slack_error(exc: BaseException) -> str:
    """Slack's error code (`expired_trigger_id`, `fatal_error`) or the exception's type name;
    never the exception text, which may quote the request."""
    if isinstance(exc, SlackApiError):
        return str(exc.response.get("error", "error"))
    return type(exc).__name__


class Responder:
    """The person-facing side of the Web API for listeners: notes only they see, and the form."""

    def __init__(self, client: AsyncWebClient) -> None:
        self.client = client

    async def ephemeral(
        self, channel: str, user: str, text: str, blocks: list[dict[str, Any]], thread: str = ""
    ) -> None:
        # Nowhere else to say it if this fails (Slack down, connection reset): logged.
        try:
            await self.client.chat_postEphemeral(
                channel=channel, user=user, text=text, blocks=blocks, thread_ts=thread or None
            )
        except Exception as exc:
            log.warning("could not post an ephemeral note: %s", slack_error(exc))

    async def refuse(self, refused: Rejected, channel: str, user: str, thread: str = "") -> None:
        """Tells the person why nothing runs (denied, rate-limited, bad input)."""
        await self.ephemeral(channel, user, refused.text, refused.blocks, thread)

    async def note(self, channel: str, user: str, text: str, thread: str = "") -> None:
        await self.ephemeral(channel, user, text, note_blocks(text), thread)

    async def answer(self, outcome: Outcome, channel: str, user: str, thread: str) -> None:
        """Acts on what intake decided: a refusal is told; an accepted job answers in its
        thread later; a duplicate (Slack's retry, a second click) is already being answered."""
        if isinstance(outcome, Rejected) and outcome.kind != "duplicate":
            await self.refuse(outcome, channel, user, thread)

    async def open_form(
        self, trigger_id: str, command_name: str, fields: list[dict[str, Any]], meta: dict[str, Any]
    ) -> None:
        """Opens the private form; if Slack will not (the trigger lives 3 s), says so."""
        view = token_modal(command_name, fields, meta)
        try:
            await self.client.views_open(trigger_id=trigger_id, view=view)
        except Exception as exc:  # trigger expired (3 s), Slack 5xx, connection reset
            error = slack_error(exc)
            log.warning("views.open failed: %s", error)
            await self.note(
                str(meta.get("channel", "")),
                str(meta.get("user", "")),
                form_failed_note(command_name, error),
                str(meta.get("thread_ts", "")),
            )
