"""`apirule <namespace>/<name> [--token T]`: what an APIRule demands, and would this token pass.

Reads the rule through the newest served version, but re-reads it in the version it was written
in (Kyma's `gateway.kyma-project.io/original-version` annotation), because a v1beta1 rule read as
v2 loses its Oathkeeper handlers. With a token, every JWKS the rules name is fetched (an
unreachable JWKS is `error`, never a verdict) and `handlers.kyma.apirule.evaluate` says, per rule,
whether the token passes or which status the caller sees and why.
"""

from __future__ import annotations

from typing import Any

from handlers import kube
from handlers.core.check import Arguments, CheckContext, Command, Param, ParamKind
from handlers.core.model import Finding, Severity
from handlers.core.redact import fingerprint
from handlers.kyma import apirule as apirules
from handlers.kyma.apirule import ApiRule, TokenFacts, Verdict
from handlers.kyma.reader import fetch_kids, read_apirule
from handlers.tokens import signatures
from handlers.tokens.reading import DecodedJwt, JwtShapeError, decode_unverified, strip_scheme


def _rule_finding(check: str, rule: apirules.Rule) -> Finding:
    parts = [f"gatekeeper: {rule.gatekeeper}"]
    if rule.all_scopes:
        parts.append("scopes: " + " ".join(rule.all_scopes))
    if rule.all_audiences:
        parts.append("audiences: " + ", ".join(rule.all_audiences))
    if rule.issuers:
        parts.append("issuers: " + ", ".join(rule.issuers))
    if rule.all_jwks_urls:
        parts.append("JWKS: " + ", ".join(rule.all_jwks_urls))
    if rule.introspection_url:
        parts.append(f"introspection: {rule.introspection_url}")
    for a in rule.authentications:
        if a.custom_location:
            parts.append(f"token read from {a.location()}")
    return Finding(
        check,
        Severity.INFO,
        rule.label(),
        "; ".join(parts),
        evidence={
            "path": rule.path,
            "methods": list(rule.methods),
            "strategy": rule.strategy,
            "scopes": rule.all_scopes,
            "audiences": rule.all_audiences,
            "issuers": rule.issuers,
            "jwks_urls": rule.all_jwks_urls,
        },
    )


def _summary(check: str, rule: ApiRule) -> list[Finding]:
    out = [
        Finding(
            check,
            Severity.INFO,
            f"APIRule `{rule.namespace}/{rule.name}` ({rule.version}): "
            f"{', '.join(rule.hosts) or '(no host)'}",
            f"gateway `{rule.gateway or '(default)'}`; service `{rule.service or '(per rule)'}`; "
            f"{len(rule.rules)} rule(s)",
            evidence={"hosts": list(rule.hosts), "gateway": rule.gateway, "version": rule.version},
        )
    ]
    if rule.version == "v1beta1":
        out.append(
            Finding(
                check,
                Severity.INFO,
                "APIRule v1beta1 is deprecated",
                "Its Oathkeeper handlers are replaced by `jwt` (Istio) / `noAuth` / `extAuth` in "
                "v2; a migrated rule answers 403 (not 401) for a missing scope.",
            )
        )
    ok = rule.status_ok
    if ok is None:
        out.append(
            Finding(check, Severity.WARN, "The APIRule has no status yet", "Not reconciled.")
        )
    elif ok:
        out.append(
            Finding(check, Severity.OK, f"Status {rule.status}", rule.status_description or "")
        )
    else:
        severity = (
            Severity.FAIL if rule.status and rule.status.upper() == "ERROR" else Severity.WARN
        )
        out.append(
            Finding(
                check,
                severity,
                f"APIRule status {rule.status}",
                (rule.status_description or "")[:500],
                "Until the status is OK/Ready the gateway may still serve an older version of the "
                "rule, or none; fix what the description names.",
            )
        )
    return out


def _verdict_finding(check: str, verdict: Verdict, token: str) -> Finding:
    rule = verdict.rule
    ev: dict[str, Any] = {"fingerprint": fingerprint(token), "rule": rule.index + 1}
    if verdict.passes is None:
        return Finding(
            check,
            Severity.INFO,
            f"{rule.label()}: cannot tell offline",
            "; ".join(verdict.notes),
            "Run `introspect` with the token for the issuer's own verdict.",
            ev,
        )
    if verdict.passes:
        return Finding(
            check,
            Severity.OK,
            f"{rule.label()}: the token would pass",
            "; ".join(verdict.notes),
            evidence=ev,
        )
    ev.update({"status": verdict.status, "answer": verdict.answer})
    return Finding(
        check,
        Severity.FAIL,
        f"{rule.label()}: {verdict.status} — {'; '.join(verdict.reasons)}",
        (f"The caller sees {verdict.status}" + (f" `{verdict.answer}`" if verdict.answer else ""))
        + (". " + "; ".join(verdict.notes) if verdict.notes else ""),
        _remedy(verdict),
        ev,
    )


def _remedy(verdict: Verdict) -> str:
    text = " ".join(verdict.reasons)
    if "trailing slash" in text:
        return "Make the rule's issuer exactly the token's `iss` (Hydra's ends with `/`)."
    if "counts as no token" in text:
        return "Send the token where the rule reads it, or drop `fromHeaders`/`fromParams`."
    if "`kid`" in text:
        return "Get a fresh token; if it persists, the rule's JWKS URL is not the issuer's."
    if "missing scope" in text or "missing audience" in text:
        return "Request a token with the missing scope/audience (the client must be allowed it)."
    if "issuer" in text:
        return "Use a token from the rule's issuer, or add the issuer to the rule."
    if "expired" in text or "not yet valid" in text:
        return "Get a fresh token; check the clocks if it is new."
    return "Get a token that satisfies the rule."


class ApiRuleCheck:
    name = "apirule"

    async def run(self, args: Arguments, ctx: CheckContext) -> list[Finding]:
        ns, name = kube.parse_ref(args.text("apirule"), "APIRule")
        try:
            obj = await read_apirule(ctx, ns, name)
        except kube.KubeNotFound:
            return [
                Finding(
                    self.name,
                    Severity.FAIL,
                    f"APIRule `{ns}/{name}` does not exist",
                    f"Tried {', '.join(apirules.VERSIONS)} of {apirules.PLURAL}.{apirules.GROUP}.",
                    f"`kubectl get apirules -n {ns}`; check the namespace and spelling.",
                )
            ]
        except kube.KubeError as exc:
            return [kube.error_finding(self.name, exc, subject=f"APIRule {ns}/{name}")]
        rule = apirules.parse(obj)
        out = _summary(self.name, rule)
        out += [_rule_finding(self.name, r) for r in rule.rules]
        raw = args.text("token")
        if raw:
            out += await self._judge(ctx, rule, strip_scheme(raw))
        return out

    async def _judge(self, ctx: CheckContext, rule: ApiRule, token: str) -> list[Finding]:
        ctx.redactor.add(token)
        decoded: DecodedJwt | None
        try:
            decoded = decode_unverified(token)
        except JwtShapeError:
            decoded = None
        urls = list(dict.fromkeys(u for r in rule.rules for u in r.all_jwks_urls))
        kids, failed = await fetch_kids(ctx, urls) if decoded is not None else ({}, [])
        out = [
            Finding(
                self.name,
                Severity.ERROR,
                "Could not read a JWKS the rule uses",
                reason,
                "Whether the token's `kid` is known cannot be told; check the URL is reachable.",
                {"url": url},
            )
            for url, reason in failed
        ]
        facts = TokenFacts(decoded, ctx.clock(), kids)
        out += [_verdict_finding(self.name, apirules.evaluate(r, facts), token) for r in rule.rules]
        if decoded is not None and not failed:
            out += await self._signature(ctx, rule, token, decoded)
        return out

    async def _signature(
        self, ctx: CheckContext, rule: ApiRule, token: str, decoded: DecodedJwt
    ) -> list[Finding]:
        """The signature against the keys the rule trusts for the token's issuer (the same
        check `diagnose` makes; never keys the token names itself)."""
        iss = decoded.claims.get("iss")
        own = list(dict.fromkeys(u for r in rule.rules for u in apirules.trusted_jwks(r, iss)))
        if not own:
            return []
        outcome = await signatures.check(ctx, token, own)
        if not isinstance(outcome, signatures.SignatureCheck) or outcome.outcome == "no_kid":
            return []  # unreadable keys are reported above; a missing `kid` by the verdicts
        ev: dict[str, Any] = {"fingerprint": fingerprint(token), "signature": outcome.outcome}
        if outcome.verified:
            return [
                Finding(self.name, Severity.INFO, "Signature verified with the rule's JWKS",
                        outcome.reason, "", ev)
            ]  # fmt: skip
        return [
            Finding(
                self.name,
                Severity.FAIL,
                "The token's signature does not verify with the rule's keys",
                f"Checked with PyJWT: {outcome.reason}. Envoy answers `Jwt verification fails`.",
                "Use an untouched token from the issuer whose keys the rule trusts; if new "
                "tokens fail too, the issuer signs with a key (or `alg`) its JWKS does not "
                "publish.",
                ev,
            )
        ]


def build() -> Command:
    return Command(
        name="apirule",
        summary="APIRule v1beta1/v2 rules and status; with a token: would it pass",
        params=(
            Param(
                "apirule", "the APIRule as namespace/name", required=True, metavar="namespace/name"
            ),
            Param(
                "token",
                "an access token to judge against each rule",
                kind=ParamKind.OPTION,
                secret=True,
                metavar="T",
            ),
        ),
        checks=(ApiRuleCheck(),),
        examples=("apirule default/orders", "apirule default/orders --token eyJ…"),
        validate=kube.validate_ref("apirule", "APIRule"),
    )
