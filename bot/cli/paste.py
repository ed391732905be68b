"""`authcheck run -- paste`: the "Diagnose with authcheck" message shortcut, in a terminal.

The shortcut reads a pasted log, error body or `curl -v` output, lints it as pasted, and plans
the chat commands that diagnose it (`handlers.paste`). Running the very same functions here
lets anyone see what the shortcut would do with a paste without a Slack workspace — and lets a
responder run it on a log file: `kubectl logs … | authcheck run -- paste`.

The planned commands carry the pasted token, so they are never printed: each report is shown
under its command name only, like a thread reply.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from bot.cli.text import PASTE_USAGE
from handlers.core.check import UsageError
from handlers.core.input_lint import lint
from handlers.core.model import Report
from handlers.paste import extract, plan_commands

if TYPE_CHECKING:
    from handlers.core.registry import Registry

NOTHING_FOUND = "nothing in that text looks like a 401/403, an OAuth error or a token"


def _read(words: Sequence[str]) -> str | None:
    """The pasted text: the words after `paste`, or standard input for `-` or for no words when
    something is piped in. None when there is nothing to read (a terminal, no text)."""
    if list(words) == ["-"] or (not words and not sys.stdin.isatty()):
        return sys.stdin.read()
    return " ".join(words) if words else None


def _usage(reason: str) -> int:
    print(f"authcheck: {reason}", file=sys.stderr)
    print(f"usage: {PASTE_USAGE}", file=sys.stderr)
    return 2


def run_paste(words: Sequence[str], as_json: bool, registry: Registry) -> int:
    """Lints the paste, plans as the shortcut does, runs each plan; exit codes as for `run`."""
    from bot.cli.main import _settings, print_report, run_text

    text = _read(words)
    if text is None or not text.strip():
        return _usage("no text to read: paste it after `paste`, or pipe it in")
    plans = plan_commands(extract(text))
    if not plans:
        return _usage(NOTHING_FOUND)
    settings = _settings()
    if isinstance(settings, str):
        print(f"authcheck: {settings}", file=sys.stderr)
        return 2
    reports: list[Report] = []
    notes = lint(text)
    if notes:
        reports.append(Report(command="paste", findings=notes))
    for plan in plans:
        try:
            reports.append(asyncio.run(run_text(plan, settings, registry)))
        except UsageError as exc:  # a planned command the grammar refuses: say so, go on
            reports.append(_refused(exc))
    if as_json:
        print(json.dumps([r.to_dict() for r in reports], indent=2, ensure_ascii=False))
    else:
        for index, report in enumerate(reports):
            if index:
                print()
            print_report(report, as_json=False)
    return 1 if any(r.status.is_problem for r in reports) else 0


def _refused(exc: UsageError) -> Report:
    from handlers.core.model import Finding, Severity

    return Report(
        command="paste",
        findings=[
            Finding(
                "paste",
                Severity.ERROR,
                "A command planned from the paste could not be run",
                exc.reason,
                "Run the command by hand (`authcheck run -- help` lists them).",
            )
        ],
    )
