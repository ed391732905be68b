"""Block Kit rendering: structure, Slack's limits for any report, escaping, and no leaks."""

from __future__ import annotations

import json
import re
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.slack.blocks import (
    MARKS,
    MAX_BLOCKS,
    MAX_FALLBACK_TEXT,
    MAX_HEADER_TEXT,
    MAX_SECTION_TEXT,
    render_dead_letter,
    render_denied,
    render_help,
    render_parent,
    render_report,
    render_usage_error,
)
from handlers.core.check import CheckContext
from handlers.core.model import Finding, Report, Severity
from handlers.core.redact import Redactor, fingerprint
from handlers.core.runner import scrub
from handlers.core.settings import Settings
from tests.fakes.slack_api import block_errors


def _texts(blocks: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """(block type, text) for every text object in the blocks."""
    out: list[tuple[str, str]] = []
    for b in blocks:
        if "text" in b:
            out.append((b["type"], b["text"]["text"]))
        for e in b.get("elements", []):
            out.append((b["type"], e["text"]))
    return out


def _assert_within_limits(fallback: str, blocks: list[dict[str, Any]]) -> None:
    assert block_errors(blocks) == []
    assert 1 <= len(blocks) <= MAX_BLOCKS
    assert 0 < len(fallback) <= MAX_FALLBACK_TEXT
    for kind, text in _texts(blocks):
        assert text
        limit = MAX_HEADER_TEXT if kind == "header" else MAX_SECTION_TEXT
        assert len(text) <= limit, (kind, len(text))
        assert "\x00" not in text


def _report() -> Report:
    return Report(
        command="introspect",
        duration_ms=212,
        findings=[
            Finding("decode", Severity.OK, "Token is a well-formed JWT"),
            Finding(
                "introspection",
                Severity.FAIL,
                "Token is not active",
                'Hydra answered {"active":false}.',
                "Request a new token:",
                commands=("token https://hydra.test --client-id x",),
            ),
            Finding("expiry", Severity.WARN, "Token expires in 30 s", "exp is close"),
            Finding("client", Severity.FAIL, "Client has no audience", "audience is []"),
            Finding("discovery", Severity.INFO, "Issuer found"),
        ],
    )


def test_golden_structure() -> None:
    fallback, blocks = render_report(_report())
    _assert_within_limits(fallback, blocks)
    assert blocks[0] == {
        "type": "header",
        "text": {
            "type": "plain_text",
            "text": ":x: introspect: FAIL — Token is not active (+2 more)",
            "emoji": True,
        },
    }
    assert blocks[1]["type"] == "context"
    summary = blocks[1]["elements"][0]["text"]
    assert summary.startswith("`introspect` · 5 findings · 212 ms")
    assert ":x: 2" in summary
    assert ":warning: 1" in summary
    # Worst first, stable within a rank (introspection before client, both fail).
    sections = [b["text"]["text"] for b in blocks[2:]]
    assert [s.split("*")[1] for s in sections] == [
        "Token is not active",
        "Client has no audience",
        "Token expires in 30 s",
        "Issuer found",
        "Token is a well-formed JWT",
    ]
    assert sections[0].startswith(MARKS[Severity.FAIL] + " *Token is not active*\n")
    # The finding's command is a copyable code block runnable in Slack; prose stays prose.
    assert sections[0].endswith(
        "*Fix:* Request a new token:\n```/authcheck token https://hydra.test --client-id x```"
    )
    assert fallback.startswith(":x: introspect: FAIL — Token is not active (+2 more)")


def test_every_severity_has_its_own_mark() -> None:
    findings = [Finding("c", s, f"title {s.value}") for s in Severity]
    _, blocks = render_report(Report("x", findings))
    marks = [b["text"]["text"].split(" ", 1)[0] for b in blocks[2:]]
    # The model's display order: fail, error, warn, info, ok, then what did not apply.
    assert marks == [
        ":x:",
        ":exclamation:",
        ":warning:",
        ":information_source:",
        ":white_check_mark:",
        ":fast_forward:",
    ]
    assert len(set(MARKS.values())) == len(Severity)


def test_pending_shows_progress_and_title() -> None:
    report = Report("probe", [Finding("c", Severity.WARN, "Slow")])
    fallback, blocks = render_report(report, pending=3, title="probe https://api.test")
    head = blocks[0]["text"]["text"]
    assert "probe https://api.test: running… 3 checks left" in head
    assert "so far WARN" in head
    assert "ms" not in blocks[1]["elements"][0]["text"]
    assert "running… 3 checks left" in fallback
    _, done = render_report(report, title="probe https://api.test")
    assert "running" not in done[0]["text"]["text"]


def test_empty_report() -> None:
    fallback, blocks = render_report(Report("hydra"))
    _assert_within_limits(fallback, blocks)
    assert "nothing to report" in blocks[0]["text"]["text"]


INJECTIONS = ["<!channel>", "<!here>", "<@U999>", "<http://evil.test|click me>", "<#C123>"]


def test_user_controlled_text_is_escaped_everywhere() -> None:
    bad = " ".join(INJECTIONS) + " & more"
    report = Report(
        bad, [Finding(bad, Severity.FAIL, bad, bad, f"$ curl {bad}\nthen {bad}", {"x": bad})]
    )
    outputs = [
        render_report(report, title=bad),
        render_report(report, pending=1, title=bad),
        render_parent("U123ABC", bad),
        render_parent(bad, bad),
        render_usage_error(bad, bad),
        render_denied(bad),
        render_help(bad),
        render_dead_letter(bad, 3),
    ]
    for fallback, blocks in outputs:
        dumped = json.dumps(blocks) + fallback
        for attack in INJECTIONS:
            assert attack not in dumped
        assert "&lt;!channel&gt;" in dumped or "‹!channel›" in dumped
        mrkdwn = [t for kind, t in _texts(blocks) if kind != "header"] + [fallback]
        for text in mrkdwn:  # every & starts an entity; plain_text headers show & as is
            assert not re.search(r"&(?!amp;|lt;|gt;)", text), text
        _assert_within_limits(fallback, blocks)


def test_parent_message() -> None:
    fallback, blocks = render_parent("U123ABC", "introspect sha256:1f2e3d4c5b6a --url https://h/")
    assert blocks == [
        {
            "type": "section",
            "text": {
                "type": "mrkdwn",
                "text": "<@U123ABC> asked: `introspect sha256:1f2e3d4c5b6a --url https://h/`",
            },
        }
    ]
    assert fallback == blocks[0]["text"]["text"]
    # A backtick in the command cannot close the code span early.
    _, blocks = render_parent("U1AB", "decode `x`")
    assert blocks[0]["text"]["text"].count("`") == 2


def test_usage_error_denied_help_dead_letter() -> None:
    fallback, blocks = render_usage_error("missing <token>", "introspect <token> [--url URL]")
    assert blocks[0]["text"]["text"] == ":warning: missing &lt;token&gt;"
    assert "```/authcheck introspect &lt;token&gt; [--url URL]```" in blocks[1]["text"]["text"]
    assert "usage" in fallback

    _, blocks = render_denied("This channel is not allowed")
    assert blocks[0]["text"]["text"] == ":no_entry: This channel is not allowed"

    overview = "\n".join(f"cmd{i}  {'does things ' * 20}" for i in range(400))
    fallback, blocks = render_help(overview)
    _assert_within_limits(fallback, blocks)
    assert blocks[0]["type"] == "header"
    assert "cmd0" in blocks[1]["text"]["text"]
    assert all(b["text"]["text"].startswith("```") for b in blocks[1:-1])

    fallback, blocks = render_dead_letter("probe https://api.test", 5)
    assert "failed 5 times and was set aside" in blocks[0]["text"]["text"]
    assert "`probe https://api.test`" in fallback


def test_overflow_is_folded_with_a_count() -> None:
    findings = [Finding("c", Severity.OK, f"ok {i}") for i in range(60)]
    findings.append(Finding("c", Severity.FAIL, "the one that matters"))
    fallback, blocks = render_report(Report("diagnose", findings))
    _assert_within_limits(fallback, blocks)
    assert len(blocks) == MAX_BLOCKS
    assert blocks[2]["text"]["text"].startswith(":x: *the one that matters*")
    last = blocks[-1]["elements"][0]["text"]
    shown = len(blocks) - 3
    assert last.startswith(f"…and {61 - shown} more findings")
    assert "--json" in last


def test_huge_details_are_truncated_not_rejected() -> None:
    big = "x" * 10_000
    report = Report(
        "c", [Finding("c", Severity.ERROR, big, big, big), Finding("c", Severity.OK, "t")]
    )
    fallback, blocks = render_report(report)
    _assert_within_limits(fallback, blocks)
    text = blocks[2]["text"]["text"]
    assert "…" in text
    assert "*Fix:*" in text


def test_truncation_never_splits_an_entity() -> None:
    report = Report("c", [Finding("c", Severity.FAIL, "t", "&" * 5000)])
    _, blocks = render_report(report)
    text = blocks[2]["text"]["text"]
    body = text.split("\n", 1)[1].removesuffix("…")
    assert body.replace("&amp;", "") == ""


_severity = st.sampled_from(list(Severity))
_text = st.text(max_size=50) | st.text(
    alphabet=st.sampled_from("ab<>&`*_\n $"), min_size=0, max_size=10_000
)
_finding = st.builds(
    Finding, check=st.text(max_size=20), status=_severity, title=_text, detail=_text, remedy=_text
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    findings=st.lists(_finding, max_size=300),
    pending=st.integers(min_value=0, max_value=20),
    title=st.none() | st.text(max_size=400),
    command=st.text(max_size=300),
)
def test_limits_hold_for_any_report(
    findings: list[Finding], pending: int, title: str | None, command: str
) -> None:
    report = Report(command, findings, duration_ms=5)
    fallback, blocks = render_report(report, pending=pending, title=title)
    _assert_within_limits(fallback, blocks)
    # Nothing disappears silently: shown sections + the folded count = all findings.
    sections = sum(1 for b in blocks[2:] if b["type"] == "section")
    folded = 0
    if blocks[-1]["type"] == "context" and len(blocks) > 2:
        folded = int(blocks[-1]["elements"][0]["text"].split()[1])
    assert sections + folded == len(findings)


@settings(max_examples=40, deadline=None)
@given(n=st.integers(min_value=0, max_value=300), size=st.integers(min_value=0, max_value=10_000))
def test_limits_hold_for_many_large_findings(n: int, size: int) -> None:
    findings = [
        Finding("c", Severity.WARN, "t" * 200, "<" * size, "$ kubectl get " + "&" * size)
        for _ in range(n)
    ]
    fallback, blocks = render_report(Report("c", findings))
    _assert_within_limits(fallback, blocks)


def test_secret_scrubbed_by_runner_never_reaches_blocks() -> None:
    secret = "s3cr3t-Client+Secret/with=chars"
    ctx = CheckContext(settings=Settings(), redactor=Redactor([secret]))
    raw = [
        Finding(
            "token",
            Severity.FAIL,
            f"Token request with {secret} failed",
            f"POST body: client_secret={secret}&grant_type=client_credentials",
            f"$ curl -u client:{secret} https://uaa.test/oauth/token",
            {"secret": secret},
        ),
        Finding("binding", Severity.INFO, "binding ok", f"ends with {secret[-4:]}"),
    ]
    report = Report("token", [scrub(f, ctx) for f in raw])
    for fallback, blocks in (render_report(report), render_report(report, pending=1)):
        dumped = json.dumps(blocks, ensure_ascii=False) + fallback
        assert secret not in dumped
        assert ctx.redactor.leaks(dumped) == []
        assert fingerprint(secret) in dumped  # it was replaced, not silently dropped
