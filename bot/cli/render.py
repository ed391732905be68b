"""The terminal form of a report. Decides nothing: order and outcome come from the Report.

Commands a finding offers (`Finding.commands`) are printed as `authcheck run -- …` so they can be
pasted back into the same terminal; the same finding in Slack shows `/authcheck …`.
"""

from __future__ import annotations

import shlex

from handlers.core.model import Finding, Report, Severity, plural

#: What turns a chat command into one this terminal runs.
CLI_PREFIX = "authcheck run -- "

MARKS = {
    Severity.OK: "✔ ok",
    Severity.INFO: "ℹ info",
    Severity.SKIP: "– skip",
    Severity.WARN: "⚠ warn",
    Severity.FAIL: "✘ fail",
    Severity.ERROR: "! error",
}

STYLES = {
    Severity.OK: "green",
    Severity.INFO: "cyan",
    Severity.SKIP: "dim",
    Severity.WARN: "yellow",
    Severity.FAIL: "bold red",
    Severity.ERROR: "magenta",
}


def outcome_line(report: Report) -> str:
    """The first line a responder reads: the verdict, good or bad (`Report.verdict`)."""
    return f"{report.command}: {report.verdict}"


def cli_command(command: str) -> str:
    """A chat command as this terminal runs it. Each word is shell-quoted, so a value with a
    space or a quote in it survives the copy and paste; plain words are left as they are."""
    try:
        words = shlex.split(command)
    except ValueError:  # unbalanced quotes: show it as written rather than guess
        return CLI_PREFIX + command
    return CLI_PREFIX + " ".join(shlex.quote(w) for w in words)


def _indent(text: str, prefix: str = "    ") -> str:
    return "\n".join(prefix + line if line else line for line in text.splitlines())


def render_finding(finding: Finding) -> str:
    lines = [f"{MARKS[finding.status]:<8} {finding.title}"]
    if finding.detail:
        lines.append(_indent(finding.detail))
    if finding.remedy:
        lines.append(_indent("fix: " + finding.remedy))
    if finding.commands:
        lines.append(_indent("run:"))
        lines.extend(_indent(cli_command(c), "      ") for c in finding.commands)
    return "\n".join(lines)


def render(report: Report) -> str:
    parts = [outcome_line(report), ""]
    parts.extend(render_finding(f) for f in report.ordered())
    parts.append("")
    parts.append(f"({plural(len(report.findings), 'finding')} in {report.duration_ms} ms)")
    return "\n".join(parts)
