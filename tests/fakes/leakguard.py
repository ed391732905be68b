"""Suite-wide leak scan: no test secret may show up where people or operators can read it.

Registered as a pytest plugin in `tests/conftest.py`. For every test, an autouse fixture captures
every log record (root and the `authcheck` loggers, exception text included) and, when the test
is over and its fixtures have stopped the bot and worker, scans:

- what the test produced on the Slack side: `FakeSlack.dump()` of every FakeSlack among the
  test's fixture values (directly, or one attribute deep such as `Running.fake`);
- every key and value in each `RedisServer` among them (`all_bytes()`): job payloads must be
  encrypted, dedupe and replay keys hashed;
- the captured log lines;
- the exception a failing test raised (its text must not carry a secret either).

Secrets come from three places: `FIXED` (values the fakes use), `register()` (a test adds its
own), and module constants of the test module whose names say they are secret (`TOKEN`,
`SECRET`, `PASSWORD`, `JOB_KEY`, …) — so a new test module is covered without remembering to.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator
from typing import Any

import pytest

from handlers.core.redact import fingerprint

#: Values the fakes hand out; none may ever be shown.
FIXED: frozenset[str] = frozenset(
    {
        "good-token-for-envoy-0123456789abcdef",  # tests/fakes/gatekeepers.GOOD_TOKEN
        "authcheck-test-signing-key-0123456789abcdef",  # tests/fakes/jwts.KEY
        "fake-sa-token-for-tests",  # tests/fakes/kube service-account token
    }
)

#: Module constants with these words in their name are treated as secrets.
_SECRET_NAME = re.compile(r"(TOKEN|SECRET|PASSWORD|JOB_KEY|SIGNING_KEY|API_KEY)", re.IGNORECASE)
_NOT_SECRET = re.compile(r"(DEFAULT_TOKEN|_URL|_ID|_HINT|_TYPE|_KIND|NAME)$", re.IGNORECASE)
_MIN_LENGTH = 12

_registered: set[str] = set()


def register(*values: str | None) -> None:
    """Adds values the current test must never see leak (cleared after each test)."""
    for value in values:
        if value and len(value) >= 6:
            _registered.add(value)


def secrets_of_module(module: Any) -> set[str]:
    found: set[str] = set()
    for name, value in vars(module).items():
        if not name.isupper() or not isinstance(value, str) or len(value) < _MIN_LENGTH:
            continue
        if _SECRET_NAME.search(name) and not _NOT_SECRET.search(name):
            found.add(value)
    return found


def find_leaks(secrets: Iterable[str], where: str, text: str | bytes) -> list[str]:
    """`where` for each secret found in `text`, named by fingerprint (never the value)."""
    blob = text.decode("utf-8", errors="replace") if isinstance(text, bytes) else text
    return [f"{fingerprint(s)} in {where}" for s in sorted(secrets) if s in blob]


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = record.getMessage()
        except Exception:
            text = str(record.msg)
        if record.exc_info and record.exc_info[1] is not None:
            text += " " + repr(record.exc_info[1])
        self.lines.append(f"{record.name}: {text}")


def _candidates(values: Iterable[Any]) -> Iterator[Any]:
    for value in values:
        yield value
        fields = getattr(value, "__dict__", None)
        if isinstance(fields, dict):
            yield from fields.values()


def _sources(funcargs: dict[str, Any]) -> list[tuple[str, str | bytes]]:
    from tests.fakes.redis_server import RedisServer
    from tests.fakes.slack_api import FakeSlack

    out: list[tuple[str, str | bytes]] = []
    seen: set[int] = set()
    for value in _candidates(funcargs.values()):
        if id(value) in seen:
            continue
        seen.add(id(value))
        if isinstance(value, FakeSlack):
            out.append(("a recorded Slack call (FakeSlack.dump())", value.dump()))
        elif isinstance(value, RedisServer) and value.process.poll() is None:
            try:
                out.append(("a Redis key or value", value.all_bytes()))
            except Exception:  # a test that stopped Redis on purpose
                continue
    return out


def current_secrets(item: pytest.Item) -> set[str]:
    module = getattr(item, "module", None)
    found = set(FIXED) | set(_registered)
    if module is not None:
        found |= secrets_of_module(module)
    return found


@pytest.fixture(autouse=True)
def leak_guard(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fails the test (at teardown) if a test secret leaked into Slack, Redis or the logs."""
    _registered.clear()
    capture = _Capture()
    root = logging.getLogger()
    ours = logging.getLogger("authcheck")
    old_level = ours.level
    if ours.level == logging.NOTSET or ours.level > logging.INFO:
        ours.setLevel(logging.INFO)
    root.addHandler(capture)
    try:
        yield
    finally:
        root.removeHandler(capture)
        ours.setLevel(old_level)
    if getattr(request.node, "leak_guard_skip", False):
        return
    secrets = current_secrets(request.node)
    leaks: list[str] = []
    for where, text in _sources(request.node.funcargs):
        leaks += find_leaks(secrets, where, text)
    leaks += find_leaks(secrets, "a log line", "\n".join(capture.lines))
    _registered.clear()
    if leaks:
        pytest.fail("test secret leaked: " + "; ".join(sorted(set(leaks))), pytrace=False)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """An exception whose text carries a test secret is itself a leak."""
    try:
        return (yield)
    except BaseException as exc:
        text = f"{type(exc).__name__}: {exc}"
        leaks = find_leaks(current_secrets(item), "the exception text", text)
        if leaks and not isinstance(exc, KeyboardInterrupt):
            raise AssertionError(
                "test secret leaked: " + "; ".join(leaks) + f" ({type(exc).__name__})"
            ) from None
        raise
