"""Orders the causes that fit and turns the outcome into findings, top cause first.

A cause is named only when it clearly leads: its score is at least `NAME_AT` and ahead of the
runner-up by `MARGIN`. Otherwise the first finding says no single cause stands out and lists what
would decide it (the `needs` of the steps that could not run). A cause that another matching
cause `explains` is demoted, so the root (hydra-maester's wrong endpoint) comes before its
consequence (an unregistered client). Steps that could not run are `error` only when that left
the diagnosis open; once a cause is named they are `skip`, so the first line stays the cause.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from handlers.core.model import Finding, Severity
from handlers.diagnosis.causes import CAUSES, Cause, Hit
from handlers.diagnosis.facts import CHECK, OK, SKIP, Facts
from handlers.tokens.info import identify, jwt_summary

NAME_AT = 0.6
MARGIN = 0.1
#: A cause explained by another matching one keeps this share of its score.
EXPLAINED = 0.7
#: How many candidates the "no single cause" finding lists itself.
_LISTED = 4


@dataclass(frozen=True)
class Ranked:
    cause: Cause
    hit: Hit
    score: float
    explained_by: str | None = None

    @property
    def title(self) -> str:
        return self.hit.title or self.cause.title

    @property
    def remedy(self) -> str:
        return self.hit.remedy or self.cause.remedy


def rank(facts: Facts) -> list[Ranked]:
    """Every matching cause, best first (ties keep the order of `CAUSES`)."""
    hits = [(c, h) for c in CAUSES if (h := c.test(facts)) is not None]
    matched = {c.id for c, _ in hits}
    ranked = []
    for cause, hit in hits:
        root = next((c.id for c, _ in hits if cause.id in c.explains and c.id in matched), None)
        score = hit.score * EXPLAINED if root else hit.score
        ranked.append(Ranked(cause, hit, round(score, 2), root))
    return sorted(ranked, key=lambda r: -r.score)


def singled_out(ranked: list[Ranked]) -> bool:
    if not ranked or ranked[0].score < NAME_AT:
        return False
    return len(ranked) == 1 or ranked[0].score - ranked[1].score >= MARGIN


def _top_finding(top: Ranked, others: list[Ranked]) -> Finding:
    evidence: dict[str, Any] = {
        "cause": top.cause.id,
        "score": top.score,
        "evidence": top.hit.evidence,
        **top.hit.data,
        "runners_up": [r.cause.id for r in others],
    }
    return Finding(
        CHECK, Severity.FAIL, top.title, "\n".join(top.hit.evidence), top.remedy, evidence
    )


def _runner_up(r: Ranked) -> Finding:
    detail = "\n".join(r.hit.evidence)
    if r.explained_by:
        detail += f"\n(Follows from `{r.explained_by}`.)"
    return Finding(
        CHECK,
        Severity.WARN if r.score >= NAME_AT else Severity.INFO,
        f"Also possible ({r.score:.2f}): {r.title}",
        detail,
        r.remedy,
        {"cause": r.cause.id, "score": r.score, "explained_by": r.explained_by, **r.hit.data},
    )


def _deciders(facts: Facts) -> list[str]:
    out: list[str] = []
    if facts.token is None:
        out.append("give the token with --token")
    for step in facts.steps.values():
        if step.state != OK and step.needs and step.needs not in out:
            out.append(step.needs)
    return out


def _open_finding(facts: Facts, ranked: list[Ranked]) -> Finding:
    deciders = _deciders(facts)
    if ranked:
        title = "No single cause stands out: " + " or ".join(
            f"{r.title} ({r.score:.2f})" for r in ranked[:2]
        )
    else:
        title = "The evidence does not point at a known cause"
    lines = [f"{r.cause.id} ({r.score:.2f}): " + " ".join(r.hit.evidence) for r in ranked[:_LISTED]]
    if not lines:
        lines.append("None of the known causes matches what was seen (see the findings below).")
    remedy = (
        "What would decide it: " + "; ".join(deciders) + "."
        if deciders
        else "What would decide it: the service's own logs for this request."
    )
    return Finding(
        CHECK,
        Severity.WARN,
        title,
        "\n".join(lines),
        remedy,
        {
            "cause": None,
            "candidates": [r.cause.id for r in ranked],
            "would_decide": deciders,
        },
    )


def _step_findings(facts: Facts, settled: bool) -> list[Finding]:
    """One `info` line per step that ran, and ONE line for every step that did not: what was
    not checked and what would decide it. `settled` (a cause named, or the URL accepts the
    token) makes that line `skip` — what does not apply never fails the command; otherwise a step
    that tried and failed makes it `error`, because it left the diagnosis open."""
    out = []
    missed = []
    for step in facts.steps.values():
        if step.state == OK:
            title = f"{step.name}: {step.summary}"
            out.append(
                Finding(
                    CHECK,
                    Severity.INFO,
                    title[:300],
                    step.summary if len(title) > 300 else "",
                    "",
                    {"step": step.name, "state": step.state, **step.evidence},
                )
            )
        else:
            missed.append(step)
    if not missed:
        return out
    errored = any(s.state != SKIP for s in missed)
    status = Severity.ERROR if errored and not settled else Severity.SKIP
    names = ", ".join(s.name for s in missed)
    lines = [
        f"{s.name}: {'could not find out' if s.state != SKIP else 'not checked'} — "
        f"{s.summary or 'not applicable'}"
        for s in missed
    ]
    needs: list[str] = []
    for s in missed:
        if s.needs and s.needs not in needs:
            needs.append(s.needs)
    out.append(
        Finding(
            CHECK,
            status,
            f"Not checked: {names}"[:300],
            "\n".join(lines),
            ("What would decide it: " + "; ".join(needs) + ".") if needs else "",
            {
                "steps": {s.name: s.state for s in missed},
                "would_decide": needs,
                **{f"{s.name}_state": s.state for s in missed},
            },
        )
    )
    return out


def _token_finding(facts: Facts) -> Finding | None:
    if facts.token is None:
        return None
    d = facts.decoded
    detail = jwt_summary(d, facts.now) if d is not None else ""
    if d is None and facts.token_view and facts.token_view.opaque:
        detail = f"It is {facts.token_view.opaque[0]}."
    return Finding(
        CHECK,
        Severity.INFO,
        f"Token: {identify(facts.token)}",
        detail,
        evidence={"kind": facts.token_view.kind if facts.token_view else "unknown"},
    )


def _answer_findings(facts: Facts) -> list[Finding]:
    out = []
    for label, answer, who in (
        ("Without a token", facts.anon, facts.anon_who),
        ("With the token", facts.authed, facts.authed_who),
    ):
        if answer is None or who is None:
            continue
        out.append(
            Finding(
                CHECK,
                Severity.INFO,
                f"{label}: HTTP {answer.status} from {who.name}"
                + (f": {who.message}" if who.message else ""),
                who.meaning,
                evidence={"status": answer.status, "answered_by": who.name, "code": who.code},
            )
        )
    v = facts.verdict
    if v is not None and facts.match is not None:
        a = facts.match.apirule
        outcome = {True: "would pass", False: f"would be refused ({v.status})", None: "undecided"}
        out.append(
            Finding(
                CHECK,
                Severity.INFO,
                f"APIRule `{a.namespace}/{a.name}` {v.rule.label()}: the token {outcome[v.passes]}",
                "; ".join([*v.reasons, *v.notes]),
                evidence={"apirule": f"{a.namespace}/{a.name}", "passes": v.passes},
            )
        )
    return out


def _open_without_token(facts: Facts) -> bool:
    return facts.anon is not None and 200 <= facts.anon.status < 300


def _accepted(facts: Facts) -> bool:
    return facts.authed is not None and 200 <= facts.authed.status < 300


def findings(facts: Facts) -> list[Finding]:
    """The report: the top cause (or why there is none), runners-up, then supporting facts."""
    ranked = rank(facts)
    decided = singled_out(ranked)
    out: list[Finding] = []
    if _accepted(facts):
        # The URL accepts the token: no cause of a refusal applies, whatever else was seen.
        assert facts.authed is not None
        out.append(
            Finding(
                CHECK,
                Severity.OK,
                f"The URL accepts this token now: HTTP {facts.authed.status}",
                "Nothing to diagnose with this token; if calls still fail, the caller sends "
                "another token or another request.",
                evidence={"cause": None},
            )
        )
        out += [_runner_up(r) for r in ranked]
    elif decided:
        out.append(_top_finding(ranked[0], ranked[1:]))
        out += [_runner_up(r) for r in ranked[1:]]
    elif facts.token is None and _open_without_token(facts):
        assert facts.anon is not None
        out.append(
            Finding(
                CHECK,
                Severity.OK,
                f"{facts.url} answers HTTP {facts.anon.status} without any token",
                "The endpoint is not protected for this method (or the rule is noAuth); "
                "nothing to diagnose.",
                evidence={"cause": None},
            )
        )
    else:
        out.append(_open_finding(facts, ranked))
        # The open finding already lists its first candidates: never list one twice.
        out += [_runner_up(r) for r in ranked[_LISTED:]]
    token = _token_finding(facts)
    if token is not None:
        out.append(token)
    out += _answer_findings(facts)
    out += _step_findings(facts, decided or _accepted(facts) or _open_without_token(facts))
    return out
