"""A fake Slack Socket Mode endpoint: the websocket `apps.connections.open` hands out.

Slack's protocol (https://api.slack.com/apis/socket-mode): the app connects to the URL, Slack
sends `{"type": "hello", ...}`, then envelopes `{"envelope_id", "type", "payload",
"accepts_response_payload"}` of type `slash_commands`, `events_api` or `interactive`; the app
acknowledges each with `{"envelope_id": …[, "payload": …]}` within 3 s. Before rotating a
connection Slack sends `{"type": "disconnect", "reason": "refresh_requested"}` and the app opens
a new one. Point the fake Web API at it with `FakeSlack(socket_url=socket.url)` (or set
`fake.socket_url`) so `apps.connections.open` answers with this `ws://` URL.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest_asyncio
from aiohttp import WSMsgType, web


class FakeSocketMode:
    def __init__(self) -> None:
        self.connections: list[web.WebSocketResponse] = []
        self.connected = 0
        self.acks: dict[str, dict[str, Any]] = {}
        self.received: list[dict[str, Any]] = []
        self._ids = itertools.count(1)
        self._changed = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/link/?ticket=fake-ticket"

    async def start(self) -> FakeSocketMode:
        app = web.Application()
        app.router.add_get("/link/", self._socket)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.port = int(self._runner.addresses[0][1])
        return self

    async def stop(self) -> None:
        for ws in list(self.connections):
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self.connections.append(ws)
        self.connected += 1
        self._changed.set()
        await ws.send_json(
            {
                "type": "hello",
                "num_connections": len(self.connections),
                "debug_info": {"host": "fake-socket-mode", "approximate_connection_time": 3600},
                "connection_info": {"app_id": "A0AUTHCHECK"},
            }
        )
        try:
            async for message in ws:
                if message.type != WSMsgType.TEXT:
                    continue
                body = json.loads(message.data)
                self.received.append(body)
                if isinstance(body, dict) and "envelope_id" in body:
                    self.acks[str(body["envelope_id"])] = body
                self._changed.set()
        finally:
            if ws in self.connections:
                self.connections.remove(ws)
            self._changed.set()
        return ws

    async def wait_for_connection(self, count: int = 1, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        await self._until(lambda: self.connected >= count and bool(self.connections), timeout)

    async def send(
        self, kind: str, payload: dict[str, Any], accepts_response_payload: bool = False
    ) -> str:
        """Sends one envelope on the newest connection; returns its envelope_id."""
        envelope_id = f"env-{next(self._ids):06d}"
        envelope: dict[str, Any] = {
            "envelope_id": envelope_id,
            "type": kind,
            "payload": payload,
            "accepts_response_payload": accepts_response_payload,
        }
        if kind == "events_api":
            envelope.update(retry_attempt=0, retry_reason="")
        await self.connections[-1].send_json(envelope)
        return envelope_id

    async def wait_ack(self, envelope_id: str, timeout: float = 3.0) -> dict[str, Any]:  # noqa: ASYNC109
        """The app's acknowledgement; Slack's own limit is 3 s, so that is the default bound."""
        await self._until(lambda: envelope_id in self.acks, timeout)
        return self.acks[envelope_id]

    async def disconnect(self, reason: str = "refresh_requested") -> None:
        """What Slack sends before it rotates the connection; the app must reconnect."""
        await self.connections[-1].send_json(
            {"type": "disconnect", "reason": reason, "debug_info": {"host": "fake-socket-mode"}}
        )

    async def _until(self, condition: Any, timeout: float) -> None:  # noqa: ASYNC109
        async def wait() -> None:
            while not condition():
                self._changed.clear()
                await self._changed.wait()

        try:
            async with asyncio.timeout(timeout):
                await wait()
        except TimeoutError:
            raise TimeoutError(
                f"not within {timeout} s; connections {self.connected}, acks {sorted(self.acks)}"
            ) from None


@pytest_asyncio.fixture
async def fake_socket_mode() -> AsyncIterator[FakeSocketMode]:
    socket = await FakeSocketMode().start()
    yield socket
    await socket.stop()
