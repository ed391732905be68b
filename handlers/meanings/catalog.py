"""What a status code, an OAuth error code or a gateway's error text means, and what to run next.

Responders paste whatever they have: `401`, `HTTP/1.1 403 Forbidden`, a JSON error body, Envoy's
`Jwt is expired`. The knowledge lives here as data (one `Explanation` per topic, matched by its
aliases) so that adding a topic never means adding a code branch, and a test can walk every entry.
The remedies are written from the runbooks this product automates (Kyma APIRule + Hydra, generic
cloud APIs, XSUAA token retrieval) and from the upstream behaviour recorded in DOMAIN.md.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from handlers.gateways import catalog as gateways


@dataclass(frozen=True)
class Explanation:
    """One topic: the names it is known by, what it means, why it happens, what to run next."""

    key: str
    aliases: tuple[str, ...]
    title: str
    meaning: str
    causes: tuple[str, ...]
    fix: str
    next_steps: tuple[str, ...]
    #: The HTTP status this usually arrives with; None when it varies.
    status: int | None = None
    related: tuple[str, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        return (self.key, *self.aliases)


_DIAGNOSE = "`diagnose <url> --token <token>` runs every relevant check at once"
_PROBE = "`probe <url> --token <token>` shows who answered (Istio, Oathkeeper, the app)"
_DECODE = "`decode <token>` shows `iss`, `aud`, scopes, `kid`, expiry and clock skew"
_INTROSPECT = "`introspect <token>` asks the issuer whether the token is active"
_TOKEN = (
    "`token <issuer-or-token-url> --client-id <id> --client-secret <secret>` "
    "requests a token and explains a refusal"
)
_CLIENT = "`client <namespace>/<name>` compares the OAuth2Client, its Secret and Hydra's copy"
_APIRULE = "`apirule <namespace>/<name> --token <token>` says whether the rule lets it in"
_BINDING = "`binding <namespace>/<secret>` checks an XSUAA binding and makes a live token call"
_HEADER = '`header "<Authorization value>"` lints the header\'s scheme and shape'
_HYDRA = "`hydra` checks Hydra and hydra-maester health and admin paths"


EXPLANATIONS: tuple[Explanation, ...] = (
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
        next_steps=(_DIAGNOSE, _PROBE, _DECODE, _INTROSPECT, _TOKEN),
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
        next_steps=(_PROBE, _APIRULE, _DECODE, _DIAGNOSE),
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
        next_steps=("`explain <error code>` for the code in the body", _HEADER, _TOKEN),
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
        next_steps=(_PROBE, _HYDRA),
        status=500,
        related=("oathkeeper 500",),
    ),
    # RFC 6749 / RFC 6750 error codes.
    Explanation(
        key="invalid_request",
        aliases=("invalid request",),
        title="`invalid_request`: a parameter is missing, repeated or malformed",
        meaning=(
            "At a token endpoint (RFC 6749 §5.2, status 400): the request breaks the protocol's "
            "form. At a protected resource (RFC 6750 §3.1, status 400, in `WWW-Authenticate: "
            'Bearer error="invalid_request"`): the token was sent in a malformed way.'
        ),
        causes=(
            "Missing `grant_type`, or the body sent as JSON instead of form-encoded",
            "Hydra: `audience` asks for a value not whitelisted on the client",
            "Hydra: a stray `%` in Basic credentials (Hydra URL-decodes them)",
            "The token sent twice (header and body or query), or a broken `Authorization` line",
        ),
        fix=(
            "Send a form-encoded body, request only audiences the client lists, and URL-encode "
            "id and secret before base64 for Basic auth."
        ),
        next_steps=(_TOKEN + " (add `--audience A` to test an audience)", _CLIENT, _HEADER),
        status=400,
        related=("400", "invalid_client"),
    ),
    Explanation(
        key="invalid_token",
        aliases=("invalid token",),
        title="`invalid_token`: the resource server rejected the token itself",
        meaning=(
            "RFC 6750 §3.1, status 401: the token is expired, revoked, malformed, or not meant "
            "for this server. Envoy/Istio put this code in `WWW-Authenticate` for every JWT "
            "failure; the response body (for example `Jwt is expired`) says which one."
        ),
        causes=(
            "Expired token, or clock skew between issuer and gateway",
            "Issuer, audience or signing key not trusted here (another environment, key rotation)",
            "A truncated or quoted token, or a refresh token sent instead of an access token",
            "Revoked token (introspection answers `active:false`)",
        ),
        fix="Get a fresh token from the issuer the gateway trusts and compare its claims.",
        next_steps=(_DECODE, _INTROSPECT, _PROBE),
        status=401,
        related=("401", "jwt is expired", "jwt verification fails"),
    ),
    Explanation(
        key="insufficient_scope",
        aliases=("insufficient scope",),
        title="`insufficient_scope`: valid token, missing scope",
        meaning=(
            "RFC 6750 §3.1, status 403: the token is accepted but lacks a scope this resource "
            "requires; the `scope=` attribute of `WWW-Authenticate` may name it. Note that a "
            "missing scope behind Oathkeeper shows up as 401 instead."
        ),
        causes=(
            "The token was requested without `scope`, or with another one",
            "The client is not allowed that scope, so the issuer left it out",
            "The rule requires a scope under a different name (`read` vs `api.read`)",
        ),
        fix="Allow the scope on the client, request it explicitly, and match the rule's spelling.",
        next_steps=(
            _DECODE,
            _CLIENT,
            "`token <issuer> --client-id <id> --client-secret <secret> --scope <S>`",
            _APIRULE,
        ),
        status=403,
        related=("403", "invalid_scope"),
    ),
    Explanation(
        key="invalid_client",
        aliases=(
            "invalid client",
            "client authentication failed",
            "client with requested id does not exist",
        ),
        title="`invalid_client`: the token endpoint did not accept the client's credentials",
        meaning=(
            "RFC 6749 §5.2, usually 401: the client id is unknown, the secret is wrong, or the "
            "client authenticated in a way it is not registered for. Hydra adds no "
            "`WWW-Authenticate`; newer UAA uses this code where older UAA said `unauthorized`."
        ),
        causes=(
            "The secret carries a trailing newline (base64 made with `echo` without `-n`, a YAML "
            "`|` block)",
            "Special characters: Hydra URL-decodes Basic credentials (`+` becomes a space), UAA "
            "does not unless `X-CF-ENCODED-CREDENTIALS: true`",
            "`token_endpoint_auth_method` mismatch: registered for `client_secret_post`, "
            "sent as `client_secret_basic` (or the reverse)",
            "The Kubernetes Secret was edited after registration, so Hydra still has the old one",
            "The client was never registered: hydra-maester failed, or reads the wrong keys "
            "(`CLIENT_ID` vs `client_id`)",
            "XSUAA: the binding or service key was deleted, or an empty secret (`Missing "
            "credentials`)",
        ),
        fix=(
            "Compare the secret the caller sends with the one the server holds (by fingerprint), "
            "then the auth method and the registration itself."
        ),
        next_steps=(_TOKEN, _CLIENT, _BINDING, _HYDRA),
        status=401,
        related=("unauthorized", "unauthorized_client"),
    ),
    Explanation(
        key="invalid_grant",
        aliases=("invalid grant",),
        title="`invalid_grant`: the grant presented is not valid (any more)",
        meaning=(
            "RFC 6749 §5.2, status 400: the authorization code, refresh token or user "
            "credentials in the request are invalid, expired, revoked, already used, or were "
            "issued to another client."
        ),
        causes=(
            "An authorization code used twice, or after it expired",
            "A refresh token that was revoked, rotated away or issued to another client",
            "`redirect_uri` differs from the one used in the authorization request",
            "Password grant: wrong user name or password",
        ),
        fix=(
            "Start the flow again for a fresh grant. If `client_credentials` works for the same "
            "client, the client is fine and the grant is the problem."
        ),
        next_steps=(_TOKEN + " (proves the client itself works)", _DECODE),
        status=400,
        related=("invalid_client", "unauthorized"),
    ),
    Explanation(
        key="unauthorized_client",
        aliases=("unauthorized client",),
        title="`unauthorized_client`: this client may not use this grant type",
        meaning=(
            "RFC 6749 §5.2: the client authenticated, but it is not registered for the "
            "`grant_type` it asked for."
        ),
        causes=(
            "The OAuth2Client's `grantTypes` does not include the grant (e.g. "
            "`client_credentials`)",
            "XSUAA: the grant is not enabled for the application in `xs-security.json`",
        ),
        fix="Add the grant type to the client's registration and let it reconcile.",
        next_steps=(_CLIENT, _TOKEN),
        status=400,
        related=("invalid_client", "unsupported_grant_type"),
    ),
    Explanation(
        key="invalid_scope",
        aliases=("invalid scope",),
        title="`invalid_scope`: the requested scope is unknown or not allowed for the client",
        meaning="RFC 6749 §5.2, status 400 (Hydra): the client asked for a scope it may not have.",
        causes=(
            "The scope is not in the client's registered `scope` list",
            "A typo, or scopes separated by commas instead of spaces",
        ),
        fix="Register the scope on the client (space separated) or stop requesting it.",
        next_steps=(_CLIENT, _TOKEN + " --scope <S>"),
        status=400,
        related=("insufficient_scope", "400"),
    ),
    Explanation(
        key="unsupported_grant_type",
        aliases=("unsupported grant type",),
        title="`unsupported_grant_type`: the server does not do that grant",
        meaning="RFC 6749 §5.2, status 400: the authorization server does not know `grant_type`.",
        causes=(
            "A typo in `grant_type` (`client_credential`, `clientcredentials`)",
            "The server does not implement it (Hydra has no password grant)",
        ),
        fix="Use a grant type the server lists in its discovery document.",
        next_steps=(_TOKEN,),
        status=400,
        related=("unauthorized_client",),
    ),
    Explanation(
        key="access_denied",
        aliases=("access denied",),
        title="`access_denied`: the user or the authorization server said no",
        meaning=(
            "RFC 6749 §4.1.2.1: returned to the redirect URI of a browser flow when the user "
            "declined consent or a policy of the authorization server refused the request."
        ),
        causes=(
            "The user clicked deny, or the consent app rejected the request",
            "The user is not assigned to the application or role",
        ),
        fix="Check the user's assignment and the consent step; this is not a token problem.",
        next_steps=(_DECODE + " (once a token is issued)",),
        related=("403", "rbac: access denied"),
    ),
    Explanation(
        key="unauthorized",
        aliases=("bad credentials", "missing credentials", "name or password mismatch"),
        title="UAA/XSUAA `unauthorized`: client or user credentials rejected",
        meaning=(
            "Cloud Foundry UAA (and XSUAA) answer 401 with `error: unauthorized` and "
            '`WWW-Authenticate: Basic realm="UAA/client"`. `Bad credentials` is a wrong client '
            "secret (or, in a password grant, a wrong user password); `Missing credentials` is "
            "an empty secret; `Name or password mismatch` is the user. For the HTTP status "
            "itself, see `explain 401`."
        ),
        causes=(
            "Wrong or outdated client secret; the binding or service key no longer exists",
            "A secret with `+` sent in the Basic header without URL-encoding plus "
            "`X-CF-ENCODED-CREDENTIALS: true` (or Spring 5.6+ URL-encoding it without that "
            "header)",
            "The credential type in use (`binding-secret`, `instance-secret`, `x509`) is not "
            "allowed by the instance's `credential-types`",
            "Password grant: wrong user or password, or a Universal ID user without a separate "
            "SAP ID service password",
        ),
        fix=(
            "Try `client_credentials` first: if it fails, fix the client (secret, encoding, "
            "credential type); if it works, the user credentials are the problem. Send secrets "
            "containing `+` in the POST body."
        ),
        next_steps=(_BINDING, _TOKEN),
        status=401,
        related=("invalid_client", "login_hint"),
    ),
    Explanation(
        key="login_hint",
        aliases=(
            "origin provided in login_hint",
            "does not match an active identity provider",
        ),
        title="XSUAA `login_hint`: no identity provider there supports the password grant",
        meaning=(
            "The `origin` in `login_hint` names no active identity provider that can do the "
            "resource-owner password grant."
        ),
        causes=(
            "The IdP is SAML: the password grant only works with OpenID Connect IdPs",
            "A wrong origin key (use `sap.default` or `sap.custom`; see Trust Configuration)",
        ),
        fix='Use an OIDC IdP\'s origin key, URL-encoded as JSON: `{"origin":"sap.custom"}`.',
        next_steps=(_BINDING,),
        status=401,
        related=("unauthorized",),
    ),
    # Envoy jwt_authn / Istio texts.
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
        next_steps=(_DECODE, _TOKEN),
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
        next_steps=(_DECODE, _APIRULE),
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
        next_steps=(_DECODE, _APIRULE),
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
        next_steps=(_DECODE, _APIRULE),
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
        next_steps=(_DECODE,),
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
        next_steps=(_HEADER, _PROBE, _APIRULE),
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
        next_steps=(_DECODE, _CLIENT, _APIRULE),
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
        next_steps=(_PROBE, _APIRULE, _DECODE),
        status=403,
        related=("403", "jwt is missing", "insufficient_scope"),
    ),
    # Ory Oathkeeper error bodies: {"error":{"code":401,"status":"Unauthorized","message":...}}.
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
        next_steps=(_INTROSPECT, _DECODE, _APIRULE, _CLIENT),
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
        next_steps=(_DECODE, _APIRULE),
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
        next_steps=(_HYDRA, _INTROSPECT + " --url <introspection url>", _PROBE),
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
        next_steps=(_APIRULE,),
        status=404,
    ),
    # AWS Signature Version 4.
    Explanation(
        key="signaturedoesnotmatch",
        aliases=("signature does not match", "the request signature we calculated"),
        title="AWS `SignatureDoesNotMatch`: the SigV4 signature differs from AWS's",
        meaning=(
            "AWS (403) recomputed the signature and got another one: either the secret key is "
            "wrong or the request that arrived differs from the one that was signed."
        ),
        causes=(
            "The secret access key does not belong to the access key id, or has whitespace",
            "A proxy changed headers, path or query after signing",
            "Wrong region or service in the credential scope, or path/query encoded differently",
        ),
        fix="Re-check the key pair and sign the exact request that is sent.",
        next_steps=(_HEADER, _PROBE),
        status=403,
        related=("requesttimetooskewed", "invalidaccesskeyid"),
    ),
    Explanation(
        key="requesttimetooskewed",
        aliases=("request time too skewed",),
        title="AWS `RequestTimeTooSkewed`: the client's clock is too far off",
        meaning="AWS (403): the request's time differs from AWS's by more than 15 minutes.",
        causes=("No NTP on the client, a paused VM or container, a wrong time zone setting",),
        fix="Synchronise the client's clock; compare it with the `Date` header of a response.",
        next_steps=(_PROBE,),
        status=403,
        related=("signaturedoesnotmatch",),
    ),
    Explanation(
        key="invalidaccesskeyid",
        aliases=("invalid access key id",),
        title="AWS `InvalidAccessKeyId`: AWS does not know this access key id",
        meaning="AWS (403): the access key id does not exist in this account or partition.",
        causes=(
            "The key was deleted or rotated",
            "Temporary credentials (`ASIA…`) sent without their session token",
            "A key from another account or partition (China, GovCloud)",
        ),
        fix="Use a current key of the right account, with its session token if temporary.",
        next_steps=(_HEADER, _PROBE),
        status=403,
        related=("signaturedoesnotmatch",),
    ),
)


#: Shown when a topic is unknown: a handful that covers the common cases.
SUGGESTED = (
    "401",
    "403",
    "invalid_client",
    "invalid_token",
    "Jwt is expired",
    "RBAC: access denied",
)

_TYPOGRAPHY = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "`": " "})
_SPACES = re.compile(r"\s+")
_EDGES = " \"'"


def normalise_topic(text: str) -> str:
    """Lower case, straight quotes, single spaces, no surrounding quotes."""
    text = _SPACES.sub(" ", text.translate(_TYPOGRAPHY).lower()).strip()
    return text.strip(_EDGES).strip()


def _gateway_entry(sig: gateways.Signature) -> Explanation:
    """An entry made from the shared gateway table, so `explain` knows every gateway wording
    `probe` and `diagnose` recognise, in the same words."""
    wants = f" It reads {sig.wants}, not a Bearer token." if sig.wants else ""
    return Explanation(
        key=sig.key,
        # A wording another entry already answers to (`403 Forbidden`) stays that entry's.
        aliases=tuple(
            a for a in (sig.text, *sig.aliases) if normalise_topic(a) not in _KNOWN_NAMES
        ),
        title=f"{sig.product}: `{sig.text}`",
        meaning=f"{sig.meaning[0].upper()}{sig.meaning[1:]}.{wants} (Source: {sig.source}.)",
        causes=sig.causes or (sig.meaning,),
        fix=sig.remedy,
        next_steps=(_PROBE, _DIAGNOSE, _DECODE),
        status=sig.status,
    )


_KNOWN_KEYS = {e.key for e in EXPLANATIONS}
_KNOWN_NAMES = {normalise_topic(n) for e in EXPLANATIONS for n in e.names}
#: The gateway table's wordings `explain` did not have an entry for yet.
GATEWAY_EXPLANATIONS = tuple(
    _gateway_entry(sig)
    for sig in gateways.SIGNATURES
    if sig.key not in _KNOWN_KEYS and not sig.needs_header
)
#: `{"message":"Unauthorized"}` alone: Kong and AWS API Gateway both answer it.
AMBIGUOUS_GATEWAY = Explanation(
    key="gateway unauthorized",
    aliases=(),
    title='`{"message":"Unauthorized"}`: an API gateway (Kong or AWS API Gateway) refused',
    meaning=(
        "Both Kong's authentication plugins and AWS API Gateway's authorizers answer 401 with "
        "exactly this body and say no more: the credential was missing, or was not accepted. "
        "Headers tell them apart: `x-amzn-ErrorType`/`x-amzn-RequestId` is AWS, "
        "`Server: kong`/`Via: kong` is Kong."
    ),
    causes=tuple(s.meaning for s in gateways.SIGNATURES if s.text == "Unauthorized"),
    fix="Probe the URL: the headers say which gateway it is and the verdict follows.",
    next_steps=(_PROBE, _DIAGNOSE, _DECODE),
    status=401,
)
EXPLANATIONS = (*EXPLANATIONS, *GATEWAY_EXPLANATIONS, AMBIGUOUS_GATEWAY)


def _index() -> dict[str, Explanation]:
    names: dict[str, Explanation] = {}
    for entry in EXPLANATIONS:
        for name in entry.names:
            names.setdefault(normalise_topic(name), entry)
    return names


_BY_NAME = _index()
_PATTERNS = tuple(
    (name, re.compile(r"(?<![a-z0-9_])" + re.escape(name) + r"(?![a-z0-9_])"))
    for name in sorted(_BY_NAME, key=len, reverse=True)
)


def _from_json(text: str) -> Explanation | None:
    """A pasted error body: OAuth's `{"error": "code"}` or Oathkeeper's `{"error": {"code": N}}`."""
    try:
        data: Any = json.loads(text)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    error = data.get("error")
    if isinstance(error, str):
        return _BY_NAME.get(normalise_topic(error))
    if isinstance(error, dict) and isinstance(error.get("code"), int | str):
        return _BY_NAME.get(f"oathkeeper {error['code']}") or _BY_NAME.get(str(error["code"]))
    return None


def _gateway_body(text: str) -> Explanation | None:
    """A gateway's error body (Kong, AWS, Apigee, Azure APIM, ESP): the shared table decides."""
    sig = gateways.in_text(text)
    if sig is not None:
        return _BY_NAME.get(normalise_topic(sig.key))
    try:
        data: Any = json.loads(text)
    except ValueError:
        return None
    if isinstance(data, dict) and str(data.get("message", "")).strip().lower() == "unauthorized":
        return AMBIGUOUS_GATEWAY
    return None


def lookup(topic: str) -> Explanation | None:
    """The entry for `topic`: an exact name, a JSON error body, else the longest name inside it."""
    wanted = normalise_topic(topic)
    if not wanted:
        return None
    if wanted in _BY_NAME:
        return _BY_NAME[wanted]
    found = _gateway_body(topic.strip().strip("`'"))
    if found is not None:
        return found
    if wanted.startswith("{"):
        found = _from_json(topic.strip().strip("`'"))
        if found is not None:
            return found
    for name, pattern in _PATTERNS:
        if pattern.search(wanted):
            return _BY_NAME[name]
    return None
