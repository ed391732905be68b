"""`diagnose <url> [--token T] [--method M]`: every relevant check for a URL, one ranked cause.

The runbooks' whole sequence at once: probe the URL with and without the token, find the APIRule
serving it, decode and introspect the token, find its OAuth2Client and prove the Secret, check
Hydra and hydra-maester, compare clocks — concurrently (`handlers.diagnosis.gathering`). Then the
candidate causes are scored (`causes`) and ranked (`ranking`): the first finding is the most
likely cause with its evidence and remedy, or says that no cause stands out and what would decide.
"""

from __future__ import annotations

from dataclasses import dataclass

from handlers.commands.params import URL_PARAMS, method_refused, validate_url
from handlers.core.check import Arguments, CheckContext, Command
from handlers.core.model import Finding
from handlers.diagnosis import ranking
from handlers.diagnosis.facts import CHECK
from handlers.diagnosis.gathering import gather
from handlers.net import guard as targets
from handlers.tokens.reading import strip_scheme


@dataclass(frozen=True)
class DiagnoseCheck:
    name: str = CHECK

    async def run(self, args: Arguments, ctx: CheckContext) -> list[Finding]:
        url = (args.text("url") or "").strip()
        method = (args.text("method") or "get").upper()
        raw = args.text("token")
        token = strip_scheme(raw) if raw else None
        unsafe = await targets.method_refusal(method, url, ctx.settings, ctx.resolver)
        if unsafe:
            return [method_refused(CHECK, url, unsafe)]
        facts = await gather(ctx, url, method, token or None)
        return ranking.findings(facts)


def build() -> Command:
    return Command(
        name="diagnose",
        summary="Every relevant check for a failing URL, with the most likely root cause first",
        params=URL_PARAMS,
        checks=(DiagnoseCheck(),),
        examples=(
            "diagnose https://orders.example.kyma.ondemand.com/api/orders",
            "diagnose https://orders.example.kyma.ondemand.com/api/orders --token eyJhbGciOi…",
        ),
        validate=validate_url,
    )
