"""Every fact `diagnose` needs, as data: the steps tried and what each one found.

The steps that fill these in live beside this module (`probe_step`, `rule_steps`,
`introspection_step`, `hydra_steps`, `client_step`) and run concurrently from `gathering`. A
step that cannot run (no token, no cluster, Hydra unreachable, RBAC) records why in its `Step`
with state `skip` or `error`; its facts stay empty, so no cause can count them. Nothing here
judges: `causes` does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from handlers import kube
from handlers.core.observation import Unknown
from handlers.gateways.answerer import Who
from handlers.hydra.maester import EndpointFacts
from handlers.hydra.oauth2client import spec_scopes
from handlers.kyma import apirule as apirules
from handlers.kyma import routes
from handlers.kyma.apirule import Verdict
from handlers.net.send import Answer
from handlers.oauth.token_request import TokenAttempt
from handlers.tokens import signatures
from handlers.tokens.info import TokenView

CHECK = "diagnose"
OK, SKIP, ERROR = "ok", "skip", "error"


@dataclass
class Step:
    """One thing `diagnose` tried: `ok` (facts usable), `skip` (not applicable or not
    configured) or `error` (tried and could not find out). `needs` says what would let it run."""

    name: str
    state: str = SKIP
    summary: str = ""
    needs: str = ""
    evidence: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.state == OK

    def could_not_tell(self, unknown: Unknown) -> None:
        """Tried and could not find out: `error`, with the reason and what would decide it."""
        self.state, self.summary, self.needs = ERROR, unknown.reason, unknown.decides


@dataclass
class ClientFacts:
    """The OAuth2 client behind the token: Hydra's registration, the resource, its Secret."""

    client_id: str | None = None
    hydra: dict[str, Any] | None = None
    #: Hydra itself said the client does not exist (its own 404 body).
    missing_in_hydra: bool = False
    resource: dict[str, Any] | None = None
    secret_ref: str | None = None
    secret_id: str | None = None
    #: Characters of the Secret's client secret that URL-encoding changes (`+`, `/`, `=`, `%`).
    special: list[str] = field(default_factory=list)
    proof: TokenAttempt | None = None
    raw_proof: TokenAttempt | None = None

    @property
    def resource_ref(self) -> str | None:
        if self.resource is None:
            return None
        meta = self.resource.get("metadata") or {}
        return f"{meta.get('namespace')}/{meta.get('name')}"

    @property
    def allowed_scopes(self) -> list[str] | None:
        if self.hydra is not None:
            return str(self.hydra.get("scope") or "").split()
        if self.resource is not None:
            return spec_scopes(self.resource.get("spec") or {})
        return None

    @property
    def allowed_audiences(self) -> list[str] | None:
        if self.hydra is not None:
            return [str(a) for a in self.hydra.get("audience") or []]
        if self.resource is not None:
            return [str(a) for a in (self.resource.get("spec") or {}).get("audience") or []]
        return None


#: hydra-maester's `--endpoint` flags and the 404 lines it logged calling Hydra.
MaesterFacts = EndpointFacts


@dataclass
class Facts:
    """Everything gathered for one `diagnose` run; empty fields mean "not known"."""

    url: str
    method: str
    token: str | None
    now: datetime
    steps: dict[str, Step] = field(default_factory=dict)
    token_view: TokenView | None = None
    anon: Answer | None = None
    anon_who: Who | None = None
    authed: Answer | None = None
    authed_who: Who | None = None
    server_time: datetime | None = None
    match: routes.Match | None = None
    jwks_kids: dict[str, frozenset[str]] = field(default_factory=dict)
    verdict: Verdict | None = None
    introspection: dict[str, Any] | None = None
    introspected_at: str | None = None
    #: The client the bot introspected as (None at Hydra's admin port, which shows every token).
    introspected_as: str | None = None
    client: ClientFacts = field(default_factory=ClientFacts)
    hydra_alive: bool | None = None
    hydra_ready: bool | None = None
    hydra_version: str | None = None
    maester: MaesterFacts | None = None
    #: The token's signature checked against a trusted JWKS (the rule's, or AUTHCHECK_ISSUER's).
    signature: signatures.SignatureCheck | None = None

    def step(self, name: str) -> Step:
        return self.steps.setdefault(name, Step(name))

    @property
    def decoded(self) -> Any:
        return self.token_view.decoded if self.token_view else None

    @property
    def rule(self) -> apirules.Rule | None:
        return self.match.rule if self.match else None


def kube_failure(step: Step, exc: kube.KubeError) -> None:
    """Not configured → skip; forbidden → error naming the grant; anything else → error."""
    step.summary = exc.message
    if isinstance(exc, kube.KubeNotConfigured):
        step.state = SKIP
        step.needs = "give authcheck cluster access (" + kube.HOW_TO_CONFIGURE + ")"
        return
    step.state = ERROR
    if isinstance(exc, kube.KubeForbidden):
        where = f"in namespace `{exc.namespace}`" if exc.namespace else "cluster-wide"
        step.needs = f"grant the bot `{exc.action}` {where}"
    else:
        step.needs = "make the Kubernetes API server reachable from the bot"


def token_issuer(facts: Facts) -> str | None:
    """The token's `iss` when it is an http(s) URL (one the bot could discover)."""
    d = facts.decoded
    iss = d.claims.get("iss") if d is not None else None
    return iss if isinstance(iss, str) and iss.startswith(("http://", "https://")) else None
