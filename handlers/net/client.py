"""The HTTP client every check uses: bounded by AUTHCHECK_TIMEOUT, and guarded.

Every request goes through the SSRF guard (`handlers.net.guard`): only the configured endpoints
are trusted, so no check can forget to vet a URL from chat or from the cluster, and each redirect
hop and DNS answer is vetted too.
"""

from __future__ import annotations

from typing import Any

import httpx

from handlers.core.check import CheckContext
from handlers.net.transport import guarded_transport


def http(ctx: CheckContext, *, follow_redirects: bool = False, **kwargs: Any) -> httpx.AsyncClient:
    """An HTTP client for one check; callers use it as a context manager."""
    verify = kwargs.pop("verify", True)
    return httpx.AsyncClient(
        timeout=httpx.Timeout(ctx.settings.timeout),
        follow_redirects=follow_redirects,
        transport=guarded_transport(
            ctx.settings, ctx.transport, verify=verify, resolver=ctx.resolver
        ),
        **kwargs,
    )
