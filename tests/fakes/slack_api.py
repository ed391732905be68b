"""A fake Slack Web API over real HTTP, for tests and benchmarks.

It answers `POST /api/<method>` (and GET, as slack_sdk uses for some read methods) with the
shapes slack_sdk expects, checks the bot token and Block Kit limits the way Slack does, records
every call, and can rate-limit per channel (HTTP 429 + `Retry-After`) or inject failures. The bot
is pointed at it with `SLACK_API_URL=<fake.url>`; nothing of ours is patched.

Use it as the `fake_slack` pytest fixture (register with
`pytest_plugins = ["tests.fakes.slack_api"]`) or standalone:
`python -m tests.fakes.slack_api --port 8099 [--rate-limit]`; then `GET /_fake/stats` and
`GET /_fake/calls` show what was received and `POST /_fake/reset` forgets it.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import socket
import struct
import time
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import pytest
import pytest_asyncio
from aiohttp import web

DEFAULT_TOKEN = "xoxb-fake-bot-token"
#: `fail_next(..., status=RESET)`: the connection is reset instead of answered.
RESET = 0
#: App-level token (Socket Mode): only `apps.connections.open` takes it, as on Slack.
DEFAULT_APP_TOKEN = "xapp-1-fake-app-token"
BOT_USER_ID = "U0AUTHBOT"
TEAM_ID = "T0FAKE"

MAX_BLOCKS = 50
MAX_MODAL_BLOCKS = 100
MAX_SECTION_TEXT = 3000
MAX_HEADER_TEXT = 150
MAX_CONTEXT_ELEMENTS = 10
MAX_TEXT_OBJECT = 3000
MAX_MESSAGE_TEXT = 40_000

#: Methods whose messages count against Slack's ~1 message per second per channel.
PACED_METHODS = frozenset({"chat.postMessage", "chat.update"})
#: Methods that take `blocks` (message) or `view` (surface) and are validated.
BLOCK_TYPES = frozenset(
    {"section", "header", "context", "divider", "actions", "input", "image", "rich_text"}
)


@dataclass
class Call:
    """One request as received: the method, its merged parameters, and what we answered."""

    method: str
    payload: dict[str, Any]
    time: float
    http_status: int = 200
    response: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.http_status == 200 and bool(self.response.get("ok"))


def _text_error(obj: Any, limit: int, allowed: tuple[str, ...] = ("mrkdwn", "plain_text")) -> str:
    if not isinstance(obj, dict) or obj.get("type") not in allowed:
        return "bad text object"
    text = obj.get("text")
    if not isinstance(text, str) or not text:
        return "empty text"
    if len(text) > limit:
        return f"text longer than {limit}"
    return ""


def block_errors(blocks: Any, max_blocks: int = MAX_BLOCKS) -> list[str]:
    """What Slack would reject in `blocks` (empty list = valid). Shared with renderer tests."""
    if not isinstance(blocks, list):
        return ["blocks is not a list"]
    errors: list[str] = []
    if len(blocks) > max_blocks:
        errors.append(f"{len(blocks)} blocks, more than {max_blocks}")
    for i, block in enumerate(blocks):
        if not isinstance(block, dict) or block.get("type") not in BLOCK_TYPES:
            errors.append(f"block {i}: unknown type")
            continue
        kind = block["type"]
        bid = block.get("block_id")
        if bid is not None and (not isinstance(bid, str) or len(bid) > 255):
            errors.append(f"block {i}: bad block_id")
        problem = ""
        if kind == "section":
            if "text" in block:
                problem = _text_error(block["text"], MAX_SECTION_TEXT)
            elif not block.get("fields"):
                problem = "section needs text or fields"
            fields = block.get("fields") or []
            if len(fields) > 10 or any(_text_error(f, 2000) for f in fields):
                problem = problem or "bad fields"
        elif kind == "header":
            problem = _text_error(block.get("text"), MAX_HEADER_TEXT, ("plain_text",))
        elif kind == "context":
            elements = block.get("elements")
            if not isinstance(elements, list) or not 1 <= len(elements) <= MAX_CONTEXT_ELEMENTS:
                problem = "context needs 1 to 10 elements"
            else:
                problem = next(
                    (e for e in (_text_error(x, MAX_TEXT_OBJECT) for x in elements) if e), ""
                )
        if problem:
            errors.append(f"block {i} ({kind}): {problem}")
    return errors


def _decode_json_field(value: Any) -> Any:
    """Form-encoded calls carry `blocks`/`view` as JSON strings; JSON calls as structures."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


class FakeSlack:
    """The fake server; start with `await fake.start()` or `async with FakeSlack() as fake`."""

    def __init__(
        self,
        *,
        tokens: Iterable[str] = (DEFAULT_TOKEN,),
        rate_limit: bool = False,
        per_second: float = 1.0,
        burst: int = 3,
        clock: Callable[[], float] = time.monotonic,
        users: dict[str, dict[str, Any]] | None = None,
        channels: dict[str, dict[str, Any]] | None = None,
        usergroups: dict[str, list[str]] | None = None,
        app_tokens: Iterable[str] = (DEFAULT_APP_TOKEN,),
        socket_url: str = "",
    ) -> None:
        self.tokens = set(tokens)
        self.app_tokens = set(app_tokens)
        #: What `apps.connections.open` hands out: a websocket the test runs
        #: (tests/fakes/socket_mode.py); empty = Socket Mode not enabled for the app.
        self.socket_url = socket_url
        self.rate_limit = rate_limit
        self.per_second = per_second
        self.burst = burst
        self.clock = clock
        self.users = users if users is not None else {}
        self.channels = channels if channels is not None else {}
        self.usergroups = usergroups if usergroups is not None else {}
        self.calls: list[Call] = []
        self.messages: dict[tuple[str, str], dict[str, Any]] = {}
        self.rate_limited = 0
        self._faults: dict[str, list[tuple[int, int]]] = defaultdict(list)
        self._buckets: dict[str, tuple[float, float]] = {}
        self._ts = itertools.count(1)
        self._ts_base = int(time.time())
        self._changed = asyncio.Event()
        self._holds: dict[str, asyncio.Event] = {}
        self._hold_left: dict[str, int] = {}
        self.held: list[Call] = []
        self._runner: web.AppRunner | None = None
        self.port = 0
        self.host = "127.0.0.1"

    # --- lifecycle --------------------------------------------------------------------------

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._handle)
        app.router.add_get("/_fake/stats", self._stats)
        app.router.add_get("/_fake/calls", self._calls)
        app.router.add_post("/_fake/reset", self._reset)
        return app

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> FakeSlack:
        self._runner = web.AppRunner(self.app(), access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        self.host = host
        self.port = int(self._runner.addresses[0][1])
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeSlack:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def url(self) -> str:
        """For `SLACK_API_URL` / `AsyncWebClient(base_url=...)` (slack_sdk wants the slash)."""
        return f"http://{self.host}:{self.port}/api/"

    # --- test helpers -----------------------------------------------------------------------

    def fail_next(
        self, method: str, count: int = 1, status: int = 500, retry_after: int = 1
    ) -> None:
        """The next `count` calls of `method` answer `status` (500 or 429) instead of working;
        `status=RESET` drops the connection instead (TCP RST, no HTTP answer at all)."""
        self._faults[method].extend([(status, retry_after)] * count)

    def delete(self, channel: str, ts: str) -> None:
        """A person deleting a message (the bot's reply, say): later edits get message_not_found."""
        self.messages.pop((channel, ts), None)

    def hold(self, method: str, count: int = 1) -> asyncio.Event:
        """The next `count` calls of `method` wait (recorded in `held`) until the returned event
        is set — to freeze a client mid-request, e.g. a worker about to be killed."""
        gate = asyncio.Event()
        self._holds[method] = gate
        self._hold_left[method] = count
        return gate

    def release(self, method: str) -> None:
        gate = self._holds.pop(method, None)
        if gate is not None:
            gate.set()

    def calls_of(self, method: str, *, ok_only: bool = True) -> list[Call]:
        return [c for c in self.calls if c.method == method and (c.ok or not ok_only)]

    def posted(self, channel: str | None = None) -> list[dict[str, Any]]:
        """Messages as they stand now (after updates), in the order they were first posted."""
        return [m for (ch, _), m in self.messages.items() if channel is None or ch == channel]

    def thread(self, channel: str, thread_ts: str) -> list[dict[str, Any]]:
        return [m for m in self.posted(channel) if m.get("thread_ts") == thread_ts]

    def dump(self) -> str:
        """Everything received, as one string: what leak tests scan for secrets."""
        return json.dumps([[c.method, c.payload] for c in self.calls], ensure_ascii=False)

    async def wait_for(
        self,
        condition: Callable[[list[Call]], Any],
        timeout: float = 5.0,  # noqa: ASYNC109 - the bound is the point of this helper
    ) -> list[Call]:
        """Waits until `condition(calls)` is truthy; raises TimeoutError saying what was seen."""

        async def until() -> None:
            while not condition(self.calls):
                self._changed.clear()
                await self._changed.wait()

        try:
            async with asyncio.timeout(timeout):
                await until()
        except TimeoutError:
            seen = Counter(f"{c.method}:{c.http_status}" for c in self.calls)
            msg = f"condition not met within {timeout} s; calls seen: {dict(seen)}"
            raise TimeoutError(msg) from None
        return self.calls

    def reset(self) -> None:
        self.calls.clear()
        self.messages.clear()
        self.rate_limited = 0
        self._faults.clear()
        self._buckets.clear()

    # --- request handling -------------------------------------------------------------------

    async def _params(self, request: web.Request) -> tuple[dict[str, Any], str | None]:
        params: dict[str, Any] = dict(request.query)
        ctype = request.content_type
        if request.can_read_body:
            if ctype == "application/json":
                try:
                    body = await request.json()
                except ValueError:
                    body = None
                if isinstance(body, dict):
                    params.update(body)
            else:
                form = await request.post()
                params.update({k: v for k, v in form.items() if isinstance(v, str)})
        for key in ("blocks", "view", "attachments"):
            if key in params:
                params[key] = _decode_json_field(params[key])
        token: str | None = None
        auth = request.headers.get("Authorization", "")
        if auth.startswith("Bearer "):
            token = auth.removeprefix("Bearer ").strip()
        token = token or params.pop("token", None)
        params.pop("token", None)
        return params, token

    def _allow(self, channel: str) -> bool:
        """Token bucket per channel: `burst` messages at once, then `per_second`."""
        now = self.clock()
        tokens, last = self._buckets.get(channel, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - last) * self.per_second)
        if tokens < 1.0:
            self._buckets[channel] = (tokens, now)
            return False
        self._buckets[channel] = (tokens - 1.0, now)
        return True

    def _next_ts(self) -> str:
        return f"{self._ts_base}.{next(self._ts):06d}"

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params, token = await self._params(request)
        call = Call(method=method, payload=params, time=self.clock())
        gate = self._holds.get(method)
        if gate is not None and self._hold_left.get(method, 0) > 0:
            self._hold_left[method] -= 1
            self.held.append(call)
            self._changed.set()
            await gate.wait()
        faults = self._faults.get(method)
        if faults and faults[0][0] == RESET:
            faults.pop(0)
            call.http_status = RESET
            self.calls.append(call)
            self._changed.set()
            if request.transport is not None:
                sock = request.transport.get_extra_info("socket")
                if sock is not None:  # linger 0: the close is a reset, as a dropped link
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                request.transport.abort()
            return web.Response(status=500)  # never reaches the client
        try:
            return self._answer(call, token)
        finally:
            self.calls.append(call)
            self._changed.set()

    def _respond(
        self, call: Call, body: dict[str, Any], status: int = 200, retry_after: int | None = None
    ) -> web.Response:
        call.http_status = status
        call.response = body
        headers = {"Retry-After": str(retry_after)} if retry_after is not None else None
        return web.json_response(body, status=status, headers=headers)

    def _answer(self, call: Call, token: str | None) -> web.Response:
        method, p = call.method, call.payload
        faults = self._faults.get(method)
        if faults:
            status, retry_after = faults.pop(0)
            if status == 429:
                self.rate_limited += 1
                return self._respond(call, {"ok": False, "error": "ratelimited"}, 429, retry_after)
            return self._respond(call, {"ok": False, "error": "fatal_error"}, status)
        if not token:
            return self._respond(call, {"ok": False, "error": "not_authed"})
        if method == "apps.connections.open":
            return self._respond(call, self._connections_open(token))
        if token not in self.tokens:
            return self._respond(call, {"ok": False, "error": "invalid_auth"})
        handler = _HANDLERS.get(method)
        if handler is None:
            return self._respond(call, {"ok": False, "error": "unknown_method"})
        if self.rate_limit and method in PACED_METHODS and not self._allow(str(p.get("channel"))):
            self.rate_limited += 1
            return self._respond(call, {"ok": False, "error": "ratelimited"}, 429, 1)
        return self._respond(call, handler(self, p))

    # --- methods ----------------------------------------------------------------------------

    def _auth_test(self, p: dict[str, Any]) -> dict[str, Any]:
        return {
            "ok": True,
            "url": "https://fake.slack.test/",
            "team": "Fake",
            "user": "authcheck",
            "team_id": TEAM_ID,
            "user_id": BOT_USER_ID,
            "bot_id": "B0AUTHBOT",
            "is_enterprise_install": False,
        }

    def _connections_open(self, token: str) -> dict[str, Any]:
        """Slack's answers: a bot token is the wrong type, an unknown app token invalid_auth."""
        if token in self.tokens:
            return {"ok": False, "error": "not_allowed_token_type"}
        if token not in self.app_tokens:
            return {"ok": False, "error": "invalid_auth"}
        if not self.socket_url:
            return {"ok": False, "error": "socket_mode_not_enabled"}
        return {"ok": True, "url": self.socket_url}

    def _message_error(self, p: dict[str, Any]) -> str | None:
        if not p.get("channel"):
            return "channel_not_found"
        blocks = p.get("blocks")
        text = p.get("text")
        if not blocks and not text:
            return "no_text"
        if isinstance(text, str) and len(text) > MAX_MESSAGE_TEXT:
            return "msg_too_long"
        if blocks is not None and block_errors(blocks):
            return "invalid_blocks"
        return None

    def _message(self, p: dict[str, Any], ts: str) -> dict[str, Any]:
        message: dict[str, Any] = {
            "type": "message",
            "user": BOT_USER_ID,
            "bot_id": "B0AUTHBOT",
            "ts": ts,
            "text": p.get("text", ""),
        }
        if p.get("blocks") is not None:
            message["blocks"] = p["blocks"]
        if p.get("thread_ts"):
            message["thread_ts"] = str(p["thread_ts"])
        return message

    def _post_message(self, p: dict[str, Any]) -> dict[str, Any]:
        error = self._message_error(p)
        if error:
            return {"ok": False, "error": error}
        ts = self._next_ts()
        message = self._message(p, ts)
        channel = str(p["channel"])
        self.messages[(channel, ts)] = message
        return {"ok": True, "channel": channel, "ts": ts, "message": message}

    def _update(self, p: dict[str, Any]) -> dict[str, Any]:
        error = self._message_error(p)
        if error:
            return {"ok": False, "error": error}
        key = (str(p["channel"]), str(p.get("ts", "")))
        old = self.messages.get(key)
        if old is None:
            return {"ok": False, "error": "message_not_found"}
        message = {**self._message(p, key[1]), "edited": {"user": BOT_USER_ID}}
        if "thread_ts" in old:
            message["thread_ts"] = old["thread_ts"]
        self.messages[key] = message
        return {"ok": True, "channel": key[0], "ts": key[1], "text": message["text"]}

    def _post_ephemeral(self, p: dict[str, Any]) -> dict[str, Any]:
        if not p.get("user"):
            return {"ok": False, "error": "user_not_found"}
        error = self._message_error(p)
        if error:
            return {"ok": False, "error": error}
        return {"ok": True, "message_ts": self._next_ts()}

    def _view_error(self, view: Any, home: bool = False) -> str | None:
        if not isinstance(view, dict) or view.get("type") != ("home" if home else "modal"):
            return "invalid_arguments"
        limit = MAX_MODAL_BLOCKS
        if block_errors(view.get("blocks", []), limit):
            return "invalid_arguments"
        if not home and _text_error(view.get("title"), 24, ("plain_text",)):
            return "invalid_arguments"
        return None

    def _view(self, view: dict[str, Any]) -> dict[str, Any]:
        return {"id": f"V{next(self._ts):08d}", "team_id": TEAM_ID, **view}

    def _views_open(self, p: dict[str, Any]) -> dict[str, Any]:
        if not p.get("trigger_id"):
            return {"ok": False, "error": "invalid_trigger_id"}
        error = self._view_error(p.get("view"))
        return (
            {"ok": False, "error": error} if error else {"ok": True, "view": self._view(p["view"])}
        )

    def _views_publish(self, p: dict[str, Any]) -> dict[str, Any]:
        if not p.get("user_id"):
            return {"ok": False, "error": "invalid_arguments"}
        error = self._view_error(p.get("view"), home=True)
        return (
            {"ok": False, "error": error} if error else {"ok": True, "view": self._view(p["view"])}
        )

    def _users_info(self, p: dict[str, Any]) -> dict[str, Any]:
        uid = str(p.get("user", ""))
        if uid in self.users:
            return {"ok": True, "user": {"id": uid, **self.users[uid]}}
        if uid.startswith(("U", "W")):
            user = {"id": uid, "name": uid.lower(), "is_bot": False, "deleted": False}
            return {"ok": True, "user": {**user, "team_id": TEAM_ID}}
        return {"ok": False, "error": "user_not_found"}

    def _conversations_info(self, p: dict[str, Any]) -> dict[str, Any]:
        cid = str(p.get("channel", ""))
        if cid in self.channels:
            return {"ok": True, "channel": {"id": cid, **self.channels[cid]}}
        if cid.startswith(("C", "G", "D")):
            chan = {"id": cid, "name": cid.lower(), "is_private": cid.startswith("G")}
            return {"ok": True, "channel": chan}
        return {"ok": False, "error": "channel_not_found"}

    def _usergroups_users(self, p: dict[str, Any]) -> dict[str, Any]:
        gid = str(p.get("usergroup", ""))
        if gid not in self.usergroups:
            return {"ok": False, "error": "no_such_subteam"}
        return {"ok": True, "users": list(self.usergroups[gid])}

    # --- standalone inspection --------------------------------------------------------------

    def stats(self) -> dict[str, Any]:
        by_method = Counter(c.method for c in self.calls)
        return {
            "calls": len(self.calls),
            "by_method": dict(by_method),
            "rate_limited": self.rate_limited,
            "errors": sum(1 for c in self.calls if not c.ok),
            "messages": len(self.messages),
        }

    async def _stats(self, request: web.Request) -> web.Response:
        return web.json_response(self.stats())

    async def _calls(self, request: web.Request) -> web.Response:
        body = [
            {"method": c.method, "payload": c.payload, "time": c.time, "status": c.http_status}
            for c in self.calls
        ]
        return web.json_response(body)

    async def _reset(self, request: web.Request) -> web.Response:
        self.reset()
        return web.json_response({"ok": True})


_HANDLERS: dict[str, Callable[[FakeSlack, dict[str, Any]], dict[str, Any]]] = {
    "auth.test": FakeSlack._auth_test,
    "chat.postMessage": FakeSlack._post_message,
    "chat.update": FakeSlack._update,
    "chat.postEphemeral": FakeSlack._post_ephemeral,
    "views.open": FakeSlack._views_open,
    "views.publish": FakeSlack._views_publish,
    "users.info": FakeSlack._users_info,
    "conversations.info": FakeSlack._conversations_info,
    "usergroups.users.list": FakeSlack._usergroups_users,
}


@pytest_asyncio.fixture
async def fake_slack() -> AsyncIterator[FakeSlack]:
    """A running fake on a free loopback port; `.url` goes into SLACK_API_URL."""
    async with FakeSlack() as fake:
        yield fake


@pytest.fixture
def slack_bot_token() -> str:
    return DEFAULT_TOKEN


async def _serve(args: argparse.Namespace) -> None:
    fake = FakeSlack(
        tokens=args.token or [DEFAULT_TOKEN],
        rate_limit=args.rate_limit,
        per_second=args.per_second,
        burst=args.burst,
    )
    await fake.start(args.host, args.port)
    print(f"fake Slack Web API at {fake.url}", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await fake.stop()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--token", action="append", help="valid bot token (repeatable)")
    parser.add_argument("--rate-limit", action="store_true", help="answer 429 like Slack does")
    parser.add_argument("--per-second", type=float, default=1.0)
    parser.add_argument("--burst", type=int, default=3)
    args = parser.parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(args))


if __name__ == "__main__":
    main()
