"""Runs a command's checks concurrently so one failure never hides the others.

Each check gets its own timeout; an exception becomes an `error` finding (we could not find out),
never a `fail`. Every finding passes through the job's redactor before anyone sees it.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable

from handlers.core.check import Check, CheckContext
from handlers.core.grammar import Invocation
from handlers.core.model import Finding, Report, Severity

ProgressCallback = Callable[[Report, int], Awaitable[None]]


def _exception_finding(check: Check, exc: BaseException, ctx: CheckContext) -> Finding:
    if isinstance(exc, TimeoutError):
        return Finding(
            check.name,
            Severity.ERROR,
            f"Check `{check.name}` did not finish within {ctx.settings.check_timeout:g} s",
            "The check was stopped; what it was waiting for did not answer in time.",
            "Retry; if it keeps timing out, check that the target is reachable from the bot "
            "(AUTHCHECK_CHECK_TIMEOUT raises the limit).",
        )
    return Finding(
        check.name,
        Severity.ERROR,
        f"Check `{check.name}` could not complete",
        ctx.redactor.text(f"{type(exc).__name__}: {exc}")[:500],
        "This is a problem in authcheck or its setup, not a verdict on what was checked.",
    )


async def _run_one(check: Check, inv: Invocation, ctx: CheckContext) -> list[Finding]:
    try:
        async with asyncio.timeout(ctx.settings.check_timeout):
            findings = await check.run(inv.args, ctx)
    except Exception as exc:  # any failure of one check is reported, not propagated
        return [_exception_finding(check, exc, ctx)]
    if not findings:
        return [Finding(check.name, Severity.SKIP, f"Check `{check.name}` had nothing to report")]
    return findings


def scrub(finding: Finding, ctx: CheckContext) -> Finding:
    r = ctx.redactor
    return Finding(
        check=finding.check,
        status=finding.status,
        title=r.text(finding.title),
        detail=r.text(finding.detail),
        remedy=r.text(finding.remedy),
        evidence=r.scrub(finding.evidence),
        commands=tuple(r.text(c) for c in finding.commands),
    )


async def run_invocation(
    inv: Invocation, ctx: CheckContext, on_progress: ProgressCallback | None = None
) -> Report:
    """Runs every check of the command; `on_progress(report, pending)` after each finishes."""
    started = time.monotonic()
    ctx.secret_values(inv.args, inv.command.params)
    report = Report(command=inv.command.name)
    checks = inv.command.checks
    order = {id(c): i for i, c in enumerate(checks)}
    results: dict[int, list[Finding]] = {}
    # Findings about the raw input (`Invocation.notes`) are known before any check runs.
    notes = [scrub(f, ctx) for f in inv.notes]
    report.findings = list(notes)

    async def run_and_record(check: Check) -> None:
        found = [scrub(f, ctx) for f in await _run_one(check, inv, ctx)]
        results[order[id(check)]] = found
        report.findings = notes + [f for i in sorted(results) for f in results[i]]
        report.duration_ms = int((time.monotonic() - started) * 1000)
        if on_progress is not None:
            pending = len(checks) - len(results)
            # A failed progress update must not lose the result.
            with contextlib.suppress(Exception):
                await on_progress(report, pending)

    await asyncio.gather(*(run_and_record(c) for c in checks))
    report.duration_ms = int((time.monotonic() - started) * 1000)
    return report
