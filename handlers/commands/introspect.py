"""`introspect <token>`: ask the authorization server whether a token is active (RFC 7662).

The server's answer is binary and unexplained: `{"active": false}` covers expired, revoked, unknown
and (Hydra) "lacks a scope you asked about". So an inactive answer is followed by inference from
what the token itself shows. A failed *call* (the bot's own client rejected, a wrong path, the
server unreachable) is reported as an `error` about the bot's setup, never as a verdict on the
user's token. Hydra's admin port is tried at v2's path, then v1's, and the answer says which one
spoke, because Oathkeeper and hydra-maester need the same path.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from handlers.core.check import Arguments, CheckContext, Command, Param, ParamKind
from handlers.core.model import Finding, Severity
from handlers.core.redact import fingerprint
from handlers.core.timefmt import from_epoch
from handlers.net import guard as targets
from handlers.oauth import client_auth, contradictions, credentials, discovery
from handlers.oauth.discovery import HYDRA_V1_INTROSPECT, HYDRA_V2_INTROSPECT, same_issuer
from handlers.oauth.introspection import (
    Credentials,
    Introspection,
    IntrospectionCall,
    introspect_hydra_admin,
    introspect_url,
    redirects_to_localhost,
)
from handlers.tokens.info import LEEWAY_S, TokenView, split_scopes, view, when
from handlers.tokens.reading import strip_scheme

CHECK = "introspection"
#: An access token this close to expiry will likely be dead by the time the call is retried.
EXPIRING_SOON_S = 300


@dataclass(frozen=True)
class Target:
    """Where introspection is sent and why; `hydra_admin` means try v2 then v1 paths."""

    url: str
    source: str
    hydra_admin: bool = False
    user_typed: bool = False
    expected_issuer: str | None = None
    #: The issuer whose discovery document named `url` (None when nobody's document did).
    named_by_document_of: str | None = None


@dataclass(frozen=True)
class _Out:
    """Builds findings that all carry the token's fingerprint."""

    token: str

    def __call__(
        self, status: Severity, title: str, detail: str = "", remedy: str = "", **evidence: Any
    ) -> Finding:
        return Finding(
            CHECK,
            status,
            title,
            detail,
            remedy,
            {"fingerprint": fingerprint(self.token), **evidence},
        )


def _fresh_token_hint(issuer: str | None) -> str:
    where = issuer or "<issuer or token URL>"
    return (
        f"Get a fresh token (`token {where} --secret <namespace>/<secret>` shows "
        "whether the client can get one) and retry the call with it."
    )


async def _resolve_target(
    args: Arguments, ctx: CheckContext, out: _Out
) -> tuple[Target | None, list[Finding]]:
    """The introspection URL: --url, --issuer, AUTHCHECK_INTROSPECT_URL, AUTHCHECK_ISSUER,
    then Hydra's admin API (AUTHCHECK_HYDRA_ADMIN_URL)."""
    settings = ctx.settings
    notes: list[Finding] = []
    issuer_arg = args.text("issuer")
    if args.text("url"):
        return Target(
            args.text("url") or "", "--url", user_typed=True, expected_issuer=issuer_arg
        ), []
    issuer = issuer_arg or (None if settings.introspect_url else settings.issuer)
    if issuer:
        source = "--issuer" if issuer_arg else "AUTHCHECK_ISSUER"
        if issuer_arg:
            refused = await targets.refusal(issuer, settings.url_allowlist)
            if refused:
                return None, [_refused(out, issuer, refused)]
        found = await discovery.discover(ctx, issuer)
        meta = found.metadata
        if meta is None and not issuer_arg:
            notes.append(
                out(
                    Severity.INFO,
                    f"Discovery at AUTHCHECK_ISSUER ({issuer}) did not answer",
                    "Tried: " + found.tried_text() + f". Trying AUTHCHECK_HYDRA_ADMIN_URL "
                    f"({settings.hydra_admin_url}).",
                    "Set AUTHCHECK_INTROSPECT_URL to skip discovery.",
                )
            )
            return (
                Target(
                    settings.hydra_admin_url,
                    "AUTHCHECK_HYDRA_ADMIN_URL",
                    hydra_admin=True,
                    expected_issuer=issuer,
                ),
                notes,
            )
        if meta is None:
            return None, [
                out(
                    Severity.ERROR,
                    f"Could not read the discovery document of {issuer}",
                    "Tried: " + found.tried_text(),
                    "Check the issuer URL (it is the `iss` of the tokens, without "
                    "/.well-known/…), or give the introspection endpoint with --url.",
                    issuer=issuer,
                )
            ]
        expected = meta.issuer or issuer
        if meta.introspection_endpoint:
            return (
                Target(
                    meta.introspection_endpoint,
                    f"discovery of {issuer} ({source})",
                    user_typed=bool(issuer_arg),
                    expected_issuer=expected,
                    named_by_document_of=issuer,
                ),
                [],
            )
        notes.append(
            out(
                Severity.INFO,
                "Discovery does not list an introspection endpoint",
                f"{meta.url} has no `introspection_endpoint`. Ory Hydra never lists it: "
                "introspection is on its admin port. Trying AUTHCHECK_HYDRA_ADMIN_URL "
                f"({settings.hydra_admin_url}).",
                "If this server is not Hydra, pass the endpoint with --url.",
                discovery=meta.url,
            )
        )
        return (
            Target(
                settings.hydra_admin_url,
                "AUTHCHECK_HYDRA_ADMIN_URL",
                hydra_admin=True,
                expected_issuer=expected,
            ),
            notes,
        )
    if settings.introspect_url:
        return Target(settings.introspect_url, "AUTHCHECK_INTROSPECT_URL"), []
    return (
        Target(settings.hydra_admin_url, "AUTHCHECK_HYDRA_ADMIN_URL", hydra_admin=True),
        [],
    )


def _bound_for(creds: Credentials | None, target: Target) -> Credentials | None:
    """A discovery document read from one of the credentials' own destinations (the configured
    issuer) may name the introspection endpoint on another host: that endpoint is trusted too."""
    document = target.named_by_document_of
    if creds is None or creds.destinations is None or document is None:
        return creds
    if not creds.destinations.permits(document):
        return creds
    return replace(creds, destinations=creds.destinations.including(target.url))


def _credential_refused(out: _Out, target: Target, reason: str) -> Finding:
    return out(
        Severity.ERROR,
        f"Refused to send authcheck's credentials to {target.url}",
        f"{reason} The introspection URL came from {target.source}.",
        "Introspect at the endpoint those credentials belong to (leave out --url/--issuer to "
        "use the bot's configuration), or pass the client for this server yourself with "
        "--client-id/--client-secret.",
        url=target.url,
    )


def _refused(out: _Out, url: str, reason: str) -> Finding:
    return out(
        Severity.ERROR,
        f"Refused to call {url}",
        f"{reason}; URLs typed in chat may not reach such addresses.",
        targets.allowlist_remedy(url),
        url=url,
    )


def _calls_text(result: Introspection) -> str:
    return "\n".join(c.summary() for c in result.calls)


def _setup_remedy(target: Target) -> str:
    if target.hydra_admin:
        return (
            "AUTHCHECK_HYDRA_ADMIN_URL must point at Hydra's admin port (4445, e.g. "
            "http://ory-hydra-admin.kyma-system.svc.cluster.local:4445), not the public one "
            "(4444); check NetworkPolicies between authcheck and Hydra."
        )
    return (
        f"Check the introspection URL (from {target.source}) and that authcheck can reach it; "
        "for Hydra v2 it is <admin>:4445/admin/oauth2/introspect."
    )


def _redirect_findings(out: _Out, result: Introspection) -> list[Finding]:
    findings = []
    for index, c in enumerate(result.calls):
        if c.location is None:
            continue
        retried = index + 1 < len(result.calls)
        worked = retried and result.calls[-1].answered
        if redirects_to_localhost(c.location):
            title = f"{c.url} redirects to {c.location}: Hydra v2's `urls.self.admin` is not set"
            detail = (
                "Hydra v2 moved introspection to /admin/oauth2/introspect and answers the old v1 "
                "path with a 307 to `urls.self.admin`, which defaults to a local address that "
                "does not work from other pods. Oathkeeper or clients configured with the v1 path "
                "fail the same way."
            )
        else:
            title = f"{c.url} redirects to {c.location}"
            detail = "The introspection URL is not the one the server serves introspection at."
        if worked:
            detail += f" authcheck retried at {result.calls[-1].url}, which answered."
        findings.append(
            out(
                Severity.WARN if worked else Severity.ERROR,
                title,
                detail,
                f"Use {HYDRA_V2_INTROSPECT} on the admin port (Oathkeeper's "
                "`introspection_url`, AUTHCHECK_INTROSPECT_URL); and set Hydra's "
                "`urls.self.admin` to its in-cluster admin URL.",
                location=c.location,
            )
        )
    return findings


def _caller_rejected(final: IntrospectionCall, creds: Credentials | None) -> bool:
    """The endpoint refused the *caller* (RFC 7662 §2.1 requires it to authenticate)."""
    if final.status in (401, 403):
        return True
    if final.error is None:
        return False
    if final.error.error in ("invalid_client", "unauthorized_client"):
        return True
    # oidc-provider: 400 invalid_request "no client authentication mechanism provided".
    return creds is None and "authentication" in (final.error.description or "").lower()


def _call_failure(
    out: _Out, target: Target, result: Introspection, creds: Credentials | None, tv: TokenView
) -> list[Finding]:
    """The call did not produce an RFC 7662 answer: always about the bot's setup → error."""
    final = result.final
    assert final is not None
    tried = _calls_text(result)
    if final.transport_error:
        return [
            out(
                Severity.ERROR,
                "Introspection endpoint unreachable",
                f"Tried:\n{tried}\nThis says nothing about the token.",
                _setup_remedy(target),
                url=final.url,
            )
        ]
    if _caller_rejected(final, creds):
        who = f"the client from {creds.source}" if creds else "no client credentials"
        if creds is None:
            remedy = (
                "The endpoint requires client authentication: set AUTHCHECK_INTROSPECT_SECRET "
                "(namespace/name of a Secret with client_id/client_secret) or "
                "AUTHCHECK_INTROSPECT_CLIENT_ID/_SECRET, or pass --client-id/--client-secret "
                "or --secret."
            )
        else:
            remedy = (
                f"Check that client `{creds.client_id}` exists on this server and that its "
                "secret matches (`token` with the same credentials tests them)."
            )
        return [
            out(
                Severity.ERROR,
                f"The introspection endpoint refused authcheck's call (HTTP {final.status})",
                f"authcheck called with {who}.\nTried:\n{tried}\nThis is about the caller's "
                "credentials, not the token being checked.",
                remedy,
                url=final.url,
                caller=creds.client_id if creds else None,
            )
        ]
    if final.error is not None and final.error.error == "unsupported_token_type":
        detail = (
            f"The server would not introspect this token: {final.error.sentence()}. "
            "Some servers (oidc-provider among them) only introspect opaque tokens; a JWT "
            "access token is checked by its signature instead."
        )
        return [
            out(
                Severity.ERROR,
                "The server does not introspect this kind of token",
                detail,
                "Check the JWT with `decode` (expiry, issuer, audience) and against "
                "the resource with `probe <url> --token …`.",
                url=final.url,
                token_kind=tv.kind,
            )
        ]
    if target.hydra_admin and all(c.status == 404 for c in result.calls):
        return [
            out(
                Severity.ERROR,
                f"No Hydra introspection endpoint at {target.url}",
                f"Neither v2's {HYDRA_V2_INTROSPECT} nor v1's {HYDRA_V1_INTROSPECT} exists.\n"
                f"Tried:\n{tried}",
                _setup_remedy(target),
                url=target.url,
            )
        ]
    hint = ""
    if final.status == 404 and final.url.rstrip("/").endswith(HYDRA_V1_INTROSPECT):
        hint = f" On Hydra v2 the path is {HYDRA_V2_INTROSPECT}."
    return [
        out(
            Severity.ERROR,
            f"{final.url} did not give an introspection answer",
            f"Tried:\n{tried}\nAn RFC 7662 answer is HTTP 200 with JSON holding a boolean "
            "`active`.",
            _setup_remedy(target) + hint,
            url=final.url,
        )
    ]


def _active_findings(
    out: _Out,
    body: dict[str, Any],
    tv: TokenView,
    required: list[str],
    expected_issuer: str | None,
    now: datetime,
) -> list[Finding]:
    scopes = str(body.get("scope") or "").split()
    aud = body.get("aud")
    audiences = [aud] if isinstance(aud, str) else [str(a) for a in aud or [] if a]
    exp = from_epoch(body.get("exp"))
    token_use = body.get("token_use")
    lines = [
        f"client: {body.get('client_id', 'not given')}",
        f"subject: {body.get('sub', 'not given')}",
        f"scopes: {' '.join(scopes) or 'none'}",
        f"audience: {', '.join(audiences) or 'none'}",
        f"issuer: {body.get('iss', 'not given')}",
        f"expires: {when(exp, now)}",
    ]
    if body.get("iat") is not None:
        lines.append(f"issued: {when(from_epoch(body.get('iat')), now)}")
    if token_use or body.get("token_type"):
        lines.append(f"token use: {token_use or '-'}, type: {body.get('token_type') or '-'}")
    findings = [
        out(
            Severity.OK,
            "Token is active",
            "\n".join(lines),
            "",
            active=True,
            client_id=body.get("client_id"),
            sub=body.get("sub"),
            scope=" ".join(scopes),
            aud=audiences,
            iss=body.get("iss"),
            exp=body.get("exp"),
            token_use=token_use,
        )
    ]
    if required:
        missing = [s for s in required if s not in scopes]
        if missing:
            findings.append(
                out(
                    Severity.FAIL,
                    f"Token lacks scope{'s' if len(missing) > 1 else ''}: {' '.join(missing)}",
                    f"Required: {' '.join(required)}. Granted: {' '.join(scopes) or 'none'}. "
                    "Under Istio this shows as 403 `RBAC: access denied`; under Oathkeeper "
                    "(scope_strategy none) as 401, because Hydra answers active:false.",
                    "Request the token with the scope (`scope=` in the token call) and make sure "
                    "the client is allowed it (OAuth2Client `spec.scope`/`scopeArray`).",
                    missing=missing,
                )
            )
        else:
            findings.append(out(Severity.OK, "Token has the required scopes", " ".join(required)))
    if token_use == "refresh_token" or tv.kind == "refresh":
        findings.append(
            out(
                Severity.WARN,
                "This is a refresh token, not an access token",
                "A refresh token is active at introspection but resource servers and gateways "
                "reject it as a Bearer token.",
                "Exchange it at the token endpoint (grant_type=refresh_token) and send the "
                "access_token from the answer.",
            )
        )
    if exp is not None and now <= exp < now + timedelta(seconds=EXPIRING_SOON_S):
        findings.append(
            out(
                Severity.WARN,
                f"Token expires {when(exp, now)}",
                "It is active now but will not be for long: a call retried in a few minutes "
                "will get 401.",
                "Refresh tokens before they expire (most clients refresh at 80-90 % of "
                "`expires_in`).",
            )
        )
    iss = body.get("iss")
    if expected_issuer and isinstance(iss, str) and not same_issuer(iss, expected_issuer):
        findings.append(
            out(
                Severity.WARN,
                f"Token issuer {iss} differs from {expected_issuer}",
                "The server knows the token, but gateways that check `iss` compare it exactly.",
                "Make the gateway's trusted issuer match the token's `iss` exactly.",
            )
        )
    return findings


def _inactive_findings(
    out: _Out,
    server: str,
    tv: TokenView,
    required: list[str],
    expected_issuer: str | None,
    now: datetime,
) -> list[Finding]:
    findings = [
        out(
            Severity.FAIL,
            "Token is not active",
            f'{server} answered {{"active": false}}. Introspection never says why: expired, '
            "revoked, unknown to this server (issued by another one), and — at Hydra — a scope "
            "asked for in the request that the token lacks, all look the same. What the token "
            "shows:",
            _fresh_token_hint(expected_issuer),
        )
    ]
    reasons = 0
    decoded = tv.decoded
    if decoded is not None:
        exp = decoded.time("exp")
        nbf = decoded.time("nbf")
        iat = decoded.time("iat")
        iss = decoded.claims.get("iss")
        if exp is not None and exp <= now:
            reasons += 1
            findings.append(
                out(
                    Severity.FAIL,
                    f"The token expired {when(exp, now)}",
                    "Its `exp` claim is in the past (read without verifying the signature).",
                    _fresh_token_hint(expected_issuer),
                    exp=decoded.claims.get("exp"),
                )
            )
        for claim, moment in (("nbf", nbf), ("iat", iat)):
            if moment is not None and moment > now + timedelta(seconds=LEEWAY_S):
                reasons += 1
                findings.append(
                    out(
                        Severity.FAIL,
                        f"The token is not valid yet: `{claim}` is {when(moment, now)}",
                        "The issuer's clock is ahead of this one, or the token was minted with a "
                        "future time.",
                        "Check NTP on the issuer and on the servers that validate the token.",
                    )
                )
        if expected_issuer and isinstance(iss, str) and not same_issuer(iss, expected_issuer):
            reasons += 1
            findings.append(
                out(
                    Severity.FAIL,
                    "The token comes from another issuer",
                    f"Its `iss` is {iss}; this introspection endpoint belongs to "
                    f"{expected_issuer}. A server only knows the tokens it issued.",
                    "Introspect at the token's own issuer (--issuer), or get a token from this "
                    "one.",
                    iss=iss,
                )
            )
        if required:
            missing = [s for s in required if s not in decoded.scopes]
            if missing:
                reasons += 1
                findings.append(
                    out(
                        Severity.FAIL,
                        f"The token lacks scope{'s' if len(missing) > 1 else ''} "
                        f"{' '.join(missing)}",
                        f"Its scopes: {' '.join(decoded.scopes) or 'none'}. Oathkeeper sends the "
                        "required scopes with the introspection call, and Hydra then answers "
                        "active:false for a token that lacks one.",
                        "Request the token with that scope and make sure the client may have it.",
                        missing=missing,
                    )
                )
    if tv.kind == "refresh":
        reasons += 1
        findings.append(
            out(
                Severity.WARN,
                "This looks like a refresh token",
                "Refresh tokens are not accepted where an access token is expected.",
                "Send the access_token from the token answer instead.",
            )
        )
    if reasons == 0:
        what = (
            "It is a JWT whose times, issuer and scopes look fine"
            if decoded is not None
            else (f"It is {tv.opaque[0]}" if tv.opaque else "It is opaque")
            + ", so nothing more can be read from it"
        )
        findings.append(
            out(
                Severity.INFO,
                "Nothing in the token itself explains it",
                f"{what}. Likely causes: it expired (Hydra's default access-token lifetime is "
                "1 h), it was revoked, or it was issued by another instance or database of the "
                "server (a reinstall, another cluster, a truncated paste)."
                + (
                    " Also, some servers (oidc-provider among them) do not introspect JWT "
                    "access tokens at all and answer active:false for every one: check the JWT "
                    "at the resource with `probe`."
                    if decoded is not None
                    else ""
                ),
                _fresh_token_hint(expected_issuer),
            )
        )
    return findings


@dataclass(frozen=True)
class IntrospectCheck:
    name: str = CHECK

    async def run(self, args: Arguments, ctx: CheckContext) -> list[Finding]:
        raw = args.text("token") or ""
        token = strip_scheme(raw)
        ctx.redactor.add(token)
        out = _Out(token)
        now = ctx.clock()
        tv = view(token)
        findings: list[Finding] = []
        if token != raw.strip():
            findings.append(out(Severity.INFO, "Removed the scheme or quotes around the token", ""))
        target, notes = await _resolve_target(args, ctx, out)
        findings.extend(notes)
        if target is None:
            return findings
        if target.user_typed:
            document = target.named_by_document_of
            if document and targets.origin(document) in targets.configured_origins(ctx.settings):
                refused = None  # the configured issuer, typed: its document is configuration
            elif document:
                refused = await targets.discovered_refusal(target.url, ctx.settings, ctx.resolver)
            else:
                refused = await targets.refusal(target.url, ctx.settings.url_allowlist)
            if refused:
                return [*findings, _refused(out, target.url, refused)]
        lookup = await credentials.for_introspection(
            ctx,
            CHECK,
            args.text("client-id"),
            args.text("client-secret"),
            args.text("secret"),
        )
        if lookup.finding is not None:
            return [*findings, lookup.finding]
        creds = _bound_for(lookup.credentials, target)
        if creds is not None and (refusal := creds.refusal(target.url)):
            return [*findings, _credential_refused(out, target, refusal)]
        if target.hydra_admin:
            result = await introspect_hydra_admin(ctx, target.url, token, creds)
        else:
            result = await introspect_url(ctx, target.url, token, creds)
        final = result.final
        if (
            creds is not None
            and final is not None
            and final.status == 401
            and final.method == client_auth.BASIC_ENCODED
        ):
            # The caller may be registered for client_secret_post: one retry says so.
            retry = await introspect_url(ctx, final.url, token, creds, method=client_auth.POST_BODY)
            result.calls.extend(retry.calls)
            if retry.final is not None and retry.final.answered:
                findings.append(
                    out(
                        Severity.WARN,
                        "authcheck's introspection client only works with client_secret_post",
                        f"Basic authentication was refused, credentials in the POST body "
                        f"worked (client `{creds.client_id}` from {creds.source}).",
                        "Nothing to do for this check; tools calling introspection with Basic "
                        "auth will fail with this client.",
                    )
                )
        findings.extend(_redirect_findings(out, result))
        final = result.final
        assert final is not None
        if not final.answered:
            return findings + _call_failure(out, target, result, creds, tv)
        findings.append(_who_answered(out, target, result, creds))
        body = final.body or {}
        required = split_scopes(args.many("scope"))
        # Hydra's admin port introspects every client's tokens: who asks does not matter there.
        caller = creds.client_id if creds is not None and not target.hydra_admin else None
        odd = contradictions.after_introspection(body, final.active, tv.decoded, caller, now)
        if final.active:
            findings.extend(_active_findings(out, body, tv, required, target.expected_issuer, now))
        else:
            inactive = _inactive_findings(out, final.url, tv, required, target.expected_issuer, now)
            if odd:
                # {active:false} for another client's token proves nothing: not a `fail`.
                inactive[0] = replace(inactive[0], status=Severity.WARN)
            findings.extend(inactive)
        findings.extend(out(c.status, c.title, c.detail, c.remedy, **c.evidence) for c in odd)
        return findings


def _who_answered(
    out: _Out, target: Target, result: Introspection, creds: Credentials | None
) -> Finding:
    final: IntrospectionCall | None = result.final
    assert final is not None
    caller = f" as client `{creds.client_id}` ({creds.source})" if creds else ""
    if target.hydra_admin and result.hydra_version:
        path = HYDRA_V2_INTROSPECT if final.url.endswith(HYDRA_V2_INTROSPECT) else final.url
        detail = f"Hydra {result.hydra_version} answered at {final.url}{caller}."
        if result.hydra_version == "v1":
            detail += (
                f" The v2 path {HYDRA_V2_INTROSPECT} gave 404, so this is Hydra v1: "
                "Oathkeeper and hydra-maester must use the v1 paths (/oauth2/introspect, "
                "/clients)."
            )
        else:
            detail += (
                " Oathkeeper's `introspection_url` must use this path and hydra-maester "
                "`--endpoint=/admin/clients`."
            )
        return out(
            Severity.INFO,
            f"Introspected at Hydra {result.hydra_version} ({path})",
            detail,
            hydra_version=result.hydra_version,
            url=final.url,
        )
    return out(
        Severity.INFO,
        f"Introspected at {final.url}",
        f"Endpoint from {target.source}{caller}.",
        url=final.url,
    )


def _validate(args: Arguments) -> None:
    has_id = args.text("client-id") is not None
    has_secret = args.text("client-secret") is not None
    if has_id != has_secret:
        raise ValueError("--client-id and --client-secret go together")
    if args.text("secret") and has_id:
        raise ValueError("give either --secret or --client-id/--client-secret, not both")
    credentials.validate_ref(args.text("secret"), "--secret")
    for flag in ("url", "issuer"):
        value = args.text(flag)
        if value:
            problem = targets.url_problem(value)
            if problem:
                raise ValueError(f"--{flag}: {problem}")


def build() -> Command:
    return Command(
        name="introspect",
        summary="Ask the authorization server whether a token is active (RFC 7662), and why not",
        params=(
            Param(
                "token",
                "the access token; `Bearer …` is fine too",
                required=True,
                secret=True,
                metavar="token",
            ),
            Param("url", "introspection endpoint URL", kind=ParamKind.OPTION, metavar="URL"),
            Param(
                "issuer",
                "issuer URL: the endpoint is found by discovery (RFC 8414 / OIDC)",
                kind=ParamKind.OPTION,
                metavar="URL",
            ),
            Param("client-id", "client that calls introspection", kind=ParamKind.OPTION),
            Param(
                "client-secret",
                "that client's secret",
                kind=ParamKind.OPTION,
                secret=True,
                metavar="SECRET",
            ),
            Param(
                "secret",
                "Kubernetes Secret holding client_id/client_secret (or CLIENT_ID/CLIENT_SECRET)",
                kind=ParamKind.OPTION,
                metavar="NS/NAME",
            ),
            Param(
                "scope",
                "scope the token must carry (repeatable, or space separated)",
                kind=ParamKind.OPTION,
                repeatable=True,
                metavar="SCOPE",
            ),
        ),
        checks=(IntrospectCheck(),),
        examples=(
            "introspect ory_at_Xy… ",
            "introspect eyJhbGciOi… --issuer https://oauth2.example.com --scope read",
            "introspect ory_at_Xy… --url http://hydra-admin:4445/admin/oauth2/introspect "
            "--secret apps/my-client",
        ),
        validate=_validate,
    )
