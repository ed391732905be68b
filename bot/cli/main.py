"""`authcheck run|serve|worker` — the contract's command line.

`run` goes through the same parse → queue → worker → render path as the Slack bot, with the
in-process queue, so what works here works in a channel. `help` prints plain help straight from
the registry without starting any of that, and what only a run needs (rich, pydantic-settings,
the worker and its metrics) is imported when a run starts: `authcheck run -- help` is what people
type first, and it should answer at once (`bench/startup.py` measures it).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from bot.cli.text import PASTE, command_text, strip_prefix
from handlers.commands.registry import default_registry
from handlers.core.check import ParamKind, UsageError
from handlers.core.grammar import Invocation, parse
from handlers.core.registry import Registry

if TYPE_CHECKING:
    from handlers.core.model import Report
    from handlers.core.settings import Settings

RUN_USAGE = "authcheck run [--json] -- <text>"


async def run_text(text: str, settings: Settings, registry: Registry | None = None) -> Report:
    """Parses up front (usage errors never reach the queue), then queue → worker → report."""
    from bot.jobs.job import Job
    from bot.jobs.queue import InProcessQueue
    from bot.jobs.sinks import CollectingSink
    from bot.jobs.worker import Worker
    from handlers.core.check import CheckContext

    registry = registry or default_registry()
    parse(text, registry)
    queue = InProcessQueue()
    sink = CollectingSink()
    worker = Worker(queue, registry, lambda: CheckContext(settings=settings), sink)
    job = Job(text=text, origin={"source": "cli"})
    await queue.put(job)
    await worker.run_once()
    return await sink.wait(job.id)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="authcheck", description="Find out why a call got 401 Unauthorized or 403 Forbidden."
    )
    sub = parser.add_subparsers(dest="mode", required=True)
    run = sub.add_parser("run", help="run one command as if typed after /authcheck")
    run.add_argument("--json", action="store_true", help="print the report as JSON")
    run.add_argument("text", nargs=argparse.REMAINDER, help="-- then the command text")
    serve = sub.add_parser("serve", help="the Slack app")
    serve.add_argument("--no-worker", action="store_true", help="do not run an embedded worker")
    sub.add_parser("worker", help="a standalone worker consuming the Redis queue")
    return parser


def _usage_error(message: str, usage: str) -> int:
    """Usage lines of chat commands carry no surface prefix; here they get the terminal's."""
    print(f"authcheck: {message}", file=sys.stderr)
    shown = usage if usage.startswith("authcheck ") else f"authcheck run -- {usage}"
    print(f"usage: {shown}", file=sys.stderr)
    return 2


def _takes_raw_text(words: Sequence[str], registry: Registry) -> bool:
    command = registry.get(words[0].lower()) if words else None
    return command is not None and any(p.kind is ParamKind.REST for p in command.params)


def _plain_help(inv: Invocation, registry: Registry) -> str:
    """Help as help: the text itself, not a report with one finding titled "Help"."""
    from handlers.core.help import command_help, overview

    topic = inv.args.text("command")
    command = registry.get(topic) if topic else None
    if command is not None:
        return command_help(command)
    return (
        overview(registry)
        + "\n\n`authcheck run -- help <command>` shows its arguments and examples."
        + "\n`authcheck run -- paste` reads a pasted log or `curl -v` output (the Slack shortcut)."
    )


def _settings() -> Settings | str:
    from handlers.core.settings import Settings

    try:
        return Settings()
    except ValueError as exc:
        return f"bad configuration: {str(exc).splitlines()[0]}"


def print_report(report: Report, as_json: bool) -> None:
    if as_json:
        print(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
        return
    from rich.console import Console
    from rich.text import Text

    from bot.cli.render import STYLES, render

    console = Console(highlight=False, soft_wrap=True)
    rendered = render(report)
    first, _, rest = rendered.partition("\n")
    head = report.headline
    console.print(Text(first, style=STYLES[head.status if head else report.status]))
    console.print(Text(rest))


def run_command(text_words: Sequence[str], as_json: bool) -> int:
    words = strip_prefix(text_words)
    registry = default_registry()
    if words and words[0].lower() == PASTE:
        from bot.cli.paste import run_paste

        return run_paste(words[1:], as_json, registry)
    text = command_text(words, _takes_raw_text(words, registry))
    try:
        inv = parse(text, registry)
    except UsageError as exc:
        return _usage_error(exc.reason, exc.usage if exc.usage else RUN_USAGE)
    if inv.command.name == "help" and not as_json:
        print(_plain_help(inv, registry))
        return 0
    settings = _settings()
    if isinstance(settings, str):
        print(f"authcheck: {settings}", file=sys.stderr)
        return 2
    try:
        report = asyncio.run(run_text(text, settings, registry))
    except UsageError as exc:
        return _usage_error(exc.reason, exc.usage if exc.usage else RUN_USAGE)
    print_report(report, as_json)
    return 1 if report.status.is_problem else 0


def _reader_gone() -> int:
    """`authcheck run ... | head`: the reader left early. Not worth a traceback; stdout goes to
    /dev/null so the interpreter's final flush does not raise again."""
    with contextlib.suppress(OSError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 1


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.mode == "run":
        try:
            return run_command(args.text, args.json)
        except BrokenPipeError:
            return _reader_gone()
    return run_service(args.mode, no_worker=getattr(args, "no_worker", False))


def run_service(mode: str, no_worker: bool = False) -> int:
    """`serve` and `worker`: configuration problems are one line on stderr and exit 2."""
    from bot.service import ConfigError, serve, work
    from bot.settings import BotSettings
    from bot.startup import StartupError
    from handlers.core.settings import Settings

    try:
        settings, bot_settings = Settings(), BotSettings()
        if mode == "serve":
            asyncio.run(serve(settings, bot_settings, run_worker=not no_worker))
        else:
            asyncio.run(work(settings, bot_settings))
    except ConfigError as exc:
        print(f"authcheck {mode}: {exc}", file=sys.stderr)
        return 2
    except StartupError as exc:  # something it needs refused it or is not there: exit 1
        print(f"authcheck {mode}: cannot start: {exc}", file=sys.stderr)
        return 1
    except ValueError as exc:  # pydantic validation of the environment
        print(f"authcheck {mode}: bad configuration: {str(exc).splitlines()[0]}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 0
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
