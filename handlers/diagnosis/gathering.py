"""Every fact `diagnose` needs, gathered concurrently, each step bounded.

The steps are independent except where one needs another's answer (the JWKS needs the APIRule,
the client lookup needs the token's `client_id`, which an opaque token only reveals through
introspection), so they run as concurrent chains and the command takes about as long as its
slowest chain. Each step gathers through the same subject packages as the commands.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from handlers.core.check import CheckContext
from handlers.diagnosis import client_step, hydra_steps, probe_step, rule_steps
from handlers.diagnosis.facts import ERROR, Facts
from handlers.diagnosis.introspection_step import introspect
from handlers.tokens.info import view


async def _bounded(
    facts: Facts, name: str, seconds: float, work: Callable[[], Awaitable[None]]
) -> None:
    """Runs one step under its own deadline; any failure becomes the step's `error` state."""
    step = facts.step(name)
    try:
        async with asyncio.timeout(seconds):
            await work()
    except TimeoutError:
        step.state, step.summary = ERROR, f"did not finish within {seconds:g} s"
        step.needs = f"make what `{name}` calls answer within AUTHCHECK_TIMEOUT"
    except Exception as exc:  # one step's failure must not stop the others
        step.state = ERROR
        step.summary = f"{type(exc).__name__}: {str(exc)[:200]}"


async def gather(ctx: CheckContext, url: str, method: str, token: str | None) -> Facts:
    """Runs every step concurrently (chains where one needs another) and returns the facts."""
    facts = Facts(url=url, method=method.upper(), token=token, now=ctx.clock())
    if token is not None:
        ctx.redactor.add(token)
        facts.token_view = view(token)
    # A chain makes at most a few calls in a row; each call is bounded by AUTHCHECK_TIMEOUT.
    bound = ctx.settings.timeout * 4
    introspected = asyncio.create_task(
        _bounded(facts, "introspection", bound, lambda: introspect(ctx, facts))
    )
    try:
        await asyncio.gather(
            _bounded(facts, "probe", bound, lambda: probe_step.probe(ctx, facts)),
            _bounded(facts, "apirule", bound, lambda: rule_steps.apirule(ctx, facts)),
            _bounded(facts, "hydra", bound, lambda: hydra_steps.hydra(ctx, facts)),
            _bounded(facts, "signature", bound, lambda: rule_steps.issuer_signature(ctx, facts)),
            _bounded(facts, "hydra-maester", bound, lambda: hydra_steps.hydra_maester(ctx, facts)),
            _bounded(
                facts, "client", bound * 2, lambda: client_step.client(ctx, facts, introspected)
            ),
            introspected,
        )
    finally:
        if not introspected.done():
            introspected.cancel()
    return facts
