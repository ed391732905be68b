"""`authcheck run|serve|worker` — the contract's command line.

`run` goes through the same parse → queue → worker → render path as the Slack bot, with the
in-process queue, so what works here works in a channel.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import sys
from collections.abc import Sequence

from rich.console import Console
from rich.text import Text

from bot.jobs import Job
from bot.queue import InProcessQueue
from bot.render_text import STYLES, render
from bot.sinks import CollectingSink
from bot.worker import Worker
from handlers.base import CheckContext, UsageError
from handlers.grammar import parse
from handlers.model import Report
from handlers.registry import Registry, default_registry
from handlers.settings import Settings

RUN_USAGE = "authcheck run [--json] -- <text>"


async def run_text(text: str, settings: Settings, registry: Registry | None = None) -> Report:
    """Parses up front (usage errors never reach the queue), then queue → worker → report."""
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
    print(f"authcheck: {message}", file=sys.stderr)
    print(f"usage: {usage}", file=sys.stderr)
    return 2


def run_command(text_words: Sequence[str], as_json: bool) -> int:
    words = list(text_words)
    if words and words[0] == "--":
        words = words[1:]
    text = " ".join(words)
    try:
        settings = Settings()
    except ValueError as exc:
        print(f"authcheck: bad configuration: {str(exc).splitlines()[0]}", file=sys.stderr)
        return 2
    try:
        report = asyncio.run(run_text(text, settings))
    except UsageError as exc:
        return _usage_error(exc.reason, exc.usage if exc.usage else RUN_USAGE)
    if as_json:
        print(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
    else:
        console = Console(highlight=False, soft_wrap=True)
        rendered = render(report)
        first, _, rest = rendered.partition("\n")
        console.print(Text(first, style=STYLES[report.status]))
        console.print(Text(rest))
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

    try:
        settings, bot_settings = Settings(), BotSettings()
        if mode == "serve":
            asyncio.run(serve(settings, bot_settings, run_worker=not no_worker))
        else:
            asyncio.run(work(settings, bot_settings))
    except ConfigError as exc:
        print(f"authcheck {mode}: {exc}", file=sys.stderr)
        return 2
    except ValueError as exc:  # pydantic validation of the environment
        print(f"authcheck {mode}: bad configuration: {str(exc).splitlines()[0]}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 0
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
