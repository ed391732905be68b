"""`@authcheck …` in a channel or thread: answered in that thread, visibly.

A mention carries no modal trigger, so a command that needs a secret is answered with a button
(only the person sees it) that opens the private form; the secret never goes in the thread.
"""

from __future__ import annotations

from typing import Any

from bot.slack.intake import Intake, NeedsToken
from bot.slack.respond import Responder
from bot.slack.text import from_slack
from bot.slack.views import form_button


class Mention:
    def __init__(self, intake: Intake, respond: Responder) -> None:
        self.intake = intake
        self.respond = respond

    async def on_mention(self, event: dict[str, Any], body: dict[str, Any]) -> None:
        text = from_slack(str(event.get("text") or ""), event.get("blocks"))
        user = str(event.get("user", ""))
        channel = str(event.get("channel", ""))
        thread = str(event.get("thread_ts") or event.get("ts") or "")
        checked = self.intake.check_syntax(text)
        if isinstance(checked, NeedsToken):
            await self._offer_form(checked, channel, user, thread)
            return
        outcome = await self.intake.submit(
            text,
            user=user,
            channel=channel,
            source="mention",
            thread_ts=thread,
            dedupe=f"event:{body.get('event_id') or event.get('client_msg_id') or event.get('ts')}",
            visible=True,
        )
        await self.respond.answer(outcome, channel, user, thread)

    async def _offer_form(self, checked: NeedsToken, channel: str, user: str, thread: str) -> None:
        """Mentions have no trigger for a modal; a button gives one without pasting in public.
        Only to someone allowed here: the button is the start of a command."""
        refused = await self.intake.permitted(user, channel)
        if refused is not None:
            await self.respond.refuse(refused, channel, user, thread)
            return
        text, blocks = form_button(checked, channel, thread)
        await self.respond.ephemeral(channel, user, text, blocks, thread)
