"""The channel message a slash command's (or a form's) thread hangs off, posted once.

Why this is not simply "post, then enqueue": the parent waits for the channel's pacing slot
(about one message a second per channel), so in a burst it can wait many seconds. A command
must be safe in the queue as soon as it is acked, so the bot enqueues first and posts the
parent after; if the bot is stopped or killed in between, whoever runs the job posts it. The
bot and the worker both call `Parents.ensure`: one reservation in the ReplyIndex (key
`parent:<job id>`) decides who posts, the other waits for that message's ts, so the parent is
posted once and the answer always lands in its thread.

If posting the parent fails (Slack refuses the channel, or cannot be reached after slack_sdk's
own retries), that is recorded as `failed:<error>`: the job ends without running against
anything, and whoever tried tells the person once (the bot in its ephemeral answer, a worker
with `tell`), so a command is answered or refused, never half-started.
"""

from __future__ import annotations

import asyncio
import contextlib
import time

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.jobs.job import Job
from bot.jobs.replies import RESERVATION_TTL, ReplyIndex
from bot.jobs.sinks import Undeliverable
from bot.slack.blocks import render_denied, render_parent
from bot.slack.pacing import Pacer

KEY_PREFIX = "parent:"
FAILED = "failed:"
#: Slack errors that no retry fixes: the channel must change first.
NOT_POSTABLE = frozenset({"not_in_channel", "channel_not_found", "is_archived"})
#: A worker waits this long for the bot's parent (it may be queued behind a burst's pacing);
#: past it the bot's reservation has expired and the worker posts the parent itself.
WAIT_SECONDS = RESERVATION_TTL + 10.0
WAIT_STEP = 0.25
#: Pauses between attempts to record a posted parent's ts (about 4 s in all).
CLAIM_RETRY_DELAYS = (0.2, 0.5, 1.0, 2.0)


class ParentRefused(Undeliverable):
    """The parent could not be posted; `error` is Slack's code (or the connection error's
    name). `mine`: this process tried and failed, so it is the one to tell the person."""

    def __init__(self, error: str, mine: bool = False) -> None:
        super().__init__(f"cannot post in this channel: {error}")
        self.error = error
        self.mine = mine


def refusal_text(error: str) -> str:
    if error in ("not_in_channel", "channel_not_found"):
        hint = "invite me first: `/invite @authcheck`"
    elif error in NOT_POSTABLE:
        hint = "use another channel"
    else:
        hint = "try again in a moment"
    reach = "post in this channel" if error in NOT_POSTABLE else "reach Slack to start this"
    return f"could not {reach} ({error}); {hint}"


def wants_parent(job: Job) -> bool:
    return bool(job.origin.get("parent")) and not job.origin.get("thread_ts")


class Parents:
    def __init__(self, client: AsyncWebClient, pacer: Pacer | None, index: ReplyIndex) -> None:
        self.client = client
        self.pacer = pacer
        self.index = index

    async def ensure(self, job: Job, *, wait: bool) -> str | None:
        """The thread ts for `job`'s answers (set in `job.origin` too), posting the parent
        if nobody has. `wait=False` (the bot): None when someone else is posting it now.
        Raises ParentRefused for a channel Slack refuses; other Slack errors propagate after
        giving the reservation back, so the other side can post it."""
        if not wants_parent(job):
            return job.origin.get("thread_ts") or None
        key = KEY_PREFIX + job.id
        deadline = time.monotonic() + WAIT_SECONDS
        while True:
            ts = await self.index.get(key)
            if ts is None and await self.index.reserve(key):
                ts = await self._post(job, key)
            if ts is not None and ts.startswith(FAILED):
                raise ParentRefused(ts.removeprefix(FAILED))
            if ts:
                job.origin["thread_ts"] = ts
                return ts
            if not wait:
                return None
            if time.monotonic() >= deadline:
                raise TimeoutError("the parent message is still being posted elsewhere")
            await asyncio.sleep(WAIT_STEP)

    async def _post(self, job: Job, key: str) -> str:
        channel = job.origin.get("channel", "")
        text, blocks = render_parent(job.origin.get("user", ""), job.origin.get("parent", ""))
        try:
            if self.pacer is not None:
                await self.pacer.acquire(channel)
            posted = await self.client.chat_postMessage(channel=channel, text=text, blocks=blocks)
        except (SlackApiError, aiohttp.ClientError, OSError, TimeoutError) as exc:
            error = (
                str(exc.response.get("error", "error"))
                if isinstance(exc, SlackApiError)
                else type(exc).__name__
            )
            with contextlib.suppress(Exception):
                await self.index.claim(key, FAILED + error)
            raise ParentRefused(error, mine=True) from None
        except BaseException:  # cancelled (shutdown): someone else may post it
            with contextlib.suppress(Exception):
                await self.index.release(key)
            raise
        ts = str(posted.get("ts") or "")
        await self._record(key, ts)
        return ts

    async def _record(self, key: str, ts: str) -> None:
        """The parent exists now: its ts must reach the index even if Redis is restarting, or
        the worker would wait out the reservation and post a second parent."""
        for delay in (*CLAIM_RETRY_DELAYS, None):
            try:
                await self.index.claim(key, ts)
                return
            except Exception:
                if delay is None:
                    raise
                await asyncio.sleep(delay)

    async def tell(self, job: Job, refused: ParentRefused) -> None:
        """The person's note when a worker (not the bot) found the channel unusable."""
        user, channel = job.origin.get("user"), job.origin.get("channel")
        if not (refused.mine and user and channel):
            return
        text, blocks = render_denied(refusal_text(refused.error))
        with contextlib.suppress(Exception):
            await self.client.chat_postEphemeral(
                channel=channel, user=user, text=text, blocks=blocks
            )
