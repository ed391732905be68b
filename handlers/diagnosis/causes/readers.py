"""Small readers over the facts that several causes share: the gateway's answer lines, the
evaluation's reasons, the token's scopes and audiences, the two answers' gateway verdict."""

from __future__ import annotations

from handlers.diagnosis.causes.base import Hit
from handlers.diagnosis.facts import Facts
from handlers.gateways.verdict import Gate, GateVerdict, judge


def answer_line(facts: Facts, with_token: bool) -> str | None:
    answer, who = (facts.authed, facts.authed_who) if with_token else (facts.anon, facts.anon_who)
    if answer is None or who is None:
        return None
    label = "With the token" if with_token else "Without a token"
    said = f" `{who.message}`" if who.message else ""
    return f"{label}: HTTP {answer.status}{said} from {who.name}."


def gate_said(facts: Facts, message: str) -> bool:
    who = facts.authed_who if facts.token is not None else facts.anon_who
    return who is not None and (who.message or "").lower() == message.lower()


def is_failing(facts: Facts) -> bool:
    """The token's request was refused (or there is no probe to say otherwise)."""
    return facts.authed is None or not 200 <= facts.authed.status < 300


def refusal_reasons(facts: Facts, needle: str, *, prefix: bool = False) -> list[str]:
    """The evaluation's reasons for refusing the token that mention (or start with) `needle`."""
    v = facts.verdict
    if v is None or v.passes is not False:
        return []
    return [r for r in v.reasons if (r.startswith(needle) if prefix else needle in r)]


def rule_line(facts: Facts) -> str:
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


def is_expired(facts: Facts) -> bool:
    d = facts.decoded
    exp = d.time("exp") if d is not None else None
    return exp is not None and exp <= facts.now


def token_dead(facts: Facts) -> bool:
    """The caller has no working token: none, expired, or inactive at the issuer."""
    inactive = bool(facts.introspection) and facts.introspection.get("active") is False  # type: ignore[union-attr]
    return facts.token is None or is_expired(facts) or inactive


def plural(items: list[str]) -> str:
    return "s" if len(items) > 1 else ""


def ticks(items: list[str]) -> str:
    return ", ".join(f"`{i}`" for i in items)


def gate_verdict(facts: Facts) -> GateVerdict | None:
    """What the two answers prove on their own (`handlers.gateways.verdict`, shared with
    `probe`)."""
    if facts.token is None or facts.authed is None or facts.authed_who is None:
        return None
    return judge(facts.anon, facts.anon_who, facts.authed, facts.authed_who)


def gate_names(facts: Facts, cause: str) -> bool:
    """The gatekeeper's own words name this cause (the shared gateway table's `cause`)."""
    who = facts.authed_who if facts.token is not None else facts.anon_who
    return who is not None and who.cause == cause


def gate_hit(facts: Facts, kind: Gate, score: float) -> Hit | None:
    verdict = gate_verdict(facts)
    if verdict is None or verdict.kind is not kind:
        return None
    evidence = [verdict.detail]
    line = answer_line(facts, False)
    if line:
        evidence.insert(0, line)
    return Hit(score, evidence, {"gate": kind.value}, title=verdict.title, remedy=verdict.remedy)
