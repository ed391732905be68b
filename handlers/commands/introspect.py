"""`introspect <token>`: ask the authorization server whether a token is active (RFC 7662).

The server's answer is binary and unexplained: `{"active": false}` covers expired, revoked, unknown
and (Hydra) "lacks a scope you asked about". So an inactive answer is followed by inference from
what the token itself shows. A failed *call* (the bot's own client rejected, a wrong path, the
server unreachable) is reported as an `error` about the bot's setup, never as a verdict on the
user's token. Hydra's admin port is tried at v2's path, then v1's, and the answer says which one
spoke, because Oathkeeper and hydra-maester need the same path.
"""

from __future__ import annotations

from dataclasses import dataclass

from handlers.commands.params import client_params
from handlers.core.check import Arguments, CheckContext, Command, Param, ParamKind
from handlers.core.findings import FindingBuilder
from handlers.core.model import Finding, Severity
from handlers.core.redact import fingerprint
from handlers.net import guard as targets
from handlers.oauth import credentials
from handlers.oauth.activity_verdicts import answer_findings
from handlers.oauth.introspection import introspect
from handlers.oauth.introspection_target import (
    bound_for,
    credential_refused,
    refused_finding,
    resolve_target,
    typed_target_refusal,
)
from handlers.oauth.introspection_verdicts import (
    call_failure,
    post_body_only,
    redirect_findings,
    who_answered,
)
from handlers.tokens.info import split_scopes, view
from handlers.tokens.reading import strip_scheme

CHECK = "introspection"


@dataclass(frozen=True)
class IntrospectCheck:
    name: str = CHECK

    async def run(self, args: Arguments, ctx: CheckContext) -> list[Finding]:
        raw = args.text("token") or ""
        token = strip_scheme(raw)
        ctx.redactor.add(token)
        out = FindingBuilder(CHECK, {"fingerprint": fingerprint(token)})
        now = ctx.clock()
        tv = view(token)
        findings: list[Finding] = []
        if token != raw.strip():
            findings.append(out(Severity.INFO, "Removed the scheme or quotes around the token", ""))
        target, notes = await resolve_target(ctx, out, args.text("url"), args.text("issuer"))
        findings.extend(notes)
        if target is None:
            return findings
        if refused := await typed_target_refusal(ctx, target):
            return [*findings, refused_finding(out, target.url, refused)]
        lookup = await credentials.for_introspection(
            ctx, CHECK, args.text("client-id"), args.text("client-secret"), args.text("secret")
        )
        if lookup.finding is not None:
            return [*findings, lookup.finding]
        creds = bound_for(lookup.credentials, target)
        if creds is not None and (refusal := creds.refusal(target.url)):
            return [*findings, credential_refused(out, target, refusal)]
        result, post_only = await introspect(ctx, target.url, target.hydra_admin, token, creds)
        if post_only and creds is not None:
            findings.append(post_body_only(out, creds))
        findings.extend(redirect_findings(out, result))
        final = result.final
        assert final is not None
        if not final.answered:
            return findings + call_failure(out, target, result, creds, tv)
        findings.append(who_answered(out, target, result, creds))
        # Hydra's admin port introspects every client's tokens: who asks does not matter there.
        caller = creds.client_id if creds is not None and not target.hydra_admin else None
        required = split_scopes(args.many("scope"))
        return findings + answer_findings(
            out, final, tv, required, target.expected_issuer, caller, now
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
            *client_params("calls introspection"),
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
