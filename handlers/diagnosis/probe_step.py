"""The `probe` step of `diagnose`: the URL called without and with the token, concurrently.

The two answers are the gateway's own words (`handlers.gateways.answerer.identify`) and the
server's clock; a call that could not be made is the step's `error`, never a verdict.
"""

from __future__ import annotations

import asyncio

from handlers.core.check import CheckContext
from handlers.core.observation import Seen, Unknown
from handlers.diagnosis.facts import OK, Facts
from handlers.gateways.answerer import identify
from handlers.net import guard as targets
from handlers.net.send import send, server_time


async def probe(ctx: CheckContext, facts: Facts) -> None:
    step = facts.step("probe")
    refused = await targets.refusal(facts.url, ctx.settings.url_allowlist)
    if refused:
        step.could_not_tell(
            Unknown(f"refused to call {facts.url}: {refused}", targets.allowlist_remedy(facts.url))
        )
        return
    base = {"Accept": "*/*"}
    calls = [send(ctx, facts.method, facts.url, headers=base)]
    if facts.token is not None:
        authed = {**base, "Authorization": f"Bearer {facts.token}"}
        calls.append(send(ctx, facts.method, facts.url, headers=authed))
    seen = await asyncio.gather(*calls)
    problems = [s.reason for s in seen if isinstance(s, Unknown)]
    if isinstance(seen[0], Seen):
        facts.anon, facts.anon_who = seen[0].value, identify(seen[0].value)
    if len(seen) > 1 and isinstance(seen[1], Seen):
        facts.authed, facts.authed_who = seen[1].value, identify(seen[1].value)
    facts.server_time = server_time(facts.authed) or server_time(facts.anon)
    if problems:
        step.could_not_tell(
            Unknown(
                f"{facts.method} {facts.url} → {problems[0]}",
                "make the URL reachable from the bot (DNS, TLS, NetworkPolicy)",
            )
        )
        return
    step.state = OK
    shown = [f"without a token: HTTP {facts.anon.status if facts.anon else '?'}"]
    if facts.authed is not None:
        shown.append(f"with the token: HTTP {facts.authed.status}")
    step.summary = "; ".join(shown)
