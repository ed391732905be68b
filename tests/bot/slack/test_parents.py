"""The parent message is posted once whoever gets there first (the bot after enqueueing, or the
worker when the bot was stopped first), and a channel Slack refuses ends the job unrun."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from slack_sdk.errors import SlackApiError

from bot.jobs.job import Job
from bot.jobs.replies import MemoryReplyIndex
from bot.slack.pacing import ChannelPacer
from bot.slack.parents import ParentRefused, Parents


class Client:
    """The two chat methods Parents uses, recording calls; `error` makes postMessage fail the
    way slack_sdk reports Slack's `ok: false`."""

    def __init__(self, error: str = "") -> None:
        self.error = error
        self.posted: list[dict[str, Any]] = []
        self.ephemerals: list[dict[str, Any]] = []

    async def chat_postMessage(self, **kwargs: Any) -> dict[str, Any]:
        if self.error:
            raise SlackApiError("refused", {"ok": False, "error": self.error})
        self.posted.append(kwargs)
        return {"ok": True, "ts": f"1700000000.{len(self.posted):06d}"}

    async def chat_postEphemeral(self, **kwargs: Any) -> dict[str, Any]:
        self.ephemerals.append(kwargs)
        return {"ok": True}


def _job() -> Job:
    return Job(
        text="explain 401",
        origin={"user": "U1", "channel": "C1", "thread_ts": "", "parent": "explain 401"},
    )


def _parents(client: Client, index: MemoryReplyIndex) -> Parents:
    return Parents(client, ChannelPacer(rate=100), index)  # type: ignore[arg-type]


async def test_bot_first_then_worker_posts_one_parent() -> None:
    client, index = Client(), MemoryReplyIndex()
    bot_job, worker_job = _job(), None
    ts = await _parents(client, index).ensure(bot_job, wait=False)
    worker_job = Job.from_dict({**bot_job.to_dict(), "origin": {**bot_job.origin, "thread_ts": ""}})
    assert await _parents(client, index).ensure(worker_job, wait=True) == ts
    assert len(client.posted) == 1
    assert worker_job.origin["thread_ts"] == ts


async def test_worker_posts_the_parent_when_the_bot_did_not_get_to_it() -> None:
    client, index = Client(), MemoryReplyIndex()
    job = _job()
    worker_copy = Job.from_dict(job.to_dict())
    ts = await _parents(client, index).ensure(worker_copy, wait=True)
    assert ts
    assert await _parents(client, index).ensure(job, wait=False) == ts
    assert len(client.posted) == 1


async def test_a_poster_stopped_mid_way_gives_the_parent_back() -> None:
    client, index = Client(), MemoryReplyIndex()
    slow = Parents(client, ChannelPacer(rate=0.01, burst=1), index)  # type: ignore[arg-type]
    await slow.pacer.acquire("C1")  # type: ignore[union-attr]  # the next slot is 100 s away
    job = _job()
    bot = asyncio.create_task(slow.ensure(job, wait=False))
    await asyncio.sleep(0.05)
    bot.cancel()  # SIGTERM past the drain: the bot gives up its reservation
    with pytest.raises(asyncio.CancelledError):
        await bot
    ts = await _parents(client, index).ensure(Job.from_dict(job.to_dict()), wait=True)
    assert ts
    assert len(client.posted) == 1


async def test_channel_refused_ends_the_job_unrun_and_the_person_is_told_once() -> None:
    client, index = Client(error="not_in_channel"), MemoryReplyIndex()
    job = _job()
    parents = _parents(client, index)
    with pytest.raises(ParentRefused) as first:
        await parents.ensure(job, wait=False)
    assert first.value.mine
    assert first.value.error == "not_in_channel"
    with pytest.raises(ParentRefused) as second:
        await parents.ensure(Job.from_dict(job.to_dict()), wait=True)
    assert not second.value.mine, "the worker saw the mark, it did not try again"
    await parents.tell(job, second.value)
    assert client.ephemerals == [], "the bot already told the person"
    await parents.tell(job, first.value)
    assert len(client.ephemerals) == 1
    assert "/invite @authcheck" in client.ephemerals[0]["text"]
