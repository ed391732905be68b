"""One way to build findings that share a check name and evidence (a token's fingerprint).

Commands used to carry their own small `_Out` class each; this is the one they share, so a
finding built anywhere carries the same evidence the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from handlers.core.model import Finding, Severity


@dataclass(frozen=True)
class FindingBuilder:
    """Builds findings of `check`, each carrying `evidence` (plus its own)."""

    check: str
    evidence: dict[str, Any] = field(default_factory=dict)

    def __call__(
        self,
        status: Severity,
        title: str,
        detail: str = "",
        remedy: str = "",
        *,
        commands: tuple[str, ...] = (),
        **evidence: Any,
    ) -> Finding:
        return Finding(
            self.check,
            status,
            title,
            detail,
            remedy,
            {**self.evidence, **evidence},
            commands=commands,
        )
