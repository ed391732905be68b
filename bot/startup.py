"""Start-up checks of `authcheck serve` and `authcheck worker`: fail at once, in one line.

A bad bot token, a bad app token, an unreachable Redis or a taken port would otherwise show up
later as a retry loop with tracebacks (slack_sdk's Socket Mode client retries a refused app token
forever) or as a silent bot. Each check here is bounded in time and turns its failure into a
`StartupError` whose message names the setting to fix; the CLI prints it and exits non-zero.
No message here ever contains a token or a Redis password.
"""

from __future__ import annotations

import asyncio
import errno
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from aiohttp import web
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.settings import BotSettings

if TYPE_CHECKING:
    from bot.service import Service

#: Each process gets its own default health port, so the README's one-host layout
#: (`serve --no-worker` next to `worker`) does not clash; AUTHCHECK_HEALTH_PORT overrides both
#: (the Helm chart sets it; each pod has its own network namespace there).
DEFAULT_HEALTH_PORTS = {"serve": 8080, "worker": 8081}
#: How long each start-up check may take before it counts as "not reachable".
CHECK_SECONDS = 10.0


class StartupError(RuntimeError):
    """The process cannot do its job as configured; the message says what to change."""


def health_port(bs: BotSettings, mode: str) -> int:
    """AUTHCHECK_HEALTH_PORT when set (0 turns the endpoints off), else the mode's default."""
    return bs.health_port if bs.health_port is not None else DEFAULT_HEALTH_PORTS[mode]


def redis_where(url: str) -> str:
    """`host:port/db` of a Redis URL, without user or password, for messages."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or "localhost"
        port = parts.port or 6379
    except ValueError:
        return "REDIS_URL"
    if parts.scheme == "unix":
        return parts.path or "unix socket"
    return f"{host}:{port}{parts.path or ''}"


async def bind(app: web.Application, port: int, what: str, setting: str) -> web.AppRunner:
    """Starts `app` on `port` (all interfaces, as bot/health.start_site); a port already taken
    is one line naming the setting, not a traceback."""
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    try:
        await web.TCPSite(runner, "0.0.0.0", port).start()  # noqa: S104 - probes come from outside
        return runner
    except OSError as exc:
        await runner.cleanup()
        if exc.errno in (errno.EADDRINUSE, errno.EACCES):
            reason = "already in use" if exc.errno == errno.EADDRINUSE else "not permitted"
            raise StartupError(
                f"{what} port {port} is {reason} (another authcheck process on this host?); "
                f"set {setting} to a free port"
                + (" or to 0 to turn the health endpoints off" if "HEALTH" in setting else "")
            ) from None
        raise


async def check_redis(ping: Callable[[], Awaitable[bool]], url: str) -> None:
    """`ping` is RedisQueue.ping. Redis not answering within CHECK_SECONDS stops start-up:
    a bot would ack commands it cannot queue, a worker would wait for jobs that never come."""
    where = redis_where(url)
    try:
        async with asyncio.timeout(CHECK_SECONDS):
            answered = await ping()
    except Exception as exc:
        raise StartupError(
            f"Redis at {where} is not reachable ({type(exc).__name__}); start it or fix REDIS_URL"
        ) from None
    if not answered:
        raise StartupError(f"Redis at {where} did not answer PING; check REDIS_URL")


async def check_bot_token(client: AsyncWebClient, api_url: str) -> str:
    """`auth.test` with the bot token; returns the bot's user id."""
    try:
        async with asyncio.timeout(CHECK_SECONDS):
            answer = await client.auth_test()
    except SlackApiError as exc:
        error = str(exc.response.get("error", "error"))
        raise StartupError(
            f"Slack refused SLACK_BOT_TOKEN ({error} from auth.test): use the app's Bot User "
            "OAuth Token (xoxb-…) from OAuth & Permissions"
        ) from None
    except Exception as exc:
        raise _unreachable(api_url, exc) from None
    return str(answer.get("user_id", ""))


def _unreachable(api_url: str, exc: Exception) -> StartupError:
    return StartupError(
        f"the Slack Web API at {api_url} is not reachable ({type(exc).__name__}); "
        "check the network or SLACK_API_URL"
    )


async def check_app_token(client: AsyncWebClient, app_token: str, api_url: str) -> str:
    """`apps.connections.open` with the app-level token (what Socket Mode does first); returns
    the websocket URL. slack_sdk would retry a refused token forever, with a traceback each time."""
    try:
        async with asyncio.timeout(CHECK_SECONDS):
            answer = await client.apps_connections_open(app_token=app_token)
    except SlackApiError as exc:
        error = str(exc.response.get("error", "error"))
        raise StartupError(
            f"Slack refused SLACK_APP_TOKEN ({error} from apps.connections.open): use an "
            "app-level token (xapp-…) with connections:write, from Basic Information → "
            "App-Level Tokens, and turn Socket Mode on"
        ) from None
    except Exception as exc:
        raise _unreachable(api_url, exc) from None
    return str(answer.get("url", ""))


async def preflight(service: Service, mode: str) -> str | None:
    """Everything `mode` needs, checked once before it starts serving: Redis (when configured)
    answers, the bot token is accepted, and in Socket Mode the app token is too. Returns the
    websocket URL that check obtained (Socket Mode), for the first connection to use: the
    method is rate-limited (Tier 1), so it is not called twice in a row."""
    bs = service.bs
    if service.redis_queue is not None and bs.redis_url is not None:
        await check_redis(service.redis_queue.ping, bs.redis_url.get_secret_value())
    await check_bot_token(service.client, bs.slack_api_url)
    if mode == "serve" and bs.slack_app_token is not None:
        return await check_app_token(
            service.client, bs.slack_app_token.get_secret_value(), bs.slack_api_url
        )
    return None
