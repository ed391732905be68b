"""Causes the gateway's answers name on their own: a stripped `Authorization`, another
credential or scheme, a rule refusal, the gateway's own failure, a login redirect, AWS errors."""

from __future__ import annotations

from handlers.diagnosis.causes.base import Hit
from handlers.diagnosis.causes.readers import gate_hit, rule_line
from handlers.diagnosis.facts import Facts
from handlers.gateways.verdict import Gate
from handlers.schemes import challenges as auth_schemes


def authorization_stripped(facts: Facts) -> Hit | None:
    gate = gate_hit(facts, Gate.STRIPPED, 0.9)
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
            f"{rule_line(facts)} would accept this token (issuer, times, key, scopes and "
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


def wrong_credential(facts: Facts) -> Hit | None:
    return gate_hit(facts, Gate.WRONG_CREDENTIAL, 0.9)


def rule_refused(facts: Facts) -> Hit | None:
    if facts.verdict is not None and facts.verdict.passes is False:
        return None  # the APIRule's evaluation names the rule (scope, audience, issuer)
    if facts.authed_who is not None and facts.authed_who.cause is not None:
        return None  # the gateway's own words name the rule (a scope, an audience)
    return gate_hit(facts, Gate.RULE_REFUSED, 0.8)


def gateway_failed(facts: Facts) -> Hit | None:
    return gate_hit(facts, Gate.GATEWAY_FAILED, 0.85)


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
