"""`token <token-url-or-issuer>`: can this client get a token, and if not, why not.

A failed client-credentials request says little (`invalid_client`, "Bad credentials"), and the
usual causes look identical from outside: a `+` in the secret that one side URL-decodes and the
other does not, a newline from `echo`, a client registered for `client_secret_post`, a scope or
audience not allowed. So on failure the check experiments — the same credentials sent a few
different ways — and the combination of answers names the cause. Never more than five requests,
every attempt listed, no secret or token ever shown.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlsplit

from handlers.core.check import Arguments, CheckContext, Command, Param, ParamKind, PrivateField
from handlers.core.model import Finding, Severity
from handlers.core.redact import describe_secret
from handlers.net import guard as targets
from handlers.oauth import client_auth, contradictions, credentials, discovery, refusals
from handlers.oauth.client_auth import BASIC_ENCODED, BASIC_ENCODED_CF, BASIC_RAW, POST_BODY
from handlers.oauth.destinations import Credentials, Destinations, refusal
from handlers.oauth.token_request import TokenAttempt, request_client_credentials
from handlers.tokens.info import identify, jwt_summary, split_scopes, view
from handlers.xsuaa import password_grant

CHECK = "token"
#: The budget of requests for one run, experiments included.
MAX_REQUESTS = 5
#: The password grant is tried once, and once more after the experiments found how the client
#: authenticates: two requests on top of the client-credentials budget.
PASSWORD_EXTRA_REQUESTS = 2
GRANTS = ("client_credentials", "password")
#: The switch the bot adds when the password came from its private form (PrivateField).
PASSWORD_FORM = "password-form"

_METHOD_TEXT = {
    BASIC_ENCODED: "Basic, URL-encoded (RFC 6749 §2.3.1)",
    BASIC_RAW: "Basic, raw (not URL-encoded)",
    POST_BODY: "client_id/client_secret in the POST body",
    BASIC_ENCODED_CF: "Basic, URL-encoded, with X-CF-ENCODED-CREDENTIALS: true",
}


@dataclass
class _Run:
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
        self.attempts.append((label or _METHOD_TEXT[method], result))
        return result


def _attempts_finding(run: _Run) -> Finding:
    lines = []
    for index, (label, a) in enumerate(run.attempts, 1):
        outcome = "token issued" if a.ok else a.wording()
        lines.append(f"{index}. {label}: {outcome}")
    return Finding(
        CHECK,
        Severity.INFO,
        f"{len(run.attempts)} token request{'s' if len(run.attempts) > 1 else ''} to {run.url}",
        "\n".join(lines),
        "",
        {
            "token_url": run.url,
            "client_id": run.creds.client_id,
            "credentials_from": run.creds.source,
            "attempts": [
                {
                    "method": a.method,
                    "label": label,
                    "status": a.status,
                    "error": a.error,
                    "error_description": a.error_description,
                    "transport_error": a.transport_error,
                    "ok": a.ok,
                }
                for label, a in run.attempts
            ],
        },
    )


def _is_uaa(a: TokenAttempt) -> bool:
    text = " ".join(
        filter(None, [a.www_authenticate, a.error, a.error_description, a.body_excerpt])
    ).lower()
    return "uaa" in text or "bad credentials" in text or a.error == "unauthorized"


def _success_findings(run: _Run, a: TokenAttempt, ctx: CheckContext) -> list[Finding]:
    token = a.access_token or ""
    ctx.redactor.add(token)
    tv = view(token)
    granted = (a.scope or "").split()
    lines = [
        f"token: {identify(token)}",
        f"type: {a.token_type or 'not given'}, format: "
        + ("JWT" if tv.decoded else (tv.opaque[0] if tv.opaque else "opaque")),
        f"lifetime: {a.expires_in} s" if a.expires_in is not None else "lifetime: not given",
        f"granted scopes: {' '.join(granted) or 'none listed'}",
    ]
    if tv.decoded is not None:
        lines.append("decoded (signature not verified):")
        lines.append(jwt_summary(tv.decoded, ctx.clock()))
    findings = [
        Finding(
            CHECK,
            Severity.OK,
            f"Client `{run.creds.client_id}` got a token",
            "\n".join(lines),
            "",
            {
                "method": a.method,
                "expires_in": a.expires_in,
                "scope": a.scope,
                "jwt": tv.decoded is not None,
            },
        )
    ]
    wanted = split_scopes([run.scope] if run.scope else [])
    for c in contradictions.after_token(wanted, a.scope, run.audience, tv.decoded):
        findings.append(Finding(CHECK, c.status, c.title, c.detail, c.remedy, c.evidence))
    if a.expires_in is not None and a.expires_in < 300:
        findings.append(
            Finding(
                CHECK,
                Severity.WARN,
                f"Tokens live only {a.expires_in} s",
                "Callers that cache tokens for longer will send expired ones.",
                "Refresh before `expires_in` runs out.",
            )
        )
    return findings


async def _decoding_probe(run: _Run, first: TokenAttempt) -> list[Finding]:
    """With a `+`, `/`, `=` … in the secret, one raw Basic request shows how the server decodes."""
    secret = run.creds.client_secret
    if first.method != BASIC_ENCODED or not client_auth.encoding_matters(secret):
        return []
    raw = await run.attempt(BASIC_RAW)
    chars = " ".join(f"`{c}`" for c in client_auth.special_characters(secret))
    if raw is None or raw.status is None:
        return []
    if raw.ok:
        return [
            Finding(
                CHECK,
                Severity.INFO,
                "The server also accepted the secret raw in Basic auth",
                f"The secret contains {chars}; this server did not need them URL-encoded.",
            )
        ]
    return [
        Finding(
            CHECK,
            Severity.INFO,
            "The server URL-decodes Basic credentials (RFC 6749 §2.3.1)",
            f"The secret contains {chars}. URL-encoded it works; sent raw (as `curl -u`, "
            "`echo -n id:secret | base64` or a hand-built header do) it is rejected: "
            f"{raw.wording()}. A raw `+` becomes a space.",
            "Callers must URL-encode id and secret before base64 (or send them in the POST "
            "body with client_secret_post, if the client allows it).",
        )
    ]


async def _diagnose_client_auth(run: _Run, first: TokenAttempt) -> list[Finding]:
    """The credentials were refused: resend them differently and read the pattern."""
    creds = run.creds
    secret = creds.client_secret
    encoded_differs = client_auth.encoding_matters(secret) or client_auth.encoding_matters(
        creds.client_id
    )
    uaa = _is_uaa(first)
    tried: dict[str, TokenAttempt] = {first.method: first}
    if first.method != POST_BODY:
        post = await run.attempt(POST_BODY)
        if post is not None:
            tried[POST_BODY] = post
    if encoded_differs and BASIC_RAW not in tried:
        raw = await run.attempt(BASIC_RAW)
        if raw is not None:
            tried[BASIC_RAW] = raw
    if encoded_differs and uaa:
        cf = await run.attempt(BASIC_ENCODED_CF)
        if cf is not None:
            tried[BASIC_ENCODED_CF] = cf
    if first.method == POST_BODY and BASIC_ENCODED not in tried:
        basic = await run.attempt(BASIC_ENCODED)
        if basic is not None:
            tried[BASIC_ENCODED] = basic
    stripped_ok = False
    if secret != secret.strip():
        stripped = await run.attempt(
            first.method,
            label=f"{_METHOD_TEXT[first.method]}, secret trimmed",
            secret=secret.strip(),
        )
        stripped_ok = stripped is not None and refusals.client_auth_passed(stripped)
    chars = " ".join(f"`{c}`" for c in client_auth.special_characters(secret))
    who = f"client `{creds.client_id}` (from {creds.source}), secret {describe_secret(secret)}"

    def ok(method: str) -> bool:
        """The method got the client through: a token, or an error only given after that."""
        found = tried.get(method)
        return found is not None and refusals.client_auth_passed(found)

    passed = any(refusals.client_auth_passed(a) for a in tried.values())
    if stripped_ok or (secret != secret.strip() and not passed):
        where = "a trailing newline" if secret.endswith(("\n", "\r")) else "whitespace"
        return [
            Finding(
                CHECK,
                Severity.FAIL,
                f"The client secret has {where} around it",
                f"{who}. "
                + (
                    "The trimmed secret works."
                    if stripped_ok
                    else "The server rejects it either way; the whitespace is wrong regardless."
                ),
                "Re-create the value without it: `echo -n` (not `echo`) before base64, no YAML "
                "`|` block for the Secret, `kubectl create secret generic --from-literal`.",
            )
        ]
    if ok(BASIC_ENCODED_CF) and not ok(BASIC_ENCODED):
        return [
            Finding(
                CHECK,
                Severity.FAIL,
                "UAA takes Basic credentials raw: the URL-encoded secret is wrong to it",
                f"{who}. The secret contains {chars}; URL-encoded Basic fails, the same with "
                "`X-CF-ENCODED-CREDENTIALS: true` works.",
                "Send `X-CF-ENCODED-CREDENTIALS: true` with URL-encoded Basic credentials, or put "
                "client_id/client_secret in the POST body. Spring Security 5.6+ URL-encodes "
                "Basic credentials by default.",
            )
        ]
    if ok(BASIC_RAW) and not ok(BASIC_ENCODED):
        return [
            Finding(
                CHECK,
                Severity.FAIL,
                "The server does not URL-decode Basic credentials",
                f"{who}. The secret contains {chars}: URL-encoded (as RFC 6749 §2.3.1 and "
                "most libraries do) it is rejected, raw it works. Cloud Foundry UAA / XSUAA "
                "behave like this.",
                "Send the credentials in the POST body (client_secret_post), or for UAA add "
                "`X-CF-ENCODED-CREDENTIALS: true` to URL-encoded Basic credentials.",
            )
        ]
    if ok(POST_BODY) and not ok(BASIC_ENCODED) and not ok(BASIC_RAW):
        if encoded_differs and BASIC_RAW not in tried:
            cause = "or it does not decode the URL-encoded secret"
        else:
            cause = "`token_endpoint_auth_method` is `client_secret_post`"
        return [
            Finding(
                CHECK,
                Severity.FAIL,
                "The client only authenticates with credentials in the POST body",
                f"{who}. Basic authentication is refused ({first.wording()}), the same "
                f"credentials in the form body work: {cause}.",
                "Send client_id/client_secret as form fields, or register the client with "
                "`token_endpoint_auth_method: client_secret_basic` (OAuth2Client "
                "`spec.tokenEndpointAuthMethod`).",
            )
        ]
    if ok(BASIC_ENCODED) and first.method == POST_BODY:
        return [
            Finding(
                CHECK,
                Severity.FAIL,
                "The client only authenticates with Basic credentials",
                f"{who}. Credentials in the POST body are refused ({first.wording()}), Basic "
                "works: `token_endpoint_auth_method` is `client_secret_basic`.",
                "Use HTTP Basic, or register the client with `client_secret_post`.",
            )
        ]
    if passed:
        return []
    descriptions = " ".join(filter(None, [first.error_description, first.error_hint])).lower()
    silent = all(a.error is None for a in tried.values())
    if silent and not run.scope and secret.strip():
        return [_silent_without_scope(run, who, first)]
    if "missing credentials" in descriptions or not secret.strip():
        title = "The server saw no client secret"
        remedy = "The secret is empty where it is read from; check the Secret's key names."
    elif refusals.client_unknown(first):
        title = f"Client `{creds.client_id}` is not known to this server"
        remedy = (
            "Check the client id and that it is registered on this server (for Kyma: "
            "`client <namespace>/<name>`; hydra-maester logs say if registration "
            "failed)."
        )
    else:
        title = f"Client `{creds.client_id}` was refused by every authentication method"
        remedy = (
            "The client is unknown here, disabled, or the secret is wrong. Compare the secret's "
            "fingerprint with the registered one; an OAuth2Client Secret edited after "
            "registration does not update Hydra (delete and re-create the OAuth2Client)."
        )
    wording = "UAA wording (`unauthorized` / Bad credentials)" if uaa else "the server's wording"
    return [
        Finding(
            CHECK,
            Severity.FAIL,
            title,
            f"{who}. {wording}: {first.wording()}. Tried "
            f"{', '.join(_METHOD_TEXT[m] for m in tried)}: all refused.",
            remedy,
            {"error": first.error},
        )
    ]


def _silent_without_scope(run: _Run, who: str, first: TokenAttempt) -> Finding:
    """Every method refused without a reason, and no scope was asked for: some servers refuse
    a scope-less client-credentials request exactly like bad credentials, so it is undecided."""
    return Finding(
        CHECK,
        Severity.ERROR,
        f"Could not tell why client `{run.creds.client_id}` is refused: no reason given, no "
        "scope requested",
        f"{who}. Every authentication method got a refusal without a reason "
        f"({first.wording()}). Besides wrong credentials, some servers refuse a "
        "client-credentials request without `scope` the same way (Glewlwyd: an empty 403).",
        "What would decide: the same request with --scope <a scope the client may have>; a "
        "refusal then is about the credentials.",
        {"error": None, "side": "undecided"},
    )


async def _diagnose_request(run: _Run, first: TokenAttempt) -> list[Finding]:
    """The client was accepted but the request was not: scope, audience, grant type."""
    description = (first.error_description or "") + " " + (first.error_hint or "")
    if refusals.not_a_token_endpoint(first):
        return [_not_a_token_endpoint(run, first)]
    if refusals.is_scope_error(first):
        retry = await run.attempt(first.method, label="the same without scope", scope=None)
        works = retry is not None and retry.ok
        return [
            Finding(
                CHECK,
                Severity.FAIL,
                f"Scope not allowed for client `{run.creds.client_id}`: {run.scope}",
                f"{first.wording()}."
                + (" Without --scope the client gets a token." if works else ""),
                "Allow the scope on the client (OAuth2Client `spec.scope` / `scopeArray`, XSUAA "
                "`xs-security.json` grants), or request only allowed scopes.",
                {"scope": run.scope},
            )
        ]
    if run.audience and (first.error == "invalid_target" or "audience" in description.lower()):
        retry = await run.attempt(first.method, label="the same without audience", audience=None)
        works = retry is not None and retry.ok
        return [
            Finding(
                CHECK,
                Severity.FAIL,
                f"Audience not allowed for client `{run.creds.client_id}`: {run.audience}",
                f"{first.wording()}."
                + (" Without --audience the client gets a token." if works else ""),
                "Whitelist the audience on the client (OAuth2Client `spec.audience`).",
                {"audience": run.audience},
            )
        ]
    if first.error in ("unauthorized_client", "unsupported_grant_type"):
        return [
            Finding(
                CHECK,
                Severity.FAIL,
                f"Client `{run.creds.client_id}` may not use the client_credentials grant",
                first.wording(),
                "Add `client_credentials` to the client's grant types (OAuth2Client "
                "`spec.grantTypes`).",
            )
        ]
    if first.status is not None and first.status >= 500:
        return [
            Finding(
                CHECK,
                Severity.ERROR,
                f"The token endpoint failed (HTTP {first.status})",
                first.wording(),
                "A server-side problem: check the authorization server's logs and health.",
            )
        ]
    if first.error is None:
        return [_not_a_token_endpoint(run, first)]
    return [
        Finding(
            CHECK,
            Severity.FAIL,
            f"The token request was refused: `{first.error}`",
            first.wording(),
            "The server's description says what it objects to.",
        )
    ]


async def _after_client_auth(run: _Run, ctx: CheckContext) -> list[Finding]:
    """Once an experiment got the client through: the token it got, or what the server then
    objected to (a scope, the audience), read as if that had been the first answer."""
    success = next((a for _, a in run.attempts if a.ok), None)
    if success is not None:
        return _success_findings(run, success, ctx)
    through = next((a for _, a in run.attempts if refusals.client_auth_passed(a)), None)
    if through is not None:
        return await _diagnose_request(run, through)
    return []


def _not_a_token_endpoint(run: _Run, a: TokenAttempt) -> Finding:
    login = (
        " It is a login page: a browser flow, not a token endpoint."
        if (refusals.login_page(a))
        else ""
    )
    return Finding(
        CHECK,
        Severity.ERROR,
        f"{run.url} did not answer like a token endpoint (HTTP {a.status})",
        f"{a.wording()} (content type {a.content_type or 'not given'}).{login}",
        "Check the URL: Hydra uses /oauth2/token, UAA/XSUAA /oauth/token, Glewlwyd "
        "/api/<plugin>/token, or give the issuer and let discovery find it.",
        {"token_url": run.url, "status": a.status},
    )


def _password_label(method: str, origin: str | None) -> str:
    hint = f", login_hint origin {origin}" if origin else ""
    return f"password grant, {_METHOD_TEXT[method]}{hint}"


def _unreachable(url: str, a: TokenAttempt) -> Finding:
    return Finding(
        CHECK,
        Severity.ERROR,
        "Token endpoint unreachable",
        f"POST {url}: {a.transport_error}. Nothing is known about the client or the user.",
        "Check the URL and that authcheck can reach it (DNS, NetworkPolicy, egress proxy).",
        {"token_url": url},
    )


def _password_success(
    run: _Run, a: TokenAttempt, user: password_grant.UserCredentials, origin: str | None
) -> list[Finding]:
    found = _success_findings(run, a, run.ctx)
    head = found[0]
    title = f"User `{user.username}` got a token through client `{run.creds.client_id}`"
    detail = f"{head.detail}\nuser at {password_grant.origin_text(origin)}; password from " + (
        user.source
    )
    return [Finding(CHECK, head.status, title, detail, head.remedy, head.evidence), *found[1:]]


def _client_side_finding(run: _Run, cc: TokenAttempt) -> Finding:
    return Finding(
        CHECK,
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


def _client_undecided(run: _Run, first: TokenAttempt, cc: TokenAttempt) -> Finding:
    return Finding(
        CHECK,
        Severity.ERROR,
        f"Could not tell whether client `{run.creds.client_id}` authenticates",
        f"The password grant was refused ({first.wording()}) and the client-credentials request "
        f"with the same client neither succeeded nor was refused for its credentials "
        f"({cc.wording()}), so user and client cannot be told apart.",
        "What would decide: a client-credentials token for the same client (run `token` "
        "without --grant), or the authorization server's log for this request.",
        {"side": "undecided"},
    )


async def _password_run(run: _Run, args: Arguments, primary: str) -> list[Finding]:
    """Password grant; on refusal, client credentials with the same client to split the cause."""
    lookup = await password_grant.user_credentials(
        run.ctx,
        CHECK,
        username=args.text("username"),
        secret_ref=args.text("password-secret"),
        env_name=args.text("password-env"),
        form=run.ctx.private.get("password") if args.flag(PASSWORD_FORM) else None,
        from_form=args.flag(PASSWORD_FORM),
    )
    if lookup.finding is not None:
        return [lookup.finding]
    user = lookup.user
    assert user is not None
    run.extra_destinations = user.destinations
    password_refused = refusal(user.destinations, f"the password from {user.source}", run.url)
    if password_refused:
        title = f"Refused to send the user's password to {run.url}"
        return [_refusal(title, password_refused, {})]
    origin = args.text("origin")
    fields = password_grant.form_fields(user.username, user.password, origin)
    run.budget = MAX_REQUESTS + PASSWORD_EXTRA_REQUESTS
    out: list[Finding] = list(user.notes)
    first = await run.attempt(primary, label=_password_label(primary, origin), extra=fields)
    assert first is not None
    if first.transport_error:
        return [*out, _unreachable(run.url, first), _attempts_finding(run)]
    if first.ok:
        return [*out, *_password_success(run, first, user, origin), _attempts_finding(run)]
    if refusals.not_a_token_endpoint(first):
        return [*out, _not_a_token_endpoint(run, first), _attempts_finding(run)]
    if password_grant.grant_not_allowed(first, "password"):
        refused = password_grant.password_grant_refused(CHECK, first, run.creds.client_id)
        return [*out, refused, _attempts_finding(run)]
    cc = await run.attempt(primary, label=f"client credentials, {_METHOD_TEXT[primary]}")
    assert cc is not None
    if cc.transport_error:
        return [*out, _unreachable(run.url, cc), _attempts_finding(run)]
    # The client counts as authenticated only on proof: a token, or an error a server gives only
    # after authenticating it. A refused client must never turn into "the user's password".
    client_ok = password_grant.grant_not_allowed(
        cc, "client_credentials"
    ) or refusals.client_auth_passed(cc)
    if not client_ok and not refusals.may_be_client_auth(cc, run.creds.client_secret):
        return [*out, _client_undecided(run, first, cc), _attempts_finding(run)]
    if client_ok:
        out.append(
            Finding(
                CHECK,
                Severity.INFO,
                f"Client `{run.creds.client_id}` authenticates: the refusal is about the user",
                f"Client credentials with the same client: "
                f"{'token issued' if cc.ok else cc.wording()}.",
                "",
                {"side": "user"},
            )
        )
        verdict = password_grant.user_failure(
            CHECK, first, user.username, origin, run.creds.client_id, user.source
        )
        return [*out, verdict, _attempts_finding(run)]
    out.append(_client_side_finding(run, cc))
    out += await _diagnose_client_auth(run, cc)
    working = next((a for _, a in run.attempts if refusals.client_auth_passed(a)), None)
    if working is not None:
        retry = await run.attempt(
            working.method, label=_password_label(working.method, origin), extra=fields
        )
        if retry is not None and retry.ok:
            out += _password_success(run, retry, user, origin)
        elif retry is not None and retry.status is not None:
            out.append(
                password_grant.user_failure(
                    CHECK, retry, user.username, origin, run.creds.client_id, user.source
                )
            )
    return [*out, _attempts_finding(run)]


def _looks_like_token_url(url: str) -> bool:
    return urlsplit(url).path.rstrip("/").endswith("token")


async def _token_url(ctx: CheckContext, given: str) -> tuple[str | None, list[Finding]]:
    if _looks_like_token_url(given):
        return given, []
    found = await discovery.discover(ctx, given)
    meta = found.metadata
    if meta is None or not meta.token_endpoint:
        return None, [
            Finding(
                CHECK,
                Severity.ERROR,
                f"Could not find the token endpoint of {given}",
                "Tried: "
                + found.tried_text()
                + ("" if meta is None else "; the document has no `token_endpoint`"),
                "Give the token URL itself (Hydra: <public>/oauth2/token, UAA/XSUAA: "
                "<url>/oauth/token).",
                {"issuer": given},
            )
        ]
    return meta.token_endpoint, [
        Finding(
            CHECK,
            Severity.INFO,
            f"Token endpoint from discovery: {meta.token_endpoint}",
            f"Read from {meta.url}. Client authentication methods it lists: "
            f"{', '.join(meta.token_auth_methods) or 'none'}.",
            "",
            {"token_endpoint": meta.token_endpoint, "auth_methods": list(meta.token_auth_methods)},
        )
    ]


async def _destination(
    ctx: CheckContext, creds: Credentials, given: str, url: str
) -> tuple[Credentials, Finding | None]:
    """May `creds` go to `url`? A discovery document read from a URL the bot trusts (its
    configuration, or where the credentials belong) may name the endpoint; one read from any other
    typed URL may not point the bot at its own endpoints or at a refused address."""
    trusted_document = targets.origin(given) in targets.configured_origins(ctx.settings) or (
        creds.destinations is not None and creds.destinations.permits(given)
    )
    if url != given:
        if trusted_document and creds.destinations is not None:
            creds = replace(creds, destinations=creds.destinations.including(url))
        elif not trusted_document:
            reason = await targets.discovered_refusal(url, ctx.settings, ctx.resolver)
            if reason:
                return creds, _refusal(f"Refused to call {url}", reason, {"token_url": url})
    reason = creds.refusal(url)
    if reason:
        return creds, _refusal(f"Refused to send the client credentials to {url}", reason, {})
    return creds, None


def _refusal(title: str, reason: str, evidence: dict[str, Any]) -> Finding:
    return Finding(
        CHECK,
        Severity.ERROR,
        title,
        reason,
        "Send the request to the endpoint the credentials belong to, or pass the client for "
        "this server yourself with --client-id/--client-secret.",
        evidence,
    )


@dataclass(frozen=True)
class TokenCheck:
    name: str = CHECK

    async def run(self, args: Arguments, ctx: CheckContext) -> list[Finding]:
        given = (args.text("target") or "").strip()
        refused = await targets.refusal(given, ctx.settings.url_allowlist)
        if refused:
            return [
                Finding(
                    CHECK,
                    Severity.ERROR,
                    f"Refused to call {given}",
                    f"{refused}; URLs typed in chat may not reach such addresses.",
                    targets.allowlist_remedy(given),
                )
            ]
        creds = credentials.inline(args.text("client-id"), args.text("client-secret"))
        env_name = args.text("client-secret-env")
        if creds is None and env_name:
            env_secret = password_grant.read_env(ctx, env_name)
            if env_secret is None:
                return [
                    Finding(
                        CHECK,
                        Severity.ERROR,
                        f"Environment variable `{env_name}` is not set in the bot",
                        "The client secret was to come from this variable; it is unset or empty, "
                        "so no token request was made.",
                        "Set it in the bot's Deployment, or use --secret NS/NAME.",
                    )
                ]
            creds = Credentials(
                str(args.text("client-id")),
                env_secret,
                f"--client-id and {env_name}",
                password_grant.env_destinations(ctx, env_name),
            )
        if creds is None:
            lookup = await credentials.from_secret(
                ctx, CHECK, args.text("secret") or "", "for the token request"
            )
            if lookup.finding is not None:
                return [lookup.finding]
            creds = lookup.credentials
        assert creds is not None
        ctx.redactor.add_basic(creds.client_id, creds.client_secret)
        url, findings = await _token_url(ctx, given)
        if url is None:
            return findings
        creds, not_sent = await _destination(ctx, creds, given, url)
        if not_sent:
            return [*findings, not_sent]
        methods: tuple[str, ...] = tuple(
            findings[0].evidence.get("auth_methods", ()) if findings else ()
        )
        primary = (
            POST_BODY
            if "client_secret_post" in methods and "client_secret_basic" not in methods
            else BASIC_ENCODED
        )
        run = _Run(ctx, url, creds, args.text("scope"), args.text("audience"), [])
        if args.text("grant") == "password":
            return [*findings, *await _password_run(run, args, primary)]
        first = await run.attempt(primary)
        assert first is not None
        if first.transport_error:
            return [
                *findings,
                Finding(
                    CHECK,
                    Severity.ERROR,
                    "Token endpoint unreachable",
                    f"POST {url}: {first.transport_error}. Nothing is known about the client.",
                    "Check the URL and that authcheck can reach it (DNS, NetworkPolicy, "
                    "egress proxy).",
                    {"token_url": url},
                ),
                _attempts_finding(run),
            ]
        if first.ok:
            verdict = _success_findings(run, first, ctx) + await _decoding_probe(run, first)
        elif refusals.may_be_client_auth(first, creds.client_secret):
            verdict = await _diagnose_client_auth(run, first)
            verdict += await _after_client_auth(run, ctx)
        else:
            verdict = await _diagnose_request(run, first)
        return [*findings, *verdict, _attempts_finding(run)]


def _validate_password(args: Arguments) -> None:
    """The password grant's inputs: never a password or client secret typed in chat."""
    grant = args.text("grant") or "client_credentials"
    user_flags = [
        f for f in ("username", "origin", "password-secret", "password-env") if args.text(f)
    ]
    if grant != "password":
        if user_flags:
            raise ValueError(f"--{user_flags[0]} is only for --grant password")
        return
    if args.text("client-secret") is not None:
        raise ValueError(
            "with --grant password the client secret may not be typed in chat: use --secret "
            "NS/NAME, or --client-id ID --client-secret-env "
            f"{password_grant.CLIENT_SECRET_ENV_PREFIX}…"
        )
    sources = [f for f in ("password-secret", "password-env") if args.text(f)]
    if args.flag(PASSWORD_FORM):
        sources.append(PASSWORD_FORM)
    if len(sources) > 1:
        raise ValueError("give one of --password-secret, --password-env or the form, not several")
    if not sources:
        raise ValueError(
            "the password grant needs the user's password from --password-secret NS/NAME or "
            f"--password-env {password_grant.PASSWORD_ENV_PREFIX}…, never as chat text"
        )
    credentials.validate_ref(args.text("password-secret"), "--password-secret")
    password_grant.validate_env_name(
        args.text("password-env"), password_grant.PASSWORD_ENV_PREFIX, "--password-env"
    )


def _validate(args: Arguments) -> None:
    target = args.text("target") or ""
    problem = targets.url_problem(target)
    if problem:
        raise ValueError(f"<token-url-or-issuer>: {problem}")
    _validate_password(args)
    password_grant.validate_env_name(
        args.text("client-secret-env"),
        password_grant.CLIENT_SECRET_ENV_PREFIX,
        "--client-secret-env",
    )
    if args.text("client-secret-env") and args.text("client-secret") is not None:
        raise ValueError("give either --client-secret or --client-secret-env, not both")
    has_id = args.text("client-id") is not None
    has_secret = (
        args.text("client-secret") is not None or args.text("client-secret-env") is not None
    )
    if has_id != has_secret:
        raise ValueError("--client-id and --client-secret go together")
    if args.text("secret") and has_id:
        raise ValueError("give either --secret or --client-id/--client-secret, not both")
    if not args.text("secret") and not has_id:
        raise ValueError("give the client: --client-id ID --client-secret S, or --secret NS/NAME")
    credentials.validate_ref(args.text("secret"), "--secret")


def build() -> Command:
    params: tuple[Param, ...] = (
        Param(
            "target",
            "token endpoint URL, or the issuer (discovery finds the endpoint)",
            required=True,
            metavar="token-url-or-issuer",
        ),
        Param("client-id", "the client's id", kind=ParamKind.OPTION),
        Param(
            "client-secret",
            "the client's secret",
            kind=ParamKind.OPTION,
            secret=True,
            metavar="SECRET",
        ),
        Param(
            "secret",
            "Kubernetes Secret with the client (client_id/client_secret, CLIENT_ID/CLIENT_SECRET "
            "or clientid/clientsecret)",
            kind=ParamKind.OPTION,
            metavar="NS/NAME",
        ),
        Param("scope", "scopes to request (space separated)", kind=ParamKind.OPTION),
        Param("audience", "audience to request (Hydra `audience`)", kind=ParamKind.OPTION),
        Param(
            "client-secret-env",
            "environment variable of the bot holding the client secret (with --client-id); its "
            f"name must start with {password_grant.CLIENT_SECRET_ENV_PREFIX} so chat users "
            "cannot make the bot read any other variable",
            kind=ParamKind.OPTION,
            metavar="VAR",
        ),
        Param(
            "grant",
            "grant type (default client_credentials); `password` tests a user's login and, when "
            "it fails, tells client from user authentication",
            kind=ParamKind.OPTION,
            choices=GRANTS,
            metavar="GRANT",
        ),
        Param("username", "the user's login name (password grant)", kind=ParamKind.OPTION),
        Param(
            "origin",
            "identity provider origin key, sent as login_hint (password grant; e.g. sap.default, "
            "sap.custom)",
            kind=ParamKind.OPTION,
        ),
        Param(
            "password-secret",
            "Kubernetes Secret with the user's password (key `password`, optionally `username`)",
            kind=ParamKind.OPTION,
            metavar="NS/NAME",
        ),
        Param(
            "password-env",
            "environment variable of the bot holding the user's password; its name must start "
            f"with {password_grant.PASSWORD_ENV_PREFIX} so chat users cannot make the bot read "
            "any other variable. There is no --password: a password is never typed in chat",
            kind=ParamKind.OPTION,
            metavar="VAR",
        ),
        Param(
            PASSWORD_FORM,
            "the password was typed into authcheck's private Slack form; in Slack, leave out "
            "--password-secret/--password-env and the form opens by itself",
            kind=ParamKind.SWITCH,
        ),
    )
    return Command(
        name="token",
        summary="Request a client-credentials (or password-grant) token; on failure find out why "
        "by experiment",
        params=params,
        checks=(TokenCheck(),),
        examples=(
            "token https://oauth2.example.com --secret apps/orders-client --scope read",
            "token https://sub.authentication.eu10.hana.ondemand.com/oauth/token "
            "--client-id sb-app!t1 --client-secret …",
            "token https://sub.authentication.eu10.hana.ondemand.com/oauth/token "
            "--secret apps/xsuaa --grant password --username jane@example.com --origin sap.custom "
            "--password-secret apps/jane-login",
        ),
        validate=_validate,
        private_fields=(PrivateField("password", "The user's password", PASSWORD_FORM),),
    )
