"""Where the client id and secret for a request come from.

Users give them inline (`--client-id/--client-secret`), as a Kubernetes Secret (`--secret ns/name`),
or the bot has its own (AUTHCHECK_INTROSPECT_*). Secrets written by hydra-maester use
`CLIENT_ID`/`CLIENT_SECRET` since v0.0.31, older ones and the Kyma docs `client_id`/`client_secret`,
and SAP BTP bindings `clientid`/`clientsecret`: all are read. Values are kept verbatim (a trailing
newline is exactly the bug the `token` command looks for) and registered with the redactor.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from handlers import kube
from handlers.core.check import CheckContext
from handlers.core.model import Finding, Severity
from handlers.oauth.destinations import Credentials, Destinations, configured

#: The one list of the spellings of a client id and secret in Secrets (use `pick_client`).
ID_KEYS = ("client_id", "CLIENT_ID", "clientid", "clientId")
SECRET_KEYS = ("client_secret", "CLIENT_SECRET", "clientsecret", "clientSecret")
#: Keys of a service-binding Secret that name its own authorization server (SAP BTP / XSUAA).
URL_KEYS = ("url", "certurl")
DOMAIN_KEYS = ("uaadomain",)
#: Not secret, and shown when a credential is refused: where it belongs.
PUBLIC_KEYS = (*URL_KEYS, *DOMAIN_KEYS)


def split_ref(ref: str) -> tuple[str, str]:
    """`namespace/name` → (namespace, name); ValueError with a one-line reason otherwise."""
    namespace, sep, name = ref.strip().partition("/")
    if not sep or not namespace or not name or "/" in name:
        raise ValueError(f"`{ref}` is not namespace/name")
    return namespace, name


def validate_ref(ref: str | None, flag: str) -> None:
    """For `Command.validate`: a bad `--secret` value is a usage error, not a finding."""
    if ref is None:
        return
    try:
        split_ref(ref)
    except ValueError as exc:
        raise ValueError(f"{flag}: {exc}") from None


@dataclass(frozen=True)
class Lookup:
    """Credentials found, or the finding that explains why there are none."""

    credentials: Credentials | None = None
    finding: Finding | None = None


@dataclass(frozen=True)
class ClientKeys:
    """The client id and secret a Secret holds, each with the key it was found under (None:
    absent). The key matters: it says which writer made the Secret (see the module docstring)."""

    id_key: str | None = None
    client_id: str | None = None
    secret_key: str | None = None
    client_secret: str | None = None


def _pick(
    data: Mapping[str, str], keys: tuple[str, ...], keep_empty: bool = False
) -> tuple[str, str] | None:
    for key in keys:
        if key in data and (keep_empty or data[key] != ""):
            return key, data[key]
    return None


def pick_client(data: Mapping[str, str], *, keep_empty: bool = False) -> ClientKeys:
    """The one reading of a Secret's client id and secret, in every spelling of ID_KEYS and
    SECRET_KEYS (first match wins). An empty value counts as absent unless `keep_empty` (for
    callers that report an empty secret as its own finding)."""
    found_id = _pick(data, ID_KEYS, keep_empty)
    found_secret = _pick(data, SECRET_KEYS, keep_empty)
    return ClientKeys(
        found_id[0] if found_id else None,
        found_id[1] if found_id else None,
        found_secret[0] if found_secret else None,
        found_secret[1] if found_secret else None,
    )


def secret_destinations(ctx: CheckContext, ref: str, data: dict[str, str]) -> Destinations:
    """Where a Secret's credentials may go: the service it names itself (an XSUAA binding's
    `url`, `certurl`, `uaadomain`), otherwise the bot's configured Hydra and issuer (hydra-maester
    registers an OAuth2Client's Secret in the Hydra the bot is configured for)."""
    urls = [data.get(k, "").strip() for k in URL_KEYS]
    domains = [data.get(k, "").strip() for k in DOMAIN_KEYS]
    named = [k for k in (*URL_KEYS, *DOMAIN_KEYS) if data.get(k, "").strip()]
    if named:
        keys = ", ".join(f"`{k}`" for k in named)
        return Destinations.of(f"named by Secret {ref} itself ({keys})", urls, domains)
    base = configured(ctx.settings)
    return Destinations(
        f"Secret {ref} names no server of its own (a `url` key would), so only the bot's "
        "configured endpoints",
        base.origins,
        base.domains,
    )


async def read_named_secret(
    ctx: CheckContext,
    check: str,
    ref: str,
    holds: str,
    *,
    public_keys: tuple[str, ...] = (),
    hint: str = "",
) -> dict[str, str] | Finding:
    """The data of the Secret a command names (its values registered with the redactor, except
    `public_keys` and the keys naming its server), or the finding that says why there is none:
    it does not exist (`fail`, saying what it was to hold) or could not be read (`error`)."""
    namespace, name = split_ref(ref)
    try:
        return await kube.read_secret(
            ctx, namespace, name, public_keys=(*public_keys, *PUBLIC_KEYS)
        )
    except kube.KubeNotFound as exc:
        return Finding(
            check,
            Severity.FAIL,
            f"Secret `{namespace}/{name}` does not exist",
            f"{exc.message}. It was to hold {holds}.",
            f"Check the name with `kubectl get secret -n {namespace}`"
            + (f"; {hint}" if hint else "."),
            {"secret": f"{namespace}/{name}"},
        )
    except kube.KubeError as exc:
        return kube.error_finding(check, exc, subject=f"Secret {namespace}/{name}")


async def from_secret(ctx: CheckContext, check: str, ref: str, purpose: str) -> Lookup:
    """Reads `client_id`/`client_secret` (any spelling) from the Secret `ref`."""
    namespace, name = split_ref(ref)
    data = await read_named_secret(
        ctx,
        check,
        ref,
        f"the client credentials {purpose}",
        hint="an OAuth2Client's Secret is named by its `spec.secretName`.",
    )
    if isinstance(data, Finding):
        return Lookup(finding=data)
    found = pick_client(data)
    if found.client_id is None or found.client_secret is None:
        missing = [
            label
            for label, value in (
                ("client id", found.client_id),
                ("client secret", found.client_secret),
            )
            if value is None
        ]
        return Lookup(
            finding=Finding(
                check,
                Severity.FAIL,
                f"Secret `{namespace}/{name}` has no {' and no '.join(missing)}",
                f"Keys present: {', '.join(sorted(data)) or 'none'}. Looked for "
                f"{'/'.join(ID_KEYS)} and {'/'.join(SECRET_KEYS)}.",
                "hydra-maester writes CLIENT_ID/CLIENT_SECRET (older versions client_id/"
                "client_secret); a BTP binding writes clientid/clientsecret.",
                {"secret": f"{namespace}/{name}", "keys": sorted(data)},
            )
        )
    ctx.redactor.add_basic(found.client_id, found.client_secret)
    return Lookup(
        credentials=Credentials(
            client_id=found.client_id,
            client_secret=found.client_secret,
            source=f"Secret {namespace}/{name} (keys {found.id_key}, {found.secret_key})",
            destinations=secret_destinations(ctx, f"{namespace}/{name}", data),
        )
    )


def inline(client_id: str | None, client_secret: str | None) -> Credentials | None:
    if client_id and client_secret:
        return Credentials(client_id, client_secret, "--client-id/--client-secret")
    return None


async def for_introspection(
    ctx: CheckContext,
    check: str,
    client_id: str | None,
    client_secret: str | None,
    secret_ref: str | None,
) -> Lookup:
    """The bot's introspection caller: inline, `--secret`, env id/secret, env Secret; or none."""
    given = inline(client_id, client_secret)
    if given is not None:
        return Lookup(credentials=given)
    purpose = "used to call introspection"
    if secret_ref:
        return await from_secret(ctx, check, secret_ref, purpose)
    settings = ctx.settings
    if settings.introspect_client_id and settings.introspect_client_secret:
        ctx.redactor.add_basic(settings.introspect_client_id, settings.introspect_client_secret)
        return Lookup(
            credentials=Credentials(
                settings.introspect_client_id,
                settings.introspect_client_secret,
                "AUTHCHECK_INTROSPECT_CLIENT_ID/_SECRET",
                configured(settings),
            )
        )
    if settings.introspect_secret:
        try:
            split_ref(settings.introspect_secret)
        except ValueError as exc:
            return Lookup(
                finding=Finding(
                    check,
                    Severity.ERROR,
                    "AUTHCHECK_INTROSPECT_SECRET is not namespace/name",
                    str(exc),
                    "Set AUTHCHECK_INTROSPECT_SECRET to `<namespace>/<secret-name>`.",
                )
            )
        found = await from_secret(ctx, check, settings.introspect_secret, purpose)
        if found.credentials is None:
            return found
        # The bot's own client goes to the bot's own endpoints, whatever its Secret says.
        own = replace(found.credentials, destinations=configured(settings))
        return Lookup(credentials=own)
    return Lookup()
