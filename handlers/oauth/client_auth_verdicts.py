"""What the answers to the same credentials sent differently say about client authentication.

Pure judges over `token_experiments.ClientAuthTrials`: whitespace around the secret, a server that
does not URL-decode Basic (UAA), a client registered for one method only, or credentials refused
every way (unknown client, empty or wrong secret) — and, when every refusal came without a reason
and no scope was asked for, "could not tell" rather than a guess.
"""

from __future__ import annotations

from handlers.core.model import Finding, Severity
from handlers.core.redact import describe_secret
from handlers.oauth import client_auth, refusals
from handlers.oauth.client_auth import BASIC_ENCODED, BASIC_ENCODED_CF, BASIC_RAW, POST_BODY
from handlers.oauth.token_experiments import (
    METHOD_TEXT,
    ClientAuthTrials,
    TokenRun,
    encoding_differs,
)
from handlers.oauth.token_request import TokenAttempt


def _who(run: TokenRun) -> str:
    creds = run.creds
    secret = describe_secret(creds.client_secret)
    return f"client `{creds.client_id}` (from {creds.source}), secret {secret}"


def _whitespace(run: TokenRun, trials: ClientAuthTrials) -> Finding | None:
    secret = run.creds.client_secret
    if not (trials.stripped_ok or (secret != secret.strip() and not trials.passed)):
        return None
    where = "a trailing newline" if secret.endswith(("\n", "\r")) else "whitespace"
    return Finding(
        run.check,
        Severity.FAIL,
        f"The client secret has {where} around it",
        f"{_who(run)}. "
        + (
            "The trimmed secret works."
            if trials.stripped_ok
            else "The server rejects it either way; the whitespace is wrong regardless."
        ),
        "Re-create the value without it: `echo -n` (not `echo`) before base64, no YAML "
        "`|` block for the Secret, `kubectl create secret generic --from-literal`.",
    )


def _decoding(run: TokenRun, trials: ClientAuthTrials) -> Finding | None:
    """Raw Basic (or UAA's header) works where URL-encoded Basic does not."""
    ok, who = trials.ok, _who(run)
    chars = " ".join(f"`{c}`" for c in client_auth.special_characters(run.creds.client_secret))
    if ok(BASIC_ENCODED_CF) and not ok(BASIC_ENCODED):
        return Finding(
            run.check,
            Severity.FAIL,
            "UAA takes Basic credentials raw: the URL-encoded secret is wrong to it",
            f"{who}. The secret contains {chars}; URL-encoded Basic fails, the same with "
            "`X-CF-ENCODED-CREDENTIALS: true` works.",
            "Send `X-CF-ENCODED-CREDENTIALS: true` with URL-encoded Basic credentials, or put "
            "client_id/client_secret in the POST body. Spring Security 5.6+ URL-encodes "
            "Basic credentials by default.",
        )
    if ok(BASIC_RAW) and not ok(BASIC_ENCODED):
        return Finding(
            run.check,
            Severity.FAIL,
            "The server does not URL-decode Basic credentials",
            f"{who}. The secret contains {chars}: URL-encoded (as RFC 6749 §2.3.1 and "
            "most libraries do) it is rejected, raw it works. Cloud Foundry UAA / XSUAA "
            "behave like this.",
            "Send the credentials in the POST body (client_secret_post), or for UAA add "
            "`X-CF-ENCODED-CREDENTIALS: true` to URL-encoded Basic credentials.",
        )
    return None


def _one_method(run: TokenRun, trials: ClientAuthTrials) -> Finding | None:
    """The client authenticates one way only (its `token_endpoint_auth_method`)."""
    ok, who, first = trials.ok, _who(run), trials.first
    if ok(POST_BODY) and not ok(BASIC_ENCODED) and not ok(BASIC_RAW):
        if encoding_differs(run.creds) and BASIC_RAW not in trials.tried:
            cause = "or it does not decode the URL-encoded secret"
        else:
            cause = "`token_endpoint_auth_method` is `client_secret_post`"
        return Finding(
            run.check,
            Severity.FAIL,
            "The client only authenticates with credentials in the POST body",
            f"{who}. Basic authentication is refused ({first.wording()}), the same "
            f"credentials in the form body work: {cause}.",
            "Send client_id/client_secret as form fields, or register the client with "
            "`token_endpoint_auth_method: client_secret_basic` (OAuth2Client "
            "`spec.tokenEndpointAuthMethod`).",
        )
    if ok(BASIC_ENCODED) and first.method == POST_BODY:
        return Finding(
            run.check,
            Severity.FAIL,
            "The client only authenticates with Basic credentials",
            f"{who}. Credentials in the POST body are refused ({first.wording()}), Basic "
            "works: `token_endpoint_auth_method` is `client_secret_basic`.",
            "Use HTTP Basic, or register the client with `client_secret_post`.",
        )
    return None


def _silent_without_scope(run: TokenRun, who: str, first: TokenAttempt) -> Finding:
    """Every method refused without a reason, and no scope was asked for: some servers refuse
    a scope-less client-credentials request exactly like bad credentials, so it is undecided."""
    return Finding(
        run.check,
        Severity.ERROR,
        f"Could not tell why client `{run.creds.client_id}` is refused: no reason given, no "
        "scope requested",
        f"{who}. Every authentication method got a refusal without a reason "
        f"({first.wording()}). Besides wrong credentials, some servers refuse a "
        "client-credentials request without `scope` the same way (Glewlwyd: an empty 403).",
        "What would decide: the same request with --scope <a scope the client may have>; a "
        "refusal then is about the credentials.",
        {"error": None, "side": "undecided"},
    )


def _all_refused(run: TokenRun, trials: ClientAuthTrials, uaa: bool) -> Finding:
    first, secret, creds = trials.first, run.creds.client_secret, run.creds
    descriptions = " ".join(filter(None, [first.error_description, first.error_hint])).lower()
    silent = all(a.error is None for a in trials.tried.values())
    if silent and not run.scope and secret.strip():
        return _silent_without_scope(run, _who(run), first)
    if "missing credentials" in descriptions or not secret.strip():
        title = "The server saw no client secret"
        remedy = "The secret is empty where it is read from; check the Secret's key names."
    elif refusals.client_unknown(first):
        title = f"Client `{creds.client_id}` is not known to this server"
        remedy = (
            "Check the client id and that it is registered on this server (for Kyma: "
            "`client <namespace>/<name>`; hydra-maester logs say if registration "
            "failed)."
        )
    else:
        title = f"Client `{creds.client_id}` was refused by every authentication method"
        remedy = (
            "The client is unknown here, disabled, or the secret is wrong. Compare the secret's "
            "fingerprint with the registered one; an OAuth2Client Secret edited after "
            "registration does not update Hydra (delete and re-create the OAuth2Client)."
        )
    wording = "UAA wording (`unauthorized` / Bad credentials)" if uaa else "the server's wording"
    return Finding(
        run.check,
        Severity.FAIL,
        title,
        f"{_who(run)}. {wording}: {first.wording()}. Tried "
        f"{', '.join(METHOD_TEXT[m] for m in trials.tried)}: all refused.",
        remedy,
        {"error": first.error},
    )


def client_auth_verdict(run: TokenRun, trials: ClientAuthTrials, uaa: bool) -> list[Finding]:
    """The pattern of answers names the cause; none when some method got the client through
    (what the server then objected to is judged as a request, not as client authentication)."""
    for judge in (_whitespace, _decoding, _one_method):
        found = judge(run, trials)
        if found is not None:
            return [found]
    if trials.passed:
        return []
    return [_all_refused(run, trials, uaa)]
