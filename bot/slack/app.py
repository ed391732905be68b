"""The Slack app: one Bolt `AsyncApp` with a listener per surface (bot/slack/listeners/) — the
slash command, mentions, the private form and its button, the message shortcut and App Home.

Every listener acks first (Slack allows 3 s) and hands the work to `Intake`. This module only
wires them and keeps count of the ones still running, so a stopping process can wait for acked
commands to reach the queue (`drain`).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import os
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.logger import get_bolt_logger
from slack_bolt.logger.messages import warning_client_prioritized_and_token_skipped
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.intake import Intake
from bot.slack.listeners.form import PrivateForm
from bot.slack.listeners.home import AppHome, StatusProvider
from bot.slack.listeners.mention import Mention
from bot.slack.listeners.shortcut import Shortcut
from bot.slack.listeners.slash import SlashCommand
from bot.slack.respond import Responder
from bot.slack.views import MODAL_ID, OPEN_MODAL_ACTION

__all__ = ["MODAL_ID", "OPEN_MODAL_ACTION", "SHORTCUT_ID", "SLASH", "SlackBot", "StatusProvider"]

SLASH = "/authcheck"
SHORTCUT_ID = "diagnose_with_authcheck"


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


async def on_message() -> None:
    """Plain channel messages are not commands; acknowledged so Bolt does not warn."""
    return None


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
        self._listen(Responder(client))

    def _listen(self, respond: Responder) -> None:
        """Registers one listener per surface, each tracked (see `drain`)."""
        intake, track = self.intake, self._tracked
        form = PrivateForm(intake, respond)
        self.app.command(SLASH)(track(SlashCommand(intake, respond).on_command))
        self.app.event("app_mention")(track(Mention(intake, respond).on_mention))
        self.app.shortcut(SHORTCUT_ID)(track(Shortcut(intake, respond).on_shortcut))
        self.app.view(MODAL_ID)(track(form.on_modal))
        self.app.action(OPEN_MODAL_ACTION)(track(form.on_open_modal))
        self.app.event("app_home_opened")(track(AppHome(intake, self.client, self.status).on_home))
        self.app.event("message")(on_message)

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
