"""What authentication scheme the answers ask for, and whether the caller used it.

A `WWW-Authenticate` challenge, an AWS error code or a gateway's wording each say what the server
takes; credentials in another scheme are ignored however valid they are. An API gateway in the
shared table (`answerer.identify`) that reads Bearer tokens is not mistaken for SigV4.
"""

from __future__ import annotations

from handlers.core.findings import FindingBuilder
from handlers.core.model import Finding, Severity
from handlers.gateways.answerer import identify
from handlers.net.send import Answer
from handlers.schemes import challenges as auth_schemes


def scheme_findings(out: FindingBuilder, answers: list[Answer], used: str | None) -> list[Finding]:
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
            out(
                Severity.WARN if lead else Severity.INFO,
                f"The server asks for {' or '.join(names)}",
                "; ".join(w.how for w in wanted),
                auth_schemes.HOW_TO_SEND.get(other or "", f"Send `{other}` credentials.")
                if lead
                else "",
                schemes=names,
            )
        )
    if used is not None and wanted and used not in names:
        asked_for = names[0]
        findings.append(
            out(
                Severity.FAIL,
                f"Wrong scheme: {used} was sent, the server asks for {' or '.join(names)}",
                f"Credentials in a scheme the server does not take are ignored or refused, "
                f"however valid they are ({wanted[0].how}).",
                auth_schemes.HOW_TO_SEND.get(asked_for, f"Send `{asked_for}` credentials."),
                sent=used,
                asked=names,
            )
        )
    last = answers[-1]
    aws = None if gateway[-1] else auth_schemes.aws_error(last)
    if aws is not None:
        sent = used is not None and len(answers) > 1
        # AWS states the cause: it leads, before the scheme it implies.
        findings.insert(
            0,
            out(
                Severity.FAIL if sent else Severity.WARN,
                f"AWS says `{aws.code}` (HTTP {last.status})",
                aws.meaning + (f". Message: “{aws.message}”" if aws.message else ""),
                aws.remedy,
                aws_error=aws.code,
            ),
        )
    return findings
