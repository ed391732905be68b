"""The report model every check produces and every renderer consumes.

Kept free of behaviour beyond ordering and serialisation so that renderers never decide anything:
the worst finding is the report's status, and `fail` (the thing is wrong) is kept apart from
`error` (we could not find out).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any


class Severity(enum.StrEnum):
    """Outcome of one finding; the order below is the order of badness."""

    OK = "ok"
    INFO = "info"
    SKIP = "skip"
    WARN = "warn"
    FAIL = "fail"
    ERROR = "error"

    @property
    def rank(self) -> int:
        return _RANK[self]

    @property
    def is_problem(self) -> bool:
        """warn, fail and error make the CLI exit 1."""
        return self.rank >= _RANK[Severity.WARN]

    @classmethod
    def worst(cls, severities: list[Severity]) -> Severity:
        return max(severities, key=lambda s: s.rank, default=cls.OK)


_RANK = {
    Severity.OK: 0,
    Severity.INFO: 1,
    Severity.SKIP: 2,
    Severity.WARN: 3,
    Severity.FAIL: 4,
    Severity.ERROR: 5,
}

#: The order findings are shown in, on every surface (terminal, Slack, the verdict line). What is
#: wrong comes first because it is what the responder acts on; what could not be found out comes
#: next (it may hide more); then warnings, notes, confirmations, and last the steps that did not
#: apply. This is deliberately not the badness rank above: `error` is the worse report status
#: (nothing can be concluded), but a proven `fail` is the better first line.
DISPLAY_ORDER = (
    Severity.FAIL,
    Severity.ERROR,
    Severity.WARN,
    Severity.INFO,
    Severity.OK,
    Severity.SKIP,
)
_DISPLAY = {s: i for i, s in enumerate(DISPLAY_ORDER)}


def ordered(findings: list[Finding]) -> list[Finding]:
    """Findings in display order; stable, so checks keep their own order within a status.

    The one place that decides the order: both renderers call it, so the terminal and Slack can
    never disagree."""
    return sorted(findings, key=lambda f: _DISPLAY[f.status])


def plural(count: int, noun: str) -> str:
    """`1 finding`, `2 findings`: every count shown to people goes through here."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


@dataclass(frozen=True)
class Finding:
    """One observation: what was checked, what came out, and what to do about it."""

    check: str
    status: Severity
    title: str
    detail: str = ""
    remedy: str = ""
    evidence: dict[str, Any] = field(default_factory=dict)
    #: Commands that fix or check further, each runnable as is once the surface adds its prefix
    #: (`authcheck run -- ` in a terminal, `/authcheck ` in Slack) — so the renderer never has
    #: to guess from the wording which lines are commands. Text after `remedy`, not part of it.
    commands: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "check": self.check,
            "status": self.status.value,
            "title": self.title,
            "detail": self.detail,
            "remedy": self.remedy,
            "evidence": self.evidence,
        }
        if self.commands:  # an extension of the contract: absent when there is nothing to run
            data["commands"] = list(self.commands)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Finding:
        return cls(
            check=str(data["check"]),
            status=Severity(data["status"]),
            title=str(data["title"]),
            detail=str(data.get("detail", "")),
            remedy=str(data.get("remedy", "")),
            evidence=dict(data.get("evidence") or {}),
            commands=tuple(str(c) for c in data.get("commands") or ()),
        )


@dataclass
class Report:
    """All findings of one command; its status is derived, never stored separately."""

    command: str
    findings: list[Finding] = field(default_factory=list)
    duration_ms: int = 0

    @property
    def status(self) -> Severity:
        return Severity.worst([f.status for f in self.findings])

    def ordered(self) -> list[Finding]:
        """The findings in display order (see `DISPLAY_ORDER`)."""
        return ordered(self.findings)

    @property
    def headline(self) -> Finding | None:
        """The finding the first line of a reply is about, i.e. the verdict.

        With a problem, the first problem in display order (a proven `fail` before an `error`).
        Without one, the first `ok` finding — the positive verdict ("Token valid for 59 min") —
        rather than whichever note happens to come first; only when nothing is `ok` a note.
        """
        shown = self.ordered()
        if not shown:
            return None
        if self.status.is_problem:
            return shown[0]
        return next((f for f in shown if f.status is Severity.OK), shown[0])

    @property
    def verdict(self) -> str:
        """The first line of every answer, the same on every surface:
        `OK — Token valid for 59 min`, `FAIL — Token expired 3 h ago (+1 more)`."""
        head = self.headline
        if head is None:
            return "OK — nothing to report"
        problems = sum(1 for f in self.findings if f.status.is_problem)
        more = f" (+{problems - 1} more)" if problems > 1 else ""
        return f"{head.status.value.upper()} — {head.title.strip() or '(untitled)'}{more}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "command": self.command,
            "status": self.status.value,
            "duration_ms": self.duration_ms,
            "findings": [f.to_dict() for f in self.findings],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Report:
        return cls(
            command=str(data["command"]),
            findings=[Finding.from_dict(f) for f in data.get("findings", [])],
            duration_ms=int(data.get("duration_ms", 0)),
        )
