"""`authcheck serve` and `authcheck worker` as real processes: what they need missing or refused
is one line on stderr and a non-zero exit (never a retry loop with tracebacks); the README's
one-host layout starts; SIGTERM and SIGINT stop every mode; start-up logs no library warnings.

Real subprocesses (`python -m bot.cli.main …`), the fake Slack Web API over HTTP, a real
redis-server.
Waits are bounded; nothing asserts on how long something took.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest

from tests.fakes.redis_server import RedisServer, free_port
from tests.fakes.slack_api import DEFAULT_APP_TOKEN, DEFAULT_TOKEN, FakeSlack
from tests.fakes.socket_mode import FakeSocketMode

JOB_KEY = "startup-test-job-key-0123456789"
SIGNING_SECRET = "startup-signing-secret-0123456789"
REDIS_PASSWORD = "redis-pass-never-printed-0123"
#: Generous bound for a process to exit on its own or after a signal.
EXIT_WAIT = 30.0


@dataclass
class Ended:
    code: int
    stdout: str
    stderr: str


def _env(fake: FakeSlack, **extra: str | None) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SLACK_", "AUTHCHECK_", "REDIS_", "KUBECONFIG", "PORT"))
    }
    env.update(
        SLACK_BOT_TOKEN=DEFAULT_TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=fake.url,
        PORT=str(free_port()),
        AUTHCHECK_HEALTH_PORT="0",
        AUTHCHECK_JOB_KEY=JOB_KEY,
        PYTHONUNBUFFERED="1",
    )
    for key, value in extra.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


async def _spawn(*args: str, env: dict[str, str]) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli.main",
        *args,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def _ended(process: asyncio.subprocess.Process) -> Ended:
    try:
        out, err = await asyncio.wait_for(process.communicate(), EXIT_WAIT)
    except TimeoutError:
        process.kill()
        out, err = await process.communicate()
        raise AssertionError(
            f"still running after {EXIT_WAIT} s; stderr: {err.decode()[-2000:]}"
        ) from None
    return Ended(process.returncode or 0, out.decode(), err.decode())


async def _run(*args: str, env: dict[str, str]) -> Ended:
    return await _ended(await _spawn(*args, env=env))


def _one_clear_line(ended: Ended, *needles: str) -> str:
    assert ended.code != 0, ended
    lines = [line for line in ended.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, f"expected one line on stderr, got: {ended.stderr!r}"
    assert "Traceback" not in ended.stderr + ended.stdout
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


def _dead_redis_url() -> str:
    return f"redis://:{REDIS_PASSWORD}@127.0.0.1:{free_port()}/0"


# --- one line and a non-zero exit -----------------------------------------------------------


@pytest.mark.parametrize("mode", ["serve", "worker"])
async def test_bad_bot_token_is_one_line_and_exit_1(
    mode: str, fake_slack: FakeSlack, redis_db: RedisServer, report_row: Any
) -> None:
    env = _env(fake_slack, SLACK_BOT_TOKEN="xoxb-revoked-token-0123", REDIS_URL=redis_db.url)
    ended = await _run(mode, env=env)
    _one_clear_line(ended, f"authcheck {mode}", "SLACK_BOT_TOKEN", "invalid_auth", "auth.test")
    assert ended.code == 1
    assert "xoxb-revoked-token-0123" not in ended.stderr + ended.stdout
    assert [c.method for c in fake_slack.calls] == ["auth.test"]
    report_row(
        "Fault",
        f"`authcheck {mode}` with a revoked bot token",
        "SLACK_BOT_TOKEN refused by auth.test (invalid_auth)",
        "one line naming SLACK_BOT_TOKEN on stderr, exit 1, no traceback, no retry loop",
        "nothing started",
    )


async def test_bad_app_token_is_one_line_not_a_retry_loop(
    fake_slack: FakeSlack, report_row: Any
) -> None:
    env = _env(fake_slack, SLACK_APP_TOKEN="xapp-1-revoked-0123", SLACK_SIGNING_SECRET=None)
    ended = await _run("serve", env=env)
    _one_clear_line(ended, "SLACK_APP_TOKEN", "invalid_auth", "apps.connections.open")
    assert ended.code == 1
    assert "xapp-1-revoked-0123" not in ended.stderr + ended.stdout
    assert len(fake_slack.calls_of("apps.connections.open", ok_only=False)) == 1
    report_row(
        "Fault",
        "Socket Mode with a revoked app token",
        "apps.connections.open answers invalid_auth",
        "one line naming SLACK_APP_TOKEN, exit 1 (slack_sdk alone retries forever with tracebacks)",
        "nothing started",
    )


async def test_http_mode_without_signing_secret_is_one_line(fake_slack: FakeSlack) -> None:
    ended = await _run("serve", env=_env(fake_slack, SLACK_SIGNING_SECRET=None))
    _one_clear_line(ended, "SLACK_SIGNING_SECRET")
    assert ended.code == 2
    assert fake_slack.calls == []


@pytest.mark.parametrize("mode", ["serve", "worker"])
async def test_unreachable_redis_is_one_line_without_the_password(
    mode: str, fake_slack: FakeSlack, report_row: Any
) -> None:
    url = _dead_redis_url()
    ended = await _run(mode, env=_env(fake_slack, REDIS_URL=url))
    line = _one_clear_line(ended, "Redis at 127.0.0.1:", "not reachable", "REDIS_URL")
    assert ended.code == 1
    assert REDIS_PASSWORD not in ended.stderr + ended.stdout
    assert url.rsplit("@", 1)[1] in line  # host:port/db, so the operator knows where it looked
    report_row(
        "Fault",
        f"`authcheck {mode}` with REDIS_URL pointing at nothing",
        "REDIS_URL set (with a password), nothing listening",
        "one line naming host:port and REDIS_URL, exit 1; the password is not printed",
        "nothing started",
    )


async def test_serve_no_worker_without_redis_refuses_to_start(fake_slack: FakeSlack) -> None:
    ended = await _run("serve", "--no-worker", env=_env(fake_slack))
    _one_clear_line(ended, "--no-worker", "REDIS_URL")
    assert ended.code == 2
    assert fake_slack.calls == []


@pytest.mark.parametrize(
    ("mode", "what", "setting"),
    [("worker", "health", "AUTHCHECK_HEALTH_PORT"), ("serve", "HTTP", "PORT")],
)
async def test_taken_port_is_one_line_naming_the_setting(
    mode: str, what: str, setting: str, fake_slack: FakeSlack, redis_db: RedisServer
) -> None:
    with socket.socket() as taken:
        taken.bind(("0.0.0.0", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = _env(fake_slack, REDIS_URL=redis_db.url, **{setting: str(port)})
        ended = await _run(mode, env=env)
    _one_clear_line(ended, f"{what} port {port} is already in use", f"set {setting} ")
    assert ended.code == 1


# --- running processes: layouts, signals, warnings --------------------------------------------


@contextlib.asynccontextmanager
async def _started(*args: str, env: dict[str, str], ready: str) -> AsyncIterator[Any]:
    """A process that logged `ready` on stdout; killed if the test leaves it running."""
    process = await _spawn(*args, env=env)
    assert process.stdout is not None
    seen: list[str] = []
    try:
        async with asyncio.timeout(EXIT_WAIT):
            while True:
                line = (await process.stdout.readline()).decode()
                if not line:
                    err = await process.stderr.read() if process.stderr else b""
                    raise AssertionError(f"exited before ready: {seen} {err.decode()[-2000:]}")
                seen.append(line)
                if ready in line:
                    break
        yield process
    finally:
        if process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()


async def _healthz(port: int) -> int:
    async with (
        aiohttp.ClientSession() as http,
        http.get(f"http://127.0.0.1:{port}/healthz") as answer,
    ):
        return answer.status


def _port_free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("0.0.0.0", port))
        except OSError:
            return False
    return True


async def test_readme_production_layout_on_one_host(
    fake_slack: FakeSlack, redis_db: RedisServer, report_row: Any
) -> None:
    """`authcheck serve --no-worker` and `authcheck worker` with AUTHCHECK_HEALTH_PORT unset, as
    the README writes them: each has its own health port; both keep running."""
    if not (_port_free(8080) and _port_free(8081)):
        pytest.skip("ports 8080/8081 are taken on this machine by something else")
    env = _env(fake_slack, REDIS_URL=redis_db.url, AUTHCHECK_HEALTH_PORT=None)
    async with (
        _started("serve", "--no-worker", env=env, ready="serving HTTP") as bot,
        _started("worker", env=env, ready="worker started") as worker,
    ):
        assert await _healthz(8080) == 200
        assert await _healthz(8081) == 200
        assert bot.returncode is None
        assert worker.returncode is None
        for process in (bot, worker):
            process.send_signal(signal.SIGTERM)
            ended = await _ended(process)
            assert ended.code == 0, ended
            assert "Traceback" not in ended.stderr
    report_row(
        "Fault",
        "README production layout on one host",
        "`serve --no-worker` and `worker` side by side, AUTHCHECK_HEALTH_PORT unset",
        "both run (health on 8080 and 8081); both stop cleanly on SIGTERM",
        "nothing lost",
    )


class _Dropping:
    """A TCP listener that resets every connection: a websocket host that is down."""

    def __init__(self, server: asyncio.Server) -> None:
        self.server = server
        self.port = int(server.sockets[0].getsockname()[1])
        self.attempted = asyncio.Event()

    @classmethod
    async def start(cls) -> _Dropping:
        holder: list[_Dropping] = []

        async def drop(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            holder[0].attempted.set()
            writer.transport.abort()

        dropping = cls(await asyncio.start_server(drop, "127.0.0.1", 0))
        holder.append(dropping)
        return dropping

    async def close(self) -> None:
        self.server.close()
        await self.server.wait_closed()


@pytest.mark.parametrize(
    ("mode", "sig"),
    [
        ("http", signal.SIGTERM),
        ("http", signal.SIGINT),
        ("socket", signal.SIGTERM),
        ("socket-unreachable", signal.SIGTERM),
        ("worker", signal.SIGTERM),
        ("worker", signal.SIGINT),
    ],
)
async def test_signals_stop_every_mode(
    mode: str,
    sig: signal.Signals,
    fake_slack: FakeSlack,
    fake_socket_mode: FakeSocketMode,
    redis_db: RedisServer,
    report_row: Any,
) -> None:
    env = _env(fake_slack, REDIS_URL=redis_db.url)
    dropping = await _Dropping.start()
    args, ready = ("serve",), "serving HTTP"
    if mode.startswith("socket"):
        # `socket`: connected to the fake websocket; `socket-unreachable`: the websocket host
        # drops every connection, so slack_sdk is in its retry loop (the case the issue saw
        # ignore SIGTERM). Either way the signal must end the process.
        fake_slack.socket_url = fake_socket_mode.url
        if mode == "socket-unreachable":
            fake_slack.socket_url = f"ws://127.0.0.1:{dropping.port}/link"
        env.update(SLACK_APP_TOKEN=DEFAULT_APP_TOKEN)
        ready = "Socket Mode"
    elif mode == "worker":
        args, ready = ("worker",), "worker started"
    async with _started(*args, env=env, ready=ready) as process:
        if mode == "socket":
            await fake_socket_mode.wait_for_connection()
        if mode == "socket-unreachable":
            async with asyncio.timeout(20):
                await dropping.attempted.wait()
        process.send_signal(sig)
        ended = await _ended(process)
    await dropping.close()
    assert ended.code == 0, ended
    report_row(
        "Fault",
        f"{sig.name} to `authcheck {'worker' if mode == 'worker' else 'serve'}` ({mode})",
        f"{sig.name} while idle" + (", Socket Mode reconnecting" if "unreach" in mode else ""),
        f"process exits 0 within the test's bound ({EXIT_WAIT:.0f} s)",
        "nothing lost",
    )


@pytest.mark.parametrize("mode", ["http", "socket", "worker"])
async def test_start_logs_no_library_warnings(
    mode: str, fake_slack: FakeSlack, fake_socket_mode: FakeSocketMode, redis_db: RedisServer
) -> None:
    env = _env(fake_slack, REDIS_URL=redis_db.url)
    args, ready = ("serve",), "serving HTTP"
    if mode == "socket":
        env.update(SLACK_APP_TOKEN=DEFAULT_APP_TOKEN)
        fake_slack.socket_url = fake_socket_mode.url
        args, ready = ("serve",), "Socket Mode"
    elif mode == "worker":
        args, ready = ("worker",), "worker started"
    async with _started(*args, env=env, ready=ready) as process:
        if mode == "socket":
            await fake_socket_mode.wait_for_connection()
        await asyncio.sleep(0.5)  # let anything logged right after start arrive
        process.send_signal(signal.SIGTERM)
        ended = await _ended(process)
    assert ended.code == 0
    assert "As you gave" not in ended.stderr
    warnings = [
        line for line in ended.stderr.splitlines() if "WARNING" in line or "warn" in line.lower()
    ]
    assert warnings == [], ended.stderr
