"""`probe <url> [--token T] [--method M]`: call the protected URL and read who refused, and why.

Two requests: without the token and with it. The first shows what the gatekeeper says to an
anonymous caller; comparing the second with it is what exposes a proxy that strips
`Authorization` (the answer with the token *is* the no-token answer). The answers are attributed
(Envoy/Istio, Oathkeeper, UAA, an RFC 6750 resource server, a login redirect) and the server's
`Date` header is compared with our clock and with the token's `iat`/`nbf`/`exp`, because skew
makes valid tokens fail. Anything that prevented an answer (DNS, TLS, refused, timeout) is an
`error` naming the request.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass

from handlers.commands.params import URL_PARAMS, method_refused, validate_url
from handlers.core.check import Arguments, CheckContext, Command
from handlers.core.findings import FindingBuilder
from handlers.core.model import Finding, Severity, ordered
from handlers.core.observation import Observation, Unknown
from handlers.gateways import verdict as gate_verdict
from handlers.gateways.answerer import Who, identify
from handlers.gateways.asked_schemes import scheme_findings
from handlers.gateways.probe_answers import anonymous_finding, token_finding
from handlers.net import guard as targets
from handlers.net.send import Answer, send
from handlers.schemes import challenges as auth_schemes
from handlers.tokens.info import identify as identify_token
from handlers.tokens.reading import signature_length_problem, strip_scheme
from handlers.tokens.server_clock import clock_findings

CHECK = "probe"
_OUT = FindingBuilder(CHECK)


def _authorization(raw_token: str) -> tuple[str, str]:
    """(header value, secret part) for `--token`: a value that names another scheme (`Basic …`,
    `AWS4-HMAC-SHA256 …`) is sent as given; anything else as `Bearer <token>`."""
    used = auth_schemes.used_scheme(raw_token)
    if used == "Bearer":
        token = strip_scheme(raw_token)
        return f"Bearer {token}", token
    value = re.sub(r"(?i)^\s*authorization\s*:\s*", "", raw_token).strip()
    return value, value.split(None, 1)[-1]


async def _nothing() -> None:
    return None


@dataclass(frozen=True)
class ProbeCheck:
    name: str = CHECK

    async def run(self, args: Arguments, ctx: CheckContext) -> list[Finding]:
        url = (args.text("url") or "").strip()
        method = (args.text("method") or "get").upper()
        raw_token = args.text("token")
        header, token = _authorization(raw_token) if raw_token else ("", None)
        ctx.redactor.add(token)
        ctx.redactor.add(header)
        refused = await _refusal(method, url, ctx)
        if refused is not None:
            return [refused]
        # Both calls at once: the probe takes as long as the slower one, not their sum.
        anon_seen, token_seen = await asyncio.gather(
            send(ctx, method, url, headers={"Accept": "*/*"}),
            send(ctx, method, url, headers={"Accept": "*/*", "Authorization": header})
            if token is not None
            else _nothing(),
        )
        if isinstance(anon_seen, Unknown):
            return [_unreachable(method, url, anon_seen.reason)]
        anon = anon_seen.value
        anon_who = identify(anon)
        findings = [anonymous_finding(_OUT, url, anon, anon_who, token is not None)]
        answers = [anon]
        if token is not None and token_seen is not None:
            with_token = _with_token(method, url, (anon, anon_who), token_seen, header, token)
            findings = [*with_token.leading, *findings, *with_token.findings]
            answers += with_token.answers
        findings = _schemes_lead(findings, answers, raw_token)
        findings.extend(clock_findings(_OUT, answers, ctx.clock(), token))
        # The verdict first: what the server states (a refusal, a scheme, an AWS code) leads.
        return ordered(findings)


async def _refusal(method: str, url: str, ctx: CheckContext) -> Finding | None:
    """An `error` when the guard refuses the URL or the method; None when both may be called."""
    refused = await targets.refusal(url, ctx.settings.url_allowlist)
    if refused:
        return targets.refused_finding(CHECK, url, refused)
    unsafe = await targets.method_refusal(method, url, ctx.settings, ctx.resolver)
    if unsafe:
        return method_refused(CHECK, url, unsafe)
    return None


@dataclass(frozen=True)
class _WithToken:
    """What the call with the token added: findings that lead, the rest, and its answer."""

    leading: list[Finding]
    findings: list[Finding]
    answers: list[Answer]


def _with_token(
    method: str,
    url: str,
    anonymous: tuple[Answer, Who],
    seen: Observation[Answer],
    header: str,
    token: str,
) -> _WithToken:
    """The call with the token judged against the anonymous one, plus a cut signature."""
    if isinstance(seen, Unknown):
        return _WithToken([], [_unreachable(method, url, seen.reason, "with the token ")], [])
    answer = seen.value
    judged = token_finding(_OUT, *anonymous, answer, identify(answer), token)
    leading = []
    cut = signature_length_problem(token)
    if cut is not None:
        # The same test as `decode` and `header`: a cut token explains any refusal.
        leading.append(
            Finding(
                CHECK,
                Severity.FAIL,
                "Truncated token: the signature does not fit its `alg`",
                f"The token sent decodes, but {cut}. No server can verify it.",
                "Copy the whole token again (one line, nothing cut at the end).",
            )
        )
    sent = Finding(
        CHECK,
        Severity.INFO,
        f"Token sent: {identify_token(token)}",
        f"As `Authorization: {header.split(None, 1)[0]} <credentials>`.",
    )
    return _WithToken(leading, [judged, sent], [answer])


def _schemes_lead(
    findings: list[Finding], answers: list[Answer], raw_token: str | None
) -> list[Finding]:
    """What the server states it takes (a scheme, an AWS code) leads any other verdict."""
    schemes = scheme_findings(_OUT, answers, auth_schemes.used_scheme(raw_token))
    stated = [f for f in schemes if f.status is Severity.FAIL]
    if any(f.evidence.get("verdict") == gate_verdict.Gate.WRONG_CREDENTIAL for f in findings):
        # The gateway table already names the product and the credential it reads.
        stated = [f for f in stated if "sent" not in f.evidence]
    return stated + findings + [f for f in schemes if f.status is not Severity.FAIL]


def _unreachable(method: str, url: str, problem: str, how: str = "") -> Finding:
    return Finding(
        CHECK,
        Severity.ERROR,
        f"No answer from {url}",
        f"{method} {url} {how}→ {problem}. Nothing is known about the authorization.",
        "Check the URL, DNS, the certificate (for TLS errors) and that authcheck can reach "
        "the host (NetworkPolicy, egress proxy).",
        {"url": url, "method": method},
    )


def build() -> Command:
    return Command(
        name="probe",
        summary="Call a protected URL with and without the token: who refused, and why",
        params=URL_PARAMS,
        checks=(ProbeCheck(),),
        examples=(
            "probe https://orders.example.kyma.ondemand.com/api/orders",
            "probe https://orders.example.kyma.ondemand.com/api/orders --token eyJhbGciOi…",
        ),
        validate=validate_url,
    )
