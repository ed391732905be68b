"""Causes in Hydra and hydra-maester: an unregistered client, hydra-maester on v1 paths, a
Secret edited after registration, a secret that needs URL-encoding, Hydra without its database."""

from __future__ import annotations

from handlers.diagnosis.causes.base import Hit
from handlers.diagnosis.causes.readers import token_dead
from handlers.diagnosis.facts import Facts
from handlers.hydra import admin as hydra_admin


def client_not_registered(facts: Facts) -> Hit | None:
    c = facts.client
    if not c.missing_in_hydra:
        return None
    evidence = [f"The token names client `{c.client_id}`; Hydra answers “Unable to locate it”."]
    if c.resource_ref:
        evidence.append(
            f"OAuth2Client `{c.resource_ref}` holds that id: it was never "
            "registered, or Hydra lost it (in-memory database, reinstall)."
        )
    intro = facts.introspection
    if intro is not None and intro.get("active") is False:
        evidence.append("Introspection calls the token inactive.")
    return Hit(0.85, evidence, {"client_id": c.client_id, "resource": c.resource_ref})


def maester_wrong_endpoint(facts: Facts) -> Hit | None:
    m = facts.maester
    if m is None:
        return None
    expected = hydra_admin.clients_path_for(facts.hydra_version)
    wrong = [e for e in m.endpoints if expected and e.rstrip("/") != expected]
    if not wrong and not m.endpoint_404:
        return None
    evidence = []
    if wrong:
        evidence.append(
            f"hydra-maester runs with `--endpoint={wrong[0]}`, but Hydra {facts.hydra_version} "
            f"serves `{expected}`."
        )
    if m.endpoint_404:
        evidence.append(f"Its log: {m.endpoint_404[-1][:300]}")
    unregistered = facts.client.missing_in_hydra
    if unregistered:
        evidence.append(f"Hence Hydra has no client `{facts.client.client_id}`.")
    return Hit(
        0.95 if unregistered else 0.6,
        evidence,
        {"endpoint": wrong[0] if wrong else None, "expected": expected},
        remedy=f"Set hydra-maester's `--endpoint={expected or '/admin/clients'}` (Helm value or "
        "Deployment args) and restart it; it then registers the pending OAuth2Clients.",
    )


def secret_drift(facts: Facts) -> Hit | None:
    c = facts.client
    p = c.proof
    if p is None or p.ok or not p.rejected_client:
        return None
    if c.raw_proof is not None and c.raw_proof.ok:
        return None
    evidence = [
        f"Hydra has client `{c.client_id}`, but a token request with Secret `{c.secret_ref}` "
        f"is refused: {p.wording()}.",
        "So Hydra's stored secret is not the Secret's: it was edited after registration "
        "(hydra-maester does not push such edits to Hydra).",
    ]
    if token_dead(facts):
        evidence.append("That is why the caller cannot get a fresh token.")
    return Hit(
        0.9 if token_dead(facts) else 0.6,
        evidence,
        {"secret": c.secret_ref, "client_id": c.client_id},
        remedy=f"Delete Secret `{c.secret_ref}` (hydra-maester then registers new credentials "
        "and writes them) or restore its original value; never edit it in place.",
    )


def secret_plus_unencoded(facts: Facts) -> Hit | None:
    c = facts.client
    if c.proof is None or not c.proof.ok or c.raw_proof is None or c.raw_proof.ok:
        return None
    shown = " ".join(f"`{ch}`" for ch in c.special)
    evidence = [
        f"The client secret in `{c.secret_ref}` contains {shown}.",
        "Sent URL-encoded (RFC 6749 §2.3.1) Hydra accepts it; sent raw in Basic it is refused "
        f"({c.raw_proof.wording()}): Hydra URL-decodes Basic credentials, a raw `+` becomes "
        "a space.",
    ]
    return Hit(
        0.88 if token_dead(facts) else 0.45,
        evidence,
        {"characters": c.special, "secret": c.secret_ref},
    )


def hydra_not_ready(facts: Facts) -> Hit | None:
    if facts.hydra_ready is not False:
        return None
    related = facts.client.missing_in_hydra or token_dead(facts)
    return Hit(
        0.85 if related else 0.5,
        ["Hydra's /health/ready is failing: it cannot reach its database."],
    )
