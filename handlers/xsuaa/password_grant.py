"""The resource-owner password grant: where the password comes from, and what a refusal means.

XSUAA's runbook splits a 401 into *client* authentication (the client id/secret) and *user*
authentication (user name, password, identity provider). The `token` command makes that split by
experiment; this module holds the parts that are not experiments: reading the password from a
place that is not the chat and the `login_hint` UAA wants (UAA's wording for user-side refusals
is read in `user_refusals`).

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
from dataclasses import dataclass, replace

from handlers.core.check import CheckContext
from handlers.core.model import Finding, Severity
from handlers.oauth.credentials import read_named_secret, secret_destinations, split_ref
from handlers.oauth.destinations import Destinations, configured

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
        why = f"{base.named_by}; {name}{ENV_URL_SUFFIX} is not set to name its own server"
        return replace(base, named_by=why)
    return replace(base.including(named), named_by=f"{base.named_by}, and {name}{ENV_URL_SUFFIX}")


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


@dataclass(frozen=True)
class _Password:
    """A password found, where, the user name stored beside it, and where it may go."""

    password: str
    source: str
    secret_user: str | None = None
    destinations: Destinations | None = None


def _from_form(check: str, form: str | None) -> _Password | Finding:
    if not form:
        return Finding(
            check,
            Severity.ERROR,
            "No password came with the private form",
            "--password-form says the password was typed into authcheck's private "
            "Slack form, but this run has none (typing the switch in chat gives the "
            "check nothing to use).",
            "In Slack, run the command without --password-secret/--password-env and "
            "fill in the form that opens; elsewhere use --password-secret NS/NAME.",
        )
    return _Password(form, "the private Slack form")


async def _from_secret(ctx: CheckContext, check: str, secret_ref: str) -> _Password | Finding:
    namespace, name = split_ref(secret_ref)
    data = await read_named_secret(
        ctx, check, secret_ref, "the user's password", public_keys=USERNAME_KEYS
    )
    if isinstance(data, Finding):
        return data
    stored = next((data[k] for k in PASSWORD_KEYS if data.get(k)), None)
    secret_user = next((data[k] for k in USERNAME_KEYS if data.get(k)), None)
    if stored is None:
        return Finding(
            check,
            Severity.FAIL,
            f"Secret `{namespace}/{name}` has no `password` key",
            f"Keys present: {', '.join(sorted(data)) or 'none'}.",
            "Store the user's password under the key `password` (and optionally the "
            "user name under `username`).",
            {"secret": f"{namespace}/{name}", "keys": sorted(data)},
        )
    return _Password(
        stored,
        f"Secret {namespace}/{name} (key password)",
        secret_user,
        secret_destinations(ctx, f"{namespace}/{name}", data),
    )


def _from_env(ctx: CheckContext, check: str, env_name: str) -> _Password | Finding:
    value = read_env(ctx, env_name)
    if value is None:
        return Finding(
            check,
            Severity.ERROR,
            f"Environment variable `{env_name}` is not set in the bot",
            "The password was to come from this variable of the bot's environment; it "
            "is unset or empty, so no token request was made.",
            "Set it in the bot's Deployment (from a Secret, `valueFrom.secretKeyRef`), or "
            "use --password-secret NS/NAME.",
        )
    return _Password(
        value, f"environment variable {env_name}", None, env_destinations(ctx, env_name)
    )


def _notes(check: str, found: _Password, username: str | None) -> list[Finding]:
    """A --username that overrides the Secret's, whitespace around the password."""
    notes: list[Finding] = []
    secret_user, password, source = found.secret_user, found.password, found.source
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
    return notes


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
    found: _Password | Finding
    if from_form:
        found = _from_form(check, form)
    elif secret_ref:
        found = await _from_secret(ctx, check, secret_ref)
    else:
        assert env_name is not None
        found = _from_env(ctx, check, env_name)
    if isinstance(found, Finding):
        return UserLookup(finding=found)
    ctx.redactor.add(found.password)
    ctx.redactor.add(found.password.strip())
    user = username or found.secret_user
    if user is None:
        return UserLookup(
            finding=Finding(
                check,
                Severity.FAIL,
                "No user name for the password grant",
                f"--username was not given and {found.source.split(' (')[0]} has no `username` "
                "key.",
                "Add --username U (the user's login name or e-mail at the identity provider).",
            )
        )
    notes = tuple(_notes(check, found, username))
    return UserLookup(
        UserCredentials(user, found.password, found.source, notes, found.destinations)
    )
