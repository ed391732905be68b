"""Parameter groups several commands declare the same way, and the refusals they share.

A command module declares its own parameters; when two commands take the same thing (the failing
URL, a token, a client), the declaration lives here once, so help and the grammar say the same
for both and no command imports another.
"""

from __future__ import annotations

from handlers.core.check import Arguments, Param, ParamKind
from handlers.core.model import Finding, Severity
from handlers.net import guard as targets

METHODS = ("get", "head", "post", "put", "patch", "delete", "options")


#: `--client-id ID --client-secret S | --secret NS/NAME`: a client, typed or from a Secret.
def client_params(purpose: str) -> tuple[Param, ...]:
    """The client group, its help naming what the client is for (`calls introspection`)."""
    return (
        Param("client-id", f"the client's id ({purpose})", kind=ParamKind.OPTION),
        Param(
            "client-secret",
            "the client's secret",
            kind=ParamKind.OPTION,
            secret=True,
            metavar="SECRET",
        ),
        Param(
            "secret",
            "Kubernetes Secret with the client (client_id/client_secret, CLIENT_ID/CLIENT_SECRET "
            "or clientid/clientsecret)",
            kind=ParamKind.OPTION,
            metavar="NS/NAME",
        ),
    )


def validate_url(args: Arguments) -> None:
    """Shared by every command whose first argument is the failing URL."""
    problem = targets.url_problem(args.text("url") or "")
    if problem:
        raise ValueError(f"<url>: {problem}")


#: `<url> [--token T] [--method M]`: the parameters of `probe` and `diagnose`.
URL_PARAMS = (
    Param("url", "the URL that answered 401/403", required=True, metavar="url"),
    Param(
        "token",
        "the access token (`Bearer …` is fine)",
        kind=ParamKind.OPTION,
        secret=True,
        metavar="T",
    ),
    Param(
        "method",
        "HTTP method (default GET)",
        kind=ParamKind.OPTION,
        choices=METHODS,
        metavar="M",
    ),
)


def method_refused(check: str, url: str, reason: str) -> Finding:
    """`probe`/`diagnose` with a writing method at an internal target: nothing was sent."""
    return Finding(
        check,
        Severity.ERROR,
        f"Refused to send that method to {url}",
        f"{reason}. Nothing was sent.",
        "Probe with GET (the default), HEAD or OPTIONS: a 401/403 is decided before the method "
        "matters at almost every gateway. If the target really is an internal service that "
        "needs this method, add it to AUTHCHECK_URL_ALLOWLIST.",
        {"url": url},
    )
