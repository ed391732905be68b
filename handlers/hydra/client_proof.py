"""Proving an OAuth2Client's Secret against Hydra: request a token with it.

A Secret edited after registration is silently out of sync (Hydra is not updated), and its
status still says Ready; a client_credentials request with the Secret's values is the proof.
The values go only to the Hydra the bot is configured for.
"""

from __future__ import annotations

from typing import Any

from handlers.core.check import CheckContext
from handlers.core.model import Finding, Severity
from handlers.hydra import admin as hydra_admin
from handlers.hydra.client_secret import SecretValues
from handlers.oauth import client_auth
from handlers.oauth.destinations import Credentials, configured
from handlers.oauth.token_request import TokenAttempt, request_client_credentials


def auth_method(client: dict[str, Any]) -> tuple[str, str]:
    """Hydra's `token_endpoint_auth_method` for the client, and how to send the credentials so
    (`client_secret_post` in the body, otherwise Basic with URL-encoded values, RFC 6749)."""
    auth = str(client.get("token_endpoint_auth_method") or "client_secret_basic")
    method = client_auth.POST_BODY if auth == "client_secret_post" else client_auth.BASIC_ENCODED
    return auth, method


def _bound(ctx: CheckContext, creds: SecretValues) -> Credentials:
    """The OAuth2Client Secret's values, bound to the Hydra the bot is configured for: the
    only place an OAuth2Client's credentials are proven."""
    assert creds.client_id is not None
    assert creds.client_secret is not None
    return Credentials(
        creds.client_id,
        creds.client_secret,
        "the OAuth2Client's Secret",
        configured(ctx.settings),
    )


async def _try_stripped(
    ctx: CheckContext, url: str, creds: SecretValues, method: str
) -> TokenAttempt | None:
    assert creds.client_id is not None
    assert creds.client_secret is not None
    cid, sec = creds.client_id.strip(), creds.client_secret.strip()
    if (cid, sec) == (creds.client_id, creds.client_secret):
        return None
    return await request_client_credentials(
        ctx, url, _bound(ctx, creds).with_values(cid, sec), method=method
    )


async def _rejected(
    ctx: CheckContext,
    check: str,
    attempt: TokenAttempt,
    creds: SecretValues,
    evidence: dict[str, Any],
) -> Finding:
    """Hydra has the client but not this secret: edited in place, or only its whitespace."""
    url, method = evidence["token_url"], evidence["method"]
    stripped = await _try_stripped(ctx, url, creds, method)
    detail = (
        f"{attempt.wording()}. Hydra has the client, so its stored secret is not the "
        "Secret's: the Secret was edited after registration (Hydra is not updated), or "
        "the id belongs to another resource."
    )
    if stripped is not None and stripped.ok:
        detail = (
            f"{attempt.wording()} with the value as stored, but the value without its "
            "surrounding whitespace works: Hydra holds the trimmed secret."
        )
    return Finding(
        check,
        Severity.FAIL,
        "The Secret does not match Hydra: token request rejected",
        detail,
        "Delete the Secret (hydra-maester registers new credentials and writes them) "
        "or restore the original value; never edit it in place.",
        evidence,
    )


def _judge(check: str, attempt: TokenAttempt, auth: str, evidence: dict[str, Any]) -> Finding:
    """The proof's answer when it is not a rejected client."""
    if attempt.ok:
        return Finding(
            check,
            Severity.OK,
            "The Secret's credentials get a token from Hydra",
            f"client_credentials at {evidence['token_url']} ({auth}) answered 200.",
            evidence=evidence,
        )
    if attempt.transport_error:
        return Finding(
            check,
            Severity.ERROR,
            "Could not reach Hydra's token endpoint to prove the Secret",
            attempt.transport_error,
            "Check AUTHCHECK_HYDRA_PUBLIC_URL (public port 4444).",
            evidence,
        )
    return Finding(
        check,
        Severity.WARN,
        "Hydra refused the token request for another reason than the credentials",
        attempt.wording(),
        "See `token` for a full diagnosis of the token request.",
        evidence,
    )


async def prove(
    ctx: CheckContext,
    check: str,
    spec: dict[str, Any],
    client: dict[str, Any],
    creds: SecretValues,
) -> list[Finding]:
    """A client_credentials request with the Secret's values, the way Hydra expects them."""
    assert creds.client_id is not None
    assert creds.client_secret is not None
    grants = client.get("grant_types") or spec.get("grantTypes") or []
    if "client_credentials" not in grants:
        return [
            Finding(
                check,
                Severity.INFO,
                "Secret not proven against Hydra: the client has no client_credentials grant",
                "Only a client_credentials request can prove the secret without a user.",
            )
        ]
    auth, method = auth_method(client)
    url = hydra_admin.token_url(ctx)
    attempt = await request_client_credentials(ctx, url, _bound(ctx, creds), method=method)
    evidence = {"token_url": url, "method": method, "status": attempt.status}
    if attempt.ok or attempt.transport_error or not attempt.rejected_client:
        return [_judge(check, attempt, auth, evidence)]
    return [await _rejected(ctx, check, attempt, creds, evidence)]
