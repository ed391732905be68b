"""Prometheus metrics: what an on-call engineer asks of the bot itself during an incident."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

COMMANDS = Counter(
    "authcheck_commands_total", "Commands received", ["source", "outcome"]
)  # outcome: queued, usage, denied, ratelimited, duplicate, enqueue_failed, modal
JOBS_QUEUED = Counter("authcheck_jobs_queued_total", "Jobs put on the queue")
JOBS_RUNNING = Gauge("authcheck_jobs_running", "Jobs being worked on by this process")
JOBS_DONE = Counter("authcheck_jobs_done_total", "Jobs finished", ["status"])
JOBS_FAILED = Counter("authcheck_jobs_failed_total", "Job attempts that failed", ["kind"])
CHECK_SECONDS = Histogram(
    "authcheck_command_duration_seconds",
    "Time to run a command's checks",
    ["command"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60),
)
