"""Posts a job's progress and answer into its Slack thread: one reply, edited in place.

The reply's ts is recorded in the ReplyIndex (Redis when there is one), so a job re-run after a
worker crash edits the same message instead of answering twice. Every send goes through the
channel pacer; slack_sdk's retry handlers deal with 429 (Retry-After) and 5xx.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.audit import audit
from bot.jobs.job import Job
from bot.jobs.replies import ReplyIndex
from bot.jobs.sinks import Undeliverable
from bot.slack.blocks import render_dead_letter, render_report
from bot.slack.pacing import Pacer
from bot.slack.parents import ParentRefused, Parents, wants_parent
from bot.slack.respond import slack_error
from handlers.core.model import Report

log = logging.getLogger("authcheck.slack")
#: How long a second run of a job waits for the first run's reply to appear (about 10 s).
REPLY_WAIT_STEP = 0.25
REPLY_WAIT_STEPS = 40
KNOWN_REPLIES = 10_000
#: Pauses between attempts to post a finished answer that Slack refused (about 15 s in all).
DELIVERY_RETRY_DELAYS = (1.0, 2.0, 4.0, 8.0)


class ReplyBusy(RuntimeError):
    """Another run of the same job is posting its reply right now; try the job later."""


class SlackSink:
    def __init__(
        self,
        client: AsyncWebClient,
        pacer: Pacer,
        replies: ReplyIndex,
        parents: Parents | None = None,
    ) -> None:
        self.client = client
        self.pacer = pacer
        self.replies = replies
        #: Posts the parent message when the bot did not get to it (bot/parents.py).
        self.parents = parents or Parents(client, pacer, replies)
        #: Replies this process posted, newest last: survives the index being unreachable.
        self._known: OrderedDict[str, str] = OrderedDict()

    async def _upsert(self, job: Job, text: str, blocks: list[dict[str, Any]], final: bool) -> None:
        channel = job.origin.get("channel")
        if not channel:
            return
        if wants_parent(job):
            try:
                await self.parents.ensure(job, wait=True)
            except ParentRefused as exc:
                await self.parents.tell(job, exc)
                raise
        if final:
            await self.pacer.acquire(channel)
        elif not await self.pacer.try_acquire(channel):
            return  # a busy channel skips intermediate progress, never the answer
        ts = self._known.get(job.id) or await self.replies.get(job.id)
        if not ts and await self.replies.reserve(job.id):
            try:
                response = await self._post(job, channel, text, blocks)
            except BaseException:
                await self.replies.release(job.id)
                raise
            await self._record(job.id, str(response.get("ts") or ""))
            return
        if not ts:
            if not final:
                return  # progress can be skipped; the answer will edit the other run's message
            # Another run of this job is posting its reply right now: edit that one.
            ts = await self._wait_for_reply(job.id)
            if not ts:
                raise ReplyBusy("the job's reply is being posted elsewhere; retry later")
        try:
            await self.client.chat_update(channel=channel, ts=ts, text=text, blocks=blocks)
        except SlackApiError as exc:
            if exc.response.get("error") != "message_not_found" or not final:
                raise
            # Someone deleted the bot's reply: the answer is posted anew, not lost.
            response = await self._post(job, channel, text, blocks)
            await self._record(job.id, str(response.get("ts") or ""))

    async def _post(self, job: Job, channel: str, text: str, blocks: list[dict[str, Any]]) -> Any:
        """A new reply in the job's thread, without link previews of the URLs the answer quotes."""
        return await self.client.chat_postMessage(
            channel=channel,
            thread_ts=job.origin.get("thread_ts") or None,
            text=text,
            blocks=blocks,
            unfurl_links=False,
            unfurl_media=False,
        )

    async def _record(self, job_id: str, ts: str) -> None:
        """The message exists now, so its ts must not be lost to a Redis hiccup: kept in this
        process at once, and written to the index with a few retries."""
        self._known[job_id] = ts
        while len(self._known) > KNOWN_REPLIES:
            self._known.popitem(last=False)
        for delay in (0.2, 0.5, 1.0, 2.0):
            try:
                await self.replies.claim(job_id, ts)
                return
            except Exception:
                await asyncio.sleep(delay)
        log.warning("job %s: could not record its reply in the index", job_id)

    async def _wait_for_reply(self, job_id: str) -> str | None:
        for _ in range(REPLY_WAIT_STEPS):
            await asyncio.sleep(REPLY_WAIT_STEP)
            ts = await self.replies.get(job_id)
            if ts:
                return ts
        return None

    async def started(self, job: Job, command: str, checks: int) -> None:
        text, blocks = render_report(Report(command=command), pending=checks)
        try:
            # Like progress, the "running…" placeholder only takes a free slot: in a busy
            # channel the answer alone is posted (half the messages of placeholder + edit).
            await self._upsert(job, text, blocks, final=False)
        except Undeliverable:
            raise  # the channel cannot take the parent: the job ends here, unrun
        except Exception as exc:  # Slack 5xx, reset, timeout: progress is optional
            log.warning("could not post progress: %s", slack_error(exc))

    async def progress(self, job: Job, report: Report, pending: int) -> None:
        text, blocks = render_report(report, pending=pending)
        try:
            await self._upsert(job, text, blocks, final=False)
        except Exception as exc:
            log.warning("could not update progress: %s", slack_error(exc))

    async def finished(self, job: Job, report: Report) -> None:
        text, blocks = render_report(report)
        await self._deliver(job, text, blocks)

    async def failed(self, job: Job, reason: str) -> None:
        command = job.text.split(" ", 1)[0][:40] if job.text else "command"
        text, blocks = render_dead_letter(command, job.attempts)
        if reason:
            text = f"{text} ({reason})"
        await self._deliver(job, text, blocks)

    async def _deliver(self, job: Job, text: str, blocks: list[dict[str, Any]]) -> None:
        """The answer, retried here (on top of slack_sdk's own retries) when Slack fails: the
        checks already ran, and a Slack-side error must never send the job back to be run
        against the upstream again. If Slack still refuses, the person who asked gets an
        ephemeral note; raising is left to a reply being posted by another run (ReplyBusy)."""
        error = ""
        for delay in (*DELIVERY_RETRY_DELAYS, None):
            try:
                await self._upsert(job, text, blocks, final=True)
                return
            except (ReplyBusy, Undeliverable):
                raise
            except Exception as exc:
                error = slack_error(exc)
                log.warning("job %s: could not post the answer: %s", job.id, error)
                if delay is not None:
                    await asyncio.sleep(delay)
        audit("command.undelivered", job=job.id, channel=job.origin.get("channel"), error=error)
        user, channel = job.origin.get("user"), job.origin.get("channel")
        if not (user and channel):
            return
        note = (
            f"authcheck ran your command but Slack would not take the answer ({error}). "
            "Run it again to see the result."
        )
        try:
            await self.client.chat_postEphemeral(
                channel=channel,
                user=user,
                text=note,
                thread_ts=job.origin.get("thread_ts") or None,
            )
        except Exception as exc:
            log.warning("job %s: could not post the note either: %s", job.id, slack_error(exc))
