"""The resource-owner password grant: where the password comes from, and what a refusal means.

XSUAA's runbook splits a 401 into *client* authentication (the client id/secret) and *user*
authentication (user name, password, identity provider). The `token` command makes that split by
experiment; this module holds the parts that are not experiments: reading the password from a
place that is not the chat, the `login_hint` UAA wants, and reading UAA's wording for user-side
refusals.

The password never travels as chat text. It comes from a Kubernetes Secret (key `password`,
optionally `username`) or from an environment variable of the bot whose name starts with
`AUTHCHECK_PASSWORD_`: the prefix is what stops a chat user from making the bot send any other
variable of its environment (a Slack token, a database password) to a URL they chose. For the same
reason the password is never shown, not even as a fingerprint: a 48-bit hash of a weak password
is a dictionary lookup away. Only its length and where it came from are reported.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass

from handlers import kube
from handlers.core.check import CheckContext
from handlers.core.model import Finding, Severity
from handlers.oauth.credentials import secret_destinations, split_ref
from handlers.oauth.destinations import Destinations, configured
from handlers.oauth.token_request import TokenAttempt

PASSWORD_ENV_PREFIX = "AUTHCHECK_PASSWORD_"
CLIENT_SECRET_ENV_PREFIX = "AUTHCHECK_CLIENT_SECRET_"
PASSWORD_KEYS = ("password", "PASSWORD")
USERNAME_KEYS = ("username", "USERNAME", "user")
_ENV_NAME = re.compile(r"[A-Z0-9_]+")


def validate_env_name(name: str | None, prefix: str, flag: str) -> None:
    """For `Command.validate`: only variables made for this purpose may be named from chat."""
    if name is None:
        return
    if not name.startswith(prefix) or len(name) == len(prefix) or not _ENV_NAME.fullmatch(name):
        raise ValueError(
            f"{flag} must name a variable starting with {prefix} (upper case, digits, `_`): "
            "the bot reads no other variable of its environment on a chat user's behalf"
        )


def read_env(ctx: CheckContext, name: str) -> str | None:
    """The variable's value (registered with the redactor), or None when unset or empty."""
    value = os.environ.get(name)
    if not value:
        return None
    ctx.redactor.add(value)
    ctx.redactor.add(value.strip())
    return value


#: `<VAR>_URL` beside a credential variable names the server that credential belongs to.
ENV_URL_SUFFIX = "_URL"


def env_destinations(ctx: CheckContext, name: str) -> Destinations:
    """Where a credential from the bot's environment may go: the bot's configured endpoints, and
    the server the operator named beside it in `<VAR>_URL` (the same trusted source)."""
    base = configured(ctx.settings)
    named = os.environ.get(name + ENV_URL_SUFFIX, "").strip()
    if not named:
        return Destinations(
            f"{base.named_by}; {name}{ENV_URL_SUFFIX} is not set to name its own server",
            base.origins,
        )
    own = Destinations.of("", [named])
    return Destinations(
        f"{base.named_by}, and {name}{ENV_URL_SUFFIX}", base.origins | own.origins, base.domains
    )


def login_hint(origin: str) -> str:
    """UAA's `login_hint` form field: JSON naming the identity provider's origin key. The form
    encoding (httpx) URL-encodes it, which is what UAA expects."""
    return json.dumps({"origin": origin}, separators=(",", ":"))


def form_fields(username: str, password: str, origin: str | None) -> dict[str, str]:
    """The password grant's form fields, merged over the client-credentials request's."""
    fields = {"grant_type": "password", "username": username, "password": password}
    if origin:
        fields["login_hint"] = login_hint(origin)
    return fields


@dataclass(frozen=True)
class UserCredentials:
    username: str
    password: str
    source: str  # "Secret ns/name (key password)", "environment variable AUTHCHECK_PASSWORD_X"
    notes: tuple[Finding, ...] = ()
    #: Where the password may be sent (None: the user typed it into the private form).
    destinations: Destinations | None = None


@dataclass(frozen=True)
class UserLookup:
    user: UserCredentials | None = None
    finding: Finding | None = None


async def user_credentials(
    ctx: CheckContext,
    check: str,
    *,
    username: str | None,
    secret_ref: str | None,
    env_name: str | None,
    form: str | None = None,
    from_form: bool = False,
) -> UserLookup:
    """The user name and password from `--password-secret`, `--password-env` or the bot's
    private form (`form`, when the command says `from_form`)."""
    secret_user: str | None = None
    destinations: Destinations | None = None
    if from_form:
        if not form:
            return UserLookup(
                finding=Finding(
                    check,
                    Severity.ERROR,
                    "No password came with the private form",
                    "--password-form says the password was typed into authcheck's private "
                    "Slack form, but this run has none (typing the switch in chat gives the "
                    "check nothing to use).",
                    "In Slack, run the command without --password-secret/--password-env and "
                    "fill in the form that opens; elsewhere use --password-secret NS/NAME.",
                )
            )
        password, source = form, "the private Slack form"
    elif secret_ref:
        namespace, name = split_ref(secret_ref)
        try:
            data = await kube.read_secret(ctx, namespace, name, public_keys=USERNAME_KEYS)
        except kube.KubeNotFound as exc:
            return UserLookup(
                finding=Finding(
                    check,
                    Severity.FAIL,
                    f"Secret `{namespace}/{name}` does not exist",
                    f"{exc.message}. It was to hold the user's password.",
                    f"Check the name with `kubectl get secret -n {namespace}`.",
                    {"secret": f"{namespace}/{name}"},
                )
            )
        except kube.KubeError as exc:
            return UserLookup(
                finding=kube.error_finding(check, exc, subject=f"Secret {namespace}/{name}")
            )
        stored = next((data[k] for k in PASSWORD_KEYS if data.get(k)), None)
        secret_user = next((data[k] for k in USERNAME_KEYS if data.get(k)), None)
        if stored is None:
            return UserLookup(
                finding=Finding(
                    check,
                    Severity.FAIL,
                    f"Secret `{namespace}/{name}` has no `password` key",
                    f"Keys present: {', '.join(sorted(data)) or 'none'}.",
                    "Store the user's password under the key `password` (and optionally the "
                    "user name under `username`).",
                    {"secret": f"{namespace}/{name}", "keys": sorted(data)},
                )
            )
        password, source = stored, f"Secret {namespace}/{name} (key password)"
        destinations = secret_destinations(ctx, f"{namespace}/{name}", data)
    else:
        assert env_name is not None
        value = read_env(ctx, env_name)
        if value is None:
            return UserLookup(
                finding=Finding(
                    check,
                    Severity.ERROR,
                    f"Environment variable `{env_name}` is not set in the bot",
                    "The password was to come from this variable of the bot's environment; it "
                    "is unset or empty, so no token request was made.",
                    "Set it in the bot's Deployment (from a Secret, `valueFrom.secretKeyRef`), or "
                    "use --password-secret NS/NAME.",
                )
            )
        password = value
        source = f"environment variable {env_name}"
        destinations = env_destinations(ctx, env_name)
    ctx.redactor.add(password)
    ctx.redactor.add(password.strip())
    notes: list[Finding] = []
    user = username or secret_user
    if user is None:
        return UserLookup(
            finding=Finding(
                check,
                Severity.FAIL,
                "No user name for the password grant",
                f"--username was not given and {source.split(' (')[0]} has no `username` key.",
                "Add --username U (the user's login name or e-mail at the identity provider).",
            )
        )
    if username and secret_user and username != secret_user:
        notes.append(
            Finding(
                check,
                Severity.INFO,
                f"Using --username `{username}`, not the Secret's `{secret_user}`",
                "The Secret's password may belong to the other user.",
            )
        )
    if password != password.strip():
        where = "a trailing newline" if password.endswith(("\n", "\r")) else "whitespace"
        notes.append(
            Finding(
                check,
                Severity.WARN,
                f"The password from {source} has {where} around it",
                "It is sent as stored, whitespace included; the identity provider compares it "
                "character by character.",
                "Store it without: `kubectl create secret generic … --from-literal=password=…` "
                "or `echo -n`.",
            )
        )
    return UserLookup(UserCredentials(user, password, source, tuple(notes), destinations))


# -- reading a refusal ------------------------------------------------------------------------

_ORIGIN_MISMATCH = ("does not match an active identity provider", "supports password grant")
_ORIGIN_INVALID = ("origin provided in the login hint is invalid", "login_hint is invalid")
_NOT_ALLOWED_IDP = "not authorized for specified user's identity provider"
_LOCKED = ("locked", "too many failed")
_BAD_USER = ("bad credentials", "name or password mismatch", "invalid username or password")


def _text(a: TokenAttempt) -> str:
    return " ".join(filter(None, [a.error_description, a.error_hint])).lower()


def grant_not_allowed(a: TokenAttempt, grant: str) -> bool:
    """The client authenticated but may not use `grant` (UAA: 401 `invalid_client`
    "Unauthorized grant type: password"; RFC 6749: `unauthorized_client`/`unsupported_grant_type`).
    """
    text = _text(a)
    if f"unauthorized grant type: {grant}" in text or "grant type is not supported" in text:
        return True
    return a.error in ("unauthorized_client", "unsupported_grant_type")


def origin_text(origin: str | None) -> str:
    return f"origin `{origin}`" if origin else "the default origin (no --origin given)"


def user_failure(
    check: str, a: TokenAttempt, username: str, origin: str | None, client_id: str, source: str
) -> Finding:
    """The finding for a password grant refused while the client authenticates fine."""
    text = _text(a)
    proof = (
        f"Client `{client_id}` authenticates (client credentials with the same client work), so "
        "the refusal is about the user."
    )
    if any(p in text for p in _ORIGIN_MISMATCH) or any(p in text for p in _ORIGIN_INVALID):
        return Finding(
            check,
            Severity.FAIL,
            f"{origin_text(origin).capitalize()} is not an active identity provider that allows "
            "the password grant",
            f"{proof} Server: {a.wording()}.",
            "The password grant only works with OpenID Connect identity providers, never with "
            "SAML ones. Use the origin key of the SAP ID service (`sap.default`) or of your "
            "Identity Authentication tenant connected via OIDC (`sap.custom`) in --origin. The "
            "origin keys and each provider's protocol are listed in the BTP cockpit under "
            "Security → Trust Configuration.",
            {"origin": origin, "error": a.error, "user_side": True},
        )
    if _NOT_ALLOWED_IDP in text:
        return Finding(
            check,
            Severity.FAIL,
            f"Client `{client_id}` may not log users in through {origin_text(origin)}",
            f"{proof} Server: {a.wording()}.",
            "Add the origin to the client's allowed identity providers (UAA `allowedproviders`), "
            "or use an origin it allows.",
            {"origin": origin, "error": a.error, "user_side": True},
        )
    if any(p in text for p in _LOCKED):
        return Finding(
            check,
            Severity.FAIL,
            f"User `{username}` is locked",
            f"{proof} Server: {a.wording()}.",
            "Wait for the lockout to expire (UAA: 5 minutes by default) or have an administrator "
            "unlock the user; then fix the password the caller sends, or it locks again.",
            {"error": a.error, "user_side": True},
        )
    known = any(p in text for p in _BAD_USER) or a.error in ("unauthorized", "invalid_grant")
    if known:
        title = f"User authentication failed for `{username}`"
    elif a.error:
        title = f"The password grant for `{username}` was refused: `{a.error}`"
    else:
        title = (
            f"The password grant for `{username}` was refused (HTTP {a.status}, no reason given)"
        )
    silent = (
        ""
        if a.error
        else " The server gives no reason (Glewlwyd answers an empty 400/403): the user name or "
        "password, the user's access to the requested scope, or the client's permission to use "
        "the password grant."
    )
    return Finding(
        check,
        Severity.FAIL,
        title,
        f"{proof} Server: {a.wording()}.{silent} User `{username}` at {origin_text(origin)}, "
        f"password from {source}.",
        "1. Check the user name and password: log on to the identity provider in a browser (for "
        "the SAP ID service https://accounts.sap.com); if that fails, use the right pair or reset "
        "the password. "
        "2. A Universal ID user has no password the password grant can use until one is set for "
        "the SAP ID service user linked to it (SAP Note 3085908); anything that cannot do the "
        "browser login needs that separate password. "
        "3. If the user lives in a custom identity provider, pass its origin key with --origin "
        "(it must be an OIDC provider; SAML ones cannot do the password grant).",
        {"error": a.error, "user_side": True, "origin": origin},
    )


def password_grant_refused(check: str, a: TokenAttempt, client_id: str) -> Finding:
    """The client may not use the password grant at all: nothing about the user is learnt."""
    return Finding(
        check,
        Severity.FAIL,
        f"Client `{client_id}` may not use the password grant",
        f"Server: {a.wording()}. The user's credentials were not even looked at.",
        "Add `password` to the client's grant types (XSUAA: `oauth2-configuration.grant-types` "
        "in xs-security.json, then update the service instance). Ory Hydra does not implement "
        "the password grant at all.",
        {"error": a.error},
    )
