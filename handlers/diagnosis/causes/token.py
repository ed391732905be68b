"""Causes about the token itself: none sent, expired, clocks, a refresh token, opaque where a JWT
is needed, inactive at the issuer, a signature that does not verify."""

from __future__ import annotations

from datetime import timedelta

from handlers.diagnosis.causes.base import EXPIRED, NOT_YET_VALID, Hit
from handlers.diagnosis.causes.readers import (
    answer_line,
    gate_names,
    gate_said,
    is_expired,
    is_failing,
    refusal_reasons,
    rule_line,
    ticks,
)
from handlers.diagnosis.facts import Facts
from handlers.gateways.answerer import no_token_title
from handlers.kyma.apirule import ENVOY_SKEW_S, ISTIO, OATHKEEPER
from handlers.oauth import contradictions
from handlers.oauth.contradictions import ACTIVE_BUT_EXPIRED
from handlers.tokens.info import when


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
        evidence.append(f"{rule_line(facts)} requires a token ({rule.gatekeeper}).")
        needs = []
        if rule.all_scopes:
            needs.append(f"scopes {ticks(rule.all_scopes)}")
        if rule.all_audiences:
            needs.append(f"audiences {ticks(rule.all_audiences)}")
        if rule.issuers:
            needs.append(f"issuer {ticks(rule.issuers)}")
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
        (d is None or not is_expired(facts))
        and gate_names(facts, "token_expired")
        and is_failing(facts)
    ):
        who = facts.authed_who
        said = f" `{who.message}`" if who and who.message else ""
        return Hit(0.8, [f"{who.name if who else 'The gateway'} says so{said}."])
    if d is None or not is_expired(facts):
        return None
    exp = d.time("exp")
    evidence = [f"The token's `exp` is {when(exp, facts.now)}."]
    score = 0.85
    if gate_said(facts, EXPIRED):
        evidence.append(f"The gateway says so too: `{EXPIRED}`.")
        score = 0.9
    line = answer_line(facts, True)
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
    if gate_said(facts, NOT_YET_VALID):
        evidence.append(f"The gateway says `{NOT_YET_VALID}`.")
        score = max(score, 0.85)
    if not evidence:
        return None
    return Hit(score, evidence, {"server_skew_s": skew})


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
    line = answer_line(facts, True)
    if line:
        evidence.append(line)
    return Hit(0.95, evidence, {"token_use": use, "kind": kind})


def not_a_jwt(facts: Facts) -> Hit | None:
    reasons = refusal_reasons(facts, "not a JWT")
    if not reasons:
        return None
    return Hit(0.8, reasons)


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
    if sig is None or sig.verified or sig.outcome == "no_kid" or not is_failing(facts):
        return None
    evidence = [f"Checked with PyJWT against trusted keys: {sig.reason}."]
    score = 0.85
    if gate_said(facts, VERIFY_FAILS):
        evidence.append(f"The gateway says `{VERIFY_FAILS}`.")
        score = 0.92
    return Hit(
        score,
        evidence,
        {"signature": sig.outcome, "kid": sig.kid, "jwks": sig.source},
        title=_SIGNATURE_TITLES.get(sig.outcome),
    )
