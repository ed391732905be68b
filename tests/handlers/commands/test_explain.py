"""`explain`: every pasted form people have at hand finds its entry, the knowledge base is
consistent, an unknown topic is a one-line usage error, and nothing typed is echoed back."""

from __future__ import annotations

import json
import re

import pytest

from handlers.commands.registry import default_registry
from handlers.core.check import CheckContext, UsageError
from handlers.core.grammar import parse
from handlers.core.model import Report, Severity
from handlers.core.runner import run_invocation
from handlers.core.settings import Settings
from handlers.meanings.catalog import EXPLANATIONS, SUGGESTED, lookup, normalise_topic

#: The chat commands of the contract (DESIGN.md); every "run next" must name one of them.
CONTRACT_COMMANDS = {
    "help",
    "decode",
    "header",
    "introspect",
    "token",
    "probe",
    "client",
    "apirule",
    "binding",
    "hydra",
    "diagnose",
    "explain",
}

TOKEN = (
    "eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.eyJzdWIiOiJhbGljZSIsImV4cCI6MX0."
    "QmFkU2lnbmF0dXJlVmFsdWVUaGF0SXNMb25nRW5vdWdo"
)


async def explain(text: str) -> Report:
    registry = default_registry()
    inv = parse(f"explain {text}", registry)
    return await run_invocation(inv, CheckContext(settings=Settings(), registry=registry))


# --- what people paste -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pasted", "key"),
    [
        ("401", "401"),
        ("HTTP/1.1 401 Unauthorized", "401"),
        ("403 Forbidden", "403"),
        ("HTTP/2 403", "403"),
        ("400", "400"),
        ("500 Internal Server Error", "500"),
        ("invalid_request", "invalid_request"),
        ('Bearer realm="api", error="invalid_token", error_description="expired"', "invalid_token"),
        ('WWW-Authenticate: Bearer error="insufficient_scope", scope="read"', "insufficient_scope"),
        (
            '{"error":"invalid_client","error_description":"Client authentication failed"}',
            "invalid_client",
        ),
        ('{"error":"unauthorized","error_description":"Bad credentials"}', "unauthorized"),
        ('{"error": "invalid_client", "error_description": "Bad credentials"}', "invalid_client"),
        ("Invalid_Grant", "invalid_grant"),
        ("unauthorized_client", "unauthorized_client"),
        ('"invalid_scope"', "invalid_scope"),
        ("unsupported_grant_type", "unsupported_grant_type"),
        ("access_denied", "access_denied"),
        ("Bad credentials", "unauthorized"),
        ("Missing credentials", "unauthorized"),
        ("Name or password mismatch", "unauthorized"),
        ("Jwt is expired", "jwt is expired"),
        ('"Jwt is expired"', "jwt is expired"),
        ("“Jwt is expired”", "jwt is expired"),
        ("JWT IS EXPIRED", "jwt is expired"),
        ("Jwt verification fails", "jwt verification fails"),
        ("Jwt issuer is not configured", "jwt issuer is not configured"),
        (
            "Jwks doesn't have key to match kid or alg from Jwt",
            "jwks doesn't have key to match kid or alg from jwt",
        ),
        (
            "Jwks doesn’t have key to match kid or alg from Jwt",
            "jwks doesn't have key to match kid or alg from jwt",
        ),
        ("Jwt not yet valid", "jwt not yet valid"),
        ("Jwt is missing", "jwt is missing"),
        ("RBAC: access denied", "rbac: access denied"),
        (
            "HTTP/1.1 403 Forbidden\ncontent-length: 19\n\nRBAC: access denied",
            "rbac: access denied",
        ),
        ('{"error":{"code":401,"status":"Unauthorized","message":"x"}}', "oathkeeper 401"),
        ('{"error":{"code":403,"status":"Forbidden","message":"x"}}', "oathkeeper 403"),
        (
            '{"error":{"code":500,"status":"Internal Server Error",'
            '"message":"Introspection returned status code 404 but expected 200"}}',
            "oathkeeper 500",
        ),
        ("Introspection returned status code 307", "oathkeeper 500"),
        ("Access credentials are invalid", "oathkeeper 401"),
        ("<Code>SignatureDoesNotMatch</Code>", "signaturedoesnotmatch"),
        ("RequestTimeTooSkewed", "requesttimetooskewed"),
        ("An error occurred (InvalidAccessKeyId) when calling", "invalidaccesskeyid"),
        ("`invalid_client`", "invalid_client"),
    ],
)
def test_pasted_text_finds_its_entry(pasted: str, key: str) -> None:
    entry = lookup(pasted)
    assert entry is not None
    assert entry.key == key


@pytest.mark.parametrize(
    "text", ["", "   ", "teapot", "418", "invalid_clientele", "xinvalid_grant"]
)
def test_unrelated_text_finds_nothing(text: str) -> None:
    assert lookup(text) is None


# --- the knowledge base ---------------------------------------------------------------------


def test_every_name_is_unique_across_entries() -> None:
    seen: dict[str, str] = {}
    for entry in EXPLANATIONS:
        for name in entry.names:
            norm = normalise_topic(name)
            assert seen.setdefault(norm, entry.key) == entry.key, f"{name!r} names two entries"


def test_every_entry_is_reachable_by_each_of_its_names() -> None:
    for entry in EXPLANATIONS:
        for name in entry.names:
            found = lookup(name)
            assert found is entry, name


def test_every_entry_is_complete_and_related_topics_exist() -> None:
    keys = {e.key for e in EXPLANATIONS}
    for entry in EXPLANATIONS:
        assert entry.key == normalise_topic(entry.key)
        for field in (entry.title, entry.meaning, entry.fix, entry.causes, entry.next_steps):
            assert field, entry.key
        assert set(entry.related) <= keys, entry.key
        assert entry.key not in entry.related


def test_every_next_step_names_a_contract_command() -> None:
    for entry in EXPLANATIONS:
        for step in entry.next_steps:
            # No surface prefix: `/authcheck …` is not runnable in a terminal (issue 17).
            assert "/authcheck" not in step, (entry.key, step)
            named = re.findall(r"^`(\w+)", step)
            assert named, (entry.key, step)
            assert set(named) <= CONTRACT_COMMANDS, (entry.key, step)


def test_suggested_topics_all_resolve() -> None:
    for topic in SUGGESTED:
        assert lookup(topic) is not None, topic


# --- through the parser and the runner ---------------------------------------------------------


async def test_unquoted_multi_word_text_works_and_is_info() -> None:
    report = await explain("Jwt is expired")
    assert report.status is Severity.INFO
    [finding] = report.findings
    assert finding.check == "explain"
    assert finding.status is Severity.INFO
    assert finding.evidence == {
        "topic": "jwt is expired",
        "http_status": 401,
        "see_also": ["jwt not yet valid", "invalid_token"],
    }
    assert "Usual causes:" in finding.detail
    assert "`decode <token>`" in finding.remedy


async def test_401_and_403_explain_the_difference() -> None:
    four01 = (await explain("401")).findings[0]
    four03 = (await explain("403")).findings[0]
    assert "about authentication, not permissions" in four01.detail
    assert "RBAC: access denied" in four03.detail
    assert "403" in four01.evidence["see_also"]


async def test_topics_lists_every_key() -> None:
    [finding] = (await explain("topics")).findings
    assert finding.evidence["topics"] == [e.key for e in EXPLANATIONS]
    assert finding.status is Severity.INFO


def test_unknown_topic_is_a_one_line_usage_error_listing_known_topics() -> None:
    with pytest.raises(UsageError) as info:
        parse("explain teapot", default_registry())
    err = info.value
    assert len(err.one_line().splitlines()) == 1
    assert "401, 403, invalid_client" in err.reason
    assert err.usage == "explain <401|403|error-code>"


def test_missing_topic_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match=re.escape("missing <401|403|error-code>")):
        parse("explain", default_registry())


def test_unknown_topic_does_not_echo_a_pasted_token() -> None:
    with pytest.raises(UsageError) as info:
        parse(f"explain Authorization: Bearer {TOKEN}", default_registry())
    assert TOKEN[:30] not in info.value.one_line()
    assert TOKEN[-20:] not in info.value.one_line()


async def test_pasted_token_next_to_a_known_topic_is_not_in_the_report() -> None:
    report = await explain(f"401 Unauthorized for Authorization: Bearer {TOKEN}")
    assert report.findings[0].evidence["topic"] == "401"
    dumped = json.dumps(report.to_dict())
    assert TOKEN not in dumped
    for part in TOKEN.split("."):
        assert part not in dumped
