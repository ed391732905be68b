"""`client <namespace>/<name>`: an OAuth2Client, its Secret, its Hydra registration, its logs.

The runbook's kubectl + base64 + curl-pod + log-reading, in one command. The order of evidence
matters: the resource's status can claim Ready after a failed registration, so the check goes on
to ask Hydra itself, then proves the Secret still matches by requesting a token with it (a Secret
edited after registration is silently out of sync), and reads hydra-maester's own log lines about
this client. Values from the Secret are never shown: fingerprints and lengths only.
"""

from __future__ import annotations

from handlers import kube
from handlers.core.check import Arguments, CheckContext, Command, Param
from handlers.core.model import Finding, Severity
from handlers.hydra import maester, maester_logs, oauth2client
from handlers.hydra import pods as hydra_pods
from handlers.hydra.client_proof import prove
from handlers.hydra.client_registration import drift_findings, registration
from handlers.hydra.client_resource import resource_findings
from handlers.hydra.client_secret import SecretValues, secret_findings
from handlers.hydra.maester_verdicts import classify_findings
from handlers.hydra.oauth2client import GROUP, ID_KEYS, PLURAL, REGISTRATION_REMEDY


class OAuth2ClientCheck:
    """Resource → Secret → Hydra registration → drift → token proof."""

    name = "oauth2client"

    async def run(self, args: Arguments, ctx: CheckContext) -> list[Finding]:
        ns, name = kube.parse_ref(args.text("client"), "OAuth2Client")
        out: list[Finding] = []
        try:
            obj = await oauth2client.read(ctx, ns, name)
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
        spec = oauth2client.resource_spec(obj)
        out += resource_findings(self.name, obj, ns, name)
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
        client, found = await registration(ctx, self.name, creds.client_id, ns, name)
        out += found
        if client is None:
            return out
        out += drift_findings(self.name, spec, client, ns, name)
        if creds.client_secret:
            out += await prove(ctx, self.name, spec, client, creds)
        return out

    async def _secret(
        self, ctx: CheckContext, ns: str, secret_name: str
    ) -> tuple[SecretValues | None, list[Finding]]:
        """The Secret's values and findings; a missing Secret means registration failed."""
        try:
            data = await oauth2client.read_secret(ctx, ns, secret_name)
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
        return secret_findings(self.name, secret_name, data)


class MaesterLogsCheck:
    """hydra-maester's own lines about this client: the authority over the status."""

    name = "hydra-maester-logs"

    async def run(self, args: Arguments, ctx: CheckContext) -> list[Finding]:
        ns, name = kube.parse_ref(args.text("client"), "OAuth2Client")
        hydra_ns = ctx.settings.hydra_namespace
        try:
            pods = await maester.pods(ctx, hydra_ns)
        except kube.KubeError as exc:
            return [kube.error_finding(self.name, exc, subject="hydra-maester pods")]
        if not pods:
            return [
                Finding(
                    self.name,
                    Severity.WARN,
                    f"No hydra-maester pods in namespace `{hydra_ns}`",
                    f"Looked for pods labelled `{maester.LABEL}`.",
                    "Without hydra-maester no OAuth2Client is registered; check the deployment "
                    "(or set AUTHCHECK_HYDRA_NAMESPACE).",
                )
            ]
        lines: list[maester_logs.LogLine] = []
        for pod in pods:
            pod_name = maester.pod_name(pod)
            try:
                text = await maester.logs(ctx, hydra_ns, pod_name)
            except kube.KubeError as exc:
                return [kube.error_finding(self.name, exc, subject=f"logs of {pod_name}")]
            lines += maester_logs.parse(text, namespace=ns, name=name, pod=pod_name)
        return classify_findings(self.name, lines, ns, name)


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
            obj = await oauth2client.read(ctx, ns, name)
            secret_name = str(oauth2client.resource_spec(obj).get("secretName") or "")
            if not secret_name:
                return None
            data = await oauth2client.read_secret(ctx, ns, secret_name)
        except kube.KubeError:
            return None
        _, client_id = oauth2client.pick(data, ID_KEYS)
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
