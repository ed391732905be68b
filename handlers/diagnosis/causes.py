"""The candidate causes of a 401/403, as data: an id, plain words, a remedy, and a predicate.

Each predicate reads only `Facts` (never the network) and returns a `Hit` with a score in 0..1
and the evidence sentences behind it, or None when the facts do not point at this cause. Scores
are deliberately coarse: ~0.9 when two independent signals agree (the gateway's own words and our
evaluation of the rule), ~0.8 for one strong signal, ~0.5 for a weak one. `explains` names the
causes this one is the root of (hydra-maester calling v1 paths explains an unregistered client),
so ranking can put the root first. Facts from steps that did not run are absent, so they can
never count as evidence here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from handlers.commands.client import REGISTRATION_REMEDY
from handlers.diagnosis.facts import Facts
from handlers.gateways.answerer import no_token_title
from handlers.gateways.verdict import Gate, GateVerdict, judge
from handlers.hydra import admin as hydra_admin
from handlers.kyma.apirule import ENVOY_SKEW_S, ISTIO, OATHKEEPER
from handlers.oauth import contradictions
from handlers.oauth.contradictions import ACTIVE_BUT_EXPIRED
from handlers.schemes import challenges as auth_schemes
from handlers.tokens.info import when

#: Envoy messages (DOMAIN.md) the predicates look for in the gateway's answer.
EXPIRED = "Jwt is expired"
NOT_YET_VALID = "Jwt not yet valid"
ISSUER_UNKNOWN = "Jwt issuer is not configured"
KID_UNKNOWN = "Jwks doesn't have key to match kid or alg from Jwt"
RBAC = "RBAC: access denied"


@dataclass(frozen=True)
class Hit:
    """A cause the facts point at: how strongly, and why (sentences people read)."""

    score: float
    evidence: list[str]
    data: dict[str, Any] = field(default_factory=dict)
    title: str | None = None
    remedy: str | None = None


@dataclass(frozen=True)
class Cause:
    id: str
    title: str
    remedy: str
    test: Callable[[Facts], Hit | None]
    explains: tuple[str, ...] = ()


# -- small readers over the facts ----------------------------------------------------------------


def _answer_line(facts: Facts, with_token: bool) -> str | None:
    answer, who = (facts.authed, facts.authed_who) if with_token else (facts.anon, facts.anon_who)
    if answer is None or who is None:
        return None
    label = "With the token" if with_token else "Without a token"
    said = f" `{who.message}`" if who.message else ""
    return f"{label}: HTTP {answer.status}{said} from {who.name}."


def _gate_said(facts: Facts, message: str) -> bool:
    who = facts.authed_who if facts.token is not None else facts.anon_who
    return who is not None and (who.message or "").lower() == message.lower()


def _failing(facts: Facts) -> bool:
    """The token's request was refused (or there is no probe to say otherwise)."""
    return facts.authed is None or not 200 <= facts.authed.status < 300


def _reasons(facts: Facts, needle: str, *, prefix: bool = False) -> list[str]:
    """The evaluation's reasons for refusing the token that mention (or start with) `needle`."""
    v = facts.verdict
    if v is None or v.passes is not False:
        return []
    return [r for r in v.reasons if (r.startswith(needle) if prefix else needle in r)]


def _rule_line(facts: Facts) -> str:
    if facts.match is None or facts.rule is None:
        return "the rule"
    a = facts.match.apirule
    return f"APIRule `{a.namespace}/{a.name}` {facts.rule.label()}"


def token_scopes(facts: Facts) -> list[str] | None:
    if facts.decoded is not None:
        return list(facts.decoded.scopes)
    if facts.introspection and facts.introspection.get("active") is True:
        return str(facts.introspection.get("scope") or "").split()
    return None


def token_audiences(facts: Facts) -> list[str] | None:
    if facts.decoded is not None:
        return list(facts.decoded.audiences)
    if facts.introspection and facts.introspection.get("active") is True:
        aud = facts.introspection.get("aud")
        return [aud] if isinstance(aud, str) else [str(a) for a in aud or []]
    return None


def _expired(facts: Facts) -> bool:
    d = facts.decoded
    exp = d.time("exp") if d is not None else None
    return exp is not None and exp <= facts.now


def _token_dead(facts: Facts) -> bool:
    """The caller has no working token: none, expired, or inactive at the issuer."""
    inactive = bool(facts.introspection) and facts.introspection.get("active") is False  # type: ignore[union-attr]
    return facts.token is None or _expired(facts) or inactive


def _plural(items: list[str]) -> str:
    return "s" if len(items) > 1 else ""


def _ticks(items: list[str]) -> str:
    return ", ".join(f"`{i}`" for i in items)


def _gate(facts: Facts) -> GateVerdict | None:
    """What the two answers prove on their own (`handlers.gateways.verdict`, shared with
    `probe`)."""
    if facts.token is None or facts.authed is None or facts.authed_who is None:
        return None
    return judge(facts.anon, facts.anon_who, facts.authed, facts.authed_who)


def _gate_names(facts: Facts, cause: str) -> bool:
    """The gatekeeper's own words name this cause (the shared gateway table's `cause`)."""
    who = facts.authed_who if facts.token is not None else facts.anon_who
    return who is not None and who.cause == cause


def _gate_hit(facts: Facts, kind: Gate, score: float) -> Hit | None:
    verdict = _gate(facts)
    if verdict is None or verdict.kind is not kind:
        return None
    evidence = [verdict.detail]
    line = _answer_line(facts, False)
    if line:
        evidence.insert(0, line)
    return Hit(score, evidence, {"gate": kind.value}, title=verdict.title, remedy=verdict.remedy)


# -- predicates ----------------------------------------------------------------------------------


def no_token(facts: Facts) -> Hit | None:
    if facts.token is not None or facts.anon is None or facts.anon_who is None:
        return None
    who = facts.anon_who
    status = facts.anon.status
    if status not in (401, 403):
        return None  # a login redirect is `login_redirect`; other statuses are no refusal
    evidence = [f"Without a token {who.name} answers HTTP {status}: {who.meaning}"]
    remedy = (
        who.remedy
        if who.wants and who.remedy
        else "Send the access token as `Authorization: Bearer <token>`. If the caller does send "
        "one, rerun with `--token <token>` so authcheck can check the token itself."
    )
    rule = facts.rule
    if rule is not None and rule.gatekeeper in (ISTIO, OATHKEEPER):
        evidence.append(f"{_rule_line(facts)} requires a token ({rule.gatekeeper}).")
        needs = []
        if rule.all_scopes:
            needs.append(f"scopes {_ticks(rule.all_scopes)}")
        if rule.all_audiences:
            needs.append(f"audiences {_ticks(rule.all_audiences)}")
        if rule.issuers:
            needs.append(f"issuer {_ticks(rule.issuers)}")
        if needs:
            evidence.append("A token must carry " + "; ".join(needs) + ".")
        custom = [a.location() for a in rule.authentications if a.custom_location]
        if custom:
            remedy = f"Send the token in {' or '.join(custom)} (where the rule reads it)."
    # A recognised gatekeeper's refusal is clear; an unknown server's 401 may have other reasons.
    # Probe gives the same verdict with the same words (`no_token_title`): without a token
    # a refusal is the answer, whoever gave it.
    # A recognised gatekeeper's refusal is clear; an unknown server's 401 may have other reasons.
    return Hit(
        0.8 if who.recognised else 0.55,
        evidence,
        {"status": status, "answered_by": who.name},
        title=no_token_title(who),
        remedy=remedy,
    )


def token_expired(facts: Facts) -> Hit | None:
    d = facts.decoded
    if (
        (d is None or not _expired(facts))
        and _gate_names(facts, "token_expired")
        and _failing(facts)
    ):
        who = facts.authed_who
        said = f" `{who.message}`" if who and who.message else ""
        return Hit(0.8, [f"{who.name if who else 'The gateway'} says so{said}."])
    if d is None or not _expired(facts):
        return None
    exp = d.time("exp")
    evidence = [f"The token's `exp` is {when(exp, facts.now)}."]
    score = 0.85
    if _gate_said(facts, EXPIRED):
        evidence.append(f"The gateway says so too: `{EXPIRED}`.")
        score = 0.9
    line = _answer_line(facts, True)
    if line:
        evidence.append(line)
    evidence += [c.detail for c in _introspection_odd(facts) if c.key == ACTIVE_BUT_EXPIRED]
    return Hit(score, evidence, {"exp": d.claims.get("exp")})


def clock_skew(facts: Facts) -> Hit | None:
    server = facts.server_time
    if server is None:
        return None
    skew = int((server - facts.now).total_seconds())
    evidence: list[str] = []
    score = 0.0
    d = facts.decoded
    leeway = timedelta(seconds=ENVOY_SKEW_S)
    if d is not None:
        for claim in ("nbf", "iat"):
            moment = d.time(claim)
            if moment is not None and moment > server + leeway:
                evidence.append(
                    f"The token's `{claim}` is {when(moment, server)} by the server's clock "
                    f"(`Date`): the issuer's clock runs ahead of the server's."
                )
                score = 0.9
        exp = d.time("exp")
        if exp is not None and facts.now < exp <= server:
            evidence.append(
                f"By the server's clock the token expired {when(exp, server)}, by authcheck's "
                "it is still valid."
            )
            score = 0.9
    if abs(skew) >= 60:
        direction = "ahead of" if skew > 0 else "behind"
        evidence.append(f"The server's `Date` is {abs(skew)} s {direction} authcheck's clock.")
        score = max(score, 0.35)
    if _gate_said(facts, NOT_YET_VALID):
        evidence.append(f"The gateway says `{NOT_YET_VALID}`.")
        score = max(score, 0.85)
    if not evidence:
        return None
    return Hit(score, evidence, {"server_skew_s": skew})


def issuer_mismatch(facts: Facts) -> Hit | None:
    reasons = _reasons(facts, "issuer ", prefix=True)
    gate = _gate_said(facts, ISSUER_UNKNOWN)
    if not reasons and not gate:
        return None
    evidence = list(reasons)
    if gate:
        evidence.append(f"The gateway says `{ISSUER_UNKNOWN}`.")
    trailing = any("trailing slash" in r for r in reasons)
    score = 0.9 if reasons and gate else (0.85 if reasons else 0.7)
    iss = facts.decoded.claims.get("iss") if facts.decoded is not None else None
    title = None
    if trailing:
        title = "The token's issuer differs from the APIRule's issuer only by a trailing slash"
    remedy = (
        f"Set the rule's issuer to exactly `{iss}` (Hydra's `iss` ends with `/`)." if iss else None
    )
    return Hit(
        score, evidence, {"iss": iss, "trailing_slash": trailing}, title=title, remedy=remedy
    )


def kid_not_in_jwks(facts: Facts) -> Hit | None:
    reasons = _reasons(facts, "`kid`")
    gate = _gate_said(facts, KID_UNKNOWN)
    if not reasons and not gate:
        return None
    d = facts.decoded
    kid = d.header.get("kid") if d is not None else None
    evidence = list(reasons)
    if gate:
        evidence.append(f"The gateway says `{KID_UNKNOWN}`.")
    if reasons:
        return Hit(0.9 if gate else 0.85, evidence, {"kid": kid})
    live = [u for u, kids in facts.jwks_kids.items() if kid in kids]
    if live:
        evidence.append(f"The issuer's JWKS ({', '.join(live)}) does have `kid` `{kid}` now.")
        return Hit(
            0.85,
            evidence,
            {"kid": kid, "stale_cache": True},
            title="The gateway still caches the JWKS from before a key rotation",
            remedy="Istio caches JWKS for about 20 min: wait, or restart istiod to refetch it; "
            "tokens signed with the new key then pass.",
        )
    return Hit(0.75, evidence, {"kid": kid})


def scope_missing(facts: Facts) -> Hit | None:
    if not _failing(facts):
        return None
    rule = facts.rule
    have = token_scopes(facts)
    missing: list[str] = []
    evidence: list[str] = []
    score = 0.0
    reasons = _reasons(facts, "missing scope")
    if rule is not None and have is not None:
        missing = [s for s in rule.all_scopes if s not in have]
    if reasons and missing:
        evidence.append(f"{_rule_line(facts)} requires scope{_plural(missing)} {_ticks(missing)}.")
        score = 0.8
        v = facts.verdict
        if v is not None and facts.authed is not None and facts.authed.status == v.status:
            score = 0.9
    elif missing and rule is not None and rule.strategy == "oauth2_introspection":
        evidence.append(f"{_rule_line(facts)} requires scope{_plural(missing)} {_ticks(missing)}.")
        score = 0.85
    who = facts.authed_who
    if who is not None and who.cause == "scope_missing":
        evidence.append(f"{who.name} says so: `{who.message}`.")
        score = max(score, 0.85)
    if who is not None and who.code == "insufficient_scope":
        wanted = (who.challenge.params.get("scope") if who.challenge else None) or ""
        missing = missing or [s for s in wanted.split() if have is None or s not in have]
        evidence.append("The server answers `insufficient_scope` (RFC 6750).")
        score = max(score, 0.85)
    if not score:
        return None
    evidence.append(f"The token's scopes: {' '.join(have or []) or 'none'}.")
    line = _answer_line(facts, True)
    if line:
        evidence.append(line)
    gatekeeper = rule.gatekeeper if rule else None
    how = {
        OATHKEEPER: " (Oathkeeper answers 401: with its default scope strategy Hydra calls the "
        "token inactive)",
        ISTIO: f" (Istio answers 403 `{RBAC}`)",
    }.get(gatekeeper or "", "")
    remedy = f"Request the token with `scope={' '.join(missing)}` (`--scope` in the token call)."
    allowed = facts.client.allowed_scopes
    if allowed is not None:
        barred = [s for s in missing if s not in allowed]
        if barred:
            evidence.append(
                f"Client `{facts.client.client_id}` may not even request {_ticks(barred)}: "
                f"it is allowed {' '.join(allowed) or 'no scopes'}."
            )
            remedy = (
                f"Add {_ticks(barred)} to the client's allowed scopes (OAuth2Client "
                "`spec.scope`/`scopeArray`), then request the token with that scope."
            )
    return Hit(
        score,
        evidence,
        {"missing": missing, "gatekeeper": gatekeeper},
        title=f"The token lacks the scope{_plural(missing)} {_ticks(missing)} the rule "
        f"requires{how}",
        remedy=remedy,
    )


def _missing_audiences(facts: Facts) -> list[str]:
    rule = facts.rule
    have = token_audiences(facts)
    if rule is None or have is None or not _failing(facts):
        return []
    if not _reasons(facts, "missing audience"):
        return []
    return [a for a in rule.all_audiences if a not in have]


def audience_not_whitelisted(facts: Facts) -> Hit | None:
    missing = _missing_audiences(facts)
    allowed = facts.client.allowed_audiences
    if not missing or allowed is None:
        return None
    barred = [a for a in missing if a not in allowed]
    if not barred:
        return None
    return Hit(
        0.92,
        [
            f"{_rule_line(facts)} requires audience{_plural(missing)} {_ticks(missing)}; the "
            f"token has {_ticks(token_audiences(facts) or []) or 'none'}.",
            f"Client `{facts.client.client_id}` is allowed audiences "
            f"{_ticks(allowed) or 'none'}: asking Hydra for {_ticks(barred)} is refused "
            "(400 invalid_request).",
        ],
        {"missing": barred, "client_id": facts.client.client_id},
        remedy=f"Add {_ticks(barred)} to the OAuth2Client's `spec.audience` (Hydra's audience "
        f"whitelist), let hydra-maester apply it, then request the token with "
        f"`audience={' '.join(barred)}`.",
    )


def audience_missing(facts: Facts) -> Hit | None:
    missing = _missing_audiences(facts)
    if not missing:
        return None
    allowed = facts.client.allowed_audiences
    if allowed is not None and any(a not in allowed for a in missing):
        return None  # audience_not_whitelisted says it better
    evidence = [
        f"{_rule_line(facts)} requires audience{_plural(missing)} {_ticks(missing)}; the token "
        f"has {_ticks(token_audiences(facts) or []) or 'none'}."
    ]
    if allowed is not None:
        evidence.append(f"Client `{facts.client.client_id}` is allowed to request them.")
    return Hit(0.85 if allowed is not None else 0.8, evidence, {"missing": missing})


def refresh_token(facts: Facts) -> Hit | None:
    kind = facts.token_view.kind if facts.token_view else None
    use = (facts.introspection or {}).get("token_use")
    if kind != "refresh" and use != "refresh_token":
        return None
    evidence = []
    if kind == "refresh":
        what = facts.token_view.opaque[0] if facts.token_view and facts.token_view.opaque else ""
        evidence.append(f"The token is {what or 'marked as a refresh token'}.")
    if use == "refresh_token":
        evidence.append(
            f"Introspection at {facts.introspected_at} says `token_use: refresh_token`."
        )
    line = _answer_line(facts, True)
    if line:
        evidence.append(line)
    return Hit(0.95, evidence, {"token_use": use, "kind": kind})


def not_a_jwt(facts: Facts) -> Hit | None:
    reasons = _reasons(facts, "not a JWT")
    if not reasons:
        return None
    return Hit(0.8, reasons)


def token_wrong_place(facts: Facts) -> Hit | None:
    reasons = _reasons(facts, "counts as no token")
    if not reasons:
        return None
    return Hit(0.9, reasons)


def authorization_stripped(facts: Facts) -> Hit | None:
    gate = _gate_hit(facts, Gate.STRIPPED, 0.9)
    if gate is not None:
        return gate
    anon, authed = facts.anon, facts.authed
    if facts.token is None or anon is None or authed is None or not 400 <= authed.status < 500:
        return None  # a redirect to a login page is `login_redirect`
    same = (
        anon.status == authed.status
        and anon.body == authed.body
        and anon.header("www-authenticate") == authed.header("www-authenticate")
    )
    if not same:
        return None
    evidence = [f"With and without the token the answer is the same: HTTP {authed.status}."]
    v = facts.verdict
    no_creds = bool(facts.authed_who and facts.authed_who.no_credentials)
    intro = facts.introspection
    if intro is not None and intro.get("active") is False:
        return None  # the issuer refuses the token itself: the same answer is no surprise
    judged_offline = facts.rule is not None and facts.rule.strategy != "oauth2_introspection"
    if v is not None and v.passes is True and (judged_offline or intro is not None):
        evidence.append(
            f"{_rule_line(facts)} would accept this token (issuer, times, key, scopes and "
            "audience all fit), so the gateway never saw it."
        )
        score = 0.9
    elif no_creds and (v is None or v.passes is None):
        evidence.append("The answer says no credentials arrived (a challenge without an error).")
        score = 0.85
    elif v is None and facts.rule is None:
        score = 0.45
        evidence.append("Nothing else tells whether the token reached the gatekeeper.")
    else:
        return None
    return Hit(score, evidence, {"status": authed.status})


def client_not_registered(facts: Facts) -> Hit | None:
    c = facts.client
    if not c.missing_in_hydra:
        return None
    evidence = [f"The token names client `{c.client_id}`; Hydra answers “Unable to locate it”."]
    if c.resource_ref:
        evidence.append(
            f"OAuth2Client `{c.resource_ref}` holds that id: it was never "
            "registered, or Hydra lost it (in-memory database, reinstall)."
        )
    intro = facts.introspection
    if intro is not None and intro.get("active") is False:
        evidence.append("Introspection calls the token inactive.")
    return Hit(0.85, evidence, {"client_id": c.client_id, "resource": c.resource_ref})


def maester_wrong_endpoint(facts: Facts) -> Hit | None:
    m = facts.maester
    if m is None:
        return None
    expected = hydra_admin.clients_path_for(facts.hydra_version)
    wrong = [e for e in m.endpoints if expected and e.rstrip("/") != expected]
    if not wrong and not m.endpoint_404:
        return None
    evidence = []
    if wrong:
        evidence.append(
            f"hydra-maester runs with `--endpoint={wrong[0]}`, but Hydra {facts.hydra_version} "
            f"serves `{expected}`."
        )
    if m.endpoint_404:
        evidence.append(f"Its log: {m.endpoint_404[-1][:300]}")
    unregistered = facts.client.missing_in_hydra
    if unregistered:
        evidence.append(f"Hence Hydra has no client `{facts.client.client_id}`.")
    return Hit(
        0.95 if unregistered else 0.6,
        evidence,
        {"endpoint": wrong[0] if wrong else None, "expected": expected},
        remedy=f"Set hydra-maester's `--endpoint={expected or '/admin/clients'}` (Helm value or "
        "Deployment args) and restart it; it then registers the pending OAuth2Clients.",
    )


def secret_drift(facts: Facts) -> Hit | None:
    c = facts.client
    p = c.proof
    if p is None or p.ok or not p.rejected_client:
        return None
    if c.raw_proof is not None and c.raw_proof.ok:
        return None
    evidence = [
        f"Hydra has client `{c.client_id}`, but a token request with Secret `{c.secret_ref}` "
        f"is refused: {p.wording()}.",
        "So Hydra's stored secret is not the Secret's: it was edited after registration "
        "(hydra-maester does not push such edits to Hydra).",
    ]
    if _token_dead(facts):
        evidence.append("That is why the caller cannot get a fresh token.")
    return Hit(
        0.9 if _token_dead(facts) else 0.6,
        evidence,
        {"secret": c.secret_ref, "client_id": c.client_id},
        remedy=f"Delete Secret `{c.secret_ref}` (hydra-maester then registers new credentials "
        "and writes them) or restore its original value; never edit it in place.",
    )


def secret_plus_unencoded(facts: Facts) -> Hit | None:
    c = facts.client
    if c.proof is None or not c.proof.ok or c.raw_proof is None or c.raw_proof.ok:
        return None
    shown = " ".join(f"`{ch}`" for ch in c.special)
    evidence = [
        f"The client secret in `{c.secret_ref}` contains {shown}.",
        "Sent URL-encoded (RFC 6749 §2.3.1) Hydra accepts it; sent raw in Basic it is refused "
        f"({c.raw_proof.wording()}): Hydra URL-decodes Basic credentials, a raw `+` becomes "
        "a space.",
    ]
    return Hit(
        0.88 if _token_dead(facts) else 0.45,
        evidence,
        {"characters": c.special, "secret": c.secret_ref},
    )


def _introspection_odd(facts: Facts) -> list[contradictions.Contradiction]:
    """What the introspection answer contradicts (the same reading as `introspect`)."""
    intro = facts.introspection
    if not intro:
        return []
    active = intro.get("active") is True
    return contradictions.after_introspection(
        intro, active, facts.decoded, facts.introspected_as, facts.now
    )


def token_inactive(facts: Facts) -> Hit | None:
    intro = facts.introspection
    if intro is None or intro.get("active") is not False:
        return None
    evidence = [f'Introspection at {facts.introspected_at} answered {{"active": false}}.']
    odd = _introspection_odd(facts)
    if odd:
        # {active:false} for another client's token does not prove the token inactive.
        return Hit(0.2, [*evidence, odd[0].detail], {"introspected_at": facts.introspected_at})
    return Hit(0.6, evidence, {"introspected_at": facts.introspected_at})


def hydra_not_ready(facts: Facts) -> Hit | None:
    if facts.hydra_ready is not False:
        return None
    related = facts.client.missing_in_hydra or _token_dead(facts)
    return Hit(
        0.85 if related else 0.5,
        ["Hydra's /health/ready is failing: it cannot reach its database."],
    )


def introspection_url_wrong(facts: Facts) -> Hit | None:
    who, answer = facts.authed_who, facts.authed
    if who is None or answer is None or who.name != "Ory Oathkeeper" or answer.status < 500:
        return None
    return Hit(0.85, [f"Oathkeeper answers HTTP {answer.status}: {who.message or who.meaning}"])


VERIFY_FAILS = "Jwt verification fails"
_SIGNATURE_TITLES = {
    "wrong_alg": "The token's `alg` does not fit the key that should verify it",
    "wrong_key": "The token is signed with another key than the one its `kid` names",
    "altered": "The token's signature does not verify: altered after signing, or another "
    "issuer's key",
}


def signature_invalid(facts: Facts) -> Hit | None:
    """The signature checked against trusted keys (`handlers.tokens.signatures`); a missing `kid` is
    `kid_not_in_jwks`'s."""
    sig = facts.signature
    if sig is None or sig.verified or sig.outcome == "no_kid" or not _failing(facts):
        return None
    evidence = [f"Checked with PyJWT against trusted keys: {sig.reason}."]
    score = 0.85
    if _gate_said(facts, VERIFY_FAILS):
        evidence.append(f"The gateway says `{VERIFY_FAILS}`.")
        score = 0.92
    return Hit(
        score,
        evidence,
        {"signature": sig.outcome, "kid": sig.kid, "jwks": sig.source},
        title=_SIGNATURE_TITLES.get(sig.outcome),
    )


def wrong_credential(facts: Facts) -> Hit | None:
    return _gate_hit(facts, Gate.WRONG_CREDENTIAL, 0.9)


def rule_refused(facts: Facts) -> Hit | None:
    if facts.verdict is not None and facts.verdict.passes is False:
        return None  # the APIRule's evaluation names the rule (scope, audience, issuer)
    if facts.authed_who is not None and facts.authed_who.cause is not None:
        return None  # the gateway's own words name the rule (a scope, an audience)
    return _gate_hit(facts, Gate.RULE_REFUSED, 0.8)


def gateway_failed(facts: Facts) -> Hit | None:
    return _gate_hit(facts, Gate.GATEWAY_FAILED, 0.85)


def login_redirect(facts: Facts) -> Hit | None:
    answer, who = (facts.authed, facts.authed_who) if facts.token else (facts.anon, facts.anon_who)
    if answer is None or who is None or not 300 <= answer.status < 400 or not who.no_credentials:
        return None
    return Hit(
        0.85,
        [f"HTTP {answer.status}: {who.meaning}"],
        {"status": answer.status, "location": answer.header("location")},
        title=f"{facts.url} redirects to a login page (HTTP {answer.status})",
    )


def scheme_demanded(facts: Facts) -> Hit | None:
    """The server says which scheme it takes (`WWW-Authenticate`), and it is not Bearer."""
    answers = [a for a in (facts.anon, facts.authed) if a is not None]
    if not answers or (facts.authed is not None and 200 <= facts.authed.status < 300):
        return None
    who = facts.authed_who if facts.token is not None else facts.anon_who
    if who is not None and who.wants:
        return None  # the gateway table names the product and its credential: says it better
    names: list[str] = []
    hows: list[str] = []
    for answer in answers:
        for item in auth_schemes.asked(answer):
            if item.scheme not in names and item.scheme != auth_schemes.AWS:
                names.append(item.scheme)
                hows.append(item.how)
    if not names or "Bearer" in names:
        return None
    sent = "a Bearer token" if facts.token is not None else "nothing"
    asked = " or ".join(names)
    return Hit(
        0.9,
        [f"The server asks for {asked} ({'; '.join(hows)}); {sent} was sent."],
        {"schemes": names},
        title=f"The server takes {asked}, not a Bearer token"
        if facts.token is not None
        else f"The server asks for {asked} credentials, and none were sent",
        remedy=auth_schemes.HOW_TO_SEND.get(names[0], f"Send `{names[0]}` credentials."),
    )


def aws_error(facts: Facts) -> Hit | None:
    answer = facts.authed if facts.token is not None else facts.anon
    who = facts.authed_who if facts.token is not None else facts.anon_who
    if answer is None or (who is not None and who.signature is not None):
        return None  # API Gateway's words are in the gateway table: they say more
    found = auth_schemes.aws_error(answer)
    if found is None:
        return None
    said = f" Message: “{found.message}”" if found.message else ""
    return Hit(
        0.85,
        [f"AWS answers HTTP {answer.status} `{found.code}`: {found.meaning}.{said}"],
        {"aws_error": found.code},
        title=f"AWS says `{found.code}`: {found.meaning.split(':')[0].split(' (')[0]}",
        remedy=found.remedy,
    )


CAUSES: tuple[Cause, ...] = (
    Cause(
        "maester_wrong_endpoint",
        "hydra-maester calls Hydra's v1 client path against Hydra v2, so clients are not "
        "registered",
        "Set hydra-maester's `--endpoint=/admin/clients`.",
        maester_wrong_endpoint,
        explains=("client_not_registered", "token_inactive", "token_expired"),
    ),
    Cause(
        "hydra_not_ready",
        "Hydra cannot reach its database",
        "Check Hydra's database and DSN Secret; `authcheck hydra` shows the readiness errors.",
        hydra_not_ready,
        explains=("client_not_registered", "token_inactive"),
    ),
    Cause(
        "client_not_registered",
        "The token's client is not registered in Hydra",
        REGISTRATION_REMEDY.format(ns="kyma-system"),
        client_not_registered,
        explains=("token_inactive",),
    ),
    Cause(
        "secret_drift",
        "The client's Secret was edited after registration: Hydra no longer accepts it",
        "Delete the Secret so hydra-maester registers new credentials, or restore the original.",
        secret_drift,
        explains=("token_expired", "token_inactive"),
    ),
    Cause(
        "secret_plus_unencoded",
        "The client secret contains characters that must be URL-encoded: callers sending it raw "
        "in Basic get 401 from Hydra",
        "URL-encode the id and secret before base64 (RFC 6749 §2.3.1; Spring Security 5.6+ does "
        "this), or send them in the POST body (`client_secret_post`), or regenerate the secret "
        "without `+`/`%`.",
        secret_plus_unencoded,
        explains=("token_expired", "token_inactive"),
    ),
    Cause(
        "refresh_token",
        "A refresh token is sent where an access token belongs",
        "Exchange it at the token endpoint (`grant_type=refresh_token`) and send the "
        "`access_token` from the answer.",
        refresh_token,
        explains=("not_a_jwt", "token_inactive", "scope_missing"),
    ),
    Cause(
        "clock_skew",
        "Clock skew: the issuer's and the gateway's clocks disagree",
        "Synchronise the clocks (NTP) of the issuer and of the servers that validate tokens.",
        clock_skew,
        explains=("token_expired",),
    ),
    Cause(
        "token_expired",
        "The token has expired",
        "Get a fresh token and make the caller refresh before `exp` (most clients refresh at "
        "80-90 % of `expires_in`).",
        token_expired,
        explains=("token_inactive",),
    ),
    Cause(
        "issuer_mismatch",
        "The token's issuer is not the one the APIRule trusts",
        "Make the rule's issuer exactly the token's `iss`, or use a token from that issuer.",
        issuer_mismatch,
    ),
    Cause(
        "kid_not_in_jwks",
        "The token's signing key (`kid`) is not in the JWKS: the keys were rotated",
        "Get a fresh token signed with the current key; if new tokens still carry the old "
        "`kid`, the issuer signs with a key its JWKS does not publish.",
        kid_not_in_jwks,
    ),
    Cause(
        "token_wrong_place",
        "The rule reads the token from another header or a query parameter",
        "Send the token where the rule reads it, or drop `fromHeaders`/`fromParams`.",
        token_wrong_place,
    ),
    Cause(
        "authorization_stripped",
        "The `Authorization` header does not reach the gatekeeper: a proxy strips it",
        "Make the proxy or ingress in front of the service forward `Authorization` "
        "(e.g. nginx `proxy_set_header Authorization $http_authorization`, no header "
        "allow-list that drops it).",
        authorization_stripped,
    ),
    Cause(
        "audience_not_whitelisted",
        "The token lacks the audience the rule requires, and the client may not request it",
        "Add the audience to the OAuth2Client's `spec.audience`, then request it.",
        audience_not_whitelisted,
    ),
    Cause(
        "audience_missing",
        "The token lacks the audience the rule requires",
        "Request the token with `audience=<the rule's audience>`.",
        audience_missing,
    ),
    Cause(
        "scope_missing",
        "The token lacks a scope the rule requires",
        "Request the token with the missing scope (the client must be allowed it).",
        scope_missing,
        explains=("token_inactive",),
    ),
    Cause(
        "not_a_jwt",
        "The rule needs a JWT, but the token is opaque",
        "Use a JWT access token (OAuth2Client `accessTokenStrategy: jwt`), or an introspecting "
        "rule.",
        not_a_jwt,
    ),
    Cause(
        "introspection_url_wrong",
        "Oathkeeper's introspection URL is wrong (a v1 path on Hydra v2?)",
        "Set the rule's `introspection_url` to `<hydra-admin>:4445/admin/oauth2/introspect`.",
        introspection_url_wrong,
    ),
    Cause(
        "token_inactive",
        "The authorization server says the token is not active (revoked, unknown, or from "
        "another instance)",
        "Get a fresh token from the issuer the gateway trusts.",
        token_inactive,
    ),
    Cause(
        "no_token",
        "No token was sent",
        "Send `Authorization: Bearer <token>`.",
        no_token,
    ),
    Cause(
        "signature_invalid",
        "The token's signature does not verify against the trusted keys",
        "Use an untouched token from the issuer whose keys the rule trusts; if new tokens fail "
        "too, the issuer signs with a key (or `alg`) its JWKS does not publish.",
        signature_invalid,
        explains=("token_inactive",),
    ),
    Cause(
        "wrong_credential",
        "The gateway reads another kind of credential (an API key, a subscription key)",
        "Send the credential the gateway reads.",
        wrong_credential,
        explains=("no_token", "token_inactive"),
    ),
    Cause(
        "scheme_demanded",
        "The server takes another authentication scheme than Bearer",
        "Send credentials in the scheme the server asks for.",
        scheme_demanded,
        explains=("no_token", "authorization_stripped", "wrong_credential"),
    ),
    Cause(
        "aws_error",
        "AWS names the cause",
        "Follow the AWS error code's remedy.",
        aws_error,
        explains=("no_token", "scheme_demanded"),
    ),
    Cause(
        "login_redirect",
        "The URL redirects to a login page: a browser route",
        "Call the API route that accepts Bearer tokens, not the browser route.",
        login_redirect,
    ),
    Cause(
        "rule_refused",
        "The token was authenticated, then refused by a rule (audience, claims, scope)",
        "Compare the token's audience, scopes and claims with what the API requires.",
        rule_refused,
        explains=("token_inactive",),
    ),
    Cause(
        "gateway_failed",
        "The gateway could not judge the token (its own failure)",
        "Fix the gateway's configuration; its logs say more.",
        gateway_failed,
        explains=("token_expired", "token_inactive"),
    ),
)
