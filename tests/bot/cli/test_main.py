"""`authcheck run`: the command-line contract, driven through the installed console script.

Exit codes: 0 when nothing is a problem, 1 when a finding is warn/fail/error, 2 for a usage error
(one-line reason and usage on stderr, nothing on stdout, nothing run). Hostile input never
produces a traceback. NUL cannot travel through argv, so it is tested in-process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.cli.main import run_text
from handlers.core.check import UsageError
from handlers.core.settings import Settings
from tests.fakes.jwts import make_jwt

AUTHCHECK = Path(sys.executable).with_name("authcheck")
FINDING_KEYS = {"check", "status", "title", "detail", "remedy", "evidence"}
STATUSES = {"ok", "info", "skip", "warn", "fail", "error"}


def cli(*args: str | bytes, cwd: Path | None = None) -> subprocess.CompletedProcess[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AUTHCHECK_", "SLACK_"))}
    env["PYTHONIOENCODING"] = "utf-8"
    return subprocess.run(
        [str(AUTHCHECK), *args], capture_output=True, timeout=60, env=env, cwd=cwd, check=False
    )


def test_run_json_help_matches_the_report_contract(tmp_path: Path) -> None:
    result = cli("run", "--json", "--", "help", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr == b""
    report = json.loads(result.stdout)
    assert set(report) == {"command", "status", "duration_ms", "findings"}
    assert report["command"] == "help"
    assert report["status"] == "info"
    assert isinstance(report["duration_ms"], int)
    assert report["findings"]
    for finding in report["findings"]:
        assert set(finding) == FINDING_KEYS
        assert finding["status"] in STATUSES
        assert isinstance(finding["evidence"], dict)


def test_run_text_output_starts_with_the_outcome_line() -> None:
    result = cli("run", "--", "explain", "Jwt", "is", "expired")
    assert result.returncode == 0, result.stderr
    first = result.stdout.decode().splitlines()[0]
    assert first.startswith("explain: INFO — Envoy `Jwt is expired`")


def test_a_problem_finding_exits_one_and_the_token_is_not_printed() -> None:
    now = datetime.now(UTC)
    token = make_jwt(
        {
            "sub": "alice",
            "iat": int((now - timedelta(hours=2)).timestamp()),
            "exp": int((now - timedelta(hours=1)).timestamp()),
        }
    )
    result = cli("run", "--json", "--", "decode", token)
    report = json.loads(result.stdout)
    assert report["status"] in ("warn", "fail", "error")
    assert result.returncode == 1
    for part in token.split("."):
        assert part.encode() not in result.stdout + result.stderr


def usage_error(result: subprocess.CompletedProcess[bytes]) -> tuple[str, str]:
    assert result.returncode == 2
    assert result.stdout == b""
    err = result.stderr.decode()
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 2, err
    assert lines[0].startswith("authcheck: ")
    assert lines[1].startswith("usage: ")
    return lines[0], lines[1]


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (["nosuch"], "authcheck: unknown command `nosuch`"),
        (["hepl"], "authcheck: unknown command `hepl` (did you mean `help`?)"),
        (["help", "--nope"], "authcheck: unknown option `--nope` for `help`"),
        (["help", "help", "extra"], "authcheck: unexpected argument `extra`"),
        (["explain"], "authcheck: missing <401|403|error-code>"),
        (["explain", "teapot"], "authcheck: no explanation for that topic"),
        (['help "unclosed'], "authcheck: cannot split the arguments: no closing quotation"),
        ([], "authcheck: no command given"),
        (["\u200b\u00a0"], "authcheck: no command given"),
        (["ünïcødé", "東京", "🔑"], "authcheck: unknown command `ünïcødé`"),
        (["help\x1b[31m"], "authcheck: input contains a control character (U+001B)"),
    ],
)
def test_usage_errors_are_one_line_reason_and_usage_on_stderr(args: list[str], reason: str) -> None:
    first, _ = usage_error(cli("run", "--", *args))
    assert first.startswith(reason), first


def test_fifty_kilobytes_of_input_is_a_usage_error() -> None:
    first, usage = usage_error(cli("run", "--", "help", "x" * 50_000))
    assert first.startswith("authcheck: input is too long (50,005 characters")
    # Runnable where it is printed (issue 17): the terminal's prefix, not Slack's.
    assert usage.startswith("usage: authcheck run -- <command>")
    assert "/authcheck" not in usage


def test_garbage_bytes_in_argv_are_a_usage_error() -> None:
    first, _ = usage_error(cli("run", "--", b"\xff\xfe\x80garbage"))
    assert "control character (U+DCFF)" in first


def test_json_mode_usage_error_also_prints_nothing_on_stdout() -> None:
    usage_error(cli("run", "--json", "--", "decode"))


def test_reader_leaving_early_is_not_a_traceback() -> None:
    read_end, write_end = os.pipe()
    os.close(read_end)  # nobody will ever read: the first write fails with EPIPE
    try:
        proc = subprocess.run(
            [str(AUTHCHECK), "run", "--json", "--", "help"],
            stdout=write_end,
            stderr=subprocess.PIPE,
            timeout=60,
            check=False,
        )
    finally:
        os.close(write_end)
    assert b"Traceback" not in proc.stderr
    assert proc.returncode == 1


def test_missing_mode_is_an_argparse_usage_error() -> None:
    result = cli()
    assert result.returncode == 2
    assert result.stdout == b""
    assert b"usage: authcheck" in result.stderr


# --- in process: what argv cannot carry -----------------------------------------------------


@pytest.mark.parametrize("text", ["help\x00", "\x00", "explain 401\x00Bearer abc"])
async def test_nul_byte_is_a_usage_error_in_process(text: str) -> None:
    with pytest.raises(UsageError) as info:
        await run_text(text, Settings())
    assert "control character (U+0000)" in info.value.reason
    assert len(info.value.one_line().splitlines()) == 1


async def test_run_text_goes_through_queue_and_worker_to_a_report() -> None:
    report = await run_text("explain 403 Forbidden", Settings())
    assert report.command == "explain"
    assert report.findings[0].evidence["topic"] == "403"
