"""`diagnose <url> [--token T] [--method M]`: every relevant check for a URL, one ranked cause.

The runbooks' whole sequence at once: probe the URL with and without the token, find the APIRule
serving it, decode and introspect the token, find its OAuth2Client and prove the Secret, check
Hydra and hydra-maester, compare clocks — concurrently (`handlers.diagnosis.evidence`). Then the
candidate causes are scored (`causes`) and ranked (`ranking`): the first finding is the most
likely cause with its evidence and remedy, or says that no cause stands out and what would decide.
"""

from __future__ import annotations

from dataclasses import dataclass

from handlers.base import Arguments, CheckContext, Command, Param, ParamKind
from handlers.checks.probe import METHODS
from handlers.diagnosis import evidence, ranking
from handlers.model import Finding
from handlers.oauth import targets
from handlers.tokens import strip_scheme


@dataclass(frozen=True)
class DiagnoseCheck:
    name: str = evidence.CHECK

    async def run(self, args: Arguments, ctx: CheckContext) -> list[Finding]:
        url = (args.text("url") or "").strip()
        method = (args.text("method") or "get").upper()
        raw = args.text("token")
        token = strip_scheme(raw) if raw else None
        facts = await evidence.gather(ctx, url, method, token or None)
        return ranking.findings(facts)


def _validate(args: Arguments) -> None:
    problem = targets.url_problem(args.text("url") or "")
    if problem:
        raise ValueError(f"<url>: {problem}")


def build() -> Command:
    return Command(
        name="diagnose",
        summary="Every relevant check for a failing URL, with the most likely root cause first",
        params=(
            Param("url", "the URL that answered 401/403", required=True, metavar="url"),
            Param(
                "token",
                "the access token the caller sends (`Bearer …` is fine)",
                kind=ParamKind.OPTION,
                secret=True,
                metavar="T",
            ),
            Param(
                "method",
                "HTTP method (default GET)",
                kind=ParamKind.OPTION,
                choices=METHODS,
                metavar="M",
            ),
        ),
        checks=(DiagnoseCheck(),),
        examples=(
            "diagnose https://orders.example.kyma.ondemand.com/api/orders",
            "diagnose https://orders.example.kyma.ondemand.com/api/orders --token eyJhbGciOi…",
        ),
        validate=_validate,
    )
