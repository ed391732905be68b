"""The runner: checks run concurrently, one failure never hides the others, exceptions and
timeouts become `error` findings, and every finding is scrubbed before anyone sees it."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import pytest

from handlers.core.check import Arguments, CheckContext, Command, Param, ParamKind
from handlers.core.grammar import parse
from handlers.core.model import Finding, Report, Severity
from handlers.core.redact import fingerprint
from handlers.core.registry import Registry
from handlers.core.runner import run_invocation
from handlers.core.settings import Settings

SECRET = "client-secret-value-9f8e7d"

Body = Callable[[Arguments, CheckContext], Awaitable[list[Finding]]]


@dataclass(frozen=True)
class FnCheck:
    """A check whose behaviour is the coroutine it is built with."""

    name: str
    body: Body

    async def run(self, args: Arguments, ctx: CheckContext) -> list[Finding]:
        return await self.body(args, ctx)


def returns(*severities: Severity, name: str = "c") -> Body:
    async def body(args: Arguments, ctx: CheckContext) -> list[Finding]:
        return [Finding(name, s, f"{name} {s.value}") for s in severities]

    return body


def command(*checks: FnCheck) -> Command:
    return Command(
        name="t",
        summary="test",
        params=(Param("secret", "a secret", kind=ParamKind.OPTION, secret=True),),
        checks=checks,
    )


async def run(cmd: Command, text: str = "t", limit: float = 30.0, **kw: object) -> Report:
    inv = parse(text, Registry([cmd]))
    ctx = CheckContext(settings=Settings(check_timeout=limit))
    return await run_invocation(inv, ctx, **kw)  # type: ignore[arg-type]


async def test_checks_run_concurrently() -> None:
    # Each check waits for an event only the other one sets: run one after the other, this
    # deadlocks (and the per-check timeout turns it into two errors).
    first, second = asyncio.Event(), asyncio.Event()

    def handshake(mine: asyncio.Event, theirs: asyncio.Event, name: str) -> Body:
        async def body(args: Arguments, ctx: CheckContext) -> list[Finding]:
            theirs.set()
            await mine.wait()
            return [Finding(name, Severity.OK, "met")]

        return body

    report = await run(
        command(
            FnCheck("a", handshake(first, second, "a")), FnCheck("b", handshake(second, first, "b"))
        ),
        limit=5,
    )
    assert [(f.check, f.status) for f in report.findings] == [
        ("a", Severity.OK),
        ("b", Severity.OK),
    ]


async def test_exception_becomes_error_with_the_secret_scrubbed() -> None:
    async def boom(args: Arguments, ctx: CheckContext) -> list[Finding]:
        raise RuntimeError(f"POST failed with client_secret={args['secret']}")

    report = await run(
        command(FnCheck("boom", boom), FnCheck("fine", returns(Severity.OK, name="fine"))),
        f"t --secret {SECRET}",
    )
    assert [f.status for f in report.findings] == [Severity.ERROR, Severity.OK]
    error = report.findings[0]
    assert error.title == "Check `boom` could not complete"
    assert error.detail.startswith("RuntimeError: POST failed with client_secret=[sha256:")
    assert fingerprint(SECRET) in error.detail
    assert SECRET not in json.dumps(report.to_dict())


async def test_secret_in_any_field_of_a_finding_is_scrubbed() -> None:
    async def careless(args: Arguments, ctx: CheckContext) -> list[Finding]:
        s = args["secret"]
        return [Finding("careless", Severity.FAIL, f"t {s}", f"d {s}", f"r {s}", {s: [s]})]

    report = await run(command(FnCheck("careless", careless)), f"t --secret={SECRET}")
    assert SECRET not in json.dumps(report.to_dict())
    assert report.findings[0].title == f"t [{fingerprint(SECRET)}]"


async def test_secret_learned_at_run_time_is_scrubbed() -> None:
    learned = "value-read-from-a-kubernetes-secret"

    async def reads(args: Arguments, ctx: CheckContext) -> list[Finding]:
        ctx.redactor.add(learned)
        return [Finding("reads", Severity.INFO, f"found {learned}")]

    report = await run(command(FnCheck("reads", reads)))
    assert learned not in json.dumps(report.to_dict())


async def test_check_exceeding_the_timeout_becomes_error() -> None:
    async def hangs(args: Arguments, ctx: CheckContext) -> list[Finding]:
        await asyncio.Event().wait()
        return []

    report = await run(
        command(FnCheck("hangs", hangs), FnCheck("quick", returns(Severity.OK, name="quick"))),
        limit=0.05,
    )
    assert [(f.check, f.status) for f in report.findings] == [
        ("hangs", Severity.ERROR),
        ("quick", Severity.OK),
    ]
    assert report.findings[0].title == "Check `hangs` did not finish within 0.05 s"
    assert report.status is Severity.ERROR


async def test_empty_result_becomes_skip() -> None:
    report = await run(command(FnCheck("quiet", returns())))
    assert [(f.status, f.title) for f in report.findings] == [
        (Severity.SKIP, "Check `quiet` had nothing to report")
    ]


async def test_findings_follow_the_declared_check_order_not_finish_order() -> None:
    # The last declared check finishes first and releases the one before it, and so on.
    gates = [asyncio.Event() for _ in range(3)]

    def chained(i: int) -> Body:
        async def body(args: Arguments, ctx: CheckContext) -> list[Finding]:
            if i < 2:
                await gates[i].wait()
            if i > 0:
                gates[i - 1].set()
            return [Finding(f"c{i}", Severity.INFO, f"#{i}a"), Finding(f"c{i}", Severity.OK, "b")]

        return body

    finished: list[int] = []

    async def progress(report: Report, pending: int) -> None:
        finished.append(pending)

    checks = tuple(FnCheck(f"c{i}", chained(i)) for i in range(3))
    report = await run(command(*checks), limit=5, on_progress=progress)
    assert [f.title for f in report.findings] == ["#0a", "b", "#1a", "b", "#2a", "b"]
    assert finished == [2, 1, 0]


async def test_progress_reports_partial_results_and_its_failure_loses_nothing() -> None:
    seen: list[tuple[int, list[str]]] = []

    async def progress(report: Report, pending: int) -> None:
        seen.append((pending, [f.check for f in report.findings]))
        raise ConnectionError("Slack is down")

    gate = asyncio.Event()

    async def waits(args: Arguments, ctx: CheckContext) -> list[Finding]:
        await gate.wait()
        return [Finding("slow", Severity.OK, "slow")]

    async def opens(args: Arguments, ctx: CheckContext) -> list[Finding]:
        gate.set()
        return [Finding("fast", Severity.WARN, "fast")]

    report = await run(
        command(FnCheck("slow", waits), FnCheck("fast", opens)), limit=5, on_progress=progress
    )
    assert seen == [(1, ["fast"]), (0, ["slow", "fast"])]
    assert [f.check for f in report.findings] == ["slow", "fast"]


@pytest.mark.parametrize(
    ("severities", "worst"),
    [
        ((Severity.OK, Severity.INFO), Severity.INFO),
        ((Severity.OK, Severity.WARN, Severity.SKIP), Severity.WARN),
        ((Severity.FAIL, Severity.ERROR, Severity.OK), Severity.ERROR),
        ((Severity.FAIL, Severity.WARN), Severity.FAIL),
    ],
)
async def test_report_status_is_the_worst_finding(
    severities: tuple[Severity, ...], worst: Severity
) -> None:
    checks = tuple(FnCheck(f"c{i}", returns(s, name=f"c{i}")) for i, s in enumerate(severities))
    report = await run(command(*checks))
    assert report.status is worst
    assert report.command == "t"
    assert report.duration_ms >= 0
