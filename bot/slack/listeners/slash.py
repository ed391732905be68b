"""`/authcheck …`: the one surface whose ack can carry the answer itself.

Bad input and help are answered in the ack (ephemeral, instantly); a command that needs a
secret opens the private form at once (the slash command carries a modal trigger); anything
else is acked empty and answered in the thread of its parent message.
"""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck

from bot.slack.intake import Intake, NeedsToken, Rejected
from bot.slack.respond import Responder
from bot.slack.text import from_slack
from bot.slack.views import form_fields, help_reply
from handlers.core.grammar import Invocation


def _asks_for_overview(checked: Invocation | NeedsToken) -> bool:
    """A bare `help` is answered in the ack: it is for the person asking, not the channel."""
    return (
        not isinstance(checked, NeedsToken)
        and checked.command.name == "help"
        and not checked.args.text("command")
    )


class SlashCommand:
    def __init__(self, intake: Intake, respond: Responder) -> None:
        self.intake = intake
        self.respond = respond

    async def on_command(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        text = from_slack(str(body.get("text") or ""))
        user = str(body.get("user_id", ""))
        channel = str(body.get("channel_id", ""))
        checked = self.intake.check_syntax(text)
        if isinstance(checked, Rejected):
            await ack(text=checked.text, blocks=checked.blocks, response_type="ephemeral")
            return
        if _asks_for_overview(checked):
            reply, blocks = help_reply(self.intake.registry)
            await ack(text=reply, blocks=blocks, response_type="ephemeral")
            return
        await ack()
        if isinstance(checked, NeedsToken):
            await self._ask_privately(checked, str(body.get("trigger_id", "")), user, channel)
            return
        outcome = await self.intake.submit(
            text, user=user, channel=channel, source="slash", post_parent=True
        )
        await self.respond.answer(outcome, channel, user, "")

    async def _ask_privately(
        self, checked: NeedsToken, trigger_id: str, user: str, channel: str
    ) -> None:
        """The private form, to someone allowed here (and within their rate): the form is the
        start of a command."""
        refused = await self.intake.authorise(user, channel)
        if refused is not None:
            await self.respond.refuse(refused, channel, user)
            return
        meta = {"text": checked.text, "channel": channel, "thread_ts": "", "user": user}
        await self.respond.open_form(trigger_id, checked.command.name, form_fields(checked), meta)
