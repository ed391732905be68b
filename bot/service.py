"""Wires settings into running processes: `authcheck serve` and `authcheck worker`."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
from collections.abc import Callable
from typing import Any

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from bot import startup
from bot.audit import configure_logging
from bot.health import health_routes
from bot.jobs.crypto import JobCipher, JobKeyError
from bot.jobs.queue import InProcessQueue, JobQueue
from bot.jobs.redis_queue import RedisQueue
from bot.jobs.replies import MemoryReplyIndex, RedisReplyIndex, ReplyIndex
from bot.jobs.worker import Worker
from bot.settings import BotSettings
from bot.slack.access import AccessPolicy, RateLimiter
from bot.slack.app import SlackBot
from bot.slack.exposure import flag_exposed_token
from bot.slack.intake import Intake
from bot.slack.pacing import ChannelPacer, Pacer, RedisChannelPacer
from bot.slack.parents import Parents
from bot.slack.replay import ReplayGuard
from bot.slack.sink import SlackSink
from handlers.commands.registry import default_registry
from handlers.core.check import CheckContext
from handlers.core.registry import Registry
from handlers.core.settings import Settings
from handlers.kube import kubeconfig_path
from handlers.net.client import http as http_client

log = logging.getLogger("authcheck.service")
#: Seconds a stopping bot waits for acked commands to reach the queue (Kubernetes' default
#: grace period is 30 s; enqueueing takes a few seconds at most, even with Redis restarting).
DRAIN_SECONDS = 20.0
#: Seconds /readyz waits for Redis (Kubernetes' probe gives up after 1 s by default).
READY_TIMEOUT = 0.8


class ConfigError(ValueError):
    """A setting is missing or wrong; the message names it and how to fix it."""


def slack_client(bs: BotSettings) -> AsyncWebClient:
    if bs.slack_bot_token is None:
        raise ConfigError("SLACK_BOT_TOKEN is not set (the bot token, xoxb-…)")
    return AsyncWebClient(
        token=bs.slack_bot_token.get_secret_value(),
        base_url=bs.slack_api_url,
        retry_handlers=[
            AsyncConnectionErrorRetryHandler(max_retry_count=2),
            AsyncRateLimitErrorRetryHandler(max_retry_count=5),
            AsyncServerErrorRetryHandler(max_retry_count=3),
        ],
    )


def make_queue(bs: BotSettings) -> tuple[JobQueue, ReplyIndex, RedisQueue | None]:
    if bs.redis_url is None:
        return InProcessQueue(), MemoryReplyIndex(), None
    if bs.job_key is None:
        raise ConfigError(
            "AUTHCHECK_JOB_KEY is required with REDIS_URL: job payloads hold tokens and are "
            "encrypted with it (bot and worker need the same value)"
        )
    try:
        cipher = JobCipher(bs.job_key.get_secret_value())
    except JobKeyError as exc:
        raise ConfigError(str(exc)) from None
    queue = RedisQueue.from_url(
        bs.redis_url.get_secret_value(),
        cipher,
        visibility_seconds=bs.job_visibility_seconds,
        ttl_seconds=bs.job_ttl_seconds,
    )
    return queue, RedisReplyIndex(queue.redis), queue


class Service:
    """Everything one process runs; built once, started by `serve` or `work`."""

    def __init__(
        self, settings: Settings, bs: BotSettings, registry: Registry | None = None
    ) -> None:
        self.settings = settings
        self.bs = bs
        self.registry = registry or default_registry()
        self.queue, self.replies, self.redis_queue = make_queue(bs)
        self.client = slack_client(bs)
        # One pacing budget per channel for the bot and every worker (they share Redis).
        self.pacer: Pacer = (
            RedisChannelPacer(self.redis_queue.redis, rate=bs.channel_rate)
            if self.redis_queue is not None
            else ChannelPacer(rate=bs.channel_rate)
        )
        #: The parent message: posted by the bot after enqueueing, or by the worker if the bot
        #: did not get to it (bot/parents.py); one reservation in the reply index decides.
        self.parents = Parents(self.client, self.pacer, self.replies)
        self.sink = SlackSink(self.client, self.pacer, self.replies, self.parents)
        self.worker = Worker(
            self.queue,
            self.registry,
            self.context,
            self.sink,
            concurrency=bs.worker_concurrency,
            max_attempts=bs.max_attempts,
            ttl_seconds=bs.job_ttl_seconds,
            job_timeout=bs.job_timeout_seconds,
            hooks=(flag_exposed_token,),
        )

    def context(self) -> CheckContext:
        return CheckContext(settings=self.settings)

    async def readiness(self) -> dict[str, bool]:
        """Redis answers within READY_TIMEOUT and its consumer group exists (recreated if Redis
        lost its data): what the bot needs to enqueue and a worker needs to read. A hung
        Redis makes this False quickly instead of holding the probe for the socket timeout."""
        if self.redis_queue is None:
            return {"queue": True}
        try:
            async with asyncio.timeout(READY_TIMEOUT):
                return {"redis": await self.redis_queue.ready()}
        except Exception:
            return {"redis": False}

    async def status(self) -> dict[str, str]:
        """What App Home shows: can the bot reach its queue, the cluster and Hydra?"""
        parts: dict[str, str] = {}
        ready = await self.readiness()
        if self.redis_queue is None:
            parts["Queue"] = "in-process (no REDIS_URL)"
        else:
            parts["Queue"] = "Redis reachable" if ready.get("redis") else "Redis NOT reachable"
        parts["Cluster"] = (
            "configured"
            if kubeconfig_path(self.settings.kubeconfig) or _in_cluster()
            else "not configured"
        )
        ctx = self.context()
        url = self.settings.hydra_admin_url.rstrip("/") + "/health/alive"
        try:
            async with http_client(ctx) as http:
                answer = await http.get(url)
            parts["Hydra admin"] = f"{url} answered {answer.status_code}"
        except Exception as exc:
            parts["Hydra admin"] = f"{url} not reachable ({type(exc).__name__})"
        return parts

    def bot(self, intake: Intake) -> SlackBot:
        if self.bs.slack_signing_secret is None and self.bs.slack_app_token is None:
            raise ConfigError("SLACK_SIGNING_SECRET is not set (needed in HTTP mode)")
        secret = self.bs.slack_signing_secret
        return SlackBot(
            intake, self.client, secret.get_secret_value() if secret else "", self.status
        )

    def intake(self) -> Intake:
        async def group_members(group: str) -> set[str]:
            answer = await self.client.usergroups_users_list(usergroup=group)
            return {str(u) for u in answer.get("users") or []}

        access = AccessPolicy(
            self.bs.allowed_channels,
            self.bs.allowed_users,
            self.bs.allowed_usergroups,
            group_members,
        )
        return Intake(
            self.registry,
            self.queue,
            self.client,
            access,
            RateLimiter(self.bs.user_rate_per_minute),
            self.pacer,
            self.parents,
        )

    def web_app(self, bot: SlackBot) -> web.Application:
        secret = self.bs.slack_signing_secret
        replays = ReplayGuard(
            secret.get_secret_value() if secret else "",
            self.redis_queue.redis if self.redis_queue is not None else None,
        )

        async def events(request: web.Request) -> web.StreamResponse:
            body = await request.read()
            # Signature first, before anything parses the body: Bolt parses before it checks,
            # and answers 500 with a traceback to an unsigned `{` or `payload=%7B`.
            if not replays.is_signed(body, request.headers):
                return web.json_response({"error": "invalid request"}, status=401)
            if await replays.is_replay(body, request.headers):
                log.warning("rejected a replayed Slack request")
                return web.Response(status=401, text="replayed request")
            try:
                bolt_request = await to_bolt_request(request)
                response = await bot.app.async_dispatch(bolt_request)
            except Exception as exc:  # signed but unreadable: Slack never sends it; say so once
                log.warning("unreadable signed Slack request: %s", type(exc).__name__)
                return web.json_response({"error": "malformed request"}, status=400)
            return await to_aiohttp_response(response)

        app = web.Application(client_max_size=1024 * 1024)
        app.add_routes([web.post("/slack/events", events), *health_routes(self.readiness)])
        return app

    async def close(self) -> None:
        await self.queue.close()


def _in_cluster() -> bool:
    return bool(os.environ.get("KUBERNETES_SERVICE_HOST"))


async def _health_site(
    service: Service, mode: str, skip_port: int | None = None
) -> web.AppRunner | None:
    port = startup.health_port(service.bs, mode)
    if port == 0 or port == skip_port:
        return None
    app = web.Application()
    app.add_routes(health_routes(service.readiness))
    return await startup.bind(app, port, "health", "AUTHCHECK_HEALTH_PORT")


def _on_termination(callback: Callable[[], None]) -> None:
    """SIGTERM (Kubernetes stopping the pod) and SIGINT end the process gracefully."""
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, callback)


async def _serve_socket_mode(
    service: Service,
    bot: SlackBot,
    app_token: str,
    socket_url: str | None,
    stopping: asyncio.Event,
    runners: list[web.AppRunner],
) -> None:
    """Socket Mode: Slack's events over a WebSocket this process opens; health on its own port.
    Returns once `stopping` is set and the connection is closed."""
    from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

    health = await _health_site(service, "serve")
    if health:
        runners.append(health)
    handler = AsyncSocketModeHandler(bot.app, app_token)
    if socket_url:
        handler.client.wss_uri = socket_url  # fresh from the start-up check
    log.info("authcheck serving in Socket Mode")
    # Connecting runs beside the wait: a SIGTERM while slack_sdk retries a lost
    # connection still stops the process at once.
    connecting = asyncio.create_task(handler.connect_async())  # type: ignore[no-untyped-call]
    await stopping.wait()
    await handler.close_async()  # type: ignore[no-untyped-call]
    connecting.cancel()


async def _serve_http(
    service: Service, bot: SlackBot, stopping: asyncio.Event, runners: list[web.AppRunner]
) -> None:
    """HTTP mode: Slack posts signed events to /slack/events on PORT; health on PORT too, or on
    its own port. Returns once `stopping` is set."""
    port = service.bs.port
    runners.append(await startup.bind(service.web_app(bot), port, "HTTP", "PORT"))
    health = await _health_site(service, "serve", skip_port=port)
    if health:
        runners.append(health)
    log.info("authcheck serving HTTP on port %d (/slack/events)", port)
    await stopping.wait()


async def serve(settings: Settings, bs: BotSettings, run_worker: bool = True) -> None:
    configure_logging()
    if not run_worker and bs.redis_url is None:
        raise ConfigError(
            "--no-worker needs REDIS_URL: without it commands go to this process's in-memory "
            "queue, which no `authcheck worker` can read, and would never be answered"
        )
    service = Service(settings, bs)
    bot = service.bot(service.intake())
    try:
        socket_url = await startup.preflight(service, "serve")
    except BaseException:
        await service.close()
        raise
    runners: list[web.AppRunner] = []
    tasks: list[asyncio.Task[Any]] = []
    stopping = asyncio.Event()

    def stop() -> None:
        service.worker.stop()
        stopping.set()

    _on_termination(stop)
    try:
        if run_worker:
            tasks.append(asyncio.create_task(service.worker.run_forever()))
        if bs.slack_app_token is not None:
            token = bs.slack_app_token.get_secret_value()
            await _serve_socket_mode(service, bot, token, socket_url, stopping, runners)
        else:
            await _serve_http(service, bot, stopping, runners)
        if tasks:
            await asyncio.wait(tasks, timeout=bs.job_visibility_seconds)
    finally:
        for task in tasks:
            task.cancel()
        for runner in runners:
            await runner.cleanup()
        # Commands already acked are still being enqueued (and their parents posted) in
        # listener tasks: wait for them, bounded, so a rolling restart loses none.
        left = await bot.drain(DRAIN_SECONDS)
        if left:
            log.warning("%d acked command(s) still being enqueued at exit", left)
        await service.close()


async def work(settings: Settings, bs: BotSettings) -> None:
    configure_logging()
    if bs.redis_url is None:
        raise ConfigError("REDIS_URL is not set: a standalone worker reads jobs from Redis")
    service = Service(settings, bs)
    try:
        await startup.preflight(service, "worker")
        health = await _health_site(service, "worker")
    except BaseException:
        await service.close()
        raise
    _on_termination(service.worker.stop)
    log.info("authcheck worker started (concurrency %d)", bs.worker_concurrency)
    try:
        await service.worker.run_forever()
    finally:
        if health:
            await health.cleanup()
        await service.close()
