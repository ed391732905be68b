"""Every fact `diagnose` needs, gathered concurrently, each step bounded.

The steps are independent except where one needs another's answer (the JWKS needs the APIRule,
the client lookup needs the token's `client_id`, which an opaque token only reveals through
introspection), so they run as concurrent chains and the command takes about as long as its
slowest chain. A step that cannot run (no token, no cluster, Hydra unreachable, RBAC) records why
in its `Step` with state `skip` or `error`; its facts stay empty, so no cause can count them.
Nothing here judges: `causes` does.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from handlers import kube
from handlers.commands.apirule import ORIGINAL_VERSION, fetch_kids
from handlers.commands.client import MAESTER_CONTAINER, MAESTER_LABEL, spec_scopes
from handlers.commands.introspect import Target, _bound_for
from handlers.core.check import CheckContext
from handlers.core.observation import Seen, Unknown
from handlers.gateways.answerer import Who, identify
from handlers.hydra import admin as hydra_admin
from handlers.hydra import maester_logs
from handlers.kyma import apirule as apirules
from handlers.kyma import routes
from handlers.kyma.apirule import ApiRule, TokenFacts, Verdict
from handlers.net import guard as targets
from handlers.net.send import Answer, send, server_time
from handlers.oauth import client_auth, credentials, discovery
from handlers.oauth.destinations import Credentials, configured
from handlers.oauth.introspection import Introspection, introspect_hydra_admin, introspect_url
from handlers.oauth.token_request import TokenAttempt, request_client_credentials
from handlers.tokens import signatures
from handlers.tokens.info import TokenView, view

CHECK = "diagnose"
OAUTH2CLIENT = ("hydra.ory.sh", "v1alpha1", "oauth2clients")
ID_KEYS = ("CLIENT_ID", "client_id")
SECRET_KEYS = ("CLIENT_SECRET", "client_secret")
#: At most this many OAuth2Client Secrets are read when looking for a client id.
MAX_SECRET_READS = 25

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


@dataclass
class MaesterFacts:
    """hydra-maester's `--endpoint` flags and the 404 lines it logged calling Hydra."""

    endpoints: list[str] = field(default_factory=list)
    endpoint_404: list[str] = field(default_factory=list)


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


async def _bounded(
    facts: Facts, name: str, seconds: float, work: Callable[[], Awaitable[None]]
) -> None:
    """Runs one step under its own deadline; any failure becomes the step's `error` state."""
    step = facts.step(name)
    try:
        async with asyncio.timeout(seconds):
            await work()
    except TimeoutError:
        step.state, step.summary = ERROR, f"did not finish within {seconds:g} s"
        step.needs = f"make what `{name}` calls answer within AUTHCHECK_TIMEOUT"
    except Exception as exc:  # one step's failure must not stop the others
        step.state = ERROR
        step.summary = f"{type(exc).__name__}: {str(exc)[:200]}"


def _kube_failure(step: Step, exc: kube.KubeError) -> None:
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


# -- probe ---------------------------------------------------------------------------------------


async def _probe(ctx: CheckContext, facts: Facts) -> None:
    step = facts.step("probe")
    refused = await targets.refusal(facts.url, ctx.settings.url_allowlist)
    if refused:
        step.state, step.summary = ERROR, f"refused to call {facts.url}: {refused}"
        step.needs = targets.allowlist_remedy(facts.url)
        return
    base = {"Accept": "*/*"}
    calls = [send(ctx, facts.method, facts.url, headers=base)]
    if facts.token is not None:
        calls.append(
            send(
                ctx,
                facts.method,
                facts.url,
                headers={**base, "Authorization": f"Bearer {facts.token}"},
            )
        )
    seen = await asyncio.gather(*calls)
    problems = [s.reason for s in seen if isinstance(s, Unknown)]
    if isinstance(seen[0], Seen):
        facts.anon, facts.anon_who = seen[0].value, identify(seen[0].value)
    if len(seen) > 1 and isinstance(seen[1], Seen):
        facts.authed, facts.authed_who = seen[1].value, identify(seen[1].value)
    facts.server_time = server_time(facts.authed) or server_time(facts.anon)
    if problems:
        step.state, step.summary = ERROR, f"{facts.method} {facts.url} → {problems[0]}"
        step.needs = "make the URL reachable from the bot (DNS, TLS, NetworkPolicy)"
        return
    step.state = OK
    shown = [f"without a token: HTTP {facts.anon.status if facts.anon else '?'}"]
    if facts.authed is not None:
        shown.append(f"with the token: HTTP {facts.authed.status}")
    step.summary = "; ".join(shown)


# -- APIRule and JWKS ----------------------------------------------------------------------------


async def _list_apirules(ctx: CheckContext, step: Step) -> list[ApiRule] | None:
    async def one(version: str) -> list[dict[str, Any]] | kube.KubeError:
        try:
            return await kube.list_custom_objects(ctx, apirules.GROUP, version, "", apirules.PLURAL)
        except kube.KubeError as exc:
            return exc

    results = await asyncio.gather(*(one(v) for v in apirules.VERSIONS))
    by_ref: dict[tuple[str, str], dict[str, dict[str, Any]]] = {}
    served = False
    for version, result in zip(apirules.VERSIONS, results, strict=True):
        if isinstance(result, kube.KubeNotFound):
            continue
        if isinstance(result, kube.KubeError):
            _kube_failure(step, result)
            return None
        served = True
        for obj in result:
            meta = obj.get("metadata") or {}
            ref = (str(meta.get("namespace", "")), str(meta.get("name", "")))
            by_ref.setdefault(ref, {})[version] = obj
    if not served:
        step.state, step.summary = SKIP, "the APIRule resource type is not served by this cluster"
        return None
    chosen: list[ApiRule] = []
    for versions in by_ref.values():
        first = next(iter(versions.values()))
        original = str(
            ((first.get("metadata") or {}).get("annotations") or {}).get(ORIGINAL_VERSION) or ""
        )
        obj = versions.get(original) or next(
            versions[v] for v in apirules.VERSIONS if v in versions
        )
        chosen.append(apirules.parse(obj))
    return chosen


async def _apirule(ctx: CheckContext, facts: Facts) -> None:
    step = facts.step("apirule")
    found = await _list_apirules(ctx, step)
    if found is None:
        return
    parts = urlsplit(facts.url)
    facts.match = routes.find(found, parts.hostname or "", parts.path or "/", facts.method)
    step.state = OK
    if facts.match is None:
        step.summary = f"no APIRule among {len(found)} names the host `{parts.hostname}`"
        return
    a = facts.match.apirule
    rule = facts.match.rule
    step.summary = f"APIRule `{a.namespace}/{a.name}` ({a.version})" + (
        f", {rule.label()}" if rule else ", but none of its rules covers the path"
    )
    step.evidence = {"apirule": f"{a.namespace}/{a.name}", "version": a.version}
    if rule is None or facts.token is None:
        return
    decoded = facts.decoded
    urls = rule.all_jwks_urls if decoded is not None else []
    kids: dict[str, frozenset[str]] = {}
    if urls:
        jwks = facts.step("jwks")
        kids, failed = await fetch_kids(ctx, urls)
        facts.jwks_kids = kids
        if failed:
            jwks.state, jwks.summary = ERROR, "; ".join(reason for _, reason in failed)
            jwks.needs = "make the rule's JWKS URL reachable from the bot"
        else:
            jwks.state = OK
            jwks.summary = "; ".join(f"{u}: kids {', '.join(sorted(k))}" for u, k in kids.items())
    facts.verdict = apirules.evaluate(rule, TokenFacts(decoded, facts.now, kids))
    # Only the keys the rule trusts for this token's issuer: another issuer's token is
    # `issuer_mismatch`, not a bad signature.
    iss = decoded.claims.get("iss") if decoded is not None else None
    own = [x.jwks_uri for x in rule.authentications if x.jwks_uri and x.issuer == iss]
    if rule.jwks_urls and (not rule.issuers or iss in rule.issuers):
        own += list(rule.jwks_urls)
    if own and not failed:
        await _verify_signature(ctx, facts, own, f"APIRule `{a.namespace}/{a.name}`")


async def _verify_signature(
    ctx: CheckContext, facts: Facts, urls: list[str], named_by: str
) -> None:
    """Checks the signature with keys a trusted source names (never the token's `jku`/`x5u`)."""
    if facts.token is None or facts.decoded is None:
        return
    step = facts.step("signature")
    outcome = await signatures.check(ctx, facts.token, urls)
    if isinstance(outcome, str):
        step.state, step.summary = ERROR, outcome
        step.needs = f"make the JWKS {named_by} names reachable from the bot"
        return
    if outcome is None:
        step.summary = "no usable key to check the signature with"
        return
    facts.signature = outcome
    step.state = OK
    step.summary = f"keys named by {named_by}: {outcome.reason}"


async def _issuer_signature(ctx: CheckContext, facts: Facts) -> None:
    """AUTHCHECK_ISSUER's discovery names its JWKS: trusted for tokens that are that issuer's."""
    configured = ctx.settings.issuer
    iss = _token_issuer(facts)
    step = facts.step("signature")
    if not step.summary:
        step.summary = (
            "no token given"
            if facts.token is None
            else "no trusted JWKS (an APIRule's `jwksUri`, or AUTHCHECK_ISSUER for its tokens)"
        )
    if not configured or iss is None or not discovery.same_issuer(iss, configured):
        return
    found = await discovery.discover(ctx, configured)
    meta = found.metadata
    if meta is None or not meta.jwks_uri:
        return
    if facts.signature is None:
        await _verify_signature(ctx, facts, [meta.jwks_uri], "AUTHCHECK_ISSUER's discovery")


# -- introspection -------------------------------------------------------------------------------


def _token_issuer(facts: Facts) -> str | None:
    d = facts.decoded
    iss = d.claims.get("iss") if d is not None else None
    return iss if isinstance(iss, str) and iss.startswith(("http://", "https://")) else None


async def _issuer_endpoint(ctx: CheckContext, facts: Facts) -> tuple[str, str] | None:
    """The introspection endpoint of the issuer the token came from: AUTHCHECK_ISSUER when the
    token is its (or names no issuer), else the token's `iss` if the allowlist lets the bot
    reach it; found by discovery (RFC 8414 / OIDC). None → the Kyma default (Hydra's admin)."""
    configured = ctx.settings.issuer
    iss = _token_issuer(facts)
    if configured and (iss is None or discovery.same_issuer(iss, configured)):
        issuer = configured
    elif iss is not None and not await targets.refusal(iss, ctx.settings.url_allowlist):
        issuer = iss
    else:
        return None
    found = await discovery.discover(ctx, issuer)
    meta = found.metadata
    if meta is None or not meta.introspection_endpoint:
        return None
    return meta.introspection_endpoint, issuer


async def _introspect(ctx: CheckContext, facts: Facts) -> None:
    step = facts.step("introspection")
    if facts.token is None:
        step.summary, step.needs = "no token given", "give the token with --token"
        return
    lookup = await credentials.for_introspection(ctx, CHECK, None, None, None)
    if lookup.finding is not None:
        step.state, step.summary = ERROR, lookup.finding.title
        step.needs = lookup.finding.remedy
        return
    settings = ctx.settings
    result: Introspection
    creds = lookup.credentials
    found = None if settings.introspect_url else await _issuer_endpoint(ctx, facts)
    if settings.introspect_url:
        result = await introspect_url(ctx, settings.introspect_url, facts.token, creds)
        facts.introspected_as = creds.client_id if creds is not None else None
    elif found is not None:
        # Where the token came from first: the issuer's own introspection endpoint.
        endpoint, issuer = found
        target = Target(endpoint, "discovery", named_by_document_of=issuer)
        bound = _bound_for(creds, target)
        if bound is not None and bound.refusal(endpoint):
            bound = None  # never send the bot's credentials where they do not belong
        result = await introspect_url(ctx, endpoint, facts.token, bound)
        facts.introspected_as = bound.client_id if bound is not None else None
    else:
        result = await introspect_hydra_admin(ctx, settings.hydra_admin_url, facts.token, creds)
    final = result.final
    if final is None or not final.answered:
        step.state = ERROR
        step.summary = "; ".join(c.summary() for c in result.calls)
        step.needs = "point AUTHCHECK_INTROSPECT_URL or AUTHCHECK_HYDRA_ADMIN_URL at introspection"
        return
    facts.introspection = dict(final.body or {})
    facts.introspected_at = final.url
    step.state = OK
    step.summary = f"{final.url}: active={str(final.active).lower()}"


# -- Hydra and hydra-maester ---------------------------------------------------------------------


async def _hydra(ctx: CheckContext, facts: Facts) -> None:
    step = facts.step("hydra")
    alive, ready, version = await asyncio.gather(
        hydra_admin.probe(ctx, "/health/alive"),
        hydra_admin.probe(ctx, "/health/ready"),
        hydra_admin.probe(ctx, "/version"),
    )
    if alive.error:
        step.state, step.summary = ERROR, alive.error
        step.needs = "point AUTHCHECK_HYDRA_ADMIN_URL at Hydra's admin port (4445)"
        return
    facts.hydra_alive = alive.status == 200
    facts.hydra_ready = ready.status == 200 if not ready.error else None
    facts.hydra_version = str(version.json().get("version") or "") or None
    step.state = OK
    step.summary = (
        f"alive: {facts.hydra_alive}, ready: {facts.hydra_ready}, "
        f"version: {facts.hydra_version or 'unknown'}"
    )


async def _maester(ctx: CheckContext, facts: Facts) -> None:
    step = facts.step("hydra-maester")
    ns = ctx.settings.hydra_namespace
    try:
        pods = await kube.list_pods(ctx, ns, MAESTER_LABEL)
    except kube.KubeError as exc:
        _kube_failure(step, exc)
        return
    if not pods:
        step.state, step.summary = OK, f"no hydra-maester pods in `{ns}`"
        facts.maester = MaesterFacts()
        return

    async def logs(pod: dict[str, Any]) -> str:
        name = str((pod.get("metadata") or {}).get("name", ""))
        try:
            return await kube.pod_logs(ctx, ns, name, MAESTER_CONTAINER)
        except kube.KubeError:
            return ""

    texts = await asyncio.gather(*(logs(p) for p in pods))
    found = MaesterFacts()
    for pod, text in zip(pods, texts, strict=True):
        flag = maester_logs.endpoint_flag(pod, MAESTER_CONTAINER)
        if flag:
            found.endpoints.append(flag)
        found.endpoint_404 += [
            ln.text for ln in maester_logs.parse(text) if ln.kind is maester_logs.Kind.ENDPOINT_404
        ]
    facts.maester = found
    step.state = OK
    step.summary = (
        f"{len(pods)} pod(s); --endpoint {', '.join(found.endpoints) or 'default'}; "
        f"{len(found.endpoint_404)} line(s) with 404 from Hydra"
    )


# -- the client behind the token -----------------------------------------------------------------


def _client_id_of(facts: Facts) -> str | None:
    sources: list[dict[str, Any]] = []
    if facts.decoded is not None:
        sources.append(facts.decoded.claims)
    if facts.introspection:
        sources.append(facts.introspection)
    for claims in sources:
        for key in ("client_id", "azp", "cid"):
            value = claims.get(key)
            if isinstance(value, str) and value:
                return value
    return None


def _pick(data: dict[str, str], keys: tuple[str, ...]) -> str | None:
    return next((data[k] for k in keys if data.get(k)), None)


async def _find_resource(
    ctx: CheckContext, facts: Facts, step: Step
) -> tuple[dict[str, Any], dict[str, str]] | None:
    """The OAuth2Client resource and its Secret's data: by Hydra's `owner`, else by scanning the
    resources' Secrets for the client id."""
    client = facts.client
    owner = str((client.hydra or {}).get("owner") or "")
    group, version, plural = OAUTH2CLIENT
    candidates: list[dict[str, Any]] = []
    name, sep, ns = owner.partition("/")
    try:
        if sep and name and ns:
            try:
                candidates = [await kube.get_custom_object(ctx, group, version, ns, plural, name)]
            except kube.KubeNotFound:
                candidates = []
        if not candidates:
            candidates = await kube.list_custom_objects(ctx, group, version, "", plural)
    except kube.KubeNotFound:
        step.summary = "the OAuth2Client resource type is not served by this cluster"
        return None
    except kube.KubeError as exc:
        _kube_failure(step, exc)
        return None

    async def secret_of(obj: dict[str, Any]) -> dict[str, str] | kube.KubeError | None:
        meta = obj.get("metadata") or {}
        secret_name = str((obj.get("spec") or {}).get("secretName") or "")
        if not secret_name:
            return None
        try:
            return await kube.read_secret(
                ctx, str(meta.get("namespace", "")), secret_name, public_keys=ID_KEYS
            )
        except kube.KubeNotFound:
            return None
        except kube.KubeError as exc:
            return exc

    shortlist = candidates[:MAX_SECRET_READS]
    secrets = await asyncio.gather(*(secret_of(o) for o in shortlist))
    failures: list[kube.KubeError] = []
    for obj, data in zip(shortlist, secrets, strict=True):
        if isinstance(data, kube.KubeError):
            failures.append(data)
            continue
        if data is not None and (_pick(data, ID_KEYS) or "").strip() == client.client_id:
            return obj, data
    if failures:
        _kube_failure(step, failures[0])
    else:
        step.state = OK
        step.summary = f"no OAuth2Client's Secret holds client id `{client.client_id}`"
    return None


async def _client(ctx: CheckContext, facts: Facts, introspected: asyncio.Task[None] | None) -> None:
    step = facts.step("client")
    client = facts.client
    if facts.token is None:
        # Without a token there is no "token's client" to speak of (issue 17).
        step.summary, step.needs = "no token given", "give the token with --token"
        return
    client.client_id = _client_id_of(facts)
    if client.client_id is None and introspected is not None:
        await asyncio.shield(introspected)
        client.client_id = _client_id_of(facts)
    if client.client_id is None:
        step.summary = "the token names no client (`client_id`/`azp`)"
        step.needs = "give a JWT, or let authcheck introspect the token"
        return
    lookup = await hydra_admin.get_client(ctx, client.client_id)
    if lookup.error:
        step.state, step.summary = ERROR, lookup.error
        step.needs = "point AUTHCHECK_HYDRA_ADMIN_URL at Hydra's admin port (4445)"
        return
    client.hydra = lookup.client
    client.missing_in_hydra = lookup.missing
    step.state = OK
    step.summary = (
        f"Hydra ({lookup.api}) knows client `{client.client_id}`"
        if lookup.found
        else f"Hydra ({lookup.api}) has no client `{client.client_id}`"
    )
    step.evidence = {"client_id": client.client_id, "owner": (lookup.client or {}).get("owner")}
    res_step = facts.step("oauth2client")
    found = await _find_resource(ctx, facts, res_step)
    if found is None:
        return
    client.resource, data = found
    spec = client.resource.get("spec") or {}
    namespace = str((client.resource.get("metadata") or {}).get("namespace", ""))
    client.secret_ref = f"{namespace}/{spec.get('secretName')}"
    client.secret_id = _pick(data, ID_KEYS)
    secret = _pick(data, SECRET_KEYS)
    res_step.state = OK
    res_step.summary = f"OAuth2Client `{client.resource_ref}`, Secret `{client.secret_ref}`"
    if secret is None or client.hydra is None or client.secret_id is None:
        return
    client.special = client_auth.special_characters(secret)
    grants = client.hydra.get("grant_types") or []
    if "client_credentials" not in grants:
        return
    auth = str(client.hydra.get("token_endpoint_auth_method") or "client_secret_basic")
    method = client_auth.POST_BODY if auth == "client_secret_post" else client_auth.BASIC_ENCODED
    url = hydra_admin.token_url(ctx)
    bound = Credentials(
        client.secret_id, secret, f"Secret {client.secret_ref}", configured(ctx.settings)
    )
    attempts = [request_client_credentials(ctx, url, bound, method=method)]
    if method == client_auth.BASIC_ENCODED and client_auth.encoding_matters(secret):
        attempts.append(request_client_credentials(ctx, url, bound, method=client_auth.BASIC_RAW))
    proofs = await asyncio.gather(*attempts)
    client.proof = proofs[0]
    client.raw_proof = proofs[1] if len(proofs) > 1 else None
    proof = facts.step("secret-proof")
    if client.proof.transport_error:
        proof.state, proof.summary = ERROR, client.proof.transport_error
        proof.needs = "point AUTHCHECK_HYDRA_PUBLIC_URL at Hydra's public port (4444)"
        client.proof = client.raw_proof = None
        return
    proof.state = OK
    proof.summary = f"token request with the Secret at {url}: {client.proof.wording()}"


# -- all together --------------------------------------------------------------------------------


async def gather(ctx: CheckContext, url: str, method: str, token: str | None) -> Facts:
    """Runs every step concurrently (chains where one needs another) and returns the facts."""
    facts = Facts(url=url, method=method.upper(), token=token, now=ctx.clock())
    if token is not None:
        ctx.redactor.add(token)
        facts.token_view = view(token)
    # A chain makes at most a few calls in a row; each call is bounded by AUTHCHECK_TIMEOUT.
    bound = ctx.settings.timeout * 4
    introspected = asyncio.create_task(
        _bounded(facts, "introspection", bound, lambda: _introspect(ctx, facts))
    )
    try:
        await asyncio.gather(
            _bounded(facts, "probe", bound, lambda: _probe(ctx, facts)),
            _bounded(facts, "apirule", bound, lambda: _apirule(ctx, facts)),
            _bounded(facts, "hydra", bound, lambda: _hydra(ctx, facts)),
            _bounded(facts, "signature", bound, lambda: _issuer_signature(ctx, facts)),
            _bounded(facts, "hydra-maester", bound, lambda: _maester(ctx, facts)),
            _bounded(facts, "client", bound * 2, lambda: _client(ctx, facts, introspected)),
            introspected,
        )
    finally:
        if not introspected.done():
            introspected.cancel()
    return facts
