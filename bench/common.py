"""Shared setup for the benchmarks: the real processes, on loopback, and how to read them.

Each benchmark runs the app the way production does — `authcheck serve --no-worker` and
`authcheck worker` as separate processes, a real `redis-server`, the fake Slack Web API as its
own process (`python -m tests.fakes.slack_api`) and a loopback upstream (`bench/upstream.py`) —
so the load generator (this process) never shares an event loop with what it measures. Every
process is started here and stopped in a `finally`, by its own handle.

Times are compared across processes with `time.monotonic()` (CLOCK_MONOTONIC is one clock for
the whole machine on Linux): the fake Slack stamps each call it receives with it.
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.request import Request, urlopen

import aiohttp
from cryptography.fernet import Fernet

from tests.fakes.redis_server import RedisServer, free_port, running_redis
from tests.fakes.slack_api import DEFAULT_TOKEN
from tests.fakes.slack_signing import signed_slash_command

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SIGNING_SECRET = "bench-signing-secret"  # a fake Slack's, not a credential
START_TIMEOUT = 30.0


# --- figures ----------------------------------------------------------------------------------


def percentile(values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile (no interpolation: p99 of 1000 is the 990th value)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(pct / 100 * len(ordered) + 0.4999)))
    return ordered[rank - 1]


def machine() -> dict[str, str]:
    """What the figures were measured on, for the README."""
    cpu = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem = "unknown"
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    redis_version = "unknown"
    binary = shutil.which("redis-server")
    if binary:
        out = subprocess.run([binary, "--version"], capture_output=True, text=True, check=False)
        redis_version = out.stdout.split("v=", 1)[-1].split()[0] if "v=" in out.stdout else "?"
    return {
        "nproc": str(os.cpu_count()),
        "cpu": cpu,
        "memory": mem,
        "python": platform.python_version(),
        "redis": redis_version,
    }


def finish(name: str, figures: dict[str, Any], targets: dict[str, bool]) -> int:
    """Prints the figures and each target's verdict; the exit code says whether all were met."""
    print(f"== {name}")
    print("machine: " + ", ".join(f"{k}={v}" for k, v in machine().items()))
    for key, value in figures.items():
        shown = f"{value:.2f}" if isinstance(value, float) else str(value)
        print(f"  {key}: {shown}")
    for label, met in targets.items():
        print(f"  target {label}: {'MET' if met else 'MISSED'}")
    ok = all(targets.values())
    print("RESULT: " + ("PASS" if ok else "FAIL"))
    return 0 if ok else 1


def rss_mb(pid: int) -> tuple[float, float]:
    """(VmRSS, VmHWM) of a process in MiB, from /proc — resident now, and its peak."""
    now = peak = 0.0
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            now = int(line.split()[1]) / 1024
        elif line.startswith("VmHWM:"):
            peak = int(line.split()[1]) / 1024
    return now, peak


# --- processes --------------------------------------------------------------------------------


@dataclass
class Proc:
    """A child process started by a benchmark; its output goes to a log file for post-mortems."""

    name: str
    process: subprocess.Popen[bytes]
    log: Path
    port: int = 0

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)

    def tail(self, lines: int = 20) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        return ""


def _http_ok(url: str) -> bool:
    try:
        with urlopen(Request(url), timeout=1) as answer:  # loopback only
            return bool(answer.status == 200)
    except OSError:
        return False


def wait_http(proc: Proc, url: str, timeout: float = START_TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not proc.alive():
            raise RuntimeError(f"{proc.name} exited early:\n{proc.tail()}")
        if _http_ok(url):
            return
        time.sleep(0.05)
    raise RuntimeError(f"{proc.name} did not answer {url} within {timeout} s:\n{proc.tail()}")


@dataclass
class Stack:
    """Redis, the fake Slack, an upstream, the bot and the worker — whatever a bench needs."""

    logs: Path
    redis: RedisServer
    procs: list[Proc] = field(default_factory=list)
    job_key: str = field(default_factory=lambda: Fernet.generate_key().decode())
    slack: Proc | None = None
    profiles: list[Path] = field(default_factory=list)

    def spawn(self, name: str, args: list[str], env: dict[str, str], port: int = 0) -> Proc:
        log = self.logs / f"{name}.log"
        with log.open("wb") as out:
            process = subprocess.Popen(
                args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, stdin=None
            )
        proc = Proc(name, process, log, port)
        self.procs.append(proc)
        return proc

    def base_env(self) -> dict[str, str]:
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("SLACK_", "AUTHCHECK_", "REDIS_", "KUBECONFIG"))
        }
        env["PYTHONPATH"] = str(ROOT)
        return env

    # fake Slack -------------------------------------------------------------------------------

    def start_slack(self, rate_limit: bool = False) -> Proc:
        port = free_port()
        args = [sys.executable, str(ROOT / "bench" / "fake_slack.py"), "--port", str(port)]
        if rate_limit:
            args.append("--rate-limit")
        self.slack = self.spawn("fake-slack", args, self.base_env(), port)
        wait_http(self.slack, self.slack_base + "_fake/stats")
        return self.slack

    @property
    def slack_base(self) -> str:
        assert self.slack is not None
        return f"http://127.0.0.1:{self.slack.port}/"

    @property
    def slack_api(self) -> str:
        return self.slack_base + "api/"

    def slack_stats(self) -> dict[str, Any]:
        with urlopen(self.slack_base + "_fake/stats", timeout=10) as answer:
            return dict(json.load(answer))

    def slack_record(self) -> dict[str, Any]:
        """Every call the fake received, compact (see bench/fake_slack.py)."""
        with urlopen(self.slack_base + "_bench/record", timeout=60) as answer:
            return dict(json.load(answer))

    # upstream ---------------------------------------------------------------------------------

    def upstream_stats(self, upstream: Proc) -> dict[str, Any]:
        with urlopen(f"http://127.0.0.1:{upstream.port}/_stats", timeout=10) as answer:
            return dict(json.load(answer))

    def start_upstream(self, delay: float = 0.0) -> Proc:
        port = free_port()
        args = [sys.executable, str(ROOT / "bench" / "upstream.py"), "--port", str(port)]
        args += ["--delay", str(delay)]
        proc = self.spawn("upstream", args, self.base_env(), port)
        wait_http(proc, f"http://127.0.0.1:{port}/_stats")
        return proc

    # the app ----------------------------------------------------------------------------------

    def app_env(self, **extra: str) -> dict[str, str]:
        env = self.base_env()
        env.update(
            {
                "SLACK_BOT_TOKEN": DEFAULT_TOKEN,
                "SLACK_SIGNING_SECRET": SIGNING_SECRET,
                "SLACK_API_URL": self.slack_api,
                "REDIS_URL": self.redis.url,
                "AUTHCHECK_JOB_KEY": self.job_key,
                "AUTHCHECK_URL_ALLOWLIST": "127.0.0.1",
            }
        )
        env.update(extra)
        return env

    def _command(self, name: str, mode: list[str], profile: bool) -> list[str]:
        """`authcheck …`, or the same under pyinstrument (its text report is written to the
        log folder when the process ends on SIGTERM)."""
        if not profile:
            return [str(BIN / "authcheck"), *mode]
        out = self.logs / f"{name}.profile.txt"
        self.profiles.append(out)
        return [
            sys.executable,
            "-m",
            "pyinstrument",
            "-r",
            "text",
            "-o",
            str(out),
            "-m",
            "bot.cli.main",
            *mode,
        ]

    def start_bot(self, profile: bool = False, **extra: str) -> Proc:
        """`authcheck serve --no-worker` in HTTP mode; health routes on the same port."""
        port = free_port()
        env = self.app_env(PORT=str(port), AUTHCHECK_HEALTH_PORT=str(port), **extra)
        proc = self.spawn("bot", self._command("bot", ["serve", "--no-worker"], profile), env, port)
        wait_http(proc, f"http://127.0.0.1:{port}/readyz")
        return proc

    def start_worker(self, name: str = "worker", profile: bool = False, **extra: str) -> Proc:
        port = free_port()
        env = self.app_env(AUTHCHECK_HEALTH_PORT=str(port), **extra)
        proc = self.spawn(name, self._command(name, ["worker"], profile), env, port)
        wait_http(proc, f"http://127.0.0.1:{port}/readyz")
        return proc

    def stop(self) -> None:
        for proc in reversed(self.procs):
            proc.stop()


@contextlib.contextmanager
def stack(keep_logs: bool = False) -> Iterator[Stack]:
    """A fresh Redis and a log folder; every process started through the stack is stopped."""
    logs = Path(tempfile.mkdtemp(prefix="authcheck-bench-"))
    failed = True
    try:
        with running_redis() as redis_server:
            s = Stack(logs, redis_server)
            try:
                yield s
                failed = False
            finally:
                s.stop()
                keep_logs = keep_logs or bool(s.profiles)
                for profile in s.profiles:
                    print(f"(profile: {profile})", file=sys.stderr)
    finally:
        if failed or keep_logs:
            print(f"(process logs kept in {logs})", file=sys.stderr)
        else:
            shutil.rmtree(logs, ignore_errors=True)


# --- load -------------------------------------------------------------------------------------


@dataclass
class Sent:
    """One slash command as the load generator saw it (monotonic seconds)."""

    index: int
    start: float
    end: float = 0.0
    status: int = 0

    @property
    def ack_ms(self) -> float:
        return (self.end - self.start) * 1000


async def slash(
    session: aiohttp.ClientSession,
    bot: Proc,
    text: str,
    user: str,
    channel: str,
    index: int,
) -> Sent:
    """Sends a signed slash command (signed just before sending, as Slack does) and waits for
    the HTTP answer — the ack Slack waits up to 3 s for."""
    body, headers = signed_slash_command(SIGNING_SECRET, text, user_id=user, channel_id=channel)
    sent = Sent(index, time.monotonic())
    try:
        async with session.post(
            f"http://127.0.0.1:{bot.port}/slack/events", data=body, headers=headers
        ) as answer:
            await answer.read()
            sent.status = answer.status
    except (aiohttp.ClientError, TimeoutError):
        sent.status = 0
    sent.end = time.monotonic()
    return sent


def client_session(limit: int = 100) -> aiohttp.ClientSession:
    connector = aiohttp.TCPConnector(limit=limit, force_close=False)
    return aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=30))


# --- reading the fake Slack's record ----------------------------------------------------------


def is_final(text: str) -> bool:
    """A thread reply that is an answer, not 'running… N checks left'."""
    return "running…" not in text


@dataclass
class Thread:
    """What the fake Slack holds for one command: its parent and every reply in its thread."""

    parent_ts: str
    parent_time: float
    replies: list[str] = field(default_factory=list)  # ts of each reply message in the thread
    answer_times: list[float] = field(default_factory=list)  # when a final text arrived
    first_reply: float = 0.0  # when the first message in the thread arrived

    def answered_at(self) -> float | None:
        return max(self.answer_times) if self.answer_times else None


def threads_by_marker(record: dict[str, Any], marker: str) -> dict[str, list[Thread]]:
    """Groups what the fake Slack received per command, keyed by the unique token after
    `marker` in the parent message's text; a key with two threads is a duplicate command."""
    threads: dict[str, list[Thread]] = {}
    by_parent: dict[tuple[str, str], Thread] = {}
    for call in record["calls"]:
        if call["method"] == "chat.postMessage" and call["ok"] and not call["thread_ts"]:
            key = _marker(call["text"], marker)
            if key is not None:
                thread = Thread(parent_ts=call["ts"], parent_time=call["time"])
                threads.setdefault(key, []).append(thread)
                by_parent[(call["channel"], call["ts"])] = thread
    reply_thread: dict[tuple[str, str], Thread] = {}
    for call in record["calls"]:
        if not call["ok"] or call["method"] not in ("chat.postMessage", "chat.update"):
            continue
        where = (call["channel"], call["ts"])
        if call["method"] == "chat.postMessage" and call["thread_ts"]:
            found = by_parent.get((call["channel"], call["thread_ts"]))
            if found is None:
                continue
            found.replies.append(call["ts"])
            found.first_reply = found.first_reply or call["time"]
            reply_thread[where] = found
        owner = reply_thread.get(where)
        if owner is not None and is_final(call["text"]):
            owner.answer_times.append(call["time"])
    return threads


def _marker(text: str, marker: str) -> str | None:
    at = text.find(marker)
    if at < 0:
        return None
    rest = text[at + len(marker) :]
    key = ""
    for ch in rest:
        if not ch.isalnum() and ch not in "-_":
            break
        key += ch
    return key or None
