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


@dataclass(frozen=True)
class Finding:
    """One observation: what was checked, what came out, and what to do about it."""

    check: str
    status: Severity
    title: str
    detail: str = ""
    remedy: str = ""
    evidence: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "check": self.check,
            "status": self.status.value,
            "title": self.title,
            "detail": self.detail,
            "remedy": self.remedy,
            "evidence": self.evidence,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Finding:
        return cls(
            check=str(data["check"]),
            status=Severity(data["status"]),
            title=str(data["title"]),
            detail=str(data.get("detail", "")),
            remedy=str(data.get("remedy", "")),
            evidence=dict(data.get("evidence") or {}),
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

    @property
    def headline(self) -> Finding | None:
        """The finding the first line of a reply is about: the worst one, first of its rank."""
        if not self.findings:
            return None
        worst = self.status
        return next(f for f in self.findings if f.status == worst)

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
