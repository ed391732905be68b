"""The one table of gateway signatures: who refused a request, in their own words, and what
that says about the credentials.

`probe` and `diagnose` (through `handlers.gateways.answerer.identify`), `explain` (through
`handlers.meanings.catalog`) and the paste parser (`handlers.paste`) all read this table, so a
gateway's wording is learnt once and understood everywhere. Each entry states what the gateway's
words prove (`Says`): that no credential arrived, that one arrived and was refused as identity,
that an authenticated caller was refused by a rule, that the gateway hides the reason, or that the
gateway itself failed. That distinction is what verdicts are built on: "no token arrived" while a
token was sent means the header was stripped (or the gateway wants another kind of credential),
which no amount of fresh tokens fixes.

The bytes are the real products' (`source` says where each was taken from). Envoy's jwt_authn
texts and Oathkeeper's are parsed structurally in `answerer`; their meanings live here too.
"""

from __future__ import annotations

import enum
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


class Says(enum.StrEnum):
    """What a gateway's answer proves about the credentials."""

    #: No credential of the kind it reads arrived.
    NO_CREDENTIALS = "no_credentials"
    #: A credential arrived and was refused as proof of identity (expired, forged, unknown).
    REJECTED = "rejected"
    #: Missing or refused: the gateway uses one answer for both.
    MISSING_OR_REJECTED = "missing_or_rejected"
    #: The caller is authenticated; a rule (audience, scope, product, policy) refused it.
    FORBIDDEN = "forbidden"
    #: The gateway hides the reason (another service decided).
    HIDDEN = "hidden"
    #: The gateway itself failed to decide (cannot fetch keys, misconfigured).
    FAILED = "failed"


@dataclass(frozen=True)
class Signature:
    """One recognisable answer of one product."""

    key: str
    product: str
    #: The verbatim text (compared case-insensitively with the message the answer carries).
    text: str
    says: Says
    meaning: str
    remedy: str
    causes: tuple[str, ...] = ()
    #: The status it usually comes with (None: varies).
    status: int | None = None
    #: Where the bytes were taken from.
    source: str = ""
    #: The credential the gateway reads, when it is not an OAuth Bearer token.
    wants: str | None = None
    #: A `diagnose` cause id the words name directly (`token_expired`, `scope_missing`, ...).
    cause: str | None = None
    #: How the message is matched: "exact" (whole message), "prefix" or "contains".
    match: str = "exact"
    #: Extra aliases `explain` accepts.
    aliases: tuple[str, ...] = ()
    #: When set, the answer must carry one of these headers (lower case) to be this product.
    needs_header: tuple[str, ...] = ()

    def fits(self, message: str) -> bool:
        said = _norm(message)
        mine = _norm(self.text)
        if self.match == "prefix":
            return said.startswith(mine)
        if self.match == "contains":
            return mine in said
        return said == mine


def _norm(text: str) -> str:
    return " ".join(text.lower().split()).rstrip(".")


_KONG = "Kong Gateway"
_AWS = "AWS API Gateway"
_APIGEE = "Apigee"
_APIM = "Azure API Management"
_ESP = "Google Cloud Endpoints (ESP)"
_NGINX = "nginx"
_TRAEFIK = "Traefik"
_ENVOY = "Istio/Envoy JWT authentication"

KONG_SRC = "Kong/kong kong/plugins/key-auth/handler.lua, kong/plugins/jwt/handler.lua (3.x)"
AWS_SRC = (
    "AWS API Gateway gateway responses UNAUTHORIZED / ACCESS_DENIED / MISSING_AUTHENTICATION_TOKEN "
    '(default bodies `{"message":…}` plus `x-amzn-ErrorType`)'
)
APIGEE_SRC = "Apigee OAuthV2 / VerifyAPIKey / VerifyJWT policy error references"
APIM_SRC = "Azure API Management gateway (subscription keys, validate-jwt policy)"
ESP_SRC = "cloudendpoints/esp issues #303, #310, #832 (bodies quoted verbatim)"
NGINX_SRC = "nginx 1.22 ngx_http_special_response.c pages; real nginx in tests/fakes/nginx.py"
ENVOY_SRC = "envoyproxy/envoy jwt_authn + jwt_verify_lib status.cc strings"

_NEW_TOKEN = (
    "Get a fresh token from the issuer the gateway trusts; `/authcheck decode <token>` shows "
    "`exp`, `iss`, `aud`."
)

SIGNATURES: tuple[Signature, ...] = (
    # -- Envoy jwt_authn (Istio RequestAuthentication / APIRule v2 jwt) --------------------------
    Signature(
        "jwt is expired",
        _ENVOY,
        "Jwt is expired",
        Says.REJECTED,
        "the JWT's `exp` has passed (by the gateway's clock)",
        _NEW_TOKEN,
        status=401,
        source=ENVOY_SRC,
        cause="token_expired",
    ),
    Signature(
        "jwt verification fails",
        _ENVOY,
        "Jwt verification fails",
        Says.REJECTED,
        "the signature does not verify against the issuer's JWKS (wrong issuer's key, a "
        "re-signed or corrupted token)",
        "Use an untouched token from the issuer whose JWKS the rule points at.",
        status=401,
        source=ENVOY_SRC,
    ),
    Signature(
        "jwt issuer is not configured",
        _ENVOY,
        "Jwt issuer is not configured",
        Says.REJECTED,
        "the token's `iss` matches no `issuer` in the RequestAuthentication / APIRule "
        "(compared exactly: mind a trailing `/`)",
        "Copy `iss` from the token into the rule byte for byte.",
        status=401,
        source=ENVOY_SRC,
        cause="issuer_mismatch",
    ),
    Signature(
        "jwks doesn't have key to match kid or alg from jwt",
        _ENVOY,
        "Jwks doesn't have key to match kid or alg from Jwt",
        Says.REJECTED,
        "the token's `kid` is not in the JWKS Istio has cached (key rotation: Istio caches JWKS "
        "for about 20 min)",
        "Compare the token's `kid` with the JWKS behind the rule.",
        status=401,
        source=ENVOY_SRC,
        cause="kid_not_in_jwks",
    ),
    Signature(
        "jwt not yet valid",
        _ENVOY,
        "Jwt not yet valid",
        Says.REJECTED,
        "the token's `nbf`/`iat` is in the future by the gateway's clock",
        "Synchronise the issuer's and the gateway's clocks (NTP).",
        status=401,
        source=ENVOY_SRC,
        cause="clock_skew",
    ),
    Signature(
        "jwt is missing",
        _ENVOY,
        "Jwt is missing",
        Says.NO_CREDENTIALS,
        "no token where the rule expects one",
        "Send the token where the rule reads it, and check nothing in between drops it.",
        status=401,
        source=ENVOY_SRC,
    ),
    Signature(
        "audiences in jwt are not allowed",
        _ENVOY,
        "Audiences in Jwt are not allowed",
        Says.FORBIDDEN,
        "the token's `aud` is not among the allowed audiences",
        "Request the audience the rule expects and whitelist it on the client.",
        status=403,
        source=ENVOY_SRC,
        cause="audience_missing",
    ),
    # -- nginx -------------------------------------------------------------------------------------
    Signature(
        "nginx 401 authorization required",
        "nginx (auth_request)",
        "401 Authorization Required",
        Says.HIDDEN,
        "nginx answered with its own 401 page: an `auth_request` sub-request (or `auth_basic`) "
        "refused, and nginx never says why — the auth service behind it decided",
        "Look at what the auth service (the `auth_request` target) logs for this request; check "
        "the token itself with `/authcheck decode` and `/authcheck introspect`.",
        causes=(
            "The auth service refused the token (expired, wrong issuer or audience)",
            "No token reached the auth service (the `auth_request` location does not pass "
            "`Authorization`)",
        ),
        status=401,
        source=NGINX_SRC,
        aliases=("401 authorization required nginx",),
    ),
    Signature(
        "nginx 403 forbidden",
        "nginx (auth_request)",
        "403 Forbidden",
        Says.FORBIDDEN,
        "nginx answered with its own 403 page: the `auth_request` service answered 403 (the "
        "caller is known but not allowed), or an `allow`/`deny` rule matched",
        "Check what the auth service requires (scopes, groups, audience) for this path.",
        status=403,
        source=NGINX_SRC,
    ),
    # -- Kong --------------------------------------------------------------------------------------
    Signature(
        "kong no api key found in request",
        _KONG,
        "No API key found in request",
        Says.NO_CREDENTIALS,
        "Kong's key-auth plugin found no API key in the headers or query parameters it reads "
        "(`apikey` by default): it does not read `Authorization: Bearer`",
        "Send the consumer's API key in the header or query parameter the key-auth plugin reads "
        "(`key_names`, default `apikey`), not as a Bearer token.",
        status=401,
        source=KONG_SRC,
        wants="an API key (Kong key-auth, header `apikey`)",
    ),
    Signature(
        "kong invalid authentication credentials",
        _KONG,
        "Invalid authentication credentials",
        Says.REJECTED,
        "Kong knows no consumer credential with this key (deleted, expired `ttl`, another "
        "workspace)",
        "Use a key of an existing Kong consumer (`GET /consumers/<c>/key-auth` on the admin API).",
        status=401,
        source=KONG_SRC,
        wants="an API key (Kong key-auth)",
    ),
    Signature(
        "kong you cannot consume this service",
        _KONG,
        "You cannot consume this service",
        Says.FORBIDDEN,
        "Kong's ACL plugin: the consumer is authenticated but not in an allowed group",
        "Add the consumer to a group the route's ACL plugin allows.",
        status=403,
        source="Kong/kong kong/plugins/acl/handler.lua",
    ),
    Signature(
        "kong unauthorized",
        _KONG,
        "Unauthorized",
        Says.MISSING_OR_REJECTED,
        "a Kong authentication plugin (jwt, oauth2, openid-connect) refused: no credential it "
        "reads, or one it does not accept — Kong does not say which",
        "Check the token's `iss` (Kong's jwt plugin looks the consumer up by it) and signature; "
        "send it as the plugin expects (`Authorization: Bearer`, or `?jwt=`).",
        status=401,
        source=KONG_SRC,
        needs_header=("x-kong-response-latency", "via:kong", "server:kong"),
    ),
    # -- AWS API Gateway ---------------------------------------------------------------------------
    Signature(
        "aws api gateway unauthorized",
        _AWS,
        "Unauthorized",
        Says.MISSING_OR_REJECTED,
        "an API Gateway authorizer (Lambda, Cognito or JWT) refused: the identity source "
        "(usually `Authorization`) is missing, fails the token validation regex, or the "
        "authorizer said Unauthorized — API Gateway does not say which",
        "Send the header the authorizer's identity source names; for a Cognito or JWT "
        "authorizer, an unexpired token from its user pool/issuer with the configured audience.",
        status=401,
        source=AWS_SRC,
        needs_header=("x-amzn-errortype", "x-amzn-requestid", "apigw-requestid"),
    ),
    Signature(
        "aws api gateway explicit deny",
        _AWS,
        "User is not authorized to access this resource with an explicit deny",
        Says.FORBIDDEN,
        "the Lambda authorizer returned a policy that denies this method ARN (the identity was "
        "established; the policy said no)",
        "Check the authorizer's policy for this method ARN; a cached policy (TTL 300 s by "
        "default) built for another path can deny this one.",
        status=403,
        source=AWS_SRC,
    ),
    Signature(
        "aws api gateway not authorized",
        _AWS,
        "User is not authorized to access this resource",
        Says.FORBIDDEN,
        "the authorizer's (possibly cached) policy does not allow this method ARN",
        "Make the policy cover `arn:aws:execute-api:…/*` or disable authorizer caching.",
        status=403,
        source=AWS_SRC,
    ),
    Signature(
        "aws api gateway incoming token has expired",
        _AWS,
        "The incoming token has expired",
        Says.REJECTED,
        "the Cognito authorizer says the token's `exp` has passed",
        _NEW_TOKEN,
        status=401,
        source=AWS_SRC,
        cause="token_expired",
    ),
    Signature(
        "aws api gateway forbidden",
        _AWS,
        "Forbidden",
        Says.MISSING_OR_REJECTED,
        "API Gateway refused before any authorizer: the method requires an API key "
        "(`x-api-key`) that is missing or unknown, or a resource policy / WAF denies the caller",
        "Send a valid API key in `x-api-key` (of a usage plan tied to this stage), or check the "
        "resource policy.",
        status=403,
        source=AWS_SRC,
        needs_header=("x-amzn-errortype", "x-amzn-requestid", "apigw-requestid"),
        wants="an API key (header `x-api-key`)",
    ),
    # -- Apigee (matched on `fault.detail.errorcode`, else on `faultstring`) -----------------------
    Signature(
        "apigee invalid access token",
        _APIGEE,
        "oauth.v2.InvalidAccessToken",
        Says.MISSING_OR_REJECTED,
        "Apigee's VerifyAccessToken found no valid access token (none in `Authorization: "
        "Bearer`, or one Apigee did not issue, revoked or expired)",
        "Send an access token Apigee itself issued (its OAuthV2 GenerateAccessToken); tokens of "
        "other issuers need VerifyJWT instead.",
        status=401,
        source=APIGEE_SRC,
        aliases=("invalid access token",),
    ),
    Signature(
        "apigee access token expired",
        _APIGEE,
        "keymanagement.service.access_token_expired",
        Says.REJECTED,
        "Apigee says the access token has expired",
        _NEW_TOKEN,
        status=401,
        source=APIGEE_SRC,
        cause="token_expired",
        aliases=("access token expired",),
    ),
    Signature(
        "apigee insufficient scope",
        _APIGEE,
        "steps.oauth.v2.InsufficientScope",
        Says.FORBIDDEN,
        "the token is valid but lacks a scope the proxy's VerifyAccessToken `<Scope>` requires",
        "Request the token with the scope the faultstring names.",
        status=403,
        source=APIGEE_SRC,
        cause="scope_missing",
        aliases=("oauth.v2.insufficientscope",),
    ),
    Signature(
        "apigee failed to resolve api key",
        _APIGEE,
        "steps.oauth.v2.FailedToResolveAPIKey",
        Says.NO_CREDENTIALS,
        "Apigee's VerifyAPIKey found no API key where the policy reads it (a query parameter or "
        "header named in `<APIKey ref=…>`)",
        "Send the app's consumer key where the policy reads it (often `?apikey=` or `x-apikey`).",
        status=401,
        source=APIGEE_SRC,
        wants="an API key (Apigee VerifyAPIKey)",
        aliases=("failed to resolve api key variable",),
    ),
    Signature(
        "apigee invalid api key",
        _APIGEE,
        "oauth.v2.InvalidApiKey",
        Says.REJECTED,
        "Apigee knows no app with this consumer key",
        "Use the consumer key of an approved app of this organisation.",
        status=401,
        source=APIGEE_SRC,
        wants="an API key (Apigee VerifyAPIKey)",
        aliases=("invalid apikey",),
    ),
    Signature(
        "apigee no api product match",
        _APIGEE,
        "keymanagement.service.InvalidAPICallAsNoApiProductMatchFound",
        Says.FORBIDDEN,
        "the key or token is valid, but none of the app's API products covers this proxy, "
        "path and environment",
        "Add this proxy/path/environment to an API product the app subscribes to.",
        status=401,
        source=APIGEE_SRC,
        aliases=("invalid api call as no apiproduct match found",),
    ),
    Signature(
        "apigee jwt expired",
        _APIGEE,
        "steps.jwt.TokenExpired",
        Says.REJECTED,
        "Apigee's VerifyJWT says the token's `exp` has passed",
        _NEW_TOKEN,
        status=401,
        source=APIGEE_SRC,
        cause="token_expired",
    ),
    # -- Azure API Management ----------------------------------------------------------------------
    Signature(
        "apim missing subscription key",
        _APIM,
        "Access denied due to missing subscription key",
        Says.NO_CREDENTIALS,
        "Azure API Management requires a subscription key (header `Ocp-Apim-Subscription-Key` "
        "or query `subscription-key`) and none arrived; a Bearer token does not replace it",
        "Send the product subscription's key in `Ocp-Apim-Subscription-Key` (besides the token, "
        "if the API also validates JWTs), or turn off 'Subscription required' for the API.",
        status=401,
        source=APIM_SRC,
        wants="a subscription key (header `Ocp-Apim-Subscription-Key`)",
        match="prefix",
    ),
    Signature(
        "apim invalid subscription key",
        _APIM,
        "Access denied due to invalid subscription key",
        Says.REJECTED,
        "the subscription key is unknown, of a suspended subscription, or for a product that "
        "does not include this API",
        "Use a key of an active subscription to a product that includes this API.",
        status=401,
        source=APIM_SRC,
        wants="a subscription key (header `Ocp-Apim-Subscription-Key`)",
        match="prefix",
    ),
    Signature(
        "apim access token is missing or invalid",
        _APIM,
        "Unauthorized. Access token is missing or invalid",
        Says.MISSING_OR_REJECTED,
        "APIM's validate-jwt policy refused: no token, or one failing its issuer, audience, "
        "signature or expiry checks (the message is the policy's `failed-validation-error-"
        "message`)",
        "Compare the token's `iss`, `aud` and `exp` with the validate-jwt policy "
        "(`openid-config`, `audiences`, `issuers`).",
        status=401,
        source=APIM_SRC,
        match="prefix",
    ),
    # -- Google Cloud Endpoints (ESP v1) -----------------------------------------------------------
    Signature(
        "esp missing or invalid credentials",
        _ESP,
        "JWT validation failed: Missing or invalid credentials",
        Says.MISSING_OR_REJECTED,
        "ESP found no JWT it could validate (no `Authorization: Bearer`, or one it cannot parse)",
        "Send `Authorization: Bearer <JWT>` from an issuer listed in the service's "
        "`authentication.providers`.",
        status=401,
        source=ESP_SRC,
    ),
    Signature(
        "esp unable to fetch verification key",
        _ESP,
        "JWT validation failed: Unable to fetch verification key",
        Says.FAILED,
        "ESP could not download the provider's `jwks_uri`: the token was never judged",
        "Make the `x-google-jwks_uri` reachable from ESP (DNS, egress, certificate).",
        status=401,
        source=ESP_SRC,
        match="prefix",
    ),
    Signature(
        "esp bad format",
        _ESP,
        "JWT validation failed: BAD_FORMAT",
        Says.REJECTED,
        "ESP could not parse the JWT (a truncated token, padding `=` in a segment, not a JWT)",
        "Send the token exactly as issued: three base64url segments without padding.",
        status=401,
        source=ESP_SRC,
    ),
    Signature(
        "esp time constraint failure",
        _ESP,
        "JWT validation failed: TIME_CONSTRAINT_FAILURE",
        Says.REJECTED,
        "ESP says the token is expired or not yet valid",
        _NEW_TOKEN,
        status=401,
        source=ESP_SRC,
        cause="token_expired",
    ),
    Signature(
        "esp audience not allowed",
        _ESP,
        "JWT validation failed: Audience not allowed",
        Says.REJECTED,
        "the token's `aud` is not in the provider's `audiences` (by default the service name "
        "`https://<service>.endpoints.<project>.cloud.goog`)",
        "Request the token with the audience the service config lists.",
        status=401,
        source=ESP_SRC,
        cause="audience_missing",
    ),
    Signature(
        "esp unregistered callers",
        _ESP,
        "Method doesn't allow unregistered callers",
        Says.NO_CREDENTIALS,
        "the method requires an API key (`?key=` or `x-api-key`) and none arrived",
        "Send a Google Cloud API key of this project in `?key=` or `x-api-key`.",
        status=401,
        source=ESP_SRC,
        wants="an API key (`?key=` / `x-api-key`)",
        match="prefix",
    ),
    # -- Traefik -----------------------------------------------------------------------------------
    Signature(
        "traefik basic auth",
        _TRAEFIK,
        "401 Unauthorized",
        Says.NO_CREDENTIALS,
        'Traefik\'s BasicAuth middleware (`WWW-Authenticate: Basic realm="traefik"`) wants a '
        "user and password; a Bearer token is not read. (Traefik's ForwardAuth passes its auth "
        "server's answer through unchanged: recognise that server instead.)",
        "Send `Authorization: Basic base64(user:password)`, or remove the BasicAuth middleware "
        "from the router that serves the API.",
        status=401,
        source="traefik/traefik pkg/middlewares/auth/basic_auth.go",
        wants="Basic credentials (Traefik BasicAuth)",
        needs_header=("www-authenticate:traefik",),
    ),
)


#: Envoy's jwt_authn meanings, for `answerer` (the same words as the table).
ENVOY_MEANINGS: dict[str, str] = {s.text: s.meaning for s in SIGNATURES if s.product == _ENVOY}


@dataclass(frozen=True)
class Recognised:
    """A signature found in an answer, and the words the answer used."""

    signature: Signature
    said: str

    @property
    def product(self) -> str:
        return self.signature.product


_TITLE = re.compile(r"<title>\s*([^<]{1,120}?)\s*</title>", re.IGNORECASE)


def _messages(body: bytes) -> list[str]:
    """The human message(s) a body carries: JSON `message`/`faultstring`/`errorcode`, an HTML
    `<title>`, or a short plain text."""
    text = body[:8192].decode("utf-8", errors="replace").strip()
    out: list[str] = []
    data: Any = None
    if text.startswith("{"):
        try:
            data = json.loads(text)
        except ValueError:
            data = None
    if isinstance(data, dict):
        fault = data.get("fault")
        if isinstance(fault, dict):
            detail = fault.get("detail")
            if isinstance(detail, dict) and isinstance(detail.get("errorcode"), str):
                out.append(detail["errorcode"])
            if isinstance(fault.get("faultstring"), str):
                out.append(fault["faultstring"])
        for key in ("message", "Message"):
            if isinstance(data.get(key), str):
                out.append(data[key])
        return out
    found = _TITLE.search(text)
    if found:
        out.append(found.group(1))
    elif text and len(text) <= 300 and "<" not in text:
        out.append(text)
    return out


def _has(headers: Mapping[str, str], wanted: tuple[str, ...]) -> bool:
    for item in wanted:
        name, _, value = item.partition(":")
        present = headers.get(name)
        if present is not None and (not value or value in present.lower()):
            return True
    return False


def recognise(status: int, headers: Mapping[str, str], body: bytes) -> Recognised | None:
    """The gateway signature in an answer (headers with lower-case names), if any."""
    server = (headers.get("server") or "").lower()
    for said in _messages(body):
        for sig in SIGNATURES:
            if not sig.fits(said):
                continue
            if sig.needs_header and not _has(headers, sig.needs_header):
                continue
            if sig.product.startswith(_NGINX) and not (
                server.startswith("nginx") or b"<center>nginx" in body
            ):
                continue
            return Recognised(sig, said)
    return None


def in_text(text: str) -> Signature | None:
    """A signature whose words appear in pasted text (a body, a log line): for `explain` and the
    paste parser. Ambiguous one-word messages (`Unauthorized`, `Forbidden`) are left to them."""
    for said in [*_messages(text.encode("utf-8", errors="replace")), text]:
        for sig in SIGNATURES:
            if sig.needs_header or sig.product.startswith(_NGINX):
                continue
            if sig.fits(said) or (len(sig.text) > 12 and _norm(sig.text) in _norm(said)):
                return sig
    return None
