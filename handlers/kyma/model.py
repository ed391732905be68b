"""The one shape APIRules of every version are read into (v1beta1, v2alpha1, v2): rules with
their gatekeeper, handler, scopes, audiences, issuers and JWKS."""

from __future__ import annotations

from dataclasses import dataclass

GROUP = "gateway.kyma-project.io"
PLURAL = "apirules"
#: Served versions, newest first: the one the object is read through decides the shape.
VERSIONS = ("v2", "v2alpha1", "v1beta1")
#: Envoy's default clock skew for `exp`/`nbf`.
ENVOY_SKEW_S = 60

OATHKEEPER = "oathkeeper"
ISTIO = "istio"
NONE = "none"
EXTERNAL = "external"

#: Oathkeeper handlers that let every request through.
OPEN_HANDLERS = {"allow", "no_auth", "noop", "anonymous"}


@dataclass(frozen=True)
class Authentication:
    """Where a token is accepted from and who may have issued it (Istio RequestAuthentication)."""

    issuer: str
    jwks_uri: str
    from_headers: tuple[tuple[str, str], ...] = ()  # (name, prefix)
    from_params: tuple[str, ...] = ()

    @property
    def custom_location(self) -> bool:
        return bool(self.from_headers or self.from_params)

    def location(self) -> str:
        parts = [
            f"header `{n}`" + (f" with prefix `{p}`" if p else "") for n, p in self.from_headers
        ]
        parts += [f"query parameter `{p}`" for p in self.from_params]
        return " or ".join(parts) if parts else "`Authorization: Bearer`"


@dataclass(frozen=True)
class Authorization:
    """One alternative: the token needs every scope and every audience listed."""

    required_scopes: tuple[str, ...] = ()
    audiences: tuple[str, ...] = ()


@dataclass(frozen=True)
class Rule:
    """One rule, whatever version it came from."""

    index: int
    path: str
    methods: tuple[str, ...]
    strategy: str  # the handler name (v1beta1) or `noAuth` / `jwt` / `extAuth` (v2)
    gatekeeper: str  # oathkeeper | istio | none | external
    authentications: tuple[Authentication, ...] = ()
    authorizations: tuple[Authorization, ...] = ()
    trusted_issuers: tuple[str, ...] = ()  # Oathkeeper
    jwks_urls: tuple[str, ...] = ()  # Oathkeeper
    required_scopes: tuple[str, ...] = ()  # Oathkeeper
    target_audience: tuple[str, ...] = ()  # Oathkeeper
    introspection_url: str | None = None
    other_handlers: tuple[str, ...] = ()

    @property
    def issuers(self) -> list[str]:
        return [a.issuer for a in self.authentications] + list(self.trusted_issuers)

    @property
    def all_jwks_urls(self) -> list[str]:
        urls = [a.jwks_uri for a in self.authentications if a.jwks_uri] + list(self.jwks_urls)
        return list(dict.fromkeys(urls))

    @property
    def all_scopes(self) -> list[str]:
        out = list(self.required_scopes)
        for a in self.authorizations:
            out += [s for s in a.required_scopes if s not in out]
        return out

    @property
    def all_audiences(self) -> list[str]:
        out = list(self.target_audience)
        for a in self.authorizations:
            out += [s for s in a.audiences if s not in out]
        return out

    def label(self) -> str:
        methods = ",".join(self.methods) if self.methods else "any method"
        return f"rule {self.index + 1} `{self.path}` ({methods}, {self.strategy})"


@dataclass(frozen=True)
class ApiRule:
    version: str
    namespace: str
    name: str
    hosts: tuple[str, ...]
    gateway: str
    service: str
    rules: tuple[Rule, ...]
    #: "OK", "Ready", "Error", ... and the controller's words.
    status: str | None
    status_description: str | None
    generation: int | None = None

    @property
    def status_ok(self) -> bool | None:
        if self.status is None:
            return None
        return self.status.upper() in ("OK", "READY")
