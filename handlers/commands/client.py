"""`client <namespace>/<name>`: an OAuth2Client, its Secret, its Hydra registration, its logs.

The runbook's kubectl + base64 + curl-pod + log-reading, in one command. The order of evidence
matters: the resource's status can claim Ready after a failed registration, so the check goes on
to ask Hydra itself, then proves the Secret still matches by requesting a token with it (a Secret
edited after registration is silently out of sync), and reads hydra-maester's own log lines about
this client. Values from the Secret are never shown: fingerprints and lengths only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from handlers import kube
from handlers.core.check import Arguments, CheckContext, Command, Param
from handlers.core.model import Finding, Severity
from handlers.core.redact import describe_secret
from handlers.hydra import admin as hydra_admin
from handlers.hydra import maester_logs
from handlers.hydra import pods as hydra_pods
from handlers.oauth import client_auth
from handlers.oauth.destinations import Credentials, configured
from handlers.oauth.token_request import TokenAttempt, request_client_credentials

GROUP, VERSION, PLURAL = "hydra.ory.sh", "v1alpha1", "oauth2clients"
MAESTER_LABEL = "app.kubernetes.io/name=hydra-maester"
MAESTER_CONTAINER = "hydra-maester"
ID_KEYS = ("CLIENT_ID", "client_id")
SECRET_KEYS = ("CLIENT_SECRET", "client_secret")

REGISTRATION_REMEDY = (
    "hydra-maester did not (or no longer) register this client: read its logs (`kubectl logs -n "
    "{ns} -l app.kubernetes.io/name=hydra-maester -c hydra-maester`), restart the hydra-maester "
    "Pod to force a reconcile, and make sure Hydra reaches its database (`hydra`; an "
    "in-memory Hydra forgets every client on restart)."
)


def _resource_spec(obj: dict[str, Any]) -> dict[str, Any]:
    spec = obj.get("spec")
    return spec if isinstance(spec, dict) else {}


def spec_scopes(spec: dict[str, Any]) -> list[str]:
    """`scopeArray` wins over the deprecated space-separated `scope`."""
    arr = spec.get("scopeArray")
    if isinstance(arr, list) and arr:
        return [str(s) for s in arr]
    return str(spec.get("scope") or "").split()


@dataclass
class _Creds:
    client_id: str | None
    client_secret: str | None
    id_key: str | None
    secret_key: str | None


def _bound(ctx: CheckContext, creds: _Creds) -> Credentials:
    """The OAuth2Client Secret's values, bound to the Hydra the bot is configured for: the
    only place an OAuth2Client's credentials are proven."""
    assert creds.client_id is not None
    assert creds.client_secret is not None
    return Credentials(
        creds.client_id,
        creds.client_secret,
        "the OAuth2Client's Secret",
        configured(ctx.settings),
    )


def _pick(data: dict[str, str], keys: tuple[str, ...]) -> tuple[str | None, str | None]:
    for key in keys:
        if key in data:
            return key, data[key]
    return None, None


def _ws(value: str) -> str | None:
    """What kind of stray whitespace a value carries, if any."""
    if value == value.strip():
        return None
    if value.endswith("\n"):
        return "a trailing newline (`echo` without `-n`, or a YAML `|` block)"
    if value != value.rstrip():
        return "trailing whitespace"
    return "leading whitespace"


class OAuth2ClientCheck:
    """Resource → Secret → Hydra registration → drift → token proof."""

    name = "oauth2client"

    async def run(self, args: Arguments, ctx: CheckContext) -> list[Finding]:
        ns, name = kube.parse_ref(args.text("client"), "OAuth2Client")
        out: list[Finding] = []
        try:
            obj = await kube.get_custom_object(ctx, GROUP, VERSION, ns, PLURAL, name)
        except kube.KubeNotFound:
            return [
                Finding(
                    self.name,
                    Severity.FAIL,
                    f"OAuth2Client `{ns}/{name}` does not exist",
                    f"No {PLURAL}.{GROUP} named `{name}` in namespace `{ns}`.",
                    f"List them with `kubectl get oauth2clients -n {ns}` (or `-A`); check the "
                    "namespace and the spelling.",
                )
            ]
        except kube.KubeError as exc:
            return [kube.error_finding(self.name, exc, subject=f"OAuth2Client {ns}/{name}")]
        spec = _resource_spec(obj)
        out += self._resource(obj, spec, ns, name)
        secret_name = str(spec.get("secretName") or "")
        if not secret_name:
            out.append(
                Finding(self.name, Severity.FAIL, "The OAuth2Client has no `spec.secretName`")
            )
            return out
        creds, found = await self._secret(ctx, ns, secret_name)
        out += found
        if creds is None or not creds.client_id:
            return out
        client, found = await self._registration(ctx, creds.client_id, ns, name)
        out += found
        if client is None:
            return out
        out += self._drift(spec, client, ns, name)
        if creds.client_secret:
            out += await self._prove(ctx, spec, client, creds)
        return out

    # -- the resource ---------------------------------------------------------------------
    def _resource(
        self, obj: dict[str, Any], spec: dict[str, Any], ns: str, name: str
    ) -> list[Finding]:
        out: list[Finding] = []
        meta = obj.get("metadata") or {}
        status = obj.get("status") or {}
        grants = spec.get("grantTypes") or []
        method = spec.get("tokenEndpointAuthMethod") or "client_secret_basic (default)"
        admin = spec.get("hydraAdmin") or {}
        evidence: dict[str, Any] = {
            "grantTypes": grants,
            "scopes": spec_scopes(spec),
            "audience": spec.get("audience") or [],
            "secretName": spec.get("secretName"),
            "tokenEndpointAuthMethod": method,
        }
        if admin:
            evidence["hydraAdmin"] = admin
        out.append(
            Finding(
                self.name,
                Severity.INFO,
                f"OAuth2Client `{ns}/{name}`: grants {', '.join(map(str, grants)) or '(none)'}",
                f"scopes: {' '.join(spec_scopes(spec)) or '(none)'}; audience: "
                f"{', '.join(map(str, spec.get('audience') or [])) or '(none)'}; auth method: "
                f"{method}; Secret: `{spec.get('secretName')}`",
                evidence=evidence,
            )
        )
        error = status.get("reconciliationError") if isinstance(status, dict) else None
        if isinstance(error, dict) and (error.get("statusCode") or error.get("description")):
            code = str(error.get("statusCode") or "")
            out.append(
                Finding(
                    self.name,
                    Severity.FAIL,
                    f"hydra-maester reports `{code or 'an error'}` for this client",
                    str(error.get("description") or "")[:500],
                    _reconcile_remedy(code, ns),
                    {"statusCode": code},
                )
            )
        generation = meta.get("generation")
        observed = status.get("observedGeneration") if isinstance(status, dict) else None
        if isinstance(generation, int) and isinstance(observed, int) and observed < generation:
            out.append(
                Finding(
                    self.name,
                    Severity.WARN,
                    "The latest change to the OAuth2Client is not reconciled yet",
                    f"metadata.generation is {generation}, status.observedGeneration {observed}: "
                    "Hydra may still hold the previous settings.",
                    "Wait a moment; if it stays behind, hydra-maester is stuck or down — read its "
                    "logs and check its health:",
                    commands=("hydra",),
                )
            )
        for cond in status.get("conditions") or [] if isinstance(status, dict) else []:
            if isinstance(cond, dict) and cond.get("type") == "Ready":
                if str(cond.get("status")) == "True":
                    out.append(
                        Finding(
                            self.name,
                            Severity.INFO,
                            "Status condition Ready=True",
                            "The status can claim Ready after a failed registration; Hydra and "
                            "the controller's logs below are the authority.",
                        )
                    )
                else:
                    out.append(
                        Finding(
                            self.name,
                            Severity.FAIL,
                            f"Status condition Ready={cond.get('status')}",
                            str(cond.get("message") or cond.get("reason") or "")[:300],
                            REGISTRATION_REMEDY.format(ns="kyma-system"),
                        )
                    )
        return out

    # -- the Secret -----------------------------------------------------------------------
    async def _secret(
        self, ctx: CheckContext, ns: str, secret_name: str
    ) -> tuple[_Creds | None, list[Finding]]:
        try:
            data = await kube.read_secret(ctx, ns, secret_name, public_keys=ID_KEYS)
        except kube.KubeNotFound:
            return None, [
                Finding(
                    self.name,
                    Severity.FAIL,
                    f"Secret `{ns}/{secret_name}` named in the OAuth2Client does not exist",
                    "hydra-maester creates it when it registers the client; its absence means "
                    "registration failed or the Secret was deleted.",
                    REGISTRATION_REMEDY.format(ns="kyma-system"),
                )
            ]
        except kube.KubeError as exc:
            return None, [kube.error_finding(self.name, exc, subject=f"Secret {ns}/{secret_name}")]
        id_key, client_id = _pick(data, ID_KEYS)
        secret_key, client_secret = _pick(data, SECRET_KEYS)
        creds = _Creds(client_id, client_secret, id_key, secret_key)
        out: list[Finding] = []
        keys = sorted(data)
        missing = [
            label
            for label, key in (("client id", id_key), ("client secret", secret_key))
            if key is None
        ]
        if missing:
            out.append(
                Finding(
                    self.name,
                    Severity.FAIL,
                    f"Secret `{secret_name}` has no {' and no '.join(missing)}",
                    f"Looked for `CLIENT_ID`/`client_id` and `CLIENT_SECRET`/`client_secret`; the "
                    f"Secret has keys: {', '.join(keys) or '(none)'}.",
                    "hydra-maester writes `CLIENT_ID`/`CLIENT_SECRET` (older versions and the Kyma "
                    "docs use lower case); fix the key names or delete the Secret so it is "
                    "recreated.",
                    {"keys": keys},
                )
            )
        both = [k for k in (*ID_KEYS, *SECRET_KEYS) if k in data]
        if len(both) > 2 and (
            data.get("CLIENT_ID", data.get("client_id")) != data.get("client_id")
            or data.get("CLIENT_SECRET", data.get("client_secret")) != data.get("client_secret")
        ):
            out.append(
                Finding(
                    self.name,
                    Severity.WARN,
                    "The Secret holds both key spellings with different values",
                    "hydra-maester reads `CLIENT_ID`/`CLIENT_SECRET`; tools following the Kyma "
                    "docs read `client_id`/`client_secret` and get the other credentials.",
                    "Keep one spelling.",
                    {"keys": keys},
                )
            )
        for label, key, value in (
            ("client id", id_key, client_id),
            ("client secret", secret_key, client_secret),
        ):
            if value is None or key is None:
                continue
            problem = _ws(value)
            if problem:
                out.append(
                    Finding(
                        self.name,
                        Severity.WARN,
                        f"The {label} (`{key}`) contains {problem}",
                        "hydra-maester registers the value verbatim, whitespace included; callers "
                        "that trim it (or copy it from a terminal) send something else and get "
                        "401 invalid_client.",
                        "Recreate the value without it: `echo -n` / `printf %s`, `stringData`, or "
                        "a YAML `|-` block; then let hydra-maester re-register.",
                        {key: describe_secret(value) if "secret" in label else len(value)},
                    )
                )
        if client_id is not None and client_secret is not None:
            out.append(
                Finding(
                    self.name,
                    Severity.OK,
                    f"Secret `{secret_name}` holds `{id_key}` and `{secret_key}`",
                    f"client id `{client_id.strip()}`; secret {describe_secret(client_secret)}",
                    evidence={"client_id": client_id.strip(), "keys": keys},
                )
            )
        return creds, out

    # -- Hydra ----------------------------------------------------------------------------
    async def _registration(
        self, ctx: CheckContext, client_id: str, ns: str, name: str
    ) -> tuple[dict[str, Any] | None, list[Finding]]:
        lookup = await hydra_admin.get_client(ctx, client_id)
        tried = [t.to_dict() for t in lookup.tried]
        if lookup.found:
            assert lookup.client is not None
            return lookup.client, [
                Finding(
                    self.name,
                    Severity.OK,
                    f"Hydra knows client `{client_id.strip()}` ({lookup.api} admin API)",
                    evidence={"tried": tried},
                )
            ]
        if lookup.error:
            return None, [
                Finding(
                    self.name,
                    Severity.ERROR,
                    "Could not ask Hydra's admin API about the client",
                    lookup.error,
                    "Check AUTHCHECK_HYDRA_ADMIN_URL (admin port 4445, reachable from the bot) "
                    "and Hydra's health:",
                    {"tried": tried},
                    commands=("hydra",),
                )
            ]
        out = [
            Finding(
                self.name,
                Severity.FAIL,
                f"Hydra has no client `{client_id.strip()}`",
                f"Hydra's {lookup.api} admin API answered 404 “Unable to locate the resource”. "
                "Every token request with this Secret fails with 401 invalid_client.",
                REGISTRATION_REMEDY.format(ns=ctx.settings.hydra_namespace),
                {"tried": tried},
            )
        ]
        listing = await hydra_admin.list_clients(ctx)
        owned = [c for c in listing.clients if c.get("owner") == f"{name}/{ns}"]
        if owned:
            ids = ", ".join(f"`{c.get('client_id')}`" for c in owned)
            out.append(
                Finding(
                    self.name,
                    Severity.FAIL,
                    "Hydra has a client owned by this resource under another id",
                    f"Owner `{name}/{ns}` is registered as {ids}: the Secret's client id was "
                    "changed after registration.",
                    "Restore the Secret's id, or delete the Secret so hydra-maester writes the "
                    "registered credentials again.",
                )
            )
        return None, out

    def _drift(
        self, spec: dict[str, Any], client: dict[str, Any], ns: str, name: str
    ) -> list[Finding]:
        diffs: list[str] = []
        want_grants = sorted(map(str, spec.get("grantTypes") or []))
        have_grants = sorted(map(str, client.get("grant_types") or []))
        if want_grants != have_grants:
            diffs.append(f"grant types: resource {want_grants}, Hydra {have_grants}")
        want_scopes = sorted(spec_scopes(spec))
        have_scopes = sorted(str(client.get("scope") or "").split())
        if want_scopes != have_scopes:
            diffs.append(f"scopes: resource {want_scopes}, Hydra {have_scopes}")
        want_aud = sorted(map(str, spec.get("audience") or []))
        have_aud = sorted(map(str, client.get("audience") or []))
        if want_aud != have_aud:
            diffs.append(f"audience: resource {want_aud}, Hydra {have_aud}")
        want_method = str(spec.get("tokenEndpointAuthMethod") or "client_secret_basic")
        have_method = str(client.get("token_endpoint_auth_method") or "client_secret_basic")
        if want_method != have_method:
            diffs.append(f"auth method: resource {want_method}, Hydra {have_method}")
        out: list[Finding] = []
        owner = client.get("owner")
        if owner and owner != f"{name}/{ns}":
            out.append(
                Finding(
                    self.name,
                    Severity.WARN,
                    f"The Hydra client is owned by `{owner}`, not `{name}/{ns}`",
                    "Two OAuth2Clients share one client id; hydra-maester logs `requested ID "
                    "already exists` for the second and only one of them is in effect.",
                    "Give each OAuth2Client its own Secret / client id.",
                )
            )
        if diffs:
            out.append(
                Finding(
                    self.name,
                    Severity.FAIL,
                    "The OAuth2Client and Hydra's registration disagree",
                    "; ".join(diffs) + ". Tokens follow Hydra's copy.",
                    "hydra-maester did not apply the last change: check its logs below; touching "
                    "the resource (a label) triggers a new reconcile.",
                    {"differences": diffs},
                )
            )
        else:
            out.append(
                Finding(
                    self.name,
                    Severity.OK,
                    "Hydra's registration matches the resource",
                    "grant types, scopes, audience and auth method agree",
                )
            )
        return out

    async def _prove(
        self, ctx: CheckContext, spec: dict[str, Any], client: dict[str, Any], creds: _Creds
    ) -> list[Finding]:
        assert creds.client_id is not None
        assert creds.client_secret is not None
        grants = client.get("grant_types") or spec.get("grantTypes") or []
        if "client_credentials" not in grants:
            return [
                Finding(
                    self.name,
                    Severity.INFO,
                    "Secret not proven against Hydra: the client has no client_credentials grant",
                    "Only a client_credentials request can prove the secret without a user.",
                )
            ]
        auth = str(client.get("token_endpoint_auth_method") or "client_secret_basic")
        method = (
            client_auth.POST_BODY if auth == "client_secret_post" else client_auth.BASIC_ENCODED
        )
        url = hydra_admin.token_url(ctx)
        attempt = await request_client_credentials(ctx, url, _bound(ctx, creds), method=method)
        evidence = {"token_url": url, "method": method, "status": attempt.status}
        if attempt.ok:
            return [
                Finding(
                    self.name,
                    Severity.OK,
                    "The Secret's credentials get a token from Hydra",
                    f"client_credentials at {url} ({auth}) answered 200.",
                    evidence=evidence,
                )
            ]
        if attempt.transport_error:
            return [
                Finding(
                    self.name,
                    Severity.ERROR,
                    "Could not reach Hydra's token endpoint to prove the Secret",
                    attempt.transport_error,
                    "Check AUTHCHECK_HYDRA_PUBLIC_URL (public port 4444).",
                    evidence,
                )
            ]
        if attempt.rejected_client:
            stripped = await self._try_stripped(ctx, url, creds, method)
            detail = (
                f"{attempt.wording()}. Hydra has the client, so its stored secret is not the "
                "Secret's: the Secret was edited after registration (Hydra is not updated), or "
                "the id belongs to another resource."
            )
            if stripped is not None and stripped.ok:
                detail = (
                    f"{attempt.wording()} with the value as stored, but the value without its "
                    "surrounding whitespace works: Hydra holds the trimmed secret."
                )
            return [
                Finding(
                    self.name,
                    Severity.FAIL,
                    "The Secret does not match Hydra: token request rejected",
                    detail,
                    "Delete the Secret (hydra-maester registers new credentials and writes them) "
                    "or restore the original value; never edit it in place.",
                    evidence,
                )
            ]
        return [
            Finding(
                self.name,
                Severity.WARN,
                "Hydra refused the token request for another reason than the credentials",
                attempt.wording(),
                "See `token` for a full diagnosis of the token request.",
                evidence,
            )
        ]

    async def _try_stripped(
        self, ctx: CheckContext, url: str, creds: _Creds, method: str
    ) -> TokenAttempt | None:
        assert creds.client_id is not None
        assert creds.client_secret is not None
        cid, sec = creds.client_id.strip(), creds.client_secret.strip()
        if (cid, sec) == (creds.client_id, creds.client_secret):
            return None
        return await request_client_credentials(
            ctx, url, _bound(ctx, creds).with_values(cid, sec), method=method
        )


def _reconcile_remedy(code: str, ns: str) -> str:
    return {
        "CLIENT_REGISTRATION_FAILED": "Hydra refused the registration: read the description and "
        "hydra-maester's logs; a 404 there usually means `--endpoint` still `/clients` on "
        "Hydra v2.",
        "INVALID_SECRET": "The Secret has missing or malformed keys: it needs `CLIENT_ID` and "
        "`CLIENT_SECRET` (or the lower-case pair), no stray whitespace.",
        "INVALID_HYDRA_ADDRESS": "`spec.hydraAdmin` (url, port, endpoint) does not point at "
        "Hydra's admin API; for Hydra v2 the endpoint is `/admin/clients`.",
        "SECRET_CREATION_FAILED": "hydra-maester could not write the Secret: check its RBAC and "
        "that no other object has that name.",
        "CLIENT_UPDATE_FAILED": "Hydra refused the update: read hydra-maester's logs.",
    }.get(code, REGISTRATION_REMEDY.format(ns=ns))


class MaesterLogsCheck:
    """hydra-maester's own lines about this client: the authority over the status."""

    name = "hydra-maester-logs"

    async def run(self, args: Arguments, ctx: CheckContext) -> list[Finding]:
        ns, name = kube.parse_ref(args.text("client"), "OAuth2Client")
        hydra_ns = ctx.settings.hydra_namespace
        try:
            pods = await kube.list_pods(ctx, hydra_ns, MAESTER_LABEL)
        except kube.KubeError as exc:
            return [kube.error_finding(self.name, exc, subject="hydra-maester pods")]
        if not pods:
            return [
                Finding(
                    self.name,
                    Severity.WARN,
                    f"No hydra-maester pods in namespace `{hydra_ns}`",
                    f"Looked for pods labelled `{MAESTER_LABEL}`.",
                    "Without hydra-maester no OAuth2Client is registered; check the deployment "
                    "(or set AUTHCHECK_HYDRA_NAMESPACE).",
                )
            ]
        lines: list[maester_logs.LogLine] = []
        for pod in pods:
            pod_name = str((pod.get("metadata") or {}).get("name", ""))
            try:
                text = await kube.pod_logs(ctx, hydra_ns, pod_name, MAESTER_CONTAINER)
            except kube.KubeError as exc:
                return [kube.error_finding(self.name, exc, subject=f"logs of {pod_name}")]
            lines += maester_logs.parse(text, namespace=ns, name=name, pod=pod_name)
        return classify_findings(self.name, lines, ns, name)


def classify_findings(
    check: str, lines: list[maester_logs.LogLine], ns: str, name: str
) -> list[Finding]:
    """One finding for the latest verdict, plus the distinct error kinds seen before it."""
    if not lines:
        return [
            Finding(
                check,
                Severity.INFO,
                f"hydra-maester logged nothing about `{ns}/{name}` recently",
                "No reconcile in the last hour; an unchanged client is not reconciled again.",
            )
        ]
    last = lines[-1]
    sample = [ln.text for ln in lines[-5:]]
    ev = {"lines": sample, "pod": last.pod}
    kind = maester_logs.Kind
    verdicts = {
        kind.RECONCILED: (
            Severity.OK,
            "hydra-maester last reconciled this client successfully",
            "",
        ),
        kind.ID_EXISTS: (
            Severity.FAIL,
            "hydra-maester: requested ID already exists",
            "Another OAuth2Client (or a client created by hand) already uses this client id; "
            "give this resource its own Secret, or delete the stale client in Hydra.",
        ),
        kind.INVALID_SECRET: (
            Severity.FAIL,
            "hydra-maester: the client's Secret is invalid",
            "The Secret needs `CLIENT_ID` and `CLIENT_SECRET` (or the lower-case pair) with "
            "non-empty values.",
        ),
        kind.ENDPOINT_404: (
            Severity.FAIL,
            "hydra-maester's calls to Hydra's admin API answer 404",
            "hydra-maester still uses `--endpoint=/clients` against Hydra v2, which serves "
            "`/admin/clients`: set the flag (or `spec.hydraAdmin.endpoint`) to `/admin/clients`.",
        ),
        kind.ERROR_PROCESSING: (
            Severity.FAIL,
            "hydra-maester failed to process this client",
            "Read the error in the line: Hydra's status code and message say what it refused.",
        ),
        kind.OTHER_ERROR: (
            Severity.WARN,
            "hydra-maester logged an error about this client",
            "Read the line; then `hydra` for the controller's health.",
        ),
    }
    status, title, remedy = verdicts[last.kind]
    detail = last.text
    if last.kind is kind.ERROR_PROCESSING or last.kind is kind.ENDPOINT_404:
        path = maester_logs.clients_path_in(last.text)
        if path:
            ev["admin_path"] = path
    out = [Finding(check, status, title, detail, remedy, ev)]
    earlier = {ln.kind for ln in lines[:-1] if ln.is_error} - {last.kind}
    if earlier and last.kind is kind.RECONCILED:
        out.append(
            Finding(
                check,
                Severity.INFO,
                "Earlier errors for this client were followed by a successful reconcile",
                ", ".join(sorted(k.value for k in earlier)),
            )
        )
    return out


class ClientHydraLogsCheck:
    """Hydra's own recent errors, with those naming this client's id picked out."""

    name = "hydra-logs"

    async def run(self, args: Arguments, ctx: CheckContext) -> list[Finding]:
        client_id = await self._client_id(args, ctx)
        lines, problems = await hydra_pods.read(ctx, self.name, client_id)
        if problems and not lines:
            return problems
        return [*problems, *hydra_pods.findings(self.name, lines, client_id)]

    @staticmethod
    async def _client_id(args: Arguments, ctx: CheckContext) -> str | None:
        """The id from the OAuth2Client's Secret; None when it cannot be read (the resource
        check reports why), and the logs are then read without attribution."""
        ns, name = kube.parse_ref(args.text("client"), "OAuth2Client")
        try:
            obj = await kube.get_custom_object(ctx, GROUP, VERSION, ns, PLURAL, name)
            secret_name = str(_resource_spec(obj).get("secretName") or "")
            if not secret_name:
                return None
            data = await kube.read_secret(ctx, ns, secret_name, public_keys=ID_KEYS)
        except kube.KubeError:
            return None
        _, client_id = _pick(data, ID_KEYS)
        return client_id.strip() if client_id else None


def build() -> Command:
    return Command(
        name="client",
        summary="OAuth2Client resource, its Secret, its registration in Hydra, hydra-maester logs",
        params=(
            Param(
                "client",
                "the OAuth2Client as namespace/name",
                required=True,
                metavar="namespace/name",
            ),
        ),
        checks=(OAuth2ClientCheck(), MaesterLogsCheck(), ClientHydraLogsCheck()),
        examples=("client default/my-client",),
        validate=kube.validate_ref("client", "OAuth2Client"),
    )
