"""Property-based fuzzing of every parser that reads user or upstream input: none may raise
anything but the documented rejection, whatever the bytes."""

from __future__ import annotations

import contextlib
import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from handlers import paste as evidence
from handlers.commands import header
from handlers.commands.registry import default_registry
from handlers.core.check import CheckContext, UsageError
from handlers.core.grammar import parse
from handlers.core.settings import Settings
from handlers.gateways import answerer
from handlers.hydra import maester_logs
from handlers.kyma import apirule as apirules
from handlers.net import answers as responses
from handlers.net.send import Answer
from handlers.oauth import discovery
from handlers.tokens import reading as tokens

EXAMPLES = 1000
FAST = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
REGISTRY = default_registry()
WORDS = st.sampled_from(
    [*REGISTRY.names(), "--token", "--url", "--secret", "—", "“", "”", "'", '"', "\\", "=", "a/b"]
)
JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=12,
)
TEXT = st.text(max_size=300)
BYTES = st.binary(max_size=300) | TEXT.map(str.encode)


@FAST
@given(st.lists(WORDS | TEXT, max_size=8).map(" ".join))
def test_grammar_only_raises_usage_errors(text: str) -> None:
    reason = "ok"
    try:
        parse(text, REGISTRY)
    except UsageError as exc:
        reason = exc.reason
    assert reason
    assert "\n" not in reason


@FAST
@given(st.lists(st.text(max_size=60) | st.just(""), min_size=1, max_size=4).map(".".join))
def test_jwt_decoder(token: str) -> None:
    try:
        decoded = tokens.decode_unverified(token)
    except ValueError:
        return
    tokens.token_kind(decoded)


@FAST
@given(TEXT)
def test_header_linter(value: str) -> None:
    findings = header.lint(value, CheckContext(settings=Settings(kubeconfig=None)))
    assert all(f.title for f in findings)


@FAST
@given(
    st.lists(
        TEXT
        | st.sampled_from(
            ["HTTP/1.1 401", "Jwt is expired", 'error="invalid_token"', "Bearer eyJ", "https://x/y"]
        ),
        max_size=6,
    ).map("\n".join)
)
def test_shortcut_paste_parser(text: str) -> None:
    plans = evidence.plan_commands(evidence.extract(text))
    for plan in plans:
        parse(plan, REGISTRY)  # every planned command is valid input


@FAST
@given(BYTES, st.text(max_size=200) | st.none())
def test_http_response_parsers(body: bytes, www: str | None) -> None:
    responses.parse_www_authenticate(www)
    responses.json_object(body)
    responses.parse_oauth_error(body)
    responses.parse_oathkeeper_error(body)
    responses.envoy_message(body)
    headers = {"www-authenticate": www} if www else {}
    answerer.identify(Answer("http://x/", 401, headers, body, 1))


@FAST
@given(st.dictionaries(st.text(max_size=30), JSONISH, max_size=8))
def test_discovery_and_json_documents(data: dict[str, Any]) -> None:
    discovery.parse_metadata("http://x/.well-known/openid-configuration", data)
    responses.json_object(json.dumps(data))


@FAST
@given(
    JSONISH
    | st.dictionaries(
        st.sampled_from(
            ["apiVersion", "kind", "metadata", "spec", "status", "rules", "host", "gateway"]
        ),
        JSONISH,
        max_size=6,
    )
)
def test_apirule_parser(obj: Any) -> None:
    if not isinstance(obj, dict):
        obj = {"spec": obj}
    with contextlib.suppress(ValueError):
        apirules.parse(obj)


@FAST
@given(st.lists(TEXT, max_size=10))
def test_maester_log_parser(lines: list[str]) -> None:
    maester_logs.parse("\n".join(lines), namespace="apps", name="orders")
    for line in lines:
        maester_logs.classify(line)
        maester_logs.mentions(line, "apps", "orders")
        maester_logs.clients_path_in(line)
