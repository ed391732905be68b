"""One token request (RFC 6749 §4.4 client credentials, or another grant through `extra`).

The result is plain data: what the server answered, or why no answer came. The `token` command runs
several of these with different client-authentication methods to find out how the server decodes
credentials; the `binding` command reuses it for XSUAA. The access token is registered with the
job's redactor here, so even a careless caller cannot print it.
"""

from __future__ import annotations

from dataclasses import dataclass

from handlers.core.check import CheckContext
from handlers.core.observation import Unknown
from handlers.net.answers import json_object, parse_oauth_error
from handlers.net.send import Answer, send
from handlers.oauth import client_auth
from handlers.oauth.destinations import CredentialRefused, Credentials, Destinations, refusal


@dataclass(frozen=True)
class TokenAttempt:
    """What one token request got back."""

    method: str  # "basic-encoded" | "basic-raw" | "post-body" | "basic-encoded+x-cf-encoded"
    status: int | None  # None when no HTTP answer
    error: str | None  # OAuth "error"
    error_description: str | None
    www_authenticate: str | None
    access_token: str | None  # caller must never print it; registered with the redactor
    expires_in: int | None
    scope: str | None
    transport_error: str | None  # "connection refused to http://...", "timed out after 5 s", ...
    #: Extra facts, all safe to show: Hydra's `error_hint`, `token_type`, the content type and a
    #: short excerpt of a body that was not JSON (an HTML login page, a proxy's error page).
    error_hint: str | None = None
    token_type: str | None = None
    content_type: str | None = None
    body_excerpt: str | None = None
    url: str | None = None

    @property
    def ok(self) -> bool:
        return self.status == 200 and bool(self.access_token)

    @property
    def rejected_client(self) -> bool:
        """The server refused the client's credentials (RFC 6749 `invalid_client`, UAA wording)."""
        if self.status is None or self.ok:
            return False
        if self.error in ("invalid_client", "unauthorized", "unauthorized_client"):
            return self.error != "unauthorized_client" or self.status == 401
        return self.status == 401

    def wording(self) -> str:
        """The server's own words about the failure, for a finding's detail."""
        if self.transport_error:
            return self.transport_error
        parts = [f"HTTP {self.status}"]
        if self.error:
            parts.append(f"`{self.error}`")
        if self.error_description:
            parts.append(f"“{self.error_description}”")
        if self.error_hint and self.error_hint != self.error_description:
            parts.append(f"(hint: {self.error_hint})")
        if not self.error and self.body_excerpt:
            parts.append(f"body: {self.body_excerpt!r}")
        return " ".join(parts)


def _int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def _str(value: object, limit: int = 500) -> str | None:
    if value is None:
        return None
    text = str(value)
    return text[:limit] if text else None


async def request_client_credentials(
    ctx: CheckContext,
    token_url: str,
    credentials: Credentials,
    *,
    method: str = client_auth.BASIC_ENCODED,
    scope: str | None = None,
    audience: str | None = None,
    extra: dict[str, str] | None = None,
    extra_destinations: Destinations | None = None,
    headers: dict[str, str] | None = None,
) -> TokenAttempt:
    """POSTs a token request authenticated with `method`; never raises for network trouble.

    Raises `CredentialRefused`, before anything is sent, when `token_url` is not where the
    credentials (or `extra`'s values, bound by `extra_destinations`: a user's password from a
    Secret) may go.
    """
    refused = credentials.refusal(token_url) or refusal(
        extra_destinations, "the user's password", token_url
    )
    if refused:
        raise CredentialRefused(refused)
    client_id, client_secret = credentials.client_id, credentials.client_secret
    ctx.redactor.add_basic(client_id, client_secret)
    for key in ("password", "client_secret", "refresh_token", "assertion"):
        if extra and extra.get(key):
            ctx.redactor.add(extra[key])
    form, auth_headers = _form(method, credentials, scope, audience, extra)
    all_headers = {"Accept": "application/json", **(headers or {}), **auth_headers}
    seen = await send(ctx, "POST", token_url, headers=all_headers, data=form)
    if isinstance(seen, Unknown):
        return TokenAttempt(
            method=method,
            status=None,
            error=None,
            error_description=None,
            www_authenticate=None,
            access_token=None,
            expires_in=None,
            scope=None,
            transport_error=seen.reason,
            url=token_url,
        )
    return _attempt(ctx, method, token_url, seen.value)


def _form(
    method: str,
    credentials: Credentials,
    scope: str | None,
    audience: str | None,
    extra: dict[str, str] | None,
) -> tuple[dict[str, str], dict[str, str]]:
    """The request's form and authentication headers for `method`."""
    auth_headers, auth_form = client_auth.apply(
        method, credentials.client_id, credentials.client_secret
    )
    form: dict[str, str] = {"grant_type": "client_credentials"}
    if scope:
        form["scope"] = scope
    if audience:
        form["audience"] = audience
    form.update(extra or {})
    form.update(auth_form)
    return form, auth_headers


def _attempt(ctx: CheckContext, method: str, token_url: str, answer: Answer) -> TokenAttempt:
    """What the server answered, every token in it registered with the redactor first."""
    data = json_object(answer.body) or {}
    access_token = data.get("access_token") if isinstance(data.get("access_token"), str) else None
    ctx.redactor.add(access_token)
    for key in ("refresh_token", "id_token"):
        value = data.get(key)
        if isinstance(value, str):
            ctx.redactor.add(value)
    oauth_error = parse_oauth_error(answer.body)
    content_type = answer.header("content-type")
    excerpt = None
    if not data:
        excerpt = ctx.redactor.excerpt(answer.text(), 160) or None
    return TokenAttempt(
        method=method,
        status=answer.status,
        error=oauth_error.error if oauth_error else None,
        error_description=oauth_error.description if oauth_error else None,
        www_authenticate=_str(answer.header("www-authenticate")),
        access_token=access_token,
        expires_in=_int(data.get("expires_in")),
        scope=_str(data.get("scope")) if access_token else None,
        transport_error=None,
        error_hint=oauth_error.hint if oauth_error else None,
        token_type=_str(data.get("token_type"), 40),
        content_type=_str(content_type, 100),
        body_excerpt=excerpt,
        url=token_url,
    )
