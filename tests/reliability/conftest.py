"""Shared helpers for the fault tests: misbehaving upstreams on loopback."""

from __future__ import annotations

import asyncio
import socket
import struct
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest_asyncio

from handlers.commands.registry import default_registry
from handlers.core.check import CheckContext
from handlers.core.grammar import parse
from handlers.core.model import Report
from handlers.core.runner import run_invocation
from handlers.core.settings import Settings

Behaviour = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


class BadUpstreams:
    """One loopback TCP server per behaviour: hang, reset, garbage, trickle, huge."""

    def __init__(self) -> None:
        self.servers: list[asyncio.Server] = []
        self.urls: dict[str, str] = {}
        self.tasks: set[asyncio.Task[Any]] = set()

    async def add(self, name: str, behaviour: Behaviour) -> str:
        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            task = asyncio.current_task()
            if task is not None:
                self.tasks.add(task)
            try:
                await reader.readuntil(b"\r\n\r\n")
                await behaviour(reader, writer)
            except (ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError):
                pass
            finally:
                writer.close()

        server = await asyncio.start_server(handle, "127.0.0.1", 0)
        self.servers.append(server)
        port = server.sockets[0].getsockname()[1]
        self.urls[name] = f"http://127.0.0.1:{port}/{name}"
        return self.urls[name]

    async def close(self) -> None:
        for task in list(self.tasks):
            task.cancel()
        for server in self.servers:
            server.close()


async def _hang(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await asyncio.sleep(3600)


async def _reset(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    sock = writer.get_extra_info("socket")
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()  # RST instead of FIN


async def _garbage(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    writer.write(bytes(range(256)) * 8 + b"\r\n\r\n")
    await writer.drain()


async def _trickle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    writer.write(b"HTTP/1.1 401 Unauthorized\r\nContent-Length: 100000\r\n\r\n")
    for _ in range(100000):
        writer.write(b"x")
        await writer.drain()
        await asyncio.sleep(0.05)


async def _huge(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    size = 20 * 1024 * 1024
    writer.write(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
        + f"Content-Length: {size}\r\n\r\n".encode()
    )
    chunk = b" " * 65536
    for _ in range(size // len(chunk)):
        writer.write(chunk)
        await writer.drain()


BEHAVIOURS: dict[str, Behaviour] = {
    "hang": _hang,
    "reset": _reset,
    "garbage": _garbage,
    "trickle": _trickle,
    "huge": _huge,
}


@pytest_asyncio.fixture
async def bad_upstreams() -> AsyncIterator[BadUpstreams]:
    upstreams = BadUpstreams()
    for name, behaviour in BEHAVIOURS.items():
        await upstreams.add(name, behaviour)
    yield upstreams
    await upstreams.close()


def loopback_settings(**overrides: Any) -> Settings:
    values: dict[str, Any] = {"url_allowlist": ["127.0.0.1"], "timeout": 1, "kubeconfig": None}
    values.update(overrides)
    return Settings(**values)


async def run_text(text: str, ctx: CheckContext) -> Report:
    return await run_invocation(parse(text, default_registry()), ctx)


# --- the running Slack app (as tests/bot/test_app.py starts it) -------------------------------

import contextlib  # noqa: E402

import aiohttp  # noqa: E402
from aiohttp import web  # noqa: E402

from bot.health import start_site  # noqa: E402
from bot.service import Service  # noqa: E402
from tests.bot.conftest import redis_db, redis_server  # noqa: E402, F401
from tests.bot.slack.test_app import Running, bot_settings  # noqa: E402
from tests.fakes.redis_server import RedisServer, free_port  # noqa: E402
from tests.fakes.slack_api import FakeSlack  # noqa: E402


@contextlib.asynccontextmanager
async def running_app(
    fake: FakeSlack, redis: RedisServer, settings: Settings | None = None, **extra: Any
) -> AsyncIterator[Running]:
    """The HTTP app, a real worker and a real redis-server; stopped on exit."""
    service = Service(settings or Settings(), bot_settings(fake, redis, **extra))
    bot = service.bot(service.intake())
    port = free_port()
    runner: web.AppRunner = await start_site(service.web_app(bot), port, host="127.0.0.1")
    worker = asyncio.create_task(service.worker.run_forever())
    try:
        async with aiohttp.ClientSession() as http:
            yield Running(service, f"http://127.0.0.1:{port}/slack/events", fake, redis, http)
    finally:
        service.worker.stop()
        await asyncio.wait_for(worker, timeout=30)
        await runner.cleanup()
        await service.close()
