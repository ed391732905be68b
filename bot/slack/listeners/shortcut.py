"""The "Diagnose with authcheck" message shortcut: the commands a pasted error suggests.

Access is checked before the message is read, so nothing is offered or hinted to someone not
allowed here. Each planned command is its own job, answered in the message's thread; when every
one was already received (the shortcut was used on this message before) the person is told where
the answer is instead of hearing nothing.
"""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck

from bot.slack.blocks import render_usage_error
from bot.slack.intake import Intake, Rejected
from bot.slack.respond import Responder
from bot.slack.text import from_slack
from bot.slack.views import ALREADY_ON_IT
from handlers.paste import extract, plan_commands


class Shortcut:
    def __init__(self, intake: Intake, respond: Responder) -> None:
        self.intake = intake
        self.respond = respond

    async def on_shortcut(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        await ack()
        message = body.get("message") or {}
        channel = str((body.get("channel") or {}).get("id", ""))
        user = str((body.get("user") or {}).get("id", ""))
        thread = str(message.get("thread_ts") or message.get("ts") or "")
        refused = await self.intake.permitted(user, channel)
        if refused is not None:  # before reading the message: nothing is offered or hinted
            await self.respond.refuse(refused, channel, user, thread)
            return
        plans = plan_commands(
            extract(from_slack(str(message.get("text") or ""), message.get("blocks")))
        )
        if not plans:
            text, blocks = render_usage_error(
                "nothing in that message looks like a 401/403, an OAuth error or a token",
                "use the shortcut on a pasted error, log or curl output",
            )
            await self.respond.ephemeral(channel, user, text, blocks, thread)
            return
        duplicates = await self._submit_all(plans, channel, user, thread, message)
        if duplicates == len(plans):
            # Someone (maybe this person) already used the shortcut on this message: the checks
            # run once, and this person is told where the answer is instead of hearing nothing.
            await self.respond.note(channel, user, ALREADY_ON_IT, thread)

    async def _submit_all(
        self, plans: list[str], channel: str, user: str, thread: str, message: dict[str, Any]
    ) -> int:
        """Submits each planned command until one is refused; returns how many were duplicates."""
        duplicates = 0
        for index, plan in enumerate(plans):
            outcome = await self.intake.submit(
                plan,
                user=user,
                channel=channel,
                source="shortcut",
                thread_ts=thread,
                dedupe=f"shortcut:{channel}:{message.get('ts', '')}:{index}",
                visible=True,
            )
            await self.respond.answer(outcome, channel, user, thread)
            if isinstance(outcome, Rejected) and outcome.kind == "duplicate":
                duplicates += 1
            elif isinstance(outcome, Rejected):
                break
        return duplicates
