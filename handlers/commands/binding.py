"""`binding <namespace>/<secret>`: an SAP BTP service-operator binding Secret for XSUAA.

The XSUAA runbook's manual steps: read the binding (one key per field, or everything as JSON
under `secretRootKey`), see which credential type it is, spot secrets whose `+`/`$`/`=` break
Basic authentication at UAA, check an X.509 binding's certificate (validity window, key matches,
`certurl` not `url`), then request a token the right way: client secret in the POST body (UAA
takes Basic raw), or mutual TLS against `certurl` for x509. No value from the Secret is shown.
"""

from __future__ import annotations

from handlers import kube
from handlers.core.check import Arguments, CheckContext, Command, Param
from handlers.core.findings import FindingBuilder
from handlers.core.model import Finding, Severity
from handlers.oauth import client_auth
from handlers.oauth.token_request import request_client_credentials
from handlers.xsuaa import binding
from handlers.xsuaa.x509 import mtls_token, url_of, x509_findings

CHECK = "binding"


class BindingCheck:
    name = CHECK

    async def run(self, args: Arguments, ctx: CheckContext) -> list[Finding]:
        out = FindingBuilder(CHECK)
        ns, name = kube.parse_ref(args.text("secret"), "binding Secret")
        b = await binding.read_binding(ctx, out, ns, name)
        if isinstance(b, Finding):
            return [b]
        found = [binding.summary(out, b)]
        not_xsuaa = binding.not_xsuaa(out, b)
        if not_xsuaa is not None:
            return [*found, not_xsuaa]
        client_id = str(b.fields["clientid"])
        found += binding.shape_findings(out, b, client_id)
        if b.is_x509:
            found += x509_findings(out, b.fields, ctx.clock())
            if any(f.status is Severity.FAIL for f in found):
                return found
            token_url = f"{url_of(b.fields.get('certurl'))}/oauth/token"
            return [*found, await mtls_token(out, ctx, token_url, client_id, b.fields)]
        secret = b.fields.get("clientsecret")
        if not isinstance(secret, str) or not secret:
            return [*found, out(Severity.FAIL, "The binding has no `clientsecret`")]
        found += binding.secret_findings(out, secret)
        token_url = f"{b.url}/oauth/token"
        bound = binding.bound_credentials(b, client_id, secret)
        attempt = await request_client_credentials(
            ctx, token_url, bound, method=client_auth.POST_BODY
        )
        return [*found, binding.token_verdict(out, attempt, secret, token_url)]


def build() -> Command:
    return Command(
        name="binding",
        summary="XSUAA binding Secret: credential type, special characters, certificate, token",
        params=(
            Param(
                "secret",
                "the binding Secret as namespace/name",
                required=True,
                metavar="namespace/secret",
            ),
        ),
        checks=(BindingCheck(),),
        examples=("binding default/xsuaa-binding",),
        validate=kube.validate_ref("secret", "binding Secret"),
    )
