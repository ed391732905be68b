"""Who answered a 401/403, and what it means.

In a Kyma cluster a request passes Istio's Envoy, maybe Ory Oathkeeper, then the application; on
BTP it may hit UAA; behind an ingress an oauth2-proxy may redirect to a login page. Each answers in
its own recognisable way (DOMAIN.md's table), and knowing which one refused is half the diagnosis:
an Envoy `RBAC: access denied` is an AuthorizationPolicy, an Oathkeeper 401 an introspection
verdict, a `WWW-Authenticate: Bearer error="insufficient_scope"` a scope (RFC 6750 §3.1).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from handlers.gateways import catalog as gateways
from handlers.gateways.catalog import Says
from handlers.net.answers import (
    ENVOY_RBAC_DENIED,
    Challenge,
    envoy_message,
    parse_oathkeeper_error,
    parse_oauth_error,
    parse_www_authenticate,
)
from handlers.net.send import Answer

_LOGIN_WORDS = re.compile(
    r"login|signin|sign_in|sign-in|authorize|/oauth|/auth|sso|saml|/idp", re.I
)

#: Envoy's jwt_authn texts and their meanings: the shared gateway table's entries.
ENVOY_MEANINGS = gateways.ENVOY_MEANINGS


@dataclass(frozen=True)
class Who:
    """The gatekeeper behind an answer and the meaning of what it said."""

    name: str
    meaning: str
    #: The RFC 6750 / OAuth error code, or the gatekeeper's own message, if any.
    code: str | None = None
    message: str | None = None
    #: The answer itself says no credentials were seen (RFC 6750 challenge without error code,
    #: a redirect to a login page).
    no_credentials: bool = False
    challenge: Challenge | None = None
    #: What the answer proves about the credentials (`handlers.gateways.catalog.Says`), when known.
    says: Says | None = None
    #: The credential the gatekeeper reads when it is not a Bearer token ("an API key …").
    wants: str | None = None
    #: A `diagnose` cause id the gatekeeper's words name directly (`token_expired`, …).
    cause: str | None = None
    #: What to do about it, in the gatekeeper's terms.
    remedy: str | None = None
    #: The gateway signature's key (`handlers.gateways.catalog.SIGNATURES`).
    signature: str | None = None

    @property
    def recognised(self) -> bool:
        """A known gatekeeper said it (a signature, a challenge, an error code): its refusal of
        an anonymous request is a verdict, not a guess."""
        return self.no_credentials or self.code is not None or self.says is not None

    @property
    def refused_identity(self) -> bool:
        """The words say a credential arrived and was refused as identity."""
        return self.says is Says.REJECTED or self.code == "invalid_token"


def _bearer(challenges: list[Challenge]) -> Challenge | None:
    return next((c for c in challenges if c.scheme == "bearer"), None)


def _printable(text: str, limit: int = 120) -> str:
    cleaned = "".join(c if c.isprintable() else "·" for c in " ".join(text.split()))
    return cleaned[:limit]


def _from_signature(known: gateways.Recognised, bearer: Challenge | None) -> Who:
    """A gateway from the shared table; an RFC 6750 error in its challenge refines the verdict
    (AWS HTTP API JWT authorizers send `error="invalid_token"` beside their JSON message)."""
    sig = known.signature
    says = sig.says
    code: str | None = None
    meaning = sig.meaning
    if bearer is not None and bearer.error:
        code = bearer.error
        says = {"invalid_token": Says.REJECTED, "insufficient_scope": Says.FORBIDDEN}.get(
            code, says
        )
        described = bearer.params.get("error_description")
        meaning += f"; its challenge says `{code}`" + (f": {described[:200]}" if described else "")
    return Who(
        sig.product,
        meaning,
        code=code,
        message=known.said[:200],
        no_credentials=says is Says.NO_CREDENTIALS and sig.wants is None,
        challenge=bearer,
        says=says,
        wants=sig.wants,
        cause=sig.cause,
        remedy=sig.remedy,
        signature=sig.key,
    )


def no_token_title(who: Who) -> str:
    """The verdict on an anonymous request that was refused: the same words in `probe` and
    `diagnose`, so the two never disagree about one URL."""
    wanted = f" ({who.wants})" if who.wants else ""
    return f"No token was sent, and {who.name} refuses requests without one{wanted}"


def identify(answer: Answer) -> Who:
    """The gatekeeper behind `answer`, tried from the most specific signature to the least: a
    redirect, Envoy's texts, Oathkeeper's body, the gateway table, UAA, an RFC 6750 challenge."""
    status = answer.status
    server = (answer.header("server") or "").lower()
    challenges = parse_www_authenticate(answer.header("www-authenticate"))
    bearer = _bearer(challenges)
    found = _redirect(answer) or _envoy(answer, bearer) or _oathkeeper(answer)
    if found is not None:
        return found
    known = gateways.recognise(status, answer.headers, answer.body)
    if known is not None:
        return _from_signature(known, bearer)
    found = _uaa(challenges)
    if found is not None:
        return found
    gateway = "Istio/Envoy" if "envoy" in server else "the server"
    if bearer is not None:
        return _bearer_challenge(gateway, bearer)
    oauth = parse_oauth_error(answer.body)
    if oauth is not None:
        return Who(gateway, f"OAuth error {oauth.sentence()}", code=oauth.error)
    if 200 <= status < 300:
        return Who(gateway, "the request was accepted")
    excerpt = _printable(answer.text(200))
    what = f"body {excerpt!r}" if excerpt else "an empty body"
    via = f" (Server: {server})" if server else ""
    return Who(gateway + via, f"HTTP {status} with {what}; no gatekeeper signature recognised")


def _redirect(answer: Answer) -> Who | None:
    """A 3xx with a Location: a login page (a browser gate) or some other redirect."""
    location = answer.header("location")
    if not (300 <= answer.status < 400 and location):
        return None
    if _LOGIN_WORDS.search(location):
        return Who(
            "a login redirect",
            f"redirected to {location[:200]}: a browser-oriented gate (oauth2-proxy, an "
            "identity provider's login page). API clients with a Bearer token are not "
            "served here, or the token was not accepted and the gate fell back to login.",
            no_credentials=True,
        )
    return Who("a redirect", f"redirected to {location[:200]}")


def _envoy(answer: Answer, bearer: Challenge | None) -> Who | None:
    """Envoy's own texts: `RBAC: access denied` (an AuthorizationPolicy) or a jwt_authn text."""
    envoy = envoy_message(answer.body)
    if envoy == ENVOY_RBAC_DENIED:
        return Who(
            "Istio/Envoy authorization (RBAC)",
            "an AuthorizationPolicy denied the request. Under an APIRule v2 `jwt` rule this is "
            "also the answer to a request WITHOUT a valid JWT, to a token lacking a required "
            "scope or audience, and to a token sent in another header than the rule reads "
            "(`fromHeaders`).",
            message=envoy,
            says=Says.HIDDEN,
        )
    if envoy is None:
        return None
    sig = next((g for g in gateways.SIGNATURES if g.text == envoy), None)
    return Who(
        "Istio/Envoy JWT authentication",
        f"`{envoy}`: {ENVOY_MEANINGS.get(envoy, 'the JWT was rejected')}.",
        code=bearer.error if bearer else "invalid_token",
        message=envoy,
        no_credentials=sig is not None and sig.says is Says.NO_CREDENTIALS,
        challenge=bearer,
        says=sig.says if sig else Says.REJECTED,
        cause=sig.cause if sig else None,
        remedy=sig.remedy if sig else None,
        signature=sig.key if sig else None,
    )


def _oathkeeper(answer: Answer) -> Who | None:
    """Ory Oathkeeper's JSON error body; its status says which stage refused."""
    oathkeeper = parse_oathkeeper_error(answer.body)
    if oathkeeper is None:
        return None
    status = answer.status
    detail = oathkeeper.message or oathkeeper.status or ""
    if oathkeeper.reason:
        detail += f" ({oathkeeper.reason})"
    if status == 401:
        meaning = (
            "its authenticator rejected the request: no token, or introspection said "
            "`active: false` (expired, revoked, unknown, or a scope missing under the "
            "default scope_strategy none), or a jwt authenticator check failed"
        )
    elif status == 403:
        meaning = (
            "the token is authenticated but does not satisfy the rule: audience, issuer, "
            "scope (with a scope_strategy) or token_use"
        )
    else:
        meaning = (
            "Oathkeeper itself failed; 'Introspection returned status code …' means its "
            "`introspection_url` is wrong (v1 path on Hydra v2)"
        )
    says = {401: Says.MISSING_OR_REJECTED, 403: Says.FORBIDDEN}.get(status, Says.FAILED)
    return Who(
        "Ory Oathkeeper",
        meaning,
        code=str(oathkeeper.code or status),
        message=detail,
        says=says,
    )


def _uaa(challenges: list[Challenge]) -> Who | None:
    """A Basic challenge with a UAA realm: a token endpoint asking for client credentials."""
    basic = next((c for c in challenges if c.scheme == "basic"), None)
    if basic is None or "uaa" not in basic.params.get("realm", "").lower():
        return None
    return Who(
        "Cloud Foundry UAA",
        f"UAA asks for Basic client credentials (realm {basic.params.get('realm')}): "
        "this is a token endpoint, not the protected API, or the client credentials "
        "were refused.",
        code=basic.error,
        message=basic.params.get("error_description"),
        challenge=basic,
    )


def _bearer_challenge(gateway: str, bearer: Challenge) -> Who:
    """An RFC 6750 Bearer challenge: no error code means no credentials were recognised."""
    code = bearer.error
    description = bearer.params.get("error_description")
    if code is None:
        return Who(
            f"{gateway} (RFC 6750 Bearer challenge)",
            "a challenge without an error code: by RFC 6750 §3 the request carried no "
            "credentials it recognised.",
            no_credentials=True,
            challenge=bearer,
            says=Says.NO_CREDENTIALS,
        )
    meanings = {
        "invalid_token": "the token is expired, revoked, malformed or from an untrusted "
        "issuer (RFC 6750 §3.1: 401)",
        "insufficient_scope": "the token is valid but lacks a required scope"
        + (f" (needs `{bearer.params['scope']}`)" if bearer.params.get("scope") else "")
        + " (RFC 6750 §3.1: 403)",
        "invalid_request": "the request is malformed: missing or duplicated parameters, "
        "or the token sent in more than one way (RFC 6750 §3.1: 400)",
    }
    meaning = meanings.get(code, f"error `{code}`")
    if description:
        meaning += f"; server says: {description[:200]}"
    return Who(
        f"{gateway} (RFC 6750 Bearer challenge)",
        meaning,
        code=code,
        message=description,
        challenge=bearer,
        says={"invalid_token": Says.REJECTED, "insufficient_scope": Says.FORBIDDEN}.get(code),
    )
