"""The private form: its button (offered under a mention) and its submission.

Access is checked again when the button is clicked (the lists may have changed since it was
offered, and a forwarded or crafted action must not open the form for someone else). On submit,
a token becomes the command's argument; any other private value (a password) travels beside the
command text, never inside it, so it is in no job text, log or message.
"""

from __future__ import annotations

import json
import shlex
from typing import Any

from slack_bolt.async_app import AsyncAck

from bot.slack.intake import Intake
from bot.slack.respond import Responder
from handlers.core.check import ParamKind

#: What the form's metadata says when it carries no field list (a form from before fields).
_TOKEN_ONLY = [{"name": "token", "argument": True}]


def with_secret(text: str, command_has_rest: bool, secret: str) -> str:
    """The command text with the token appended as its argument (quoted unless the command
    takes the rest of the line as one value)."""
    secret = secret.strip()
    return f"{text} {secret}" if command_has_rest else f"{text} {shlex.quote(secret)}"


def read_submission(
    view: dict[str, Any],
) -> tuple[dict[str, Any], list[dict[str, Any]], dict[str, str]] | None:
    """The form's metadata, its fields and what was typed in each, or None if unreadable."""
    try:
        meta = json.loads(view.get("private_metadata") or "{}")
        values = view["state"]["values"]
        fields = meta.get("fields") or _TOKEN_ONLY
        given = {str(f["name"]): str(values[f["name"]]["value"]["value"] or "") for f in fields}
    except (KeyError, TypeError, ValueError):
        return None
    return meta, fields, given


class PrivateForm:
    def __init__(self, intake: Intake, respond: Responder) -> None:
        self.intake = intake
        self.respond = respond

    async def on_open_modal(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        await ack()
        try:
            meta = json.loads(body["actions"][0]["value"])
        except (KeyError, IndexError, ValueError):
            return
        meta["user"] = str(body.get("user", {}).get("id", ""))
        # Checked again at the click: the list may have changed since the button was offered,
        # and a forwarded or crafted action must not open the form for someone else.
        channel = str(meta.get("channel", ""))
        refused = await self.intake.permitted(meta["user"], channel)
        if refused is not None:
            thread = str(meta.get("thread_ts", ""))
            await self.respond.refuse(refused, channel, meta["user"], thread)
            return
        name = str(meta.get("text", "")).split(" ", 1)[0]
        fields = list(meta.pop("fields", None) or [])
        await self.respond.open_form(str(body.get("trigger_id", "")), name, fields, meta)

    async def on_modal(self, ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        submission = read_submission(view)
        if submission is None:
            await ack(response_action="errors", errors={"token": "Could not read the form."})
            return
        meta, fields, given = submission
        empty = {name: "This is needed." for name, value in given.items() if not value.strip()}
        if empty:
            await ack(response_action="errors", errors=empty)
            return
        await ack()
        user = str(body.get("user", {}).get("id", ""))
        channel = str(meta.get("channel", ""))
        thread = str(meta.get("thread_ts", ""))
        text, private = self._completed(str(meta.get("text", "")), fields, given)
        outcome = await self.intake.submit(
            text,
            user=user,
            channel=channel,
            source="modal",
            thread_ts=thread or None,
            dedupe=f"view:{view.get('id', '')}",
            post_parent=not thread,
            private=private,
        )
        await self.respond.answer(outcome, channel, user, thread)

    def _completed(
        self, text: str, fields: list[dict[str, Any]], given: dict[str, str]
    ) -> tuple[str, dict[str, str]]:
        """The command text with the token in it, and the private values kept beside it."""
        command = self.intake.registry.get(text.split(" ", 1)[0].lower())
        has_rest = bool(command and any(p.kind is ParamKind.REST for p in command.params))
        private: dict[str, str] = {}
        for f in fields:
            if f.get("argument"):
                text = with_secret(text, has_rest, given[str(f["name"])])
            else:
                private[str(f["name"])] = given[str(f["name"])]
        return text, private
