"""Every Slack surface with text exactly as Slack delivers it, through the running app (signed
HTTP in, fake Slack Web API out, real redis-server and worker) to a real loopback upstream: the
README's `@authcheck diagnose https://…` reaches the URL whether it arrives as `<url>`,
`<url|label>`, in backticks, or as rich-text blocks."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio
from aiohttp import web

from bot.slack.app import SHORTCUT_ID
from tests.bot.slack.test_app import SIGNING_SECRET
from tests.fakes.redis_server import RedisServer
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_signing import (
    app_mention_event,
    message_shortcut_payload,
    signed_event,
    signed_interaction,
)
from tests.reliability.conftest import loopback_settings, running_app


class Upstream:
    """A loopback API answering 401 with a Bearer challenge; records the paths it was asked."""

    def __init__(self) -> None:
        self.paths: list[str] = []
        self.url = ""

    async def handle(self, request: web.Request) -> web.Response:
        self.paths.append(request.path_qs)
        return web.Response(
            status=401,
            text='{"error":"invalid_token"}',
            headers={"WWW-Authenticate": 'Bearer realm="orders", error="invalid_token"'},
        )


@pytest_asyncio.fixture
async def upstream() -> AsyncIterator[Upstream]:
    up = Upstream()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", up.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    up.url = f"http://127.0.0.1:{runner.addresses[0][1]}"
    yield up
    await runner.cleanup()


def _rich(*elements: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "type": "rich_text",
            "block_id": "r1",
            "elements": [{"type": "rich_text_section", "elements": list(elements)}],
        }
    ]


def _mention(text: str, thread: str, blocks: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    event = app_mention_event("", thread_ts=thread)
    event["event"]["text"] = text
    if blocks is not None:
        event["event"]["blocks"] = blocks
    return event


@pytest.mark.parametrize(
    "shape",
    ["bare", "labelled", "backticks", "rich_text"],
)
async def test_readme_mention_reaches_the_url_as_slack_delivers_it(
    shape: str, fake_slack: FakeSlack, redis_db: RedisServer, upstream: Upstream
) -> None:
    url = f"{upstream.url}/api/orders?x=1&y=2"
    escaped = url.replace("&", "&amp;")
    texts = {
        "bare": f"<@U0AUTHBOT> diagnose <{escaped}>",
        "labelled": f"<@U0AUTHBOT> diagnose <{escaped}|orders API>",
        "backticks": f"<@U0AUTHBOT> `diagnose <{escaped}>`",
        "rich_text": "<@U0AUTHBOT> diagnose (see blocks)",
    }
    blocks = (
        _rich(
            {"type": "user", "user_id": "U0AUTHBOT"},
            {"type": "text", "text": " diagnose "},
            {"type": "link", "url": url, "text": "orders"},
        )
        if shape == "rich_text"
        else None
    )
    thread = "1700000000.000900"
    async with running_app(fake_slack, redis_db, loopback_settings()) as app:
        event = _mention(texts[shape], thread, blocks)
        assert (await app.post(*signed_event(SIGNING_SECRET, event)))[0] == 200
        await app.fake.wait_for(lambda _: app.fake.thread("C0INCIDENT", thread), timeout=20)
        await app.fake.wait_for(
            lambda _: any(
                "running" not in str(m.get("text", "")).lower()
                for m in app.fake.thread("C0INCIDENT", thread)
            ),
            timeout=30,
        )
        replies = json.dumps(app.fake.thread("C0INCIDENT", thread))
        assert not app.fake.calls_of("chat.postEphemeral"), app.fake.calls_of("chat.postEphemeral")
        assert "usage" not in replies.lower()
    assert "/api/orders?x=1&y=2" in upstream.paths


async def test_slash_command_text_is_unescaped(
    fake_slack: FakeSlack, redis_db: RedisServer, upstream: Upstream
) -> None:
    async with running_app(fake_slack, redis_db, loopback_settings()) as app:
        status, body = await app.slash(f"diagnose `{upstream.url}/p?a=1&amp;b=2`")
        assert status == 200
        assert body == ""  # accepted, not a usage error
        await app.fake.wait_for(lambda _: app.final_replies(), timeout=30)
    assert "/p?a=1&b=2" in upstream.paths


async def test_shortcut_reads_links_and_escapes_as_slack_delivers_them(
    fake_slack: FakeSlack, redis_db: RedisServer, upstream: Upstream
) -> None:
    pasted = (
        f"$ curl -v <{upstream.url}/v1/orders?a=1&amp;b=2|{upstream.url}/v1/orders?a=1&amp;b=2>\n"
        "&lt; HTTP/1.1 401 Unauthorized\n"
        '&lt; www-authenticate: Bearer realm="orders", error="invalid_token"\n'
    )
    payload = message_shortcut_payload(pasted, callback_id=SHORTCUT_ID)
    async with running_app(fake_slack, redis_db, loopback_settings()) as app:
        assert (await app.post(*signed_interaction(SIGNING_SECRET, payload)))[0] == 200
        await app.fake.wait_for(lambda _: upstream.paths, timeout=30)
    assert "/v1/orders?a=1&b=2" in upstream.paths
