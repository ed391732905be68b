"""A token typed into a channel message is in the channel's history for good: if introspection
says it is still active, the thread must be told to revoke it."""

from __future__ import annotations

from bot.jobs.job import Job
from handlers.core.model import Finding, Report, Severity


def flag_exposed_token(job: Job, report: Report) -> Report:
    if not job.origin.get("visible"):
        return report
    active = [f for f in report.findings if f.evidence.get("active") is True]
    if not active:
        return report
    fingerprint = str(active[0].evidence.get("fingerprint", "the token"))
    report.findings.append(
        Finding(
            "exposure",
            Severity.WARN,
            "This token was pasted in a channel message and is still active",
            f"Everyone in the channel (and its history) can use {fingerprint} until it expires.",
            'Revoke it now (RFC 7009): `curl -u "$CLIENT_ID:$CLIENT_SECRET" -d token=<token> '
            "<issuer>/oauth2/revoke` (Hydra), then delete the message. Next time use "
            "`/authcheck introspect` with no token: it opens a private form.",
            {"fingerprint": fingerprint},
        )
    )
    return report
