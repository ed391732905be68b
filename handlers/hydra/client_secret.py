"""Judging an OAuth2Client's Secret: the keys hydra-maester writes, their spellings, stray
whitespace. Pure (the Secret's data in, findings out); values are never shown, only
fingerprints and lengths."""

from __future__ import annotations

from dataclasses import dataclass

from handlers.core.model import Finding, Severity
from handlers.core.redact import describe_secret
from handlers.hydra.oauth2client import ID_KEYS, SECRET_KEYS, pick


@dataclass
class SecretValues:
    """The client id and secret the Secret holds (None: absent), with their keys."""

    client_id: str | None
    client_secret: str | None
    id_key: str | None
    secret_key: str | None


def whitespace_of(value: str) -> str | None:
    """What kind of stray whitespace a value carries, if any."""
    if value == value.strip():
        return None
    if value.endswith("\n"):
        return "a trailing newline (`echo` without `-n`, or a YAML `|` block)"
    if value != value.rstrip():
        return "trailing whitespace"
    return "leading whitespace"


def read_values(data: dict[str, str]) -> SecretValues:
    id_key, client_id = pick(data, ID_KEYS)
    secret_key, client_secret = pick(data, SECRET_KEYS)
    return SecretValues(client_id, client_secret, id_key, secret_key)


def _missing(check: str, secret_name: str, creds: SecretValues, keys: list[str]) -> list[Finding]:
    missing = [
        label
        for label, key in (("client id", creds.id_key), ("client secret", creds.secret_key))
        if key is None
    ]
    if not missing:
        return []
    return [
        Finding(
            check,
            Severity.FAIL,
            f"Secret `{secret_name}` has no {' and no '.join(missing)}",
            f"Looked for `CLIENT_ID`/`client_id` and `CLIENT_SECRET`/`client_secret`; the "
            f"Secret has keys: {', '.join(keys) or '(none)'}.",
            "hydra-maester writes `CLIENT_ID`/`CLIENT_SECRET` (older versions and the Kyma "
            "docs use lower case); fix the key names or delete the Secret so it is "
            "recreated.",
            {"keys": keys},
        )
    ]


def _two_spellings(check: str, data: dict[str, str], keys: list[str]) -> list[Finding]:
    both = [k for k in (*ID_KEYS, *SECRET_KEYS) if k in data]
    if len(both) <= 2 or (
        data.get("CLIENT_ID", data.get("client_id")) == data.get("client_id")
        and data.get("CLIENT_SECRET", data.get("client_secret")) == data.get("client_secret")
    ):
        return []
    return [
        Finding(
            check,
            Severity.WARN,
            "The Secret holds both key spellings with different values",
            "hydra-maester reads `CLIENT_ID`/`CLIENT_SECRET`; tools following the Kyma "
            "docs read `client_id`/`client_secret` and get the other credentials.",
            "Keep one spelling.",
            {"keys": keys},
        )
    ]


def _whitespace(check: str, creds: SecretValues) -> list[Finding]:
    out: list[Finding] = []
    for label, key, value in (
        ("client id", creds.id_key, creds.client_id),
        ("client secret", creds.secret_key, creds.client_secret),
    ):
        if value is None or key is None:
            continue
        problem = whitespace_of(value)
        if problem:
            out.append(
                Finding(
                    check,
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
    return out


def secret_findings(
    check: str, secret_name: str, data: dict[str, str]
) -> tuple[SecretValues, list[Finding]]:
    """The values (for the proof) and what is wrong or right with the Secret's keys."""
    creds = read_values(data)
    keys = sorted(data)
    out = _missing(check, secret_name, creds, keys)
    out += _two_spellings(check, data, keys)
    out += _whitespace(check, creds)
    if creds.client_id is not None and creds.client_secret is not None:
        out.append(
            Finding(
                check,
                Severity.OK,
                f"Secret `{secret_name}` holds `{creds.id_key}` and `{creds.secret_key}`",
                f"client id `{creds.client_id.strip()}`; "
                f"secret {describe_secret(creds.client_secret)}",
                evidence={"client_id": creds.client_id.strip(), "keys": keys},
            )
        )
    return creds, out
