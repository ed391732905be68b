"""The password grant, tried through the `token` command: whose fault is a refusal, the user's
or the client's?

A refused password grant looks the same either way, so a client-credentials request with the
same client splits it: the client gets through, so the refusal is about the user; or it is
refused too, so the client-authentication experiments run, and the password grant is retried
the way that worked. The client counts as authenticated only on proof.
"""

from __future__ import annotations

from handlers.core.model import Finding, Severity
from handlers.oauth import refusals
from handlers.oauth.destinations import refusal
from handlers.oauth.token_diagnosis import diagnose_client_auth
from handlers.oauth.token_experiments import MAX_REQUESTS, METHOD_TEXT, TokenRun
from handlers.oauth.token_request import TokenAttempt
from handlers.oauth.token_verdicts import (
    attempts_finding,
    not_a_token_endpoint,
    success_findings,
    unreachable,
)
from handlers.oauth.token_verdicts import refusal as refused_finding
from handlers.xsuaa import password_grant, user_refusals
from handlers.xsuaa.password_grant import UserCredentials

#: The password grant is tried once, and once more after the experiments found how the client
#: authenticates: two requests on top of the client-credentials budget.
PASSWORD_EXTRA_REQUESTS = 2
_USER_AND_CLIENT = "the client or the user"


def _password_label(method: str, origin: str | None) -> str:
    hint = f", login_hint origin {origin}" if origin else ""
    return f"password grant, {METHOD_TEXT[method]}{hint}"


def _password_success(
    run: TokenRun, a: TokenAttempt, user: UserCredentials, origin: str | None
) -> list[Finding]:
    found = success_findings(run, a, run.ctx)
    head = found[0]
    title = f"User `{user.username}` got a token through client `{run.creds.client_id}`"
    detail = f"{head.detail}\nuser at {user_refusals.origin_text(origin)}; password from " + (
        user.source
    )
    return [Finding(run.check, head.status, title, detail, head.remedy, head.evidence), *found[1:]]


def _client_side_finding(run: TokenRun, cc: TokenAttempt) -> Finding:
    return Finding(
        run.check,
        Severity.FAIL,
        "Client authentication fails: the client-credentials grant is refused too",
        f"Both the password grant and a client-credentials request with client "
        f"`{run.creds.client_id}` (from {run.creds.source}) are refused ({cc.wording()}): the "
        "problem is the client, not the user.",
        "Check that the client secret is current and its binding or service key still exists; "
        "that the service instance allows the credential type in use (`binding-secret`, "
        "`instance-secret` or `x509` in `credential-types`); for an application subscribed from "
        "another subaccount, that it is onboarded through the SaaS Provisioning service. A secret "
        "with `+` goes in the POST body, or URL-encoded with `X-CF-ENCODED-CREDENTIALS: true` "
        "(Spring Security 5.6+ URL-encodes Basic credentials). The findings below narrow it down.",
        {"side": "client", "error": cc.error},
    )


def _client_undecided(run: TokenRun, first: TokenAttempt, cc: TokenAttempt) -> Finding:
    return Finding(
        run.check,
        Severity.ERROR,
        f"Could not tell whether client `{run.creds.client_id}` authenticates",
        f"The password grant was refused ({first.wording()}) and the client-credentials request "
        f"with the same client neither succeeded nor was refused for its credentials "
        f"({cc.wording()}), so user and client cannot be told apart.",
        "What would decide: a client-credentials token for the same client (run `token` "
        "without --grant), or the authorization server's log for this request.",
        {"side": "undecided"},
    )


def _user_side(
    run: TokenRun, first: TokenAttempt, cc: TokenAttempt, user: UserCredentials, origin: str | None
) -> list[Finding]:
    """The client authenticates, so the password grant's refusal is about the user."""
    return [
        Finding(
            run.check,
            Severity.INFO,
            f"Client `{run.creds.client_id}` authenticates: the refusal is about the user",
            f"Client credentials with the same client: "
            f"{'token issued' if cc.ok else cc.wording()}.",
            "",
            {"side": "user"},
        ),
        user_refusals.user_failure(
            run.check, first, user.username, origin, run.creds.client_id, user.source
        ),
    ]


async def _client_side(
    run: TokenRun,
    cc: TokenAttempt,
    user: UserCredentials,
    origin: str | None,
    fields: dict[str, str],
) -> list[Finding]:
    """The client is refused too: find out why, then retry the password grant the way that
    got the client through."""
    out = [_client_side_finding(run, cc), *await diagnose_client_auth(run, cc)]
    working = run.first_passed()
    if working is None:
        return out
    retry = await run.attempt(
        working.method, label=_password_label(working.method, origin), extra=fields
    )
    if retry is not None and retry.ok:
        out += _password_success(run, retry, user, origin)
    elif retry is not None and retry.status is not None:
        out.append(
            user_refusals.user_failure(
                run.check, retry, user.username, origin, run.creds.client_id, user.source
            )
        )
    return out


async def _attempts(
    run: TokenRun, user: UserCredentials, origin: str | None, primary: str
) -> list[Finding]:
    fields = password_grant.form_fields(user.username, user.password, origin)
    first = await run.attempt(primary, label=_password_label(primary, origin), extra=fields)
    assert first is not None
    if first.transport_error:
        return [unreachable(run, first, _USER_AND_CLIENT)]
    if first.ok:
        return _password_success(run, first, user, origin)
    if refusals.not_a_token_endpoint(first):
        return [not_a_token_endpoint(run, first)]
    if user_refusals.grant_not_allowed(first, "password"):
        return [user_refusals.password_grant_refused(run.check, first, run.creds.client_id)]
    cc = await run.attempt(primary, label=f"client credentials, {METHOD_TEXT[primary]}")
    assert cc is not None
    if cc.transport_error:
        return [unreachable(run, cc, _USER_AND_CLIENT)]
    # The client counts as authenticated only on proof: a token, or an error a server gives only
    # after authenticating it. A refused client must never turn into "the user's password".
    client_ok = user_refusals.grant_not_allowed(
        cc, "client_credentials"
    ) or refusals.client_auth_passed(cc)
    if not client_ok and not refusals.may_be_client_auth(cc, run.creds.client_secret):
        return [_client_undecided(run, first, cc)]
    if client_ok:
        return _user_side(run, first, cc, user, origin)
    return await _client_side(run, cc, user, origin, fields)


async def password_run(
    run: TokenRun, user: UserCredentials, origin: str | None, primary: str
) -> list[Finding]:
    """Password grant; on refusal, client credentials with the same client to split the cause."""
    run.extra_destinations = user.destinations
    password_refused = refusal(user.destinations, f"the password from {user.source}", run.url)
    if password_refused:
        title = f"Refused to send the user's password to {run.url}"
        return [refused_finding(run.check, title, password_refused, {})]
    run.budget = MAX_REQUESTS + PASSWORD_EXTRA_REQUESTS
    found = await _attempts(run, user, origin, primary)
    return [*user.notes, *found, attempts_finding(run)]
