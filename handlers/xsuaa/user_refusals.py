"""What a refused password grant says: the client may not use the grant, or the user side
(identity provider origin, allowed providers, a locked user, a wrong user name or password).

Read only once the client is known to authenticate (`password_run`): a refused client must never
turn into "the user's password". UAA's wordings are matched; a server that gives no reason
(Glewlwyd's empty 400/403) gets the list of what it could be.
"""

from __future__ import annotations

from handlers.core.model import Finding, Severity
from handlers.oauth.token_request import TokenAttempt

_ORIGIN_MISMATCH = ("does not match an active identity provider", "supports password grant")
_ORIGIN_INVALID = ("origin provided in the login hint is invalid", "login_hint is invalid")
_NOT_ALLOWED_IDP = "not authorized for specified user's identity provider"
_LOCKED = ("locked", "too many failed")
_BAD_USER = ("bad credentials", "name or password mismatch", "invalid username or password")


def _text(a: TokenAttempt) -> str:
    return " ".join(filter(None, [a.error_description, a.error_hint])).lower()


def grant_not_allowed(a: TokenAttempt, grant: str) -> bool:
    """The client authenticated but may not use `grant` (UAA: 401 `invalid_client`
    "Unauthorized grant type: password"; RFC 6749: `unauthorized_client`/`unsupported_grant_type`).
    """
    text = _text(a)
    if f"unauthorized grant type: {grant}" in text or "grant type is not supported" in text:
        return True
    return a.error in ("unauthorized_client", "unsupported_grant_type")


def origin_text(origin: str | None) -> str:
    return f"origin `{origin}`" if origin else "the default origin (no --origin given)"


def _identity_provider_or_lock(
    check: str, a: TokenAttempt, username: str, origin: str | None, client_id: str, proof: str
) -> Finding | None:
    """UAA's wordings for a refusal that is not the password: the origin, the client's allowed
    identity providers, a locked user."""
    text = _text(a)
    if any(p in text for p in _ORIGIN_MISMATCH) or any(p in text for p in _ORIGIN_INVALID):
        return Finding(
            check,
            Severity.FAIL,
            f"{origin_text(origin).capitalize()} is not an active identity provider that allows "
            "the password grant",
            f"{proof} Server: {a.wording()}.",
            "The password grant only works with OpenID Connect identity providers, never with "
            "SAML ones. Use the origin key of the SAP ID service (`sap.default`) or of your "
            "Identity Authentication tenant connected via OIDC (`sap.custom`) in --origin. The "
            "origin keys and each provider's protocol are listed in the BTP cockpit under "
            "Security → Trust Configuration.",
            {"origin": origin, "error": a.error, "user_side": True},
        )
    if _NOT_ALLOWED_IDP in text:
        return Finding(
            check,
            Severity.FAIL,
            f"Client `{client_id}` may not log users in through {origin_text(origin)}",
            f"{proof} Server: {a.wording()}.",
            "Add the origin to the client's allowed identity providers (UAA `allowedproviders`), "
            "or use an origin it allows.",
            {"origin": origin, "error": a.error, "user_side": True},
        )
    if any(p in text for p in _LOCKED):
        return Finding(
            check,
            Severity.FAIL,
            f"User `{username}` is locked",
            f"{proof} Server: {a.wording()}.",
            "Wait for the lockout to expire (UAA: 5 minutes by default) or have an administrator "
            "unlock the user; then fix the password the caller sends, or it locks again.",
            {"error": a.error, "user_side": True},
        )
    return None


def user_failure(
    check: str, a: TokenAttempt, username: str, origin: str | None, client_id: str, source: str
) -> Finding:
    """The finding for a password grant refused while the client authenticates fine."""
    text = _text(a)
    proof = (
        f"Client `{client_id}` authenticates (client credentials with the same client work), so "
        "the refusal is about the user."
    )
    specific = _identity_provider_or_lock(check, a, username, origin, client_id, proof)
    if specific is not None:
        return specific
    known = any(p in text for p in _BAD_USER) or a.error in ("unauthorized", "invalid_grant")
    if known:
        title = f"User authentication failed for `{username}`"
    elif a.error:
        title = f"The password grant for `{username}` was refused: `{a.error}`"
    else:
        title = (
            f"The password grant for `{username}` was refused (HTTP {a.status}, no reason given)"
        )
    silent = (
        ""
        if a.error
        else " The server gives no reason (Glewlwyd answers an empty 400/403): the user name or "
        "password, the user's access to the requested scope, or the client's permission to use "
        "the password grant."
    )
    return Finding(
        check,
        Severity.FAIL,
        title,
        f"{proof} Server: {a.wording()}.{silent} User `{username}` at {origin_text(origin)}, "
        f"password from {source}.",
        "1. Check the user name and password: log on to the identity provider in a browser (for "
        "the SAP ID service https://accounts.sap.com); if that fails, use the right pair or reset "
        "the password. "
        "2. A Universal ID user has no password the password grant can use until one is set for "
        "the SAP ID service user linked to it (SAP Note 3085908); anything that cannot do the "
        "browser login needs that separate password. "
        "3. If the user lives in a custom identity provider, pass its origin key with --origin "
        "(it must be an OIDC provider; SAML ones cannot do the password grant).",
        {"error": a.error, "user_side": True, "origin": origin},
    )


def password_grant_refused(check: str, a: TokenAttempt, client_id: str) -> Finding:
    """The client may not use the password grant at all: nothing about the user is learnt."""
    return Finding(
        check,
        Severity.FAIL,
        f"Client `{client_id}` may not use the password grant",
        f"Server: {a.wording()}. The user's credentials were not even looked at.",
        "Add `password` to the client's grant types (XSUAA: `oauth2-configuration.grant-types` "
        "in xs-security.json, then update the service instance). Ory Hydra does not implement "
        "the password grant at all.",
        {"error": a.error},
    )
