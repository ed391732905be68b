"""The `token` command's reasoning, step by step: each step gathers (`token_experiments`) and
judges (`token_verdicts`, `client_auth_verdicts`), because what to try next depends on the answer.

Kept apart from both so the gatherers stay free of verdicts and the judges free of requests; the
password grant (`handlers.xsuaa.password_run`) composes the same steps.
"""

from __future__ import annotations

from handlers.core.model import Finding
from handlers.oauth import refusals
from handlers.oauth.client_auth_verdicts import client_auth_verdict
from handlers.oauth.token_experiments import (
    TokenRun,
    client_auth_experiments,
    decoding_experiment,
    request_retry,
)
from handlers.oauth.token_request import TokenAttempt
from handlers.oauth.token_verdicts import (
    decoding_verdict,
    is_uaa,
    request_verdict,
    success_findings,
)


async def diagnose_client_auth(run: TokenRun, first: TokenAttempt) -> list[Finding]:
    """The credentials were refused: resend them differently and read the pattern."""
    uaa = is_uaa(first)
    trials = await client_auth_experiments(run, first, uaa)
    return client_auth_verdict(run, trials, uaa)


async def diagnose_request(run: TokenRun, first: TokenAttempt) -> list[Finding]:
    """The client was accepted but the request was not: scope, audience, grant type."""
    retry = await request_retry(run, first)
    return request_verdict(run, first, retry)


async def after_client_auth(run: TokenRun) -> list[Finding]:
    """Once an experiment got the client through: the token it got, or what the server then
    objected to (a scope, the audience), read as if that had been the first answer."""
    success = next((a for _, a in run.attempts if a.ok), None)
    if success is not None:
        return success_findings(run, success, run.ctx)
    through = run.first_passed()
    if through is not None:
        return await diagnose_request(run, through)
    return []


async def diagnose(run: TokenRun, first: TokenAttempt) -> list[Finding]:
    """The first answer (not a transport failure) decides which experiments follow."""
    if first.ok:
        found = success_findings(run, first, run.ctx)
        return found + decoding_verdict(run, await decoding_experiment(run, first))
    if refusals.may_be_client_auth(first, run.creds.client_secret):
        verdict = await diagnose_client_auth(run, first)
        return verdict + await after_client_auth(run)
    return await diagnose_request(run, first)
