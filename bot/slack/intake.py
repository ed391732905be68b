"""Accepting a command from any Slack surface: parse, authorise, rate-limit, enqueue.

Slash commands, mentions, shortcuts and modal submissions all come through `submit`, so access
control and bad-input answers are the same everywhere. Nothing here is slow except the optional
parent message, which listeners send only after they have acked, and only once the job is in
the queue (bot/parents.py).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from bot.audit import audit
from bot.jobs.job import Job
from bot.jobs.queue import JobQueue
from bot.jobs.replies import MemoryReplyIndex
from bot.metrics import COMMANDS, JOBS_QUEUED
from bot.slack.access import AccessPolicy, RateLimiter
from bot.slack.blocks import render_denied, render_usage_error
from bot.slack.pacing import Pacer
from bot.slack.parents import ParentRefused, Parents, refusal_text
from handlers.core.check import Command, UsageError
from handlers.core.describe import describe, target
from handlers.core.grammar import Invocation, parse
from handlers.core.registry import Registry

log = logging.getLogger("authcheck.intake")
Blocks = list[dict[str, Any]]
#: Pauses between enqueue attempts before "try again" (about 3 s in all).
PUT_RETRY_DELAYS = (0.2, 0.4, 0.8, 1.6)


@dataclass(frozen=True)
class Accepted:
    job: Job
    description: str


@dataclass(frozen=True)
class Rejected:
    kind: str  # usage, denied, ratelimited, duplicate, try_again
    text: str
    blocks: Blocks


@dataclass(frozen=True)
class FormField:
    """One input of the private form: a token that becomes the command's argument, or a private
    value (a password) that travels beside the command text, never inside it."""

    name: str
    label: str
    argument: bool


@dataclass(frozen=True)
class NeedsToken:
    """The command needs a secret that was not given: ask for it in a modal, not in the channel.
    `text` is what runs once the form is filled (the private fields' switches included)."""

    command: Command
    text: str
    fields: tuple[FormField, ...]


Outcome = Accepted | Rejected | NeedsToken


def needs_form(text: str, registry: Registry, error: UsageError) -> NeedsToken | None:
    """The form that would make this command complete: a missing token argument, or a secret
    the command takes privately (PrivateField) instead of from chat."""
    name = text.strip().split(" ", 1)[0].lower()
    command = registry.get(name)
    if command is None:
        return None
    for param in command.params:
        label = f"missing <{param.metavar or param.name}>"
        if param.secret and param.required and error.reason == label:
            field = FormField("token", f"Token for {command.name}", argument=True)
            return NeedsToken(command, text.strip(), (field,))
    for private in command.private_fields:
        completed = f"{text.strip()} --{private.switch}"
        try:
            parse(completed, registry)
        except UsageError:
            continue
        return NeedsToken(command, completed, (FormField(private.name, private.label, False),))
    return None


def _origin(
    user: str,
    channel: str,
    source: str,
    thread_ts: str | None,
    dedupe: str | None,
    visible: bool,
) -> dict[str, str]:
    """Where a job came from and where its answer goes, as stored with the job."""
    origin = {
        "user": user,
        "channel": channel,
        "thread_ts": thread_ts or "",
        "source": source,
        "visible": "1" if visible else "",
    }
    if dedupe:
        origin["dedupe"] = dedupe
    return origin


class Intake:
    def __init__(
        self,
        registry: Registry,
        queue: JobQueue,
        client: AsyncWebClient,
        access: AccessPolicy,
        limiter: RateLimiter,
        pacer: Pacer | None = None,
        parents: Parents | None = None,
    ) -> None:
        self.registry = registry
        self.queue = queue
        self.client = client
        self.access = access
        self.limiter = limiter
        #: The parent message spends the channel's budget like the answers do (bot/pacing.py).
        self.pacer = pacer
        self.parents = parents or Parents(client, pacer, MemoryReplyIndex())

    async def _put(self, job: Job) -> bool:
        """Puts are idempotent (same job id), so a queue that is restarting gets a few more
        seconds before the user is told to try again — never an answer *and* a "try again"."""
        for delay in PUT_RETRY_DELAYS:
            try:
                return await self.queue.put(job)
            except Exception:
                await asyncio.sleep(delay)
        return await self.queue.put(job)

    def check_syntax(self, text: str) -> Invocation | Rejected | NeedsToken:
        """Pure and fast: safe to run before the 3-second ack."""
        try:
            return parse(text, self.registry)
        except UsageError as exc:
            form = needs_form(text, self.registry, exc)
            if form is not None:
                return form
            reply, blocks = render_usage_error(exc.reason, exc.usage)
            return Rejected("usage", reply, blocks)

    async def _post_parent(self, job: Job) -> Rejected | None:
        """The parent message, after the job is queued. If Slack refuses the channel or cannot
        be reached, that is recorded so the job ends unrun, and the person is told what to do;
        if only the reply index (Redis) failed, the parent is left to whoever runs the job (it
        posts it), so the command is still answered."""
        try:
            await self.parents.ensure(job, wait=False)
        except ParentRefused as exc:
            COMMANDS.labels(job.origin.get("source", ""), "not_postable").inc()
            reply, blocks = render_denied(refusal_text(exc.error))
            return Rejected("try_again", reply, blocks)
        except Exception as exc:  # the reply index (Redis) failed: the worker posts it
            log.warning("job %s: parent message left to the worker: %s", job.id, type(exc).__name__)
        return None

    async def permitted(self, user: str, channel: str | None) -> Rejected | None:
        """Access control alone (no rate-limit hit), for what is offered before a command
        exists: the token button, the private form, App Home (`channel=None`: the person only).
        """
        if channel is None:
            decision = await self.access.check_user(user)
        else:
            decision = await self.access.check(user, channel)
        if not decision.allowed:
            audit("access.refused", user=user, channel=channel or None, reason=decision.reason)
            text, blocks = render_denied(decision.reason)
            return Rejected("denied", text, blocks)
        return None

    async def authorise(self, user: str, channel: str) -> Rejected | None:
        decision = await self.access.check(user, channel)
        if not decision.allowed:
            text, blocks = render_denied(decision.reason)
            return Rejected("denied", text, blocks)
        if not self.limiter.allow(user):
            text, blocks = render_denied(
                f"slow down: at most {self.limiter.per_minute} commands a minute per person"
            )
            return Rejected("ratelimited", text, blocks)
        return None

    async def _enqueue(self, job: Job, source: str, user: str, channel: str) -> Rejected | None:
        """The job in the queue, or why not: the queue is unreachable (try again) or already
        has it (a duplicate: Slack's retry, a second click, the shortcut used twice)."""
        try:
            queued = await self._put(job)
        except Exception as exc:
            COMMANDS.labels(source, "enqueue_failed").inc()
            audit("command.enqueue_failed", user=user, channel=channel, error=type(exc).__name__)
            reply, blocks = render_denied(
                "the job queue is not reachable right now, so your command was not started; "
                "try again in a moment"
            )
            return Rejected("try_again", reply, blocks)
        if not queued:
            COMMANDS.labels(source, "duplicate").inc()
            return Rejected("duplicate", "already received", [])
        return None

    async def submit(
        self,
        text: str,
        *,
        user: str,
        channel: str,
        source: str,
        thread_ts: str | None = None,
        dedupe: str | None = None,
        visible: bool = False,
        post_parent: bool = False,
        private: dict[str, str] | None = None,
    ) -> Outcome:
        checked = self.check_syntax(text)
        if not isinstance(checked, Invocation):
            COMMANDS.labels(
                source, checked.kind if isinstance(checked, Rejected) else "modal"
            ).inc()
            return checked
        refused = await self.authorise(user, channel)
        if refused is not None:
            COMMANDS.labels(source, refused.kind).inc()
            audit("command.refused", user=user, channel=channel, source=source, reason=refused.kind)
            return refused
        description = describe(checked)
        origin = _origin(user, channel, source, thread_ts, dedupe, visible)
        if post_parent and not thread_ts:
            # Enqueued first, parent after (bot/parents.py): an acked command is safe in the
            # queue even if this process stops while the parent waits for its pacing slot.
            origin["parent"] = description
        job = Job(text=checked.text, origin=origin, private=dict(private or {}))
        unqueued = await self._enqueue(job, source, user, channel)
        if unqueued is not None:
            return unqueued
        COMMANDS.labels(source, "queued").inc()
        JOBS_QUEUED.inc()
        if "parent" in origin:
            refused = await self._post_parent(job)
            if refused is not None:
                return refused
            thread_ts = job.origin.get("thread_ts") or None
        audit(
            "command.queued",
            job=job.id,
            user=user,
            channel=channel,
            thread=thread_ts,
            source=source,
            command=checked.command.name,
            target=target(checked),
        )
        return Accepted(job=job, description=description)
