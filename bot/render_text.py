"""The terminal form of a report. Decides nothing: order and outcome come from the Report."""

from __future__ import annotations

from handlers.model import Finding, Report, Severity

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
    """The first line a responder reads: the worst status and what it is about."""
    head = report.headline
    if head is None:
        return f"{report.command}: nothing to report"
    if not report.status.is_problem:
        return f"{report.command}: {report.status.value.upper()} — {head.title}"
    problems = sum(1 for f in report.findings if f.status.is_problem)
    more = f" (+{problems - 1} more)" if problems > 1 else ""
    return f"{report.command}: {report.status.value.upper()} — {head.title}{more}"


def _indent(text: str, prefix: str = "    ") -> str:
    return "\n".join(prefix + line if line else line for line in text.splitlines())


def render_finding(finding: Finding) -> str:
    lines = [f"{MARKS[finding.status]:<8} {finding.title}"]
    if finding.detail:
        lines.append(_indent(finding.detail))
    if finding.remedy:
        lines.append(_indent("fix: " + finding.remedy))
    return "\n".join(lines)


def render(report: Report) -> str:
    parts = [outcome_line(report), ""]
    parts.extend(render_finding(f) for f in report.findings)
    parts.append("")
    parts.append(f"({len(report.findings)} findings in {report.duration_ms} ms)")
    return "\n".join(parts)
