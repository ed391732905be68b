"""`explain <401|403|error-code>`: what a status, an OAuth error or a gateway's text means.

Offline and instant: it reads the knowledge base in `handlers.meanings.catalog`. The answer is
`info` because an explanation is not a verdict on anything the bot checked. The typed topic is never
echoed back: people paste whole error bodies, and those can hold a token.
"""

from __future__ import annotations

from dataclasses import dataclass

from handlers.core.check import Arguments, CheckContext, Command, Param, ParamKind
from handlers.core.model import Finding, Severity
from handlers.meanings.catalog import EXPLANATIONS, SUGGESTED, Explanation, lookup, normalise_topic

#: Topics that list the knowledge base instead of explaining one entry.
LIST_TOPICS = frozenset({"topics", "list", "all"})


def _wants_list(topic: str) -> bool:
    return normalise_topic(topic) in LIST_TOPICS


def validate(args: Arguments) -> None:
    """An unknown topic is a usage error, so the user sees at once what can be asked."""
    topic = args.text("topic") or ""
    if _wants_list(topic) or lookup(topic) is not None:
        return
    known = ", ".join(SUGGESTED)
    raise ValueError(
        f"no explanation for that topic; try one of {known} (`explain topics` lists all)"
    )


def _bullets(lines: tuple[str, ...]) -> str:
    return "\n".join(f"• {line}" for line in lines)


def explanation_finding(entry: Explanation, check: str = "explain") -> Finding:
    detail = f"{entry.meaning}\n\nUsual causes:\n{_bullets(entry.causes)}"
    remedy = f"{entry.fix}\nRun next:\n{_bullets(entry.next_steps)}"
    evidence: dict[str, object] = {"topic": entry.key}
    if entry.status is not None:
        evidence["http_status"] = entry.status
    if entry.related:
        evidence["see_also"] = list(entry.related)
    return Finding(check, Severity.INFO, entry.title, detail, remedy, evidence)


def topics_finding(check: str = "explain") -> Finding:
    lines = tuple(f"{e.key}: {e.title}" for e in EXPLANATIONS)
    return Finding(
        check,
        Severity.INFO,
        f"{len(EXPLANATIONS)} topics `explain` knows",
        _bullets(lines),
        "Paste a status line, an error code, a JSON error body or a gateway's message.",
        {"topics": [e.key for e in EXPLANATIONS]},
    )


@dataclass(frozen=True)
class ExplainCheck:
    name: str = "explain"

    async def run(self, args: Arguments, ctx: CheckContext) -> list[Finding]:
        topic = args.text("topic") or ""
        if _wants_list(topic):
            return [topics_finding(self.name)]
        entry = lookup(topic)
        if entry is None:  # validate() already refused it; kept for callers that skip it
            return [Finding(self.name, Severity.SKIP, "No explanation for that topic")]
        return [explanation_finding(entry, self.name)]


def build() -> Command:
    return Command(
        name="explain",
        summary="What a 401/403, an OAuth error code or a gateway's error text means",
        params=(
            Param(
                "topic",
                "a status (401, 403), an error code (invalid_client), a gateway message "
                "(Jwt is expired) or a pasted JSON error body; `topics` lists them all",
                kind=ParamKind.REST,
                required=True,
                metavar="401|403|error-code",
            ),
        ),
        checks=(ExplainCheck(),),
        examples=(
            "explain 401",
            "explain invalid_client",
            "explain Jwt is expired",
            'explain {"error":"invalid_scope"}',
            "explain topics",
        ),
        validate=validate,
    )
