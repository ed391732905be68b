"""The running app under faults: redis-server restarted mid-burst, Slack answering 429 and 500,
and oversized payloads. Every accepted command is answered once; none disappears silently."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.bot.slack.test_app import CHANNEL, SIGNING_SECRET, Running
from tests.fakes.redis_server import running_redis
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_signing import message_shortcut_payload, signed_interaction
from tests.reliability.conftest import running_app

BURST = 12


def _try_again(app: Running) -> list[str]:
    return [
        str(c.payload.get("text", ""))
        for c in app.fake.calls_of("chat.postEphemeral")
        if "try again" in str(c.payload.get("text", ""))
    ]


async def test_redis_restart_during_a_burst_loses_nothing(
    fake_slack: FakeSlack, report_row: Any
) -> None:
    with running_redis(appendonly=True) as redis:
        async with running_app(fake_slack, redis, job_visibility_seconds=2) as app:
            statuses = []
            for index in range(BURST):
                if index == BURST // 2:
                    await asyncio.to_thread(redis.start_again)  # AOF on: the stream survives
                # Valid topics only: `explain 402` would be a usage error answered in the ack.
                topic = ("401", "403", "invalid_client")[index % 3]
                statuses.append((await app.slash(f"explain {topic}"))[0])
            assert statuses == [200] * BURST

            def settled(_: object) -> bool:
                return len(app.final_replies()) + len(_try_again(app)) >= BURST

            try:
                await app.fake.wait_for(settled, timeout=20)
            except TimeoutError as exc:
                client = redis.client()
                state = {
                    "answered": len(app.final_replies()),
                    "thread_texts": sorted(
                        str(m.get("text", ""))[:50] for m in app.fake.posted() if m.get("thread_ts")
                    ),
                    "delayed": client.zcard("authcheck:delayed"),
                    "dead": client.llen("authcheck:dead"),
                    "try_again": len(_try_again(app)),
                    "stream": client.xlen("authcheck:jobs"),
                    "pending": client.xpending("authcheck:jobs", "authcheck-workers"),
                    "groups": client.xinfo_groups("authcheck:jobs"),
                }
                client.close()
                raise AssertionError(f"accepted commands not answered: {state}") from exc
            # Acks after a restart may wait out redis-py's reconnect backoff (up to a few
            # seconds): wait, bounded, until nothing is pending, then count the answers.
            client = redis.client()
            for _ in range(150):
                if client.xpending("authcheck:jobs", "authcheck-workers")["pending"] == 0:
                    break
                await asyncio.sleep(0.1)
            assert client.xpending("authcheck:jobs", "authcheck-workers")["pending"] == 0
            client.close()
            answered, retry = len(app.final_replies()), len(_try_again(app))
            assert answered + retry == BURST, (answered, retry)
            assert answered >= BURST // 2
    report_row(
        "Fault",
        "redis-server restarted during a burst (appendonly on)",
        f"{BURST} slash commands, restart after {BURST // 2}",
        "each command answered once in its thread, or told at once to try again",
        "nothing lost: answered + try-again = commands sent, nothing pending",
    )


async def test_slack_429_and_500_are_retried_and_posted_once(
    fake_slack: FakeSlack, redis_db: Any, report_row: Any
) -> None:
    async with running_app(fake_slack, redis_db) as app:
        app.fake.fail_next("chat.postMessage", count=1, status=429, retry_after=1)
        app.fake.fail_next("chat.update", count=1, status=500)
        app.fake.fail_next("chat.postMessage", count=1, status=500)
        assert (await app.slash("explain 401"))[0] == 200
        await app.fake.wait_for(lambda _: app.final_replies(), timeout=30)
        await asyncio.sleep(1.0)
        assert len(app.final_replies()) == 1
        parents = [m for m in app.fake.posted(CHANNEL) if not m.get("thread_ts")]
        assert len(parents) == 1
        failed = [c for c in app.fake.calls if not c.ok]
        assert {c.http_status for c in failed} >= {429, 500}
    report_row(
        "Fault",
        "Slack Web API answers 429 (Retry-After) and 500",
        "first chat.postMessage 429, then 500s on postMessage and update",
        "retried; one parent message, one answer in the thread",
        "nothing lost, nothing posted twice",
    )


async def test_oversized_payloads_are_answered_not_crashed(
    fake_slack: FakeSlack, redis_db: Any, report_row: Any
) -> None:
    async with running_app(fake_slack, redis_db) as app:
        long_command = "header Bearer " + "A" * (4000 - len("header Bearer "))
        assert len(long_command) == 4000
        status, body = await app.slash(long_command)
        assert status == 200
        pasted = ("< HTTP/1.1 401 Unauthorized\nJwt is expired\n" + "x" * 200 + "\n") * 180
        pasted = pasted[:40000]
        payload = message_shortcut_payload(pasted, callback_id="diagnose_with_authcheck")
        assert (await app.post(*signed_interaction(SIGNING_SECRET, payload)))[0] == 200

        def answered(_: object) -> bool:
            replies = app.final_replies() + app.fake.thread(CHANNEL, "1700000000.000200")
            ephemerals = app.fake.calls_of("chat.postEphemeral")
            return bool(body) or len(replies) + len(ephemerals) >= 2

        await app.fake.wait_for(answered, timeout=30)
        assert not [c for c in app.fake.calls if c.http_status >= 400 and c.ok]
    report_row(
        "Bad input",
        "oversized Slack payloads",
        "a 4,000-character slash command; a 40,000-character pasted log via the shortcut",
        "both answered (reply or usage ephemeral); the app keeps serving",
        "nothing lost",
    )
