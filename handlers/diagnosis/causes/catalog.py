"""The candidate causes, in one place: their ids, words, remedies, predicates and what each one
explains (the root cause of which others), so ranking can put the root first."""

from __future__ import annotations

from handlers.diagnosis.causes.base import Cause
from handlers.diagnosis.causes.gateway import (
    authorization_stripped,
    aws_error,
    gateway_failed,
    login_redirect,
    rule_refused,
    scheme_demanded,
    wrong_credential,
)
from handlers.diagnosis.causes.hydra import (
    client_not_registered,
    hydra_not_ready,
    maester_wrong_endpoint,
    secret_drift,
    secret_plus_unencoded,
)
from handlers.diagnosis.causes.rule import (
    audience_missing,
    audience_not_whitelisted,
    introspection_url_wrong,
    issuer_mismatch,
    kid_not_in_jwks,
    scope_missing,
    token_wrong_place,
)
from handlers.diagnosis.causes.token import (
    clock_skew,
    no_token,
    not_a_jwt,
    refresh_token,
    signature_invalid,
    token_expired,
    token_inactive,
)
from handlers.hydra.oauth2client import REGISTRATION_REMEDY

CAUSES: tuple[Cause, ...] = (
    Cause(
        "maester_wrong_endpoint",
        "hydra-maester calls Hydra's v1 client path against Hydra v2, so clients are not "
        "registered",
        "Set hydra-maester's `--endpoint=/admin/clients`.",
        maester_wrong_endpoint,
        explains=("client_not_registered", "token_inactive", "token_expired"),
    ),
    Cause(
        "hydra_not_ready",
        "Hydra cannot reach its database",
        "Check Hydra's database and DSN Secret; `authcheck hydra` shows the readiness errors.",
        hydra_not_ready,
        explains=("client_not_registered", "token_inactive"),
    ),
    Cause(
        "client_not_registered",
        "The token's client is not registered in Hydra",
        REGISTRATION_REMEDY.format(ns="kyma-system"),
        client_not_registered,
        explains=("token_inactive",),
    ),
    Cause(
        "secret_drift",
        "The client's Secret was edited after registration: Hydra no longer accepts it",
        "Delete the Secret so hydra-maester registers new credentials, or restore the original.",
        secret_drift,
        explains=("token_expired", "token_inactive"),
    ),
    Cause(
        "secret_plus_unencoded",
        "The client secret contains characters that must be URL-encoded: callers sending it raw "
        "in Basic get 401 from Hydra",
        "URL-encode the id and secret before base64 (RFC 6749 §2.3.1; Spring Security 5.6+ does "
        "this), or send them in the POST body (`client_secret_post`), or regenerate the secret "
        "without `+`/`%`.",
        secret_plus_unencoded,
        explains=("token_expired", "token_inactive"),
    ),
    Cause(
        "refresh_token",
        "A refresh token is sent where an access token belongs",
        "Exchange it at the token endpoint (`grant_type=refresh_token`) and send the "
        "`access_token` from the answer.",
        refresh_token,
        explains=("not_a_jwt", "token_inactive", "scope_missing"),
    ),
    Cause(
        "clock_skew",
        "Clock skew: the issuer's and the gateway's clocks disagree",
        "Synchronise the clocks (NTP) of the issuer and of the servers that validate tokens.",
        clock_skew,
        explains=("token_expired",),
    ),
    Cause(
        "token_expired",
        "The token has expired",
        "Get a fresh token and make the caller refresh before `exp` (most clients refresh at "
        "80-90 % of `expires_in`).",
        token_expired,
        explains=("token_inactive",),
    ),
    Cause(
        "issuer_mismatch",
        "The token's issuer is not the one the APIRule trusts",
        "Make the rule's issuer exactly the token's `iss`, or use a token from that issuer.",
        issuer_mismatch,
    ),
    Cause(
        "kid_not_in_jwks",
        "The token's signing key (`kid`) is not in the JWKS: the keys were rotated",
        "Get a fresh token signed with the current key; if new tokens still carry the old "
        "`kid`, the issuer signs with a key its JWKS does not publish.",
        kid_not_in_jwks,
    ),
    Cause(
        "token_wrong_place",
        "The rule reads the token from another header or a query parameter",
        "Send the token where the rule reads it, or drop `fromHeaders`/`fromParams`.",
        token_wrong_place,
    ),
    Cause(
        "authorization_stripped",
        "The `Authorization` header does not reach the gatekeeper: a proxy strips it",
        "Make the proxy or ingress in front of the service forward `Authorization` "
        "(e.g. nginx `proxy_set_header Authorization $http_authorization`, no header "
        "allow-list that drops it).",
        authorization_stripped,
    ),
    Cause(
        "audience_not_whitelisted",
        "The token lacks the audience the rule requires, and the client may not request it",
        "Add the audience to the OAuth2Client's `spec.audience`, then request it.",
        audience_not_whitelisted,
    ),
    Cause(
        "audience_missing",
        "The token lacks the audience the rule requires",
        "Request the token with `audience=<the rule's audience>`.",
        audience_missing,
    ),
    Cause(
        "scope_missing",
        "The token lacks a scope the rule requires",
        "Request the token with the missing scope (the client must be allowed it).",
        scope_missing,
        explains=("token_inactive",),
    ),
    Cause(
        "not_a_jwt",
        "The rule needs a JWT, but the token is opaque",
        "Use a JWT access token (OAuth2Client `accessTokenStrategy: jwt`), or an introspecting "
        "rule.",
        not_a_jwt,
    ),
    Cause(
        "introspection_url_wrong",
        "Oathkeeper's introspection URL is wrong (a v1 path on Hydra v2?)",
        "Set the rule's `introspection_url` to `<hydra-admin>:4445/admin/oauth2/introspect`.",
        introspection_url_wrong,
    ),
    Cause(
        "token_inactive",
        "The authorization server says the token is not active (revoked, unknown, or from "
        "another instance)",
        "Get a fresh token from the issuer the gateway trusts.",
        token_inactive,
    ),
    Cause(
        "no_token",
        "No token was sent",
        "Send `Authorization: Bearer <token>`.",
        no_token,
    ),
    Cause(
        "signature_invalid",
        "The token's signature does not verify against the trusted keys",
        "Use an untouched token from the issuer whose keys the rule trusts; if new tokens fail "
        "too, the issuer signs with a key (or `alg`) its JWKS does not publish.",
        signature_invalid,
        explains=("token_inactive",),
    ),
    Cause(
        "wrong_credential",
        "The gateway reads another kind of credential (an API key, a subscription key)",
        "Send the credential the gateway reads.",
        wrong_credential,
        explains=("no_token", "token_inactive"),
    ),
    Cause(
        "scheme_demanded",
        "The server takes another authentication scheme than Bearer",
        "Send credentials in the scheme the server asks for.",
        scheme_demanded,
        explains=("no_token", "authorization_stripped", "wrong_credential"),
    ),
    Cause(
        "aws_error",
        "AWS names the cause",
        "Follow the AWS error code's remedy.",
        aws_error,
        explains=("no_token", "scheme_demanded"),
    ),
    Cause(
        "login_redirect",
        "The URL redirects to a login page: a browser route",
        "Call the API route that accepts Bearer tokens, not the browser route.",
        login_redirect,
    ),
    Cause(
        "rule_refused",
        "The token was authenticated, then refused by a rule (audience, claims, scope)",
        "Compare the token's audience, scopes and claims with what the API requires.",
        rule_refused,
        explains=("token_inactive",),
    ),
    Cause(
        "gateway_failed",
        "The gateway could not judge the token (its own failure)",
        "Fix the gateway's configuration; its logs say more.",
        gateway_failed,
        explains=("token_expired", "token_inactive"),
    ),
)
