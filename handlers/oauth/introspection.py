"""RFC 7662 token introspection, including Hydra's v1/v2 admin paths and their redirect trap.

The server answers `{"active": false}` for anything not active and never says why; this module
only reports what came back. What it must get right is telling a failed *call* (401 for the bot's
own credentials, a wrong path, an unreachable host) apart from an answer about the token, because
the first is the bot's setup and the second is the user's problem.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from handlers.core.check import CheckContext
from handlers.core.observation import Unknown
from handlers.net.answers import OAuthError, json_object, parse_oauth_error
from handlers.net.send import send
from handlers.oauth import client_auth
from handlers.oauth.destinations import CredentialRefused, Credentials
from handlers.oauth.discovery import hydra_introspection_paths

_LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "0.0.0.0"}  # noqa: S104 - compared, not bound


__all__ = [
    "Credentials",
    "Introspection",
    "IntrospectionCall",
    "call",
    "introspect",
    "introspect_url",
]


@dataclass(frozen=True)
class IntrospectionCall:
    """One POST to an introspection URL and what it got back."""

    url: str
    status: int | None
    body: dict[str, Any] | None = None
    error: OAuthError | None = None
    location: str | None = None
    transport_error: str | None = None
    www_authenticate: str | None = None
    excerpt: str | None = None
    method: str | None = None

    @property
    def answered(self) -> bool:
        """A well-formed RFC 7662 answer (200 with a boolean `active`)."""
        return (
            self.status == 200
            and self.body is not None
            and isinstance(self.body.get("active"), bool)
        )

    @property
    def active(self) -> bool:
        return self.answered and self.body is not None and self.body["active"] is True

    def summary(self) -> str:
        """`POST <url> → HTTP 401 invalid_client`: one line naming what was tried."""
        if self.transport_error:
            return f"POST {self.url} → {self.transport_error}"
        text = f"POST {self.url} → HTTP {self.status}"
        if self.error:
            text += f" {self.error.sentence()}"
        elif self.location:
            text += f" (Location: {self.location})"
        elif self.status == 200 and not self.answered:
            text += " (not an introspection answer)"
        elif self.excerpt and self.status != 200:
            text += f" {self.excerpt!r}"
        return text


@dataclass
class Introspection:
    """Every call made to introspect one token; `final` is the one whose answer counts."""

    calls: list[IntrospectionCall] = field(default_factory=list)
    hydra_version: str | None = None

    @property
    def final(self) -> IntrospectionCall | None:
        return self.calls[-1] if self.calls else None


async def call(
    ctx: CheckContext,
    url: str,
    token: str,
    credentials: Credentials | None,
    *,
    method: str = client_auth.BASIC_ENCODED,
    token_type_hint: str | None = None,
) -> IntrospectionCall:
    """One introspection request; redirects are NOT followed (Hydra's 307 must be seen)."""
    ctx.redactor.add(token)
    headers = {"Accept": "application/json"}
    form = {"token": token}
    if token_type_hint:
        form["token_type_hint"] = token_type_hint
    used_method = None
    if credentials is not None:
        refused = credentials.refusal(url)
        if refused:
            raise CredentialRefused(refused)
        ctx.redactor.add_basic(credentials.client_id, credentials.client_secret)
        auth_headers, auth_form = client_auth.apply(
            method, credentials.client_id, credentials.client_secret
        )
        headers.update(auth_headers)
        form.update(auth_form)
        used_method = method
    seen = await send(ctx, "POST", url, headers=headers, data=form)
    if isinstance(seen, Unknown):
        return IntrospectionCall(
            url=url, status=None, transport_error=seen.reason, method=used_method
        )
    answer = seen.value
    body = json_object(answer.body)
    excerpt = None
    if body is None:
        excerpt = ctx.redactor.excerpt(answer.text(), 120) or None
    return IntrospectionCall(
        url=url,
        status=answer.status,
        body=body,
        error=parse_oauth_error(answer.body),
        location=answer.header("location") if 300 <= answer.status < 400 else None,
        www_authenticate=answer.header("www-authenticate"),
        excerpt=excerpt,
        method=used_method,
    )


def redirects_to_localhost(location: str | None) -> bool:
    """Hydra v2 redirects old paths to `urls.self.admin`, which defaults to a local address."""
    if not location:
        return False
    host = (urlsplit(location).hostname or "").lower()
    return host in _LOCAL_HOSTS or host.startswith("127.")


def same_host_path(original: str, location: str) -> str | None:
    """`location`'s path on `original`'s scheme and host: where the redirect meant to send us.

    Returns None when that is the URL already called (no point retrying) or the Location has no
    path.
    """
    target = urlsplit(location)
    if not target.path:
        return None
    base = urlsplit(original)
    retry = urlunsplit((base.scheme, base.netloc, target.path, "", ""))
    return None if retry == original else retry


async def introspect_url(
    ctx: CheckContext,
    url: str,
    token: str,
    credentials: Credentials | None,
    *,
    method: str = client_auth.BASIC_ENCODED,
) -> Introspection:
    """Introspects at one URL; a 3xx is retried once at its path on the same host."""
    result = Introspection()
    first = await call(ctx, url, token, credentials, method=method)
    result.calls.append(first)
    if first.status in (301, 302, 303, 307, 308) and first.location:
        retry = same_host_path(url, first.location)
        if retry is not None:
            result.calls.append(await call(ctx, retry, token, credentials, method=method))
    return result


async def introspect_hydra_admin(
    ctx: CheckContext, admin_url: str, token: str, credentials: Credentials | None
) -> Introspection:
    """Hydra v2's `/admin/oauth2/introspect`, then v1's `/oauth2/introspect` on a 404.

    At most three requests: v2, v1, and one retry of a v1 redirect on the same host.
    """
    result = Introspection()
    for version, url in hydra_introspection_paths(admin_url):
        outcome = await introspect_url(ctx, url, token, credentials)
        result.calls.extend(outcome.calls)
        final = outcome.final
        if final is not None and final.answered:
            result.hydra_version = version
            if len(outcome.calls) > 1:
                # The v1 path redirected to the v2 one: it is Hydra v2 all the same.
                result.hydra_version = "v2"
            return result
        if final is None or final.status != 404:
            return result
    return result


async def introspect(
    ctx: CheckContext, url: str, hydra_admin: bool, token: str, credentials: Credentials | None
) -> tuple[Introspection, bool]:
    """Introspects at `url` (Hydra's admin port: v2 then v1 paths). When Basic credentials get a
    401 the caller may be registered for client_secret_post: one retry in the POST body says so,
    and the second value is True when that retry answered."""
    if hydra_admin:
        result = await introspect_hydra_admin(ctx, url, token, credentials)
    else:
        result = await introspect_url(ctx, url, token, credentials)
    final = result.final
    if (
        credentials is None
        or final is None
        or final.status != 401
        or final.method != client_auth.BASIC_ENCODED
    ):
        return result, False
    retry = await introspect_url(ctx, final.url, token, credentials, method=client_auth.POST_BODY)
    result.calls.extend(retry.calls)
    return result, retry.final is not None and retry.final.answered
