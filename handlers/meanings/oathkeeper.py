"""Ory Oathkeeper error bodies as `explain` topics:
`{"error":{"code":401,"status":"Unauthorized","message":...}}` and its siblings.
"""

from __future__ import annotations

from handlers.meanings.explanation import (
    APIRULE,
    CLIENT,
    DECODE,
    HYDRA,
    INTROSPECT,
    PROBE,
    Explanation,
)

OATHKEEPER: tuple[Explanation, ...] = (
    Explanation(
        key="oathkeeper 401",
        aliases=("access credentials are invalid",),
        title="Oathkeeper 401: the authenticator rejected the request",
        meaning=(
            'Oathkeeper\'s JSON error `{"error":{"code":401,...}}`. With '
            "`oauth2_introspection`, Hydra said `active:false` (it never says why); with the "
            "`jwt` authenticator any verification failure, even a missing scope, is a 401."
        ),
        causes=(
            "No token, an expired, revoked or unknown token",
            "A missing scope: the default `scope_strategy: none` sends `scope=` to Hydra, which "
            "answers `active:false`",
            "The client behind the token is not (or no longer) registered in Hydra",
        ),
        fix="Check the token is active and carries the rule's scopes, then the client.",
        next_steps=(INTROSPECT, DECODE, APIRULE, CLIENT),
        status=401,
        related=("oathkeeper 403", "401"),
    ),
    Explanation(
        key="oathkeeper 403",
        aliases=("access credentials are not sufficient to access this resource",),
        title="Oathkeeper 403: the token is valid but does not satisfy the rule",
        meaning='Oathkeeper\'s JSON error `{"error":{"code":403,...}}`.',
        causes=(
            "Audience or issuer not in the rule's `target_audience`/`trusted_issuers`",
            "A missing scope with a `scope_strategy` configured",
            "`token_use` is not `access_token` (a refresh token)",
        ),
        fix="Compare the token's audience, issuer and scopes with the rule's config.",
        next_steps=(DECODE, APIRULE),
        status=403,
        related=("oathkeeper 401", "403"),
    ),
    Explanation(
        key="oathkeeper 500",
        aliases=(
            "introspection returned status code",
            "expected exactly one rule but found multiple rules",
        ),
        title="Oathkeeper 500: the introspection call (or rule matching) failed",
        meaning=(
            "Oathkeeper could not reach a decision: `Introspection returned status code …` "
            "means Hydra answered the introspection call with something other than 200."
        ),
        causes=(
            "Hydra v1's `/oauth2/introspect` used on Hydra v2 (needs `/admin/oauth2/introspect`; "
            "the old path may redirect to an unreachable `localhost`)",
            "Hydra's admin API is down",
            "Two access rules match the same URL",
        ),
        fix="Point `introspection_url` at the admin path of the Hydra version in use.",
        next_steps=(HYDRA, INTROSPECT + " --url <introspection url>", PROBE),
        status=500,
        related=("500",),
    ),
    Explanation(
        key="oathkeeper 404",
        aliases=("requested url does not match any rules",),
        title="Oathkeeper 404: no access rule matches the URL",
        meaning="Oathkeeper has no rule for this host, path and method.",
        causes=("The APIRule is not applied, in an error state, or covers another path or method",),
        fix="Check the APIRule's status and rules for this path and method.",
        next_steps=(APIRULE,),
        status=404,
    ),
)
