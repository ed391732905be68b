"""The `token` command's requests: one run's budget, and the experiments a refusal calls for.

A failed token request says little, so the same credentials are sent a few other ways (POST body,
raw Basic, UAA's `X-CF-ENCODED-CREDENTIALS`, the secret trimmed) and the pattern of answers names
the cause. This module only gathers those answers, within the run's budget; judging them is
`token_verdicts` and `client_auth_verdicts`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from handlers.core.check import CheckContext
from handlers.oauth import client_auth, refusals
from handlers.oauth.client_auth import BASIC_ENCODED, BASIC_ENCODED_CF, BASIC_RAW, POST_BODY
from handlers.oauth.destinations import Credentials, Destinations
from handlers.oauth.token_request import TokenAttempt, request_client_credentials

#: The budget of requests for one run, experiments included.
MAX_REQUESTS = 5

METHOD_TEXT = {
    BASIC_ENCODED: "Basic, URL-encoded (RFC 6749 §2.3.1)",
    BASIC_RAW: "Basic, raw (not URL-encoded)",
    POST_BODY: "client_id/client_secret in the POST body",
    BASIC_ENCODED_CF: "Basic, URL-encoded, with X-CF-ENCODED-CREDENTIALS: true",
}


@dataclass
class TokenRun:
    """One run's request budget and the attempts made so far (in order)."""

    ctx: CheckContext
    url: str
    creds: Credentials
    scope: str | None
    audience: str | None
    attempts: list[tuple[str, TokenAttempt]]
    budget: int = MAX_REQUESTS
    #: Where the values in `extra` (a user's password) may go; None when the user typed them.
    extra_destinations: Destinations | None = None
    #: The check the findings belong to.
    check: str = "token"

    async def attempt(
        self,
        method: str,
        *,
        label: str | None = None,
        secret: str | None = None,
        scope: str | None = "",
        audience: str | None = "",
        extra: dict[str, str] | None = None,
    ) -> TokenAttempt | None:
        if len(self.attempts) >= self.budget:
            return None
        creds = (
            self.creds if secret is None else self.creds.with_values(self.creds.client_id, secret)
        )
        result = await request_client_credentials(
            self.ctx,
            self.url,
            creds,
            method=method,
            scope=self.scope if scope == "" else scope,
            audience=self.audience if audience == "" else audience,
            extra=extra,
            extra_destinations=self.extra_destinations if extra else None,
        )
        self.attempts.append((label or METHOD_TEXT[method], result))
        return result

    def first_passed(self) -> TokenAttempt | None:
        """The first attempt that got the client through (a token, or a later objection)."""
        return next((a for _, a in self.attempts if refusals.client_auth_passed(a)), None)


@dataclass
class ClientAuthTrials:
    """The answers to the same credentials sent differently, by method."""

    first: TokenAttempt
    tried: dict[str, TokenAttempt] = field(default_factory=dict)
    #: The secret had whitespace around it and, trimmed, got the client through.
    stripped_ok: bool = False

    def ok(self, method: str) -> bool:
        """The method got the client through: a token, or an error only given after that."""
        found = self.tried.get(method)
        return found is not None and refusals.client_auth_passed(found)

    @property
    def passed(self) -> bool:
        return any(refusals.client_auth_passed(a) for a in self.tried.values())


def encoding_differs(creds: Credentials) -> bool:
    """URL-encoding changes the id or the secret, so raw and encoded Basic can disagree."""
    return client_auth.encoding_matters(creds.client_secret) or client_auth.encoding_matters(
        creds.client_id
    )


async def _try(run: TokenRun, trials: ClientAuthTrials, method: str) -> None:
    found = await run.attempt(method)
    if found is not None:
        trials.tried[method] = found


async def client_auth_experiments(
    run: TokenRun, first: TokenAttempt, uaa: bool
) -> ClientAuthTrials:
    """The credentials were refused: resend them differently (within the budget)."""
    secret = run.creds.client_secret
    differs = encoding_differs(run.creds)
    trials = ClientAuthTrials(first, {first.method: first})
    if first.method != POST_BODY:
        await _try(run, trials, POST_BODY)
    if differs and BASIC_RAW not in trials.tried:
        await _try(run, trials, BASIC_RAW)
    if differs and uaa:
        await _try(run, trials, BASIC_ENCODED_CF)
    if first.method == POST_BODY and BASIC_ENCODED not in trials.tried:
        await _try(run, trials, BASIC_ENCODED)
    if secret != secret.strip():
        stripped = await run.attempt(
            first.method,
            label=f"{METHOD_TEXT[first.method]}, secret trimmed",
            secret=secret.strip(),
        )
        trials.stripped_ok = stripped is not None and refusals.client_auth_passed(stripped)
    return trials


async def decoding_experiment(run: TokenRun, first: TokenAttempt) -> TokenAttempt | None:
    """With a `+`, `/`, `=` … in the secret, one raw Basic request shows how the server decodes."""
    if first.method != BASIC_ENCODED or not client_auth.encoding_matters(run.creds.client_secret):
        return None
    return await run.attempt(BASIC_RAW)


async def request_retry(run: TokenRun, first: TokenAttempt) -> TokenAttempt | None:
    """The client got through but the request was refused for its scope or audience: the same
    without it tells whether that is the only objection."""
    description = (first.error_description or "") + " " + (first.error_hint or "")
    if refusals.not_a_token_endpoint(first):
        return None
    if refusals.is_scope_error(first):
        return await run.attempt(first.method, label="the same without scope", scope=None)
    if run.audience and (first.error == "invalid_target" or "audience" in description.lower()):
        return await run.attempt(first.method, label="the same without audience", audience=None)
    return None
