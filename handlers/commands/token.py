"""`token <token-url-or-issuer>`: can this client get a token, and if not, why not.

A failed client-credentials request says little (`invalid_client`, "Bad credentials"), and the
usual causes look identical from outside: a `+` in the secret that one side URL-decodes and the
other does not, a newline from `echo`, a client registered for `client_secret_post`, a scope or
audience not allowed. So on failure the check experiments — the same credentials sent a few
different ways — and the combination of answers names the cause. Never more than five requests,
every attempt listed, no secret or token ever shown.
"""

from __future__ import annotations

from dataclasses import dataclass

from handlers.commands.params import client_params
from handlers.core.check import Arguments, CheckContext, Command, Param, ParamKind, PrivateField
from handlers.core.model import Finding, Severity
from handlers.net import guard as targets
from handlers.oauth import credentials, token_endpoint
from handlers.oauth.client_auth import BASIC_ENCODED, POST_BODY
from handlers.oauth.destinations import Credentials
from handlers.oauth.token_diagnosis import diagnose
from handlers.oauth.token_experiments import TokenRun
from handlers.oauth.token_verdicts import attempts_finding, unreachable
from handlers.xsuaa import password_grant
from handlers.xsuaa.password_run import password_run

CHECK = "token"
GRANTS = ("client_credentials", "password")
#: The switch the bot adds when the password came from its private form (PrivateField).
PASSWORD_FORM = "password-form"


async def _client(args: Arguments, ctx: CheckContext) -> Credentials | Finding:
    """The client: typed, typed id with the secret from the bot's environment, or a Secret."""
    creds = credentials.inline(args.text("client-id"), args.text("client-secret"))
    env_name = args.text("client-secret-env")
    if creds is None and env_name:
        env_secret = password_grant.read_env(ctx, env_name)
        if env_secret is None:
            return Finding(
                CHECK,
                Severity.ERROR,
                f"Environment variable `{env_name}` is not set in the bot",
                "The client secret was to come from this variable; it is unset or empty, "
                "so no token request was made.",
                "Set it in the bot's Deployment, or use --secret NS/NAME.",
            )
        creds = Credentials(
            str(args.text("client-id")),
            env_secret,
            f"--client-id and {env_name}",
            password_grant.env_destinations(ctx, env_name),
        )
    if creds is None:
        lookup = await credentials.from_secret(
            ctx, CHECK, args.text("secret") or "", "for the token request"
        )
        if lookup.finding is not None:
            return lookup.finding
        creds = lookup.credentials
    assert creds is not None
    return creds


def _primary(findings: list[Finding]) -> str:
    """The method to try first: the POST body only when discovery lists it and not Basic."""
    methods: tuple[str, ...] = tuple(
        findings[0].evidence.get("auth_methods", ()) if findings else ()
    )
    if "client_secret_post" in methods and "client_secret_basic" not in methods:
        return POST_BODY
    return BASIC_ENCODED


async def _password(run: TokenRun, args: Arguments, primary: str) -> list[Finding]:
    """The user's password (a Secret, the bot's environment or the private form), then the
    password grant."""
    ctx = run.ctx
    lookup = await password_grant.user_credentials(
        ctx,
        CHECK,
        username=args.text("username"),
        secret_ref=args.text("password-secret"),
        env_name=args.text("password-env"),
        form=ctx.private.get("password") if args.flag(PASSWORD_FORM) else None,
        from_form=args.flag(PASSWORD_FORM),
    )
    if lookup.finding is not None:
        return [lookup.finding]
    assert lookup.user is not None
    return await password_run(run, lookup.user, args.text("origin"), primary)


@dataclass(frozen=True)
class TokenCheck:
    name: str = CHECK

    async def run(self, args: Arguments, ctx: CheckContext) -> list[Finding]:
        given = (args.text("target") or "").strip()
        refused = await targets.refusal(given, ctx.settings.url_allowlist)
        if refused:
            return [targets.refused_finding(CHECK, given, refused)]
        creds = await _client(args, ctx)
        if isinstance(creds, Finding):
            return [creds]
        ctx.redactor.add_basic(creds.client_id, creds.client_secret)
        url, findings = await token_endpoint.token_url(ctx, CHECK, given)
        if url is None:
            return findings
        creds, not_sent = await token_endpoint.destination(ctx, CHECK, creds, given, url)
        if not_sent:
            return [*findings, not_sent]
        primary = _primary(findings)
        run = TokenRun(ctx, url, creds, args.text("scope"), args.text("audience"), [], check=CHECK)
        if args.text("grant") == "password":
            return [*findings, *await _password(run, args, primary)]
        first = await run.attempt(primary)
        assert first is not None
        if first.transport_error:
            return [*findings, unreachable(run, first), attempts_finding(run)]
        return [*findings, *await diagnose(run, first), attempts_finding(run)]


def _validate_password(args: Arguments) -> None:
    """The password grant's inputs: never a password or client secret typed in chat."""
    grant = args.text("grant") or "client_credentials"
    user_flags = [
        f for f in ("username", "origin", "password-secret", "password-env") if args.text(f)
    ]
    if grant != "password":
        if user_flags:
            raise ValueError(f"--{user_flags[0]} is only for --grant password")
        return
    if args.text("client-secret") is not None:
        raise ValueError(
            "with --grant password the client secret may not be typed in chat: use --secret "
            "NS/NAME, or --client-id ID --client-secret-env "
            f"{password_grant.CLIENT_SECRET_ENV_PREFIX}…"
        )
    sources = [f for f in ("password-secret", "password-env") if args.text(f)]
    if args.flag(PASSWORD_FORM):
        sources.append(PASSWORD_FORM)
    if len(sources) > 1:
        raise ValueError("give one of --password-secret, --password-env or the form, not several")
    if not sources:
        raise ValueError(
            "the password grant needs the user's password from --password-secret NS/NAME or "
            f"--password-env {password_grant.PASSWORD_ENV_PREFIX}…, never as chat text"
        )
    credentials.validate_ref(args.text("password-secret"), "--password-secret")
    password_grant.validate_env_name(
        args.text("password-env"), password_grant.PASSWORD_ENV_PREFIX, "--password-env"
    )


def _validate(args: Arguments) -> None:
    target = args.text("target") or ""
    problem = targets.url_problem(target)
    if problem:
        raise ValueError(f"<token-url-or-issuer>: {problem}")
    _validate_password(args)
    password_grant.validate_env_name(
        args.text("client-secret-env"),
        password_grant.CLIENT_SECRET_ENV_PREFIX,
        "--client-secret-env",
    )
    if args.text("client-secret-env") and args.text("client-secret") is not None:
        raise ValueError("give either --client-secret or --client-secret-env, not both")
    has_id = args.text("client-id") is not None
    has_secret = (
        args.text("client-secret") is not None or args.text("client-secret-env") is not None
    )
    if has_id != has_secret:
        raise ValueError("--client-id and --client-secret go together")
    if args.text("secret") and has_id:
        raise ValueError("give either --secret or --client-id/--client-secret, not both")
    if not args.text("secret") and not has_id:
        raise ValueError("give the client: --client-id ID --client-secret S, or --secret NS/NAME")
    credentials.validate_ref(args.text("secret"), "--secret")


#: What is asked for, and where the client secret may come from besides the chat.
_REQUEST_PARAMS: tuple[Param, ...] = (
    Param("scope", "scopes to request (space separated)", kind=ParamKind.OPTION),
    Param("audience", "audience to request (Hydra `audience`)", kind=ParamKind.OPTION),
    Param(
        "client-secret-env",
        "environment variable of the bot holding the client secret (with --client-id); its "
        f"name must start with {password_grant.CLIENT_SECRET_ENV_PREFIX} so chat users "
        "cannot make the bot read any other variable",
        kind=ParamKind.OPTION,
        metavar="VAR",
    ),
)

#: The password grant: the user, and where the password comes from (never the chat).
_PASSWORD_PARAMS: tuple[Param, ...] = (
    Param(
        "grant",
        "grant type (default client_credentials); `password` tests a user's login and, when "
        "it fails, tells client from user authentication",
        kind=ParamKind.OPTION,
        choices=GRANTS,
        metavar="GRANT",
    ),
    Param("username", "the user's login name (password grant)", kind=ParamKind.OPTION),
    Param(
        "origin",
        "identity provider origin key, sent as login_hint (password grant; e.g. sap.default, "
        "sap.custom)",
        kind=ParamKind.OPTION,
    ),
    Param(
        "password-secret",
        "Kubernetes Secret with the user's password (key `password`, optionally `username`)",
        kind=ParamKind.OPTION,
        metavar="NS/NAME",
    ),
    Param(
        "password-env",
        "environment variable of the bot holding the user's password; its name must start "
        f"with {password_grant.PASSWORD_ENV_PREFIX} so chat users cannot make the bot read "
        "any other variable. There is no --password: a password is never typed in chat",
        kind=ParamKind.OPTION,
        metavar="VAR",
    ),
    Param(
        PASSWORD_FORM,
        "the password was typed into authcheck's private Slack form; in Slack, leave out "
        "--password-secret/--password-env and the form opens by itself",
        kind=ParamKind.SWITCH,
    ),
)


def build() -> Command:
    params: tuple[Param, ...] = (
        Param(
            "target",
            "token endpoint URL, or the issuer (discovery finds the endpoint)",
            required=True,
            metavar="token-url-or-issuer",
        ),
        *client_params("asks for the token"),
        *_REQUEST_PARAMS,
        *_PASSWORD_PARAMS,
    )
    return Command(
        name="token",
        summary="Request a client-credentials (or password-grant) token; on failure find out why "
        "by experiment",
        params=params,
        checks=(TokenCheck(),),
        examples=(
            "token https://oauth2.example.com --secret apps/orders-client --scope read",
            "token https://sub.authentication.eu10.hana.ondemand.com/oauth/token "
            "--client-id sb-app!t1 --client-secret …",
            "token https://sub.authentication.eu10.hana.ondemand.com/oauth/token "
            "--secret apps/xsuaa --grant password --username jane@example.com --origin sap.custom "
            "--password-secret apps/jane-login",
        ),
        validate=_validate,
        private_fields=(PrivateField("password", "The user's password", PASSWORD_FORM),),
    )
