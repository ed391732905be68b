"""What a probe's two answers say: the one without a token and the one with it, judged.

`probe` calls the URL twice; comparing the answers is what exposes a proxy that strips
`Authorization` (the answer with the token *is* the no-token answer). The gateway that answered
(`answerer.identify`) and the verdict on the pair (`verdict.judge`) come from this package, so
`probe` and `diagnose` word the same refusal the same way. Pure: answers in, findings out.
"""

from __future__ import annotations

from handlers.core.findings import FindingBuilder
from handlers.core.model import Finding, Severity
from handlers.core.redact import fingerprint
from handlers.gateways import verdict as gate_verdict
from handlers.gateways.answerer import Who, no_token_title
from handlers.net.send import Answer
from handlers.schemes import challenges as auth_schemes


def _same_answer(a: Answer, b: Answer) -> bool:
    return (
        a.status == b.status
        and a.body == b.body
        and a.header("www-authenticate") == b.header("www-authenticate")
        and a.header("location") == b.header("location")
    )


def _answer_line(label: str, answer: Answer, who: Who) -> str:
    return f"{label}: HTTP {answer.status} from {who.name} — {who.meaning}"


def _with(out: FindingBuilder, evidence: dict[str, object]) -> FindingBuilder:
    """`out` with more evidence, shared by every finding it then builds."""
    return FindingBuilder(out.check, {**out.evidence, **evidence})


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


def anonymous_finding(
    out: FindingBuilder, url: str, answer: Answer, who: Who, has_token: bool
) -> Finding:
    out = _with(out, {"without_token": _evidence(answer, who)})
    if 200 <= answer.status < 300:
        status = Severity.WARN if has_token else Severity.INFO
        title = f"{url} answers HTTP {answer.status} without any token"
        detail = "The endpoint is not protected for this method (or the rule is noAuth)."
        return out(status, title, detail, "")
    if not has_token and 300 <= answer.status < 400 and who.no_credentials:
        return out(
            Severity.FAIL,
            f"{url} redirects to a login page (HTTP {answer.status})",
            who.meaning,
            "API clients need the API route that accepts Bearer tokens; this one is for "
            "browsers (oauth2-proxy, an identity provider's login).",
        )
    if not has_token and answer.status in (401, 403) and not who.recognised:
        return out(
            Severity.WARN,
            f"Without a token: HTTP {answer.status} from {who.name}",
            who.meaning,
            "Rerun with `--token <token>`: an unrecognised server's refusal of an anonymous "
            "request says little on its own.",
        )
    if not has_token and answer.status in (401, 403):
        # The same verdict `diagnose` gives (causes.no_token): one URL, one answer.
        return out(
            Severity.FAIL,
            no_token_title(who),
            who.meaning,
            who.remedy
            if who.wants and who.remedy
            else "Send the access token as `Authorization: Bearer <token>`. If the caller does "
            "send one, rerun with `--token <token>` so authcheck can check the token itself.",
        )
    title = f"Without a token: HTTP {answer.status} from {who.name}"
    return out(Severity.INFO, title, who.meaning, "")


def token_finding(
    out: FindingBuilder, anon: Answer, anon_who: Who, answer: Answer, who: Who, token: str
) -> Finding:
    """The answer with the token, judged against the answer without it."""
    evidence: dict[str, object] = {
        "with_token": _evidence(answer, who),
        "fingerprint": fingerprint(token),
    }
    said = _with(out, evidence)
    if 300 <= answer.status < 400:
        return said(
            Severity.FAIL,
            f"With the token: HTTP {answer.status} from {who.name}",
            who.meaning,
            "Call the API route that accepts Bearer tokens, not the browser route.",
        )
    aws = auth_schemes.aws_error(answer)
    if aws is not None and answer.status >= 400 and who.signature is None:
        # AWS names the cause in its error code: that finding (`scheme_findings`) leads.
        return said(
            Severity.INFO,
            f"With the token: HTTP {answer.status} from AWS (`{aws.code}`)",
            aws.meaning,
            "",
        )
    verdict = gate_verdict.judge(anon, anon_who, answer, who)
    if verdict is not None:
        said = _with(out, {**evidence, "verdict": verdict.kind.value})
        return said(Severity.FAIL, verdict.title, verdict.detail, verdict.remedy)
    if _same_answer(anon, answer) and not 200 <= answer.status < 300:
        return _same_answer_finding(said, anon_who, answer, who)
    return _status_finding(said, anon, anon_who, answer, who)


def _same_answer_finding(out: FindingBuilder, anon_who: Who, answer: Answer, who: Who) -> Finding:
    """The token changed nothing: it never arrived, or it lacks what the rule wants."""
    if anon_who.no_credentials:
        return out(
            Severity.FAIL,
            "The server did not see the token",
            f"With the token the answer is exactly the no-token answer: HTTP "
            f"{answer.status} from {who.name} — {who.meaning}",
            "A proxy or ingress in front of the service strips the `Authorization` "
            "header, or the gatekeeper reads the token from another header or a query "
            "parameter (APIRule v2 `fromHeaders`/`fromParams`). Forward the header, or send "
            "the token where the rule reads it.",
        )
    return out(
        Severity.WARN,
        f"Same answer with and without the token: HTTP {answer.status} from {who.name}",
        f"{who.meaning}\nEither the token lacks what the rule requires (scope, audience), "
        "or the token never reaches the gatekeeper (a proxy stripping `Authorization`, "
        "or a rule reading another header).",
        "Check the token's scopes and audience against the rule (`/authcheck apirule`), "
        "and that no proxy drops the header.",
    )


def _status_finding(
    out: FindingBuilder,
    anon: Answer,
    anon_who: Who,
    answer: Answer,
    who: Who,
) -> Finding:
    """A different answer with the token: its status says how far the token got."""
    status = answer.status
    if 200 <= status < 300:
        return out(
            Severity.OK,
            f"The token is accepted: HTTP {status}",
            f"Without it: HTTP {anon.status} from {anon_who.name}.",
            "",
        )
    if status == 401:
        return out(
            Severity.FAIL,
            f"Token rejected (401) by {who.name}" + (f": {who.message}" if who.message else ""),
            f"401 means the token was not accepted as proof of identity: {who.meaning}",
            who.remedy
            or "Decode the token (`/authcheck decode`), check it is active (`/authcheck "
            "introspect`), and get a fresh one if it expired.",
        )
    if status == 403:
        return out(
            Severity.FAIL,
            f"Token authenticated but not allowed (403) by {who.name}"
            + (f": {who.message}" if who.message else ""),
            f"403 means the identity is known but lacks permission: {who.meaning}",
            who.remedy
            or "Compare the token's scopes and audience with what the rule requires "
            "(`/authcheck apirule <ns>/<name> --token …`).",
        )
    if status >= 500:
        return out(
            Severity.ERROR,
            f"With the token: HTTP {status} from {who.name}",
            who.meaning,
            "A server-side failure: its logs say more.",
        )
    return out(
        Severity.WARN,
        f"With the token: HTTP {status} from {who.name}",
        who.meaning,
        "",
    )
