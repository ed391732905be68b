"""Answers a responder can trust at a glance and copy from (issue 17), at the command line.

The verdict is the first line, good or bad; findings come in one order on both surfaces; help is
help; "could not check" is never exit 0; a command copied from Slack (with its `/authcheck` or
`@authcheck` prefix) or with shell quoting runs as is; a command a finding offers is printed so it
runs where it is printed; `paste` runs the shortcut's parser; `help` starts without importing
what only a check run needs.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.cli.render import render
from bot.cli.text import command_text, strip_prefix
from bot.slack.blocks import render_report
from handlers.commands.registry import default_registry
from handlers.core.grammar import parse
from handlers.core.model import DISPLAY_ORDER, Finding, Report, Severity, ordered
from tests.fakes.jwts import make_jwt

AUTHCHECK = Path(sys.executable).with_name("authcheck")


def cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AUTHCHECK_", "SLACK_"))}
    env.pop("KUBECONFIG", None)
    env.pop("KUBERNETES_SERVICE_HOST", None)
    env["PYTHONIOENCODING"] = "utf-8"
    return subprocess.run(
        [str(AUTHCHECK), *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        input=stdin if stdin is not None else "",
        check=False,
    )


def _good_token() -> str:
    now = datetime.now(UTC)
    return make_jwt(
        {
            "sub": "alice",
            "scope": "read write",
            "iat": int((now - timedelta(minutes=1)).timestamp()),
            "exp": int((now + timedelta(minutes=59, seconds=30)).timestamp()),
        }
    )


# --- the verdict and the order ---------------------------------------------------------------


def test_a_good_token_answers_ok_with_what_matters_on_the_first_line() -> None:
    token = _good_token()
    result = cli("run", "--", "decode", token)
    assert result.returncode == 0, result.stderr
    first = result.stdout.splitlines()[0]
    assert first == "decode: OK — Token valid for 59 min, scopes read write"
    assert token not in result.stdout


def test_one_order_decided_by_the_model_for_terminal_and_slack() -> None:
    findings = [Finding("c", s, f"title {s.value}") for s in Severity]
    report = Report("x", findings)
    expected = [f"title {s.value}" for s in DISPLAY_ORDER]
    assert [f.title for f in ordered(findings)] == expected
    assert expected[:3] == ["title fail", "title error", "title warn"]
    text_titles = [
        line.split(None, 2)[2] for line in render(report).splitlines() if line.count("title ")
    ][1:]  # the first is the verdict line
    assert text_titles == expected
    _, blocks = render_report(report)
    slack_titles = [b["text"]["text"].split("*")[1] for b in blocks[2:]]
    assert slack_titles == expected
    # The verdict is the first problem in that order: a proven `fail` before an `error`.
    assert render(report).splitlines()[0] == "x: FAIL — title fail (+2 more)"


def test_a_good_verdict_heads_the_slack_reply_too() -> None:
    report = Report(
        "decode",
        [
            Finding("decode", Severity.INFO, "JWT header: alg RS256"),
            Finding("decode", Severity.OK, "Token valid for 59 min, scopes read write"),
            Finding("decode", Severity.INFO, "Signature NOT verified"),
        ],
    )
    assert report.status is Severity.INFO  # the contract's worst status is unchanged
    fallback, blocks = render_report(report)
    line = ":white_check_mark: decode: OK — Token valid for 59 min, scopes read write"
    assert blocks[0]["text"]["text"] == line
    assert fallback.startswith(line)
    assert render(report).splitlines()[0] == line.split(" ", 1)[1]


def test_one_finding_is_singular() -> None:
    report = Report("x", [Finding("c", Severity.OK, "fine")], duration_ms=3)
    assert render(report).splitlines()[-1] == "(1 finding in 3 ms)"
    assert render(Report("x", [])).splitlines()[-1] == "(0 findings in 0 ms)"


# --- help --------------------------------------------------------------------------------------


def test_help_is_plain_help() -> None:
    result = cli("run", "--", "help")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert not out.startswith("help:")
    assert "finding" not in out
    assert "INFO" not in out
    for name in default_registry().names():
        assert f"\n{name} " in "\n" + out
    one = cli("run", "--", "help", "decode")
    assert one.returncode == 0
    assert one.stdout.startswith("usage: decode <jwt>")


def test_help_does_not_import_what_only_a_run_needs() -> None:
    """Start-up time is measured by bench/startup.py; here, deterministically, the reason.

    (cryptography is not listed: `binding` imports its x509 lazily, but PyJWT, imported at the
    top of `handlers.tokens.signatures`, still brings it in.)"""
    code = (
        "import sys\n"
        "from bot.cli.main import main\n"
        "rc = main(['run', '--', 'help'])\n"
        "heavy = ['rich', 'pydantic_settings', 'prometheus_client', 'kubernetes', "
        "'slack_bolt', 'slack_sdk', 'redis', 'aiohttp', 'bot.jobs.worker', 'bot.metrics']\n"
        "print([m for m in heavy if m in sys.modules], file=sys.stderr)\n"
        "raise SystemExit(rc)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == "[]"


# --- could not check ---------------------------------------------------------------------------


def test_a_command_that_could_not_check_its_subject_is_an_error_not_exit_0() -> None:
    for args in (["client", "apps/orders"], ["apirule", "apps/orders"], ["binding", "apps/b"]):
        result = cli("run", "--", *args)
        assert result.returncode == 1, (args, result.stdout)
        first = result.stdout.splitlines()[0]
        assert first.startswith(f"{args[0]}: ERROR — Could not check"), first
        assert "KUBECONFIG" in result.stdout


# --- input as typed or copied --------------------------------------------------------------------


def test_slack_prefixes_are_accepted() -> None:
    plain = cli("run", "--", "explain", "401").stdout.splitlines()[0]
    for args in (
        ["/authcheck", "explain", "401"],
        ["@authcheck", "explain", "401"],
        ["/authcheck explain 401"],
    ):
        result = cli("run", "--", *args)
        assert result.returncode == 0, (args, result.stderr)
        assert result.stdout.splitlines()[0] == plain
    assert strip_prefix(["--", "@AuthCheck", "help"]) == ["help"]


def test_shell_quoting_is_passed_on_intact() -> None:
    registry = default_registry()
    words = ["probe", "https://api.example/x", "--token", "Bearer eyJ.a b"]
    inv = parse(command_text(words, raw_rest=False), registry)
    assert inv.args["token"] == "Bearer eyJ.a b"
    words = ["probe", "https://api.example/x", "--token", 'it\'s "quoted"']
    assert parse(command_text(words, raw_rest=False), registry).args["token"] == words[-1]
    # Raw-text commands get the words as typed: no quotes are added to a header.
    assert command_text(["header", "Bearer", "abc"], raw_rest=True) == "header Bearer abc"


def test_a_token_with_its_scheme_in_one_shell_word_reaches_probe() -> None:
    """Before: `--token "Bearer eyJ…"` was re-split and refused as an unexpected argument."""
    token = _good_token()
    result = cli("run", "--", "probe", "https://127.0.0.1:9/x", "--token", f"Bearer {token}")
    assert result.returncode != 2, result.stderr
    assert "unexpected argument" not in result.stderr
    assert token not in result.stdout + result.stderr


def test_an_unknown_flag_is_named_with_a_suggestion_never_part_of_a_token() -> None:
    result = cli("run", "--", "probe", "https://x.example", "--tokn", "abc")
    assert result.returncode == 2
    assert result.stderr.splitlines()[0] == (
        "authcheck: unknown option `--tokn` for `probe` (did you mean `--token`?)"
    )
    token = _good_token()
    result = cli("run", "--", "decode", token, "--verbose")
    assert result.returncode == 2
    assert "unknown option `--verbose` for `decode`" in result.stderr
    assert token not in result.stderr


# --- commands a finding offers ----------------------------------------------------------------


def test_a_finding_command_is_printed_runnable_on_each_surface() -> None:
    finding = Finding(
        "c",
        Severity.WARN,
        "t",
        remedy="Check it:",
        commands=("hydra", "probe https://x --token 'a b'"),
    )
    text = render(Report("x", [finding]))
    assert "authcheck run -- hydra" in text
    assert "authcheck run -- probe https://x --token 'a b'" in text
    _, blocks = render_report(Report("x", [finding]))
    body = blocks[2]["text"]["text"]
    assert "```/authcheck hydra\n/authcheck probe https://x --token 'a b'```" in body
    data = finding.to_dict()
    assert data["commands"] == ["hydra", "probe https://x --token 'a b'"]
    assert Finding.from_dict(json.loads(json.dumps(data))) == finding
    assert "commands" not in Finding("c", Severity.OK, "t").to_dict()  # contract keys unchanged


# --- paste --------------------------------------------------------------------------------------

PASTED = (
    "$ curl -v https://api.example/orders\n"
    "> Authorization: Bearer abc\n"
    "< HTTP/1.1 401 Unauthorized\n"
    '< www-authenticate: Bearer error="invalid_token"\n'
)


def test_paste_runs_the_shortcut_parser_from_argv_and_stdin() -> None:
    from_argv = cli("run", "--", "paste", PASTED)
    from_stdin = cli("run", "--", "paste", stdin=PASTED)
    dash = cli("run", "--", "paste", "-", stdin=PASTED)
    assert from_argv.returncode == from_stdin.returncode == dash.returncode == 1
    timeless = [re.sub(r"\d+ ms\)", "N ms)", r.stdout) for r in (from_argv, from_stdin, dash)]
    assert timeless[0] == timeless[1] == timeless[2]
    assert "explain: INFO — `invalid_token`" in from_stdin.stdout
    as_json = json.loads(cli("run", "--json", "--", "paste", stdin=PASTED).stdout)
    assert isinstance(as_json, list)
    assert {"command", "status", "duration_ms", "findings"} <= set(as_json[0])


def test_paste_of_nothing_useful_is_a_usage_error() -> None:
    result = cli("run", "--", "paste", "all good here")
    assert result.returncode == 2
    assert result.stdout == ""
    assert "nothing in that text looks like a 401/403" in result.stderr
    assert result.stderr.splitlines()[1].startswith("usage: authcheck run -- paste")
