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
from datetime import datetime, timedelta

from handlers.commands.params import URL_PARAMS, method_refused, validate_url
from handlers.core.check import Arguments, CheckContext, Command
from handlers.core.model import Finding, Severity, ordered
from handlers.core.observation import Unknown
from handlers.core.redact import fingerprint
from handlers.gateways import verdict as gate_verdict
from handlers.gateways.answerer import Who, identify, no_token_title
from handlers.net import guard as targets
from handlers.net.send import Answer, send, server_time
from handlers.schemes import challenges as auth_schemes
from handlers.tokens.info import LEEWAY_S, view, when
from handlers.tokens.info import identify as identify_token
from handlers.tokens.reading import signature_length_problem, strip_scheme

CHECK = "probe"
#: Below this, clock differences are noise (Date has 1 s resolution, plus network time).
SKEW_NOTICE_S = 60


def _same_answer(a: Answer, b: Answer) -> bool:
    return (
        a.status == b.status
        and a.body == b.body
        and a.header("www-authenticate") == b.header("www-authenticate")
        and a.header("location") == b.header("location")
    )


def _answer_line(label: str, answer: Answer, who: Who) -> str:
    return f"{label}: HTTP {answer.status} from {who.name} — {who.meaning}"


def _evidence(answer: Answer, who: Who) -> dict[str, object]:
    return {
        "status": answer.status,
        "answered_by": who.name,
        "code": who.code,
        "message": who.message,
        "www_authenticate": answer.header("www-authenticate"),
        "location": answer.header("location"),
        "server": answer.header("server"),
    }


def _anonymous_finding(url: str, answer: Answer, who: Who, has_token: bool) -> Finding:
    evidence: dict[str, object] = {"without_token": _evidence(answer, who)}
    if 200 <= answer.status < 300:
        status = Severity.WARN if has_token else Severity.INFO
        title = f"{url} answers HTTP {answer.status} without any token"
        detail = "The endpoint is not protected for this method (or the rule is noAuth)."
        return Finding(CHECK, status, title, detail, "", evidence)
    if not has_token and 300 <= answer.status < 400 and who.no_credentials:
        return Finding(
            CHECK,
            Severity.FAIL,
            f"{url} redirects to a login page (HTTP {answer.status})",
            who.meaning,
            "API clients need the API route that accepts Bearer tokens; this one is for "
            "browsers (oauth2-proxy, an identity provider's login).",
            evidence,
        )
    if not has_token and answer.status in (401, 403) and not who.recognised:
        return Finding(
            CHECK,
            Severity.WARN,
            f"Without a token: HTTP {answer.status} from {who.name}",
            who.meaning,
            "Rerun with `--token <token>`: an unrecognised server's refusal of an anonymous "
            "request says little on its own.",
            evidence,
        )
    if not has_token and answer.status in (401, 403):
        # The same verdict `diagnose` gives (causes.no_token): one URL, one answer.
        return Finding(
            CHECK,
            Severity.FAIL,
            no_token_title(who),
            who.meaning,
            who.remedy
            if who.wants and who.remedy
            else "Send the access token as `Authorization: Bearer <token>`. If the caller does "
            "send one, rerun with `--token <token>` so authcheck can check the token itself.",
            evidence,
        )
    title = f"Without a token: HTTP {answer.status} from {who.name}"
    return Finding(CHECK, Severity.INFO, title, who.meaning, "", evidence)


def _token_finding(
    url: str, anon: Answer, anon_who: Who, answer: Answer, who: Who, token: str
) -> Finding:
    evidence: dict[str, object] = {
        "with_token": _evidence(answer, who),
        "fingerprint": fingerprint(token),
    }
    if 300 <= answer.status < 400:
        return Finding(
            CHECK,
            Severity.FAIL,
            f"With the token: HTTP {answer.status} from {who.name}",
            who.meaning,
            "Call the API route that accepts Bearer tokens, not the browser route.",
            evidence,
        )
    aws = auth_schemes.aws_error(answer)
    if aws is not None and answer.status >= 400 and who.signature is None:
        # AWS names the cause in its error code: that finding (`_scheme_findings`) leads.
        return Finding(
            CHECK,
            Severity.INFO,
            f"With the token: HTTP {answer.status} from AWS (`{aws.code}`)",
            aws.meaning,
            "",
            evidence,
        )
    verdict = gate_verdict.judge(anon, anon_who, answer, who)
    if verdict is not None:
        evidence["verdict"] = verdict.kind.value
        return Finding(
            CHECK, Severity.FAIL, verdict.title, verdict.detail, verdict.remedy, evidence
        )
    if _same_answer(anon, answer) and not 200 <= answer.status < 300:
        if anon_who.no_credentials:
            return Finding(
                CHECK,
                Severity.FAIL,
                "The server did not see the token",
                f"With the token the answer is exactly the no-token answer: HTTP "
                f"{answer.status} from {who.name} — {who.meaning}",
                "A proxy or ingress in front of the service strips the `Authorization` "
                "header, or the gatekeeper reads the token from another header or a query "
                "parameter (APIRule v2 `fromHeaders`/`fromParams`). Forward the header, or send "
                "the token where the rule reads it.",
                evidence,
            )
        return Finding(
            CHECK,
            Severity.WARN,
            f"Same answer with and without the token: HTTP {answer.status} from {who.name}",
            f"{who.meaning}\nEither the token lacks what the rule requires (scope, audience), "
            "or the token never reaches the gatekeeper (a proxy stripping `Authorization`, "
            "or a rule reading another header).",
            "Check the token's scopes and audience against the rule (`/authcheck apirule`), "
            "and that no proxy drops the header.",
            evidence,
        )
    status = answer.status
    if 200 <= status < 300:
        return Finding(
            CHECK,
            Severity.OK,
            f"The token is accepted: HTTP {status}",
            f"Without it: HTTP {anon.status} from {anon_who.name}.",
            "",
            evidence,
        )
    if status == 401:
        return Finding(
            CHECK,
            Severity.FAIL,
            f"Token rejected (401) by {who.name}" + (f": {who.message}" if who.message else ""),
            f"401 means the token was not accepted as proof of identity: {who.meaning}",
            who.remedy
            or "Decode the token (`/authcheck decode`), check it is active (`/authcheck "
            "introspect`), and get a fresh one if it expired.",
            evidence,
        )
    if status == 403:
        return Finding(
            CHECK,
            Severity.FAIL,
            f"Token authenticated but not allowed (403) by {who.name}"
            + (f": {who.message}" if who.message else ""),
            f"403 means the identity is known but lacks permission: {who.meaning}",
            who.remedy
            or "Compare the token's scopes and audience with what the rule requires "
            "(`/authcheck apirule <ns>/<name> --token …`).",
            evidence,
        )
    if status >= 500:
        return Finding(
            CHECK,
            Severity.ERROR,
            f"With the token: HTTP {status} from {who.name}",
            who.meaning,
            "A server-side failure: its logs say more.",
            evidence,
        )
    return Finding(
        CHECK,
        Severity.WARN,
        f"With the token: HTTP {status} from {who.name}",
        who.meaning,
        "",
        evidence,
    )


def _clock_findings(answers: list[Answer], now: datetime, token: str | None) -> list[Finding]:
    server = next((t for t in (server_time(a) for a in answers) if t is not None), None)
    if server is None:
        return []
    skew = (server - now).total_seconds()
    findings = []
    if abs(skew) >= SKEW_NOTICE_S:
        direction = "ahead of" if skew > 0 else "behind"
        findings.append(
            Finding(
                CHECK,
                Severity.WARN,
                f"The server's clock is {abs(int(skew))} s {direction} authcheck's",
                f"`Date` header: {server.isoformat()}; authcheck: {now.isoformat()}. Token "
                "times (`exp`, `nbf`, `iat`) are judged by the validating server's clock; "
                "a few minutes of skew makes fresh tokens 'not yet valid' or old ones live "
                "longer.",
                "Synchronise clocks with NTP on the servers and on the issuer.",
                {"skew_s": int(skew)},
            )
        )
    if token is None:
        return findings
    decoded = view(token).decoded
    if decoded is None:
        return findings
    leeway = timedelta(seconds=LEEWAY_S)
    exp = decoded.time("exp")
    if exp is not None and exp <= server:
        findings.append(
            Finding(
                CHECK,
                Severity.FAIL,
                f"By the server's clock the token expired {when(exp, server)}",
                f"`exp` is {when(exp, now)} by authcheck's clock; the server's `Date` is "
                f"{server.isoformat()}.",
                "Get a fresh token; if it is fresh already, fix the clock skew.",
            )
        )
    for claim in ("nbf", "iat"):
        moment = decoded.time(claim)
        if moment is not None and moment > server + leeway:
            findings.append(
                Finding(
                    CHECK,
                    Severity.FAIL,
                    f"By the server's clock the token is not valid yet (`{claim}` "
                    f"{when(moment, server)})",
                    "The issuer's clock runs ahead of this server's.",
                    "Synchronise the issuer's and the server's clocks (NTP).",
                )
            )
    return findings


def _authorization(raw_token: str) -> tuple[str, str]:
    """(header value, secret part) for `--token`: a value that names another scheme (`Basic …`,
    `AWS4-HMAC-SHA256 …`) is sent as given; anything else as `Bearer <token>`."""
    used = auth_schemes.used_scheme(raw_token)
    if used == "Bearer":
        token = strip_scheme(raw_token)
        return f"Bearer {token}", token
    value = re.sub(r"(?i)^\s*authorization\s*:\s*", "", raw_token).strip()
    return value, value.split(None, 1)[-1]


def _scheme_findings(answers: list[Answer], used: str | None) -> list[Finding]:
    """What the server asks for, whether the caller used it, and any AWS error's meaning."""
    wanted: list[auth_schemes.Asked] = []
    # An API gateway in the shared table (API Gateway's authorizers) takes Bearer tokens even
    # when its error type reads like an AWS one: its AWS code asks for no SigV4.
    gateway = [identify(a).signature is not None for a in answers]
    for answer, known in zip(answers, gateway, strict=True):
        for item in auth_schemes.asked(answer):
            if known and item.scheme == auth_schemes.AWS:
                continue
            if item.scheme not in {w.scheme for w in wanted}:
                wanted.append(item)
    findings: list[Finding] = []
    names = [w.scheme for w in wanted]
    if wanted:
        # The server states what it takes: with nothing sent, a scheme other than Bearer is
        # the thing to act on, so it is a warning with the way to send it.
        other = next((n for n in names if n != "Bearer"), None)
        lead = used is None and other is not None
        findings.append(
            Finding(
                CHECK,
                Severity.WARN if lead else Severity.INFO,
                f"The server asks for {' or '.join(names)}",
                "; ".join(w.how for w in wanted),
                auth_schemes.HOW_TO_SEND.get(other or "", f"Send `{other}` credentials.")
                if lead
                else "",
                {"schemes": names},
            )
        )
    if used is not None and wanted and used not in names:
        asked_for = names[0]
        findings.append(
            Finding(
                CHECK,
                Severity.FAIL,
                f"Wrong scheme: {used} was sent, the server asks for {' or '.join(names)}",
                f"Credentials in a scheme the server does not take are ignored or refused, "
                f"however valid they are ({wanted[0].how}).",
                auth_schemes.HOW_TO_SEND.get(asked_for, f"Send `{asked_for}` credentials."),
                {"sent": used, "asked": names},
            )
        )
    last = answers[-1]
    aws = None if gateway[-1] else auth_schemes.aws_error(last)
    if aws is not None:
        sent = used is not None and len(answers) > 1
        # AWS states the cause: it leads, before the scheme it implies.
        findings.insert(
            0,
            Finding(
                CHECK,
                Severity.FAIL if sent else Severity.WARN,
                f"AWS says `{aws.code}` (HTTP {last.status})",
                aws.meaning + (f". Message: “{aws.message}”" if aws.message else ""),
                aws.remedy,
                {"aws_error": aws.code},
            ),
        )
    return findings


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
        refused = await targets.refusal(url, ctx.settings.url_allowlist)
        if refused:
            return [
                Finding(
                    CHECK,
                    Severity.ERROR,
                    f"Refused to call {url}",
                    f"{refused}; URLs typed in chat may not reach such addresses.",
                    targets.allowlist_remedy(url),
                )
            ]
        unsafe = await targets.method_refusal(method, url, ctx.settings, ctx.resolver)
        if unsafe:
            return [method_refused(CHECK, url, unsafe)]
        # Both calls at once: the probe takes as long as the slower one, not their sum.
        anon_seen, token_seen = await asyncio.gather(
            send(ctx, method, url, headers={"Accept": "*/*"}),
            send(ctx, method, url, headers={"Accept": "*/*", "Authorization": header})
            if token is not None
            else _nothing(),
        )
        if isinstance(anon_seen, Unknown):
            return [self._unreachable(method, url, anon_seen.reason)]
        anon = anon_seen.value
        findings = []
        anon_who = identify(anon)
        findings.append(_anonymous_finding(url, anon, anon_who, token is not None))
        answers = [anon]
        if token is not None and token_seen is not None:
            if isinstance(token_seen, Unknown):
                findings.append(
                    self._unreachable(method, url, token_seen.reason, "with the token ")
                )
            else:
                with_token = token_seen.value
                answers.append(with_token)
                who = identify(with_token)
                findings.append(_token_finding(url, anon, anon_who, with_token, who, token))
                cut = signature_length_problem(token)
                if cut is not None:
                    # The same test as `decode` and `header`: a cut token explains any refusal.
                    findings.insert(
                        0,
                        Finding(
                            CHECK,
                            Severity.FAIL,
                            "Truncated token: the signature does not fit its `alg`",
                            f"The token sent decodes, but {cut}. No server can verify it.",
                            "Copy the whole token again (one line, nothing cut at the end).",
                        ),
                    )
                findings.append(
                    Finding(
                        CHECK,
                        Severity.INFO,
                        f"Token sent: {identify_token(token)}",
                        f"As `Authorization: {header.split(None, 1)[0]} <credentials>`.",
                    )
                )
        schemes = _scheme_findings(answers, auth_schemes.used_scheme(raw_token))
        # What the server states it takes (a scheme, an AWS code) leads any other verdict.
        stated = [f for f in schemes if f.status is Severity.FAIL]
        if any(f.evidence.get("verdict") == gate_verdict.Gate.WRONG_CREDENTIAL for f in findings):
            # The gateway table already names the product and the credential it reads.
            stated = [f for f in stated if "sent" not in f.evidence]
        findings = stated + findings + [f for f in schemes if f.status is not Severity.FAIL]
        findings.extend(_clock_findings(answers, ctx.clock(), token))
        # The verdict first: what the server states (a refusal, a scheme, an AWS code) leads.
        return ordered(findings)

    @staticmethod
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
