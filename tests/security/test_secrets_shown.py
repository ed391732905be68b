"""What of a secret a reply may show (issue 17), played through the real parser and runner.

Client secrets and passwords: a fingerprint and their length, never a character. Tokens: the
last 4 characters only when at least 32 long. And a secret that happens to be an ordinary word
must not turn the bot's own sentences into fingerprints, while it is still scrubbed wherever it
stands as a value.
"""

from __future__ import annotations

import base64
import json
import socket
from typing import Any

from handlers.commands.registry import default_registry
from handlers.core.check import CheckContext
from handlers.core.grammar import parse
from handlers.core.model import Report
from handlers.core.redact import fingerprint
from handlers.core.runner import run_invocation
from handlers.core.settings import Settings
from tests.fakes.gatekeepers import Gatekeepers

#: 12 characters: the old rule showed its last 4, a third of it.
CLIENT_SECRET = "Tr0ub4dor&3x"
#: 31 and 32 characters: on either side of the rule for tokens.
LONG_TOKEN = "opaque-token-value-0123456789-WXYZ"[-32:]
SHORT_TOKEN = LONG_TOKEN[1:]


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _run(text: str, **settings: Any) -> Report:
    ctx = CheckContext(settings=Settings(**settings), registry=default_registry())
    return await run_invocation(parse(text, default_registry()), ctx)


def _dump(report: Report) -> str:
    return json.dumps(report.to_dict(), ensure_ascii=False)


async def test_a_client_secret_shows_no_character(report_row: Any) -> None:
    basic = base64.b64encode(f"orders:{CLIENT_SECRET}".encode()).decode()
    report = await _run(f"header Basic {basic}")
    dumped = _dump(report)
    assert f"{fingerprint(CLIENT_SECRET)} (12 chars)" in dumped
    for cut in range(2, len(CLIENT_SECRET) + 1):  # not even its last characters
        assert CLIENT_SECRET[-cut:] not in dumped, cut
    report_row(
        "Security",
        "a 12-character client secret in a Basic header",
        "`header Basic <base64 of id:secret>`",
        "shown as fingerprint and length; no character of it, not even the last 4",
        "nothing shown",
    )


async def test_tokens_show_a_tail_only_from_32_characters(
    gatekeepers: Gatekeepers, report_row: Any
) -> None:
    shown: dict[int, str] = {}
    for token in (SHORT_TOKEN, LONG_TOKEN):
        report = await _run(
            f"probe {gatekeepers.url('/envoy/expired')} --token {token}",
            url_allowlist=["127.0.0.1"],
        )
        dumped = _dump(report)
        assert token not in dumped
        assert f"{fingerprint(token)} ({len(token)} chars" in dumped
        shown[len(token)] = dumped
    assert SHORT_TOKEN[-4:] not in shown[31]
    assert f"ends …{LONG_TOKEN[-4:]}" in shown[32]
    report_row(
        "Security",
        "a token in a reply",
        "31- and 32-character tokens through `probe`",
        "fingerprint and length; the last 4 characters only for the 32-character one",
        "nothing more shown",
    )


async def test_an_ordinary_word_secret_does_not_rewrite_the_prose(report_row: Any) -> None:
    """The client secret is `client`: the reply still speaks of "the client", in words."""
    port = _closed_port()
    report = await _run(
        f"token http://127.0.0.1:{port}/token --client-id orders --client-secret client",
        url_allowlist=["127.0.0.1"],
    )
    dumped = _dump(report)
    assert "Nothing is known about the client." in dumped
    assert fingerprint("client") not in dumped
    # ... while the same word as a value is still scrubbed (the Redactor's safety net).
    ctx = CheckContext(settings=Settings())
    ctx.redactor.add("client")
    assert ctx.redactor.text("client_secret=client") == (f"client_secret=[{fingerprint('client')}]")
    report_row(
        "Security",
        "a client secret that is an ordinary word (`client`)",
        "`token … --client-secret client` against a closed port",
        "the prose keeps the word; a value `client_secret=client` is still fingerprinted",
        "nothing shown as a value",
    )
