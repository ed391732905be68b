"""HTTP statuses as `explain` topics: 401, 403 and the others a failed call arrives with,
including the gatekeepers' 5xx answers that look like auth failures.
"""

from __future__ import annotations

from handlers.meanings.explanation import (
    APIRULE,
    DECODE,
    DIAGNOSE,
    HEADER,
    HYDRA,
    INTROSPECT,
    PROBE,
    TOKEN,
    Explanation,
)

STATUSES: tuple[Explanation, ...] = (
    Explanation(
        key="401",
        aliases=("401 unauthorized", "http 401", "status 401", "error 401"),
        title="401 Unauthorized: the credentials were missing or not accepted",
        meaning=(
            "Whoever answered (the app, or a gateway in front of it) does not accept who you "
            "are: no credentials arrived, or the ones that arrived are invalid, expired, or from "
            "an issuer it does not trust. It is about authentication, not permissions, with one "
            "trap: Oathkeeper and Hydra introspection also answer 401 for a missing scope."
        ),
        causes=(
            "No token reached the server: a proxy or ingress stripped `Authorization`, or the "
            "token was sent in another header than the one expected",
            "The token expired, or the clocks of issuer and gateway disagree",
            "Wrong scheme or shape: `bearer`/`Basic` mix-ups, quotes around the token, "
            "`Bearer Bearer …`, a truncated JWT, a refresh token used as an access token",
            "The token comes from another issuer or environment, or was signed with a rotated key",
            "At a token endpoint: wrong client id or secret (a trailing newline from `echo`, a "
            "`+` that got URL-decoded into a space)",
            "Behind Oathkeeper `oauth2_introspection`: a scope the token lacks (Hydra answers "
            "`active:false`, Oathkeeper turns that into 401)",
        ),
        fix=(
            "Find out who answered first, then check the token itself (expiry, issuer, key) "
            "before touching the client or the rule."
        ),
        next_steps=(DIAGNOSE, PROBE, DECODE, INTROSPECT, TOKEN),
        status=401,
        related=("403", "invalid_token", "oathkeeper 401"),
    ),
    Explanation(
        key="403",
        aliases=("403 forbidden", "forbidden", "http 403", "status 403", "error 403"),
        title="403 Forbidden: the request was understood, but a policy refuses it",
        meaning=(
            "The caller may well be authenticated, but an authorization decision went against "
            "it. Under Istio a request with no token at all also gets 403 `RBAC: access denied`, "
            "so a 403 does not prove a token arrived."
        ),
        causes=(
            "The token lacks a required scope or audience (Istio `authorizations`, Oathkeeper "
            "with a scope strategy, `insufficient_scope` from the app)",
            "No token, or the token sent in `Authorization` while the APIRule v2 rule reads it "
            "from a custom header or query parameter",
            "Oathkeeper: audience, issuer or `token_use` do not match the rule",
            "Path or method not covered by any rule that allows it",
            "Cloud APIs: the identity has no IAM permission for this action or resource",
        ),
        fix=(
            "Compare what the token carries (scopes, audience) with what the rule requires, and "
            "confirm the token is read from where the rule looks."
        ),
        next_steps=(PROBE, APIRULE, DECODE, DIAGNOSE),
        status=403,
        related=("401", "rbac: access denied", "insufficient_scope", "oathkeeper 403"),
    ),
    Explanation(
        key="400",
        aliases=("400 bad request", "bad request", "http 400", "status 400"),
        title="400 Bad Request: the request itself is malformed",
        meaning=(
            "The server did not get as far as judging the credentials, or judged a parameter "
            "invalid. At a token endpoint the body's `error` field says which rule was broken."
        ),
        causes=(
            "Token endpoint: `invalid_request`, `invalid_scope`, `invalid_grant` or "
            "`unsupported_grant_type` (each has its own entry)",
            "Hydra: an audience the client may not request, or a stray `%` in Basic credentials",
            "Resource server (RFC 6750): a malformed `Authorization` header, or the token sent "
            "in two places at once",
        ),
        fix="Read the `error` field of the body and explain that code.",
        next_steps=("`explain <error code>` for the code in the body", HEADER, TOKEN),
        status=400,
        related=("invalid_request", "invalid_scope", "invalid_grant"),
    ),
    Explanation(
        key="500",
        aliases=("500 internal server error", "internal server error", "http 500"),
        title="500 Internal Server Error: the gatekeeper failed, not your credentials",
        meaning=(
            "Something broke while deciding. In a Kyma cluster the usual source is Oathkeeper "
            "failing to call Hydra's introspection endpoint; the token may be perfectly fine."
        ),
        causes=(
            "Oathkeeper's `introspection_url` uses Hydra v1's path on Hydra v2",
            "Hydra's admin API is down or unreachable from Oathkeeper",
            "More than one Oathkeeper rule matches the URL",
        ),
        fix="Check the gatekeeper's health and configuration before the token.",
        next_steps=(PROBE, HYDRA),
        status=500,
        related=("oathkeeper 500",),
    ),
)
