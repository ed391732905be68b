"""OAuth error codes as `explain` topics (RFC 6749 §5.2, RFC 6750 §3.1): what the `error` a
token endpoint or resource server answered means, and what to run next.
"""

from __future__ import annotations

from handlers.meanings.explanation import (
    APIRULE,
    BINDING,
    CLIENT,
    DECODE,
    HEADER,
    HYDRA,
    INTROSPECT,
    PROBE,
    TOKEN,
    Explanation,
)

OAUTH_ERRORS: tuple[Explanation, ...] = (
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
        next_steps=(TOKEN + " (add `--audience A` to test an audience)", CLIENT, HEADER),
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
        next_steps=(DECODE, INTROSPECT, PROBE),
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
            DECODE,
            CLIENT,
            "`token <issuer> --client-id <id> --client-secret <secret> --scope <S>`",
            APIRULE,
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
        next_steps=(TOKEN, CLIENT, BINDING, HYDRA),
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
        next_steps=(TOKEN + " (proves the client itself works)", DECODE),
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
        next_steps=(CLIENT, TOKEN),
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
        next_steps=(CLIENT, TOKEN + " --scope <S>"),
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
        next_steps=(TOKEN,),
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
        next_steps=(DECODE + " (once a token is issued)",),
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
        next_steps=(BINDING, TOKEN),
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
        next_steps=(BINDING,),
        status=401,
        related=("unauthorized",),
    ),
)
