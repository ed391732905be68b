"""Envoy `jwt_authn` and Istio texts as `explain` topics (`Jwt is expired`, `RBAC: access
denied`, …): the words the mesh answers with when it refuses a request.
"""

from __future__ import annotations

from handlers.meanings.explanation import APIRULE, CLIENT, DECODE, HEADER, PROBE, TOKEN, Explanation

ENVOY: tuple[Explanation, ...] = (
    Explanation(
        key="jwt is expired",
        aliases=("jwt expired",),
        title="Envoy `Jwt is expired`: the token's `exp` has passed",
        meaning="Istio/Envoy (401): the signature may be fine, but the token is past its `exp`.",
        causes=(
            "The caller reuses a cached token instead of refreshing it",
            "Clock skew: the gateway's clock is ahead of the issuer's",
        ),
        fix="Request a new token; refresh before `exp`; check NTP on both sides.",
        next_steps=(DECODE, TOKEN),
        status=401,
        related=("jwt not yet valid", "invalid_token"),
    ),
    Explanation(
        key="jwt verification fails",
        aliases=("jwt verification failed",),
        title="Envoy `Jwt verification fails`: the signature does not verify",
        meaning=(
            "Istio/Envoy (401): a key with the token's `kid` was found, but the signature does "
            "not match it."
        ),
        causes=(
            "The token was altered or truncated (copy-paste, a line break inside)",
            "A token from another environment that reuses the same `kid`",
            "The JWKS configured for the rule belongs to another issuer",
        ),
        fix="Use an untouched token from the issuer whose JWKS the rule points at.",
        next_steps=(DECODE, APIRULE),
        status=401,
        related=("jwks doesn't have key to match kid or alg from jwt", "invalid_token"),
    ),
    Explanation(
        key="jwt issuer is not configured",
        aliases=("issuer is not configured",),
        title="Envoy `Jwt issuer is not configured`: `iss` matches no trusted issuer",
        meaning=(
            "Istio/Envoy (401): the token's `iss` is not exactly one of the issuers in the "
            "RequestAuthentication (APIRule `jwt.authentications[].issuer`)."
        ),
        causes=(
            "A trailing `/`: Hydra's `iss` ends with `/`, the rule's issuer does not (or the "
            "reverse)",
            "`http` vs `https`, or an internal vs external host name",
            "A token from another cluster or tenant",
        ),
        fix="Copy `iss` from the token into the rule byte for byte.",
        next_steps=(DECODE, APIRULE),
        status=401,
        related=("jwt verification fails",),
    ),
    Explanation(
        key="jwks doesn't have key to match kid or alg from jwt",
        aliases=("jwks doesn't have key", "jwks does not have key"),
        title="Envoy `Jwks doesn't have key to match kid or alg from Jwt`",
        meaning=("Istio/Envoy (401): no key in the JWKS it holds has the token's `kid` and `alg`."),
        causes=(
            "Key rotation: Istio caches the JWKS (about 20 minutes), so new tokens fail until it "
            "refreshes",
            "`jwksUri` points at another issuer's keys",
            "The token uses an `alg` the key does not support",
        ),
        fix=(
            "Compare the token's `kid` with the JWKS behind the rule; after a rotation, wait for "
            "the cache or have it refreshed."
        ),
        next_steps=(DECODE, APIRULE),
        status=401,
        related=("jwt verification fails",),
    ),
    Explanation(
        key="jwt not yet valid",
        aliases=("jwt is not yet valid",),
        title="Envoy `Jwt not yet valid`: `nbf` (or `iat`) is in the future",
        meaning="Istio/Envoy (401): by the gateway's clock the token is not valid yet.",
        causes=("Clock skew: the issuer's clock runs ahead of the gateway's",),
        fix="Fix time synchronisation (NTP) on the issuer and the gateway nodes.",
        next_steps=(DECODE,),
        status=401,
        related=("jwt is expired",),
    ),
    Explanation(
        key="jwt is missing",
        aliases=("jwt missing",),
        title="Envoy `Jwt is missing`: no token where the filter looks for one",
        meaning="Istio/Envoy (401): the JWT filter requires a token and found none.",
        causes=(
            "A proxy or ingress stripped `Authorization`",
            "The rule reads the token from a custom header or query parameter "
            "(`fromHeaders`/`fromParams`)",
            "The `Bearer ` prefix is missing or misspelled",
        ),
        fix="Send the token where the rule reads it, and check nothing in between drops it.",
        next_steps=(HEADER, PROBE, APIRULE),
        status=401,
        related=("rbac: access denied",),
    ),
    Explanation(
        key="audiences in jwt are not allowed",
        aliases=("audience not allowed",),
        title="Envoy `Audiences in Jwt are not allowed`: `aud` does not match",
        meaning="Envoy (403): the token's `aud` is not in the audiences the provider accepts.",
        causes=(
            "The token was requested without `audience`",
            "The client may not request that audience (Hydra: 400 `invalid_request` at the "
            "token endpoint)",
        ),
        fix="Request the audience the rule expects and whitelist it on the client.",
        next_steps=(DECODE, CLIENT, APIRULE),
        status=403,
        related=("403",),
    ),
    Explanation(
        key="rbac: access denied",
        aliases=("rbac access denied",),
        title="Istio `RBAC: access denied`: an AuthorizationPolicy refused the request",
        meaning=(
            "Istio (403): no policy allowed the request. With an APIRule v2 `jwt` rule this is "
            "also what a request WITHOUT a token gets, so it does not prove a token arrived."
        ),
        causes=(
            "No token, or the token in `Authorization` while the rule reads another header",
            "A missing scope or audience (`jwt.authorizations[]`)",
            "Path or method not covered by the rule",
        ),
        fix="Check that the token arrives where the rule reads it, then its scopes and audience.",
        next_steps=(PROBE, APIRULE, DECODE),
        status=403,
        related=("403", "jwt is missing", "insufficient_scope"),
    ),
)
