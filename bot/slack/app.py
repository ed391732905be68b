"""The Slack app: listeners for the slash command, mentions, the message shortcut, the token
modal and App Home. Every listener acks first (Slack allows 3 s) and hands the work to `Intake`.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
import os
import shlex
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_bolt.logger import get_bolt_logger
from slack_bolt.logger.messages import warning_client_prioritized_and_token_skipped
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.blocks import render_help, render_usage_error
from bot.slack.intake import Intake, NeedsToken, Rejected
from bot.slack.text import from_slack
from handlers.core.check import ParamKind
from handlers.core.help import overview
from handlers.paste import extract, plan_commands

SLASH = "/authcheck"
SHORTCUT_ID = "diagnose_with_authcheck"
MODAL_ID = "authcheck_token_modal"
OPEN_MODAL_ACTION = "authcheck_open_token_modal"

StatusProvider = Callable[[], Awaitable[dict[str, str]]]
ALREADY_ON_IT = (
    "authcheck is already on this message (the shortcut was used on it before): "
    "the answer is, or will be, in this message's thread."
)


log = logging.getLogger("authcheck.app")


def _note_blocks(text: str) -> list[dict[str, Any]]:
    return [{"type": "context", "elements": [{"type": "mrkdwn", "text": text}]}]


def _slack_error(exc: BaseException) -> str:
    """Slack's error code (`expired_trigger_id`, `fatal_error`) or the exception's type name;
    never the exception text, which may quote the request."""
    if isinstance(exc, SlackApiError):
        return str(exc.response.get("error", "error"))
    return type(exc).__name__


_HOME_HEADER: dict[str, Any] = {
    "type": "header",
    "text": {"type": "plain_text", "text": "authcheck"},
}


def token_modal(command: str, fields: list[dict[str, Any]], meta: dict[str, Any]) -> dict[str, Any]:
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


def form_fields(needs: NeedsToken) -> list[dict[str, Any]]:
    return [{"name": f.name, "label": f.label, "argument": f.argument} for f in needs.fields]


def with_secret(text: str, command_has_rest: bool, secret: str) -> str:
    secret = secret.strip()
    return f"{text} {secret}" if command_has_rest else f"{text} {shlex.quote(secret)}"


class _SameTokenNote(logging.Filter):
    """Drops Bolt's start-up warning "As you gave `client` as well, `token` will be unused": Bolt
    reads SLACK_BOT_TOKEN from the environment on its own, and the client we give it carries
    that very token (bot/service.py), so the warning is noise in every operator's log."""

    def __init__(self, token: str | None) -> None:
        super().__init__()
        self.token = token

    def filter(self, record: logging.LogRecord) -> bool:
        if record.getMessage() != warning_client_prioritized_and_token_skipped():
            return True
        return self.token != os.environ.get("SLACK_BOT_TOKEN")


@contextlib.contextmanager
def _same_token_note_dropped(client: AsyncWebClient) -> Iterator[None]:
    bolt_log = get_bolt_logger(AsyncApp)
    note = _SameTokenNote(client.token)
    bolt_log.addFilter(note)
    try:
        yield
    finally:
        bolt_log.removeFilter(note)


class SlackBot:
    def __init__(
        self,
        intake: Intake,
        client: AsyncWebClient,
        signing_secret: str,
        status: StatusProvider,
    ) -> None:
        self.intake = intake
        self.client = client
        self.status = status
        with _same_token_note_dropped(client):
            self.app = AsyncApp(
                client=client,
                signing_secret=signing_secret,
                process_before_response=False,
            )
        #: Listener runs not finished yet: after its ack a listener still enqueues the command,
        #: so a stopping process waits for these (`drain`) before it exits.
        self._in_flight: set[asyncio.Task[Any]] = set()
        track = self._tracked
        self.app.command(SLASH)(track(self.on_command))
        self.app.event("app_mention")(track(self.on_mention))
        self.app.shortcut(SHORTCUT_ID)(track(self.on_shortcut))
        self.app.view(MODAL_ID)(track(self.on_modal))
        self.app.action(OPEN_MODAL_ACTION)(track(self.on_open_modal))
        self.app.event("app_home_opened")(track(self.on_home))
        self.app.event("message")(self.on_message)

    def _tracked(self, listener: Callable[..., Awaitable[None]]) -> Callable[..., Awaitable[None]]:
        """Records the task Bolt runs the listener in. `functools.wraps` keeps the listener's
        signature visible to Bolt (it injects arguments by name, through `inspect.unwrap`)."""

        @functools.wraps(listener)
        async def run(*args: Any, **kwargs: Any) -> None:
            task = asyncio.current_task()
            if task is not None:
                self._in_flight.add(task)
                task.add_done_callback(self._in_flight.discard)
            await listener(*args, **kwargs)

        return run

    async def drain(self, seconds: float) -> int:
        """Waits up to `seconds` for running listeners (acked commands being enqueued and
        their parents posted); returns how many were still running then."""
        pending = {t for t in self._in_flight if t is not asyncio.current_task()}
        if pending:
            _, pending = await asyncio.wait(pending, timeout=seconds)
        return len(pending)

    async def _ephemeral(
        self, channel: str, user: str, text: str, blocks: list[dict[str, Any]], thread: str = ""
    ) -> None:
        # Nowhere else to say it if this fails (Slack down, connection reset): logged.
        try:
            await self.client.chat_postEphemeral(
                channel=channel, user=user, text=text, blocks=blocks, thread_ts=thread or None
            )
        except Exception as exc:
            log.warning("could not post an ephemeral note: %s", _slack_error(exc))

    async def _open_modal(
        self, trigger_id: str, command_name: str, fields: list[dict[str, Any]], meta: dict[str, Any]
    ) -> None:
        view = token_modal(command_name, fields, meta)
        try:
            await self.client.views_open(trigger_id=trigger_id, view=view)
        except Exception as exc:  # trigger expired (3 s), Slack 5xx, connection reset
            error = _slack_error(exc)
            log.warning("views.open failed: %s", error)
            note = (
                f"Could not open the private form for `{command_name[:60]}` ({error}); nothing "
                "was run. Run the command again for a new form."
            )
            await self._ephemeral(
                str(meta.get("channel", "")),
                str(meta.get("user", "")),
                note,
                _note_blocks(note),
                str(meta.get("thread_ts", "")),
            )

    def _help(self) -> tuple[str, list[dict[str, Any]]]:
        return render_help(overview(self.intake.registry))

    async def on_command(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        text = from_slack(str(body.get("text") or ""))
        user = str(body.get("user_id", ""))
        channel = str(body.get("channel_id", ""))
        checked = self.intake.check_syntax(text)
        if isinstance(checked, Rejected):
            await ack(text=checked.text, blocks=checked.blocks, response_type="ephemeral")
            return
        if (
            not isinstance(checked, NeedsToken)
            and checked.command.name == "help"
            and not (checked.args.text("command"))
        ):
            reply, blocks = self._help()
            await ack(text=reply, blocks=blocks, response_type="ephemeral")
            return
        await ack()
        if isinstance(checked, NeedsToken):
            refused = await self.intake.authorise(user, channel)
            if refused is not None:
                await self._ephemeral(channel, user, refused.text, refused.blocks)
                return
            meta = {"text": checked.text, "channel": channel, "thread_ts": "", "user": user}
            await self._open_modal(
                str(body.get("trigger_id", "")), checked.command.name, form_fields(checked), meta
            )
            return
        outcome = await self.intake.submit(
            text, user=user, channel=channel, source="slash", post_parent=True
        )
        await self._answer_outcome(outcome, channel, user, "")

    async def _answer_outcome(self, outcome: Any, channel: str, user: str, thread: str) -> None:
        if isinstance(outcome, Rejected) and outcome.kind != "duplicate":
            await self._ephemeral(channel, user, outcome.text, outcome.blocks, thread)

    async def on_mention(self, event: dict[str, Any], body: dict[str, Any]) -> None:
        text = from_slack(str(event.get("text") or ""), event.get("blocks"))
        user = str(event.get("user", ""))
        channel = str(event.get("channel", ""))
        thread = str(event.get("thread_ts") or event.get("ts") or "")
        checked = self.intake.check_syntax(text)
        if isinstance(checked, NeedsToken):
            await self._offer_modal(checked, channel, user, thread)
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
        await self._answer_outcome(outcome, channel, user, thread)

    async def _offer_modal(self, checked: NeedsToken, channel: str, user: str, thread: str) -> None:
        """Mentions have no trigger for a modal; a button gives one without pasting in public.
        Only to someone allowed here: the button is the start of a command."""
        refused = await self.intake.permitted(user, channel)
        if refused is not None:
            await self._ephemeral(channel, user, refused.text, refused.blocks, thread)
            return
        meta = json.dumps(
            {
                "text": checked.text,
                "channel": channel,
                "thread_ts": thread,
                "fields": form_fields(checked),
            }
        )
        what = "a token" if checked.fields[0].argument else checked.fields[0].label.lower()
        text = f"`{checked.command.name}` needs {what}: give it privately, not in the thread."
        blocks: list[dict[str, Any]] = [
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
        await self._ephemeral(channel, user, text, blocks, thread)

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
            await self._ephemeral(channel, meta["user"], refused.text, refused.blocks, thread)
            return
        name = str(meta.get("text", "")).split(" ", 1)[0]
        fields = list(meta.pop("fields", None) or [])
        await self._open_modal(str(body.get("trigger_id", "")), name, fields, meta)

    async def on_modal(self, ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        try:
            meta = json.loads(view.get("private_metadata") or "{}")
            values = view["state"]["values"]
            fields = meta.get("fields") or [{"name": "token", "argument": True}]
            given = {str(f["name"]): str(values[f["name"]]["value"]["value"] or "") for f in fields}
        except (KeyError, TypeError, ValueError):
            await ack(response_action="errors", errors={"token": "Could not read the form."})
            return
        empty = {name: "This is needed." for name, value in given.items() if not value.strip()}
        if empty:
            await ack(response_action="errors", errors=empty)
            return
        await ack()
        user = str(body.get("user", {}).get("id", ""))
        channel = str(meta.get("channel", ""))
        thread = str(meta.get("thread_ts", ""))
        text = str(meta.get("text", ""))
        command = self.intake.registry.get(text.split(" ", 1)[0].lower())
        has_rest = bool(command and any(p.kind is ParamKind.REST for p in command.params))
        private: dict[str, str] = {}
        for f in fields:
            if f.get("argument"):
                text = with_secret(text, has_rest, given[str(f["name"])])
            else:
                private[str(f["name"])] = given[str(f["name"])]
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
        await self._answer_outcome(outcome, channel, user, thread)

    async def on_shortcut(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        await ack()
        message = body.get("message") or {}
        channel = str((body.get("channel") or {}).get("id", ""))
        user = str((body.get("user") or {}).get("id", ""))
        thread = str(message.get("thread_ts") or message.get("ts") or "")
        refused = await self.intake.permitted(user, channel)
        if refused is not None:  # before reading the message: nothing is offered or hinted
            await self._ephemeral(channel, user, refused.text, refused.blocks, thread)
            return
        plans = plan_commands(
            extract(from_slack(str(message.get("text") or ""), message.get("blocks")))
        )
        if not plans:
            text, blocks = render_usage_error(
                "nothing in that message looks like a 401/403, an OAuth error or a token",
                "use the shortcut on a pasted error, log or curl output",
            )
            await self._ephemeral(channel, user, text, blocks, thread)
            return
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
            await self._answer_outcome(outcome, channel, user, thread)
            if isinstance(outcome, Rejected) and outcome.kind == "duplicate":
                duplicates += 1
            elif isinstance(outcome, Rejected):
                break
        if duplicates == len(plans):
            # Someone (maybe this person) already used the shortcut on this message: the checks
            # run once, and this person is told where the answer is instead of hearing nothing.
            await self._ephemeral(channel, user, ALREADY_ON_IT, _note_blocks(ALREADY_ON_IT), thread)

    async def on_home(self, event: dict[str, Any]) -> None:
        user = str(event.get("user", ""))
        refused = await self.intake.permitted(user, None)
        if refused is not None:
            # No endpoints, no reachability: that is a map of the cluster for someone the
            # deployment chose not to let in.
            await self.client.views_publish(
                user_id=user,
                view={"type": "home", "blocks": [_HOME_HEADER, *refused.blocks][:50]},
            )
            return
        status = await self.status()
        _, help_blocks = self._help()
        lines = "\n".join(f"• *{name}*: {value}" for name, value in status.items())
        blocks = [
            _HOME_HEADER,
            {"type": "section", "text": {"type": "mrkdwn", "text": "*What I can reach*\n" + lines}},
            {"type": "divider"},
            *help_blocks,
        ][:50]
        await self.client.views_publish(user_id=user, view={"type": "home", "blocks": blocks})

    async def on_message(self) -> None:
        """Plain channel messages are not commands; acknowledged so Bolt does not warn."""
        return None
