"""`python bench/cached_ssl.py worker|serve …`: authcheck with httpx's SSL contexts cached.

A what-if for the orchestration benchmark, not a fix: every `CheckContext.http()` builds a new
`httpx.AsyncHTTPTransport`, and each builds a new SSL context (loading the CA bundle, ~20 ms of
CPU on the bench machine — the largest piece of the per-command overhead in the profile). This
launcher memoises httpx's `create_ssl_context` in this process only, to measure what caching one
default context in `handlers/oauth/targets.guarded_transport` would gain. Nothing in the app is
changed; the library function is wrapped before the app starts.
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx._transports.default as transports

cached = functools.lru_cache(maxsize=16)(transports.create_ssl_context)  # type: ignore[attr-defined]
transports.create_ssl_context = cached  # type: ignore[attr-defined]

from bot.cli import main  # noqa: E402

if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
