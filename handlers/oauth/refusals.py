"""What a token endpoint's refusal says about client authentication: the one place that decides.

Servers word a refused client very differently: Hydra 401 `invalid_client`, UAA 401
`unauthorized` "Bad credentials", oidc-provider 400 `invalid_request` for a badly encoded
header, Glewlwyd an empty 403 (or an empty 400 on the password grant), a proxy an HTML page. So a
refusal is read in three ways, and every command that requests tokens (`token`, `client`,
`binding`, `diagnose`) asks these functions instead of matching statuses itself:

- `not_a_token_endpoint`: clearly something else answered (404/405/410, a redirect, a login
  page). Only then "did not answer like a token endpoint".
- `client_auth_passed`: the answer proves the client authenticated — success, or an error a
  server can only give after authenticating it (`unauthorized_client`, `unsupported_grant_type`,
  `invalid_scope`/`scope_invalid`, `invalid_target`).
- `may_be_client_auth`: any other 400/401/403 — JSON, empty or HTML — may be client
  authentication, so the `token` command runs its experiments (other encodings, the POST body,
  trimmed whitespace) and concludes from which one works.

`client_unknown` reads a description for a *statement* that the client does not exist; Hydra's
standard `invalid_client` text ("e.g., unknown client, no client authentication included, ...")
only lists examples and says nothing of the sort.
"""

from __future__ import annotations

import re

from handlers.oauth.token_request import TokenAttempt

#: RFC 6749 §5.2 errors (and Glewlwyd's `scope_invalid`) a server gives only once the client
#: has authenticated: they prove client authentication passed.
AUTH_PASSED_ERRORS = frozenset(
    {
        "unauthorized_client",
        "unsupported_grant_type",
        "invalid_scope",
        "scope_invalid",
        "invalid_target",
    }
)
SCOPE_ERRORS = frozenset({"invalid_scope", "scope_invalid"})
_NOT_THERE = frozenset({404, 405, 410})
_LOGIN_WORDS = ("<form", "login", "log in", "sign in", "signin", 'type="password"')
_UNKNOWN_PHRASES = ("not found", "does not exist", "unknown client", "no client with")
#: Hydra's and others' lists of examples: "(e.g., unknown client, ...)", "e.g. ...".
_EXAMPLES = re.compile(r"\(\s*e\.\s?g\..*?\)|\be\.\s?g\.,?[^.;]*", re.IGNORECASE | re.DOTALL)
_BAD_REQUEST_CLIENT_WORDS = ("client", "authorization", "encoded", "malformed", "credentials")


def _text(a: TokenAttempt) -> str:
    return " ".join(filter(None, [a.error_description, a.error_hint])).lower()


def login_page(a: TokenAttempt) -> bool:
    """An HTML page that asks a person to log in: a browser flow, not a token endpoint."""
    html = "html" in (a.content_type or "").lower()
    excerpt = (a.body_excerpt or "").lower()
    return html and any(w in excerpt for w in _LOGIN_WORDS)


def not_a_token_endpoint(a: TokenAttempt) -> bool:
    """Clearly not a token endpoint: nothing there, a redirect, or a login page."""
    if a.status is None or a.ok:
        return False
    return a.status in _NOT_THERE or 300 <= a.status < 400 or login_page(a)


def client_auth_passed(a: TokenAttempt) -> bool:
    """The answer proves the server authenticated the client (RFC 6749 §5.2 semantics)."""
    if a.ok:
        return True
    if a.status is None or a.error not in AUTH_PASSED_ERRORS:
        return False
    # UAA answers a bad client with 401 `unauthorized_client` in some versions: a 401 is never
    # proof that the client got through.
    return a.status != 401


def may_be_client_auth(a: TokenAttempt, secret: str = "") -> bool:
    """A refusal that client authentication may explain, so experiments are worth running."""
    if a.status is None or a.ok or client_auth_passed(a) or not_a_token_endpoint(a):
        return False
    if a.rejected_client:
        return True
    if a.status not in (400, 401, 403):
        return False
    if a.error is None:
        return True  # empty, HTML or non-OAuth body: nothing rules the client out
    if a.status in (401, 403):
        return True
    if a.error != "invalid_request":
        return False
    # 400 `invalid_request` for badly encoded credentials (oidc-provider for a newline, Hydra
    # for a stray `%`), but not for a missing parameter the caller forgot.
    text = _text(a)
    return secret != secret.strip() or any(k in text for k in _BAD_REQUEST_CLIENT_WORDS)


def client_unknown(a: TokenAttempt) -> bool:
    """The server *states* that the client does not exist (examples in parentheses do not)."""
    text = _EXAMPLES.sub(" ", _text(a))
    return any(p in text for p in _UNKNOWN_PHRASES)


def is_scope_error(a: TokenAttempt) -> bool:
    return a.error in SCOPE_ERRORS
