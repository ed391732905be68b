"""What two answers of one gatekeeper — without the token and with it — prove, decided once.

`probe` turns the outcome into its finding and `diagnose` into a cause, so the two never
disagree about the same pair of answers. The classes (issue 15 §4):

- the answer *with* the token says no credential arrived (an RFC 6750 challenge without an
  error code, Envoy `Jwt is missing`, …): the header was stripped on the way — conclusive;
- the gatekeeper reads another kind of credential (an API key, a subscription key, Basic):
  a Bearer token is never looked at, however valid;
- without a token the server challenged, with it there is no challenge and still a refusal:
  the token passed authentication and a rule (audience, claims, scope) refused it — a fresh
  token will not help;
- `insufficient_scope` is a scope problem whatever the status (some servers send it with 401);
- the gateway's own words say it could not decide (it cannot fetch keys): not the token.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from handlers.gateways.answerer import Who
from handlers.gateways.catalog import Says
from handlers.net.send import Answer


class Gate(enum.StrEnum):
    STRIPPED = "authorization_stripped"
    WRONG_CREDENTIAL = "wrong_credential"
    RULE_REFUSED = "rule_refused"
    SCOPE = "scope_missing"
    GATEWAY_FAILED = "gateway_failed"


@dataclass(frozen=True)
class GateVerdict:
    kind: Gate
    title: str
    detail: str
    remedy: str


def _refused(answer: Answer) -> bool:
    return answer.status in (401, 403) or (400 <= answer.status < 500 and answer.status != 404)


def _challenged(answer: Answer) -> bool:
    return bool((answer.header("www-authenticate") or "").strip())


def judge(
    anon: Answer | None, anon_who: Who | None, authed: Answer, who: Who
) -> GateVerdict | None:
    """The verdict the pair of answers proves on its own, or None when it proves none."""
    if not _refused(authed):
        return None
    status = authed.status
    said = f" `{who.message}`" if who.message else ""
    if who.wants and who.says in (Says.NO_CREDENTIALS, Says.REJECTED, Says.MISSING_OR_REJECTED):
        return GateVerdict(
            Gate.WRONG_CREDENTIAL,
            f"{who.name} reads {who.wants}, not a Bearer token (HTTP {status}{said})",
            f"{who.meaning}. The token is never looked at, however valid it is.",
            who.remedy or "Send the credential the gateway reads.",
        )
    if who.no_credentials:
        return GateVerdict(
            Gate.STRIPPED,
            "The server did not see the token: the `Authorization` header is stripped on the way",
            f"A token was sent, and {who.name} answers HTTP {status}{said} — {who.meaning}",
            "A proxy or ingress in front of the service strips the `Authorization` header "
            '(nginx `proxy_set_header Authorization "";`, a header allow-list), or the '
            "gatekeeper reads the token from another header or a query parameter (APIRule v2 "
            "`fromHeaders`/`fromParams`). Forward the header, or send the token where the rule "
            "reads it.",
        )
    if who.code == "insufficient_scope":
        wanted = (who.challenge.params.get("scope") if who.challenge else None) or ""
        needs = f" `{wanted}`" if wanted else ""
        return GateVerdict(
            Gate.SCOPE,
            f"The token lacks a required scope{needs} (`insufficient_scope`, HTTP {status}) "
            f"from {who.name}",
            f"{who.meaning}. The token was accepted as identity; only its scopes fall short "
            "(RFC 6750 §3.1, whatever the status code says).",
            "Request the token with the scope the resource names (`scope=` in the token call); "
            "the client must be allowed it.",
        )
    if who.says is Says.FAILED:
        return GateVerdict(
            Gate.GATEWAY_FAILED,
            f"{who.name} could not judge the token (HTTP {status}{said})",
            f"{who.meaning}. This says nothing about the token.",
            who.remedy or "Fix the gateway's configuration; its logs say more.",
        )
    return _rule_verdict(anon, anon_who, authed, who)


def _rule_verdict(
    anon: Answer | None, anon_who: Who | None, authed: Answer, who: Who
) -> GateVerdict | None:
    """The token got past authentication and a rule refused it: the challenge went away with
    the token, or the gatekeeper's words say so."""
    status = authed.status
    said = f" `{who.message}`" if who.message else ""
    challenged_before = anon is not None and _refused(anon) and _challenged(anon)
    anon_no_creds = anon_who is not None and (
        anon_who.no_credentials or anon_who.says is Says.NO_CREDENTIALS
    )
    if (
        challenged_before
        and anon_no_creds
        and not _challenged(authed)
        and not who.refused_identity
        and who.says is not Says.MISSING_OR_REJECTED
    ):
        return GateVerdict(
            Gate.RULE_REFUSED,
            f"The token was authenticated, then refused by a rule (HTTP {status} from {who.name})",
            "Without a token the server challenged for credentials; with the token it no longer "
            "does, yet refuses: the token passed authentication and an authorization rule "
            "(audience, required claims, scope, roles) refused it. A fresh token with the same "
            "claims will be refused the same way.",
            "Compare the token's `aud`, scopes and claims (`/authcheck decode <token>`) with what "
            "the API's rule requires for this path and method.",
        )
    if who.says is Says.FORBIDDEN:
        return GateVerdict(
            Gate.RULE_REFUSED,
            f"Token authenticated but not allowed ({status}) by {who.name}{said}",
            f"{who.meaning}. The gatekeeper's own words say the caller is known and a rule "
            "refused it: a fresh token with the same claims will be refused the same way.",
            who.remedy
            or "Compare the token's scopes, audience and claims with what the rule requires "
            "(`/authcheck apirule <ns>/<name> --token …` for an APIRule).",
        )
    return None
