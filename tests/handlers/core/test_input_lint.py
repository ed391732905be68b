"""Input as pasted (issue 17): the raw text is linted before the grammar cleans it up.

What chat and copy-paste do to text is forgiven by the parser but not by the server the responder
is debugging, so each of these is a finding of its own, carried into the report by the runner.
"""

from __future__ import annotations

import json

import pytest

from handlers.commands.registry import default_registry
from handlers.core.check import CheckContext
from handlers.core.grammar import parse
from handlers.core.input_lint import lint
from handlers.core.model import Finding, Report, Severity
from handlers.core.runner import run_invocation
from handlers.core.settings import Settings
from tests.fakes.jwts import make_jwt

TOKEN = make_jwt({"sub": "alice", "exp": 4_102_444_800})


def titles(findings: list[Finding]) -> list[str]:
    return [f.title for f in findings]


async def run(text: str) -> Report:
    inv = parse(text, default_registry())
    return await run_invocation(inv, CheckContext(settings=Settings()))


def test_clean_text_has_no_findings() -> None:
    assert lint(f"header Authorization: Bearer {TOKEN}") == []


def test_slack_typography_stays_understood_and_is_no_finding() -> None:
    text = "probe https://api.example/x \u2014token \u201cBearer abc\u201d"
    assert lint(text) == []
    inv = parse(text, default_registry())
    assert inv.args["token"] == "Bearer abc"
    assert inv.notes == ()


@pytest.mark.parametrize("space", ["\u00a0", "\u202f"])
def test_a_no_break_space_is_a_finding_and_still_read_as_a_space(space: str) -> None:
    inv = parse(f"header Bearer{space}{TOKEN}", default_registry())
    [note] = inv.notes
    assert note.status is Severity.WARN
    assert note.check == "input"
    assert note.title == "The text contains 1 no-break space"
    assert note.evidence["positions"] == [13]
    assert inv.args["value"] == f"Bearer {TOKEN}"


def test_zero_width_characters_are_a_finding_and_removed() -> None:
    broken = TOKEN[:10] + "\u200d" + TOKEN[10:20] + "\ufeff" + TOKEN[20:]
    inv = parse(f"decode {broken}", default_registry())
    [note] = inv.notes
    assert note.title == "The text contains 2 invisible zero-width characters"
    assert "ZERO WIDTH JOINER" in note.detail
    assert inv.args["token"] == TOKEN


def test_a_trailing_carriage_return_is_a_finding_but_crlf_framing_is_not() -> None:
    assert titles(lint(f"header Bearer {TOKEN}\r")) == ["The text ends with a carriage return (CR)"]
    assert titles(lint(f"header Bearer {TOKEN}\r\n")) == [
        "The text ends with a carriage return (CR)"
    ]
    dump = "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Bearer\r\n"
    assert lint(dump) == []


def test_two_authorization_lines_are_a_finding() -> None:
    differ = "Authorization: Bearer aaa\nauthorization: Bearer bbb"
    [note] = lint(differ)
    assert note.status is Severity.WARN
    assert note.title == "The text has 2 `Authorization` lines with different values"
    same = "curl -H 'Authorization: Bearer aaa' https://x\n> Authorization: Bearer aaa"
    [note] = lint(same)
    assert note.status is Severity.INFO
    assert "aaa" not in json.dumps(note.to_dict())


async def test_the_runner_puts_input_findings_in_the_report_without_the_token() -> None:
    report = await run(f"header Bearer\u00a0{TOKEN}")
    assert report.findings[0].check == "input"
    assert any(f.check == "header" for f in report.findings)
    assert TOKEN not in json.dumps(report.to_dict())
    assert report.status.is_problem


async def test_bearer_with_nothing_after_it_is_a_missing_token_not_a_missing_scheme() -> None:
    for text in ("header Authorization: Bearer", "header Bearer", "header Authorization: Bearer  "):
        report = await run(text)
        [finding] = report.findings
        assert finding.status is Severity.FAIL
        assert finding.title == "Missing token: `Bearer` with nothing after it", text
        assert "scheme" not in finding.title.lower()


async def test_a_token_in_quotes_is_flagged_by_decode_as_by_header() -> None:
    decode = await run(f'decode Bearer "{TOKEN}"')
    header = await run(f'header Bearer "{TOKEN}"')
    assert "Quotes around the credentials" in titles(decode.findings)
    assert "Quotes around the credentials" in titles(header.findings)
    quoted = next(f for f in decode.findings if f.title == "Quotes around the credentials")
    assert quoted.status is Severity.FAIL
    # One pair around the whole input is shell quoting, for both commands.
    assert "Quotes around the credentials" not in titles((await run(f'decode "{TOKEN}"')).findings)
