"""The `explain` tables, one module per subject, joined by `meanings.catalog`: no topic is lost
or answered twice when a table is split or added."""

from __future__ import annotations

from handlers.meanings import aws, catalog, envoy, oathkeeper, oauth_errors, statuses
from handlers.meanings.explanation import normalise_topic
from handlers.meanings.gateway_wordings import AMBIGUOUS_GATEWAY

TABLES = (
    statuses.STATUSES,
    oauth_errors.OAUTH_ERRORS,
    envoy.ENVOY,
    oathkeeper.OATHKEEPER,
    aws.AWS,
)


def test_the_catalog_is_the_tables_then_the_gateway_wordings() -> None:
    written = tuple(e for table in TABLES for e in table)
    assert catalog.EXPLANATIONS[: len(written)] == written
    rest = catalog.EXPLANATIONS[len(written) :]
    assert rest == (*catalog.GATEWAY_EXPLANATIONS, AMBIGUOUS_GATEWAY)


def test_every_key_is_unique_across_subjects() -> None:
    keys = [e.key for e in catalog.EXPLANATIONS]
    assert len(keys) == len(set(keys))


def test_gateway_entries_take_no_name_a_written_entry_answers_to() -> None:
    written = {normalise_topic(n) for table in TABLES for e in table for n in e.names}
    for entry in catalog.GATEWAY_EXPLANATIONS:
        assert not {normalise_topic(a) for a in entry.aliases} & written, entry.key


def test_each_table_answers_for_its_own_subject() -> None:
    assert catalog.lookup("401") in statuses.STATUSES
    assert catalog.lookup('{"error":"invalid_client"}') in oauth_errors.OAUTH_ERRORS
    assert catalog.lookup("Jwt is expired") in envoy.ENVOY
    assert catalog.lookup("SignatureDoesNotMatch") in aws.AWS
