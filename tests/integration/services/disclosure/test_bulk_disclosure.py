"""Bulk disclosure through the command line, of children sent by a partner through feeds: no direct identifier leaves."""
from __future__ import annotations

import json
import random
import re
from collections import Counter

import pytest
from click.testing import CliRunner

from contactpoint.cli import cli
from contactpoint.commands.common import operator
from services.audit.models import AuditRecord
from services.disclosure.pseudonyms import Pseudonymiser
from shared.contracts.requests import ADD_SOURCE
from shared.contracts.sensitive import SENSITIVE_SERVICES
from sqlalchemy import select
from tests.integration.services.builders import a_feed_message
from tests.integration.services.conftest import Partner
from tests.support import unique, unique_name, wait_until

pytestmark = pytest.mark.integration

NHS_NUMBER = re.compile(r"\b\d{10}\b")
UPN = re.compile(r"\b[A-Z]\d{11}[0-9A-Z]\b")
EMAIL = re.compile(r"@")
PHONE = re.compile(r"\b0\d{3} ?\d{3} ?\d{4}\b")
FULL_POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}\b")


def a_child_with_everything(**child) -> dict:
    message = a_feed_message()
    message["child"]["identifiers"]["upn"] = f"A{random.randrange(10**11):011d}{random.choice('0123456789')}"
    message["child"]["given_names"].append(unique_name("Unusualmiddle"))
    message["child"].update(child)
    return message


@pytest.fixture
def local_authority(services, migrated, broker_admin):
    """A partner in an LA of its own, so the LA's counts are the test's alone."""
    made = []

    def partner_in_new_la() -> tuple[str, Partner]:
        la_code = f"E{random.randrange(10**8):08d}"
        added = services["feeds"].perform(ADD_SOURCE, {
            "source_id": unique("src"), "name": "An LA of its own", "la_code": la_code,
            "kinds": ["school", "youth_offending", "mental_health"], "actor": operator(),
        })
        made.append(added["source_id"])
        return la_code, Partner(migrated, added["source_id"], added["amqp_password"])

    yield partner_in_new_la
    for source_id in made:
        broker_admin.delete_user(source_id)


def send(partner: Partner, message: dict, disclosure_holds) -> str:
    told = partner.feedback_about(partner.publish(message))
    assert told["outcome"] == "accepted", told
    disclosure_holds(told["contactpoint_id"])
    return told["contactpoint_id"]


def disclose(migrated, tmp_path, *args: str) -> list[dict]:
    runner = CliRunner()
    done = runner.invoke(cli, ["disclose", "bulk", *args, "--json"], env=migrated.as_environment(), catch_exceptions=False)
    assert done.exit_code == 0, done.output
    path = tmp_path / args[1]
    return [json.loads(line) for line in path.read_text().splitlines()]


def exported_pseudonyms(migrated, tmp_path, name: str, *more: str) -> list[dict]:
    return disclose(migrated, tmp_path, "--pseudonymised", str(tmp_path / name), *more)


def test_no_direct_identifier_appears_in_either_bulk_file(migrated, tmp_path, source, disclosure_holds):
    messages = [a_child_with_everything() for _ in range(3)]
    for message in messages:
        send(source, message, disclosure_holds)

    for path in ("pseudonymised.jsonl", "anonymised.jsonl"):
        form = "--" + path.split(".")[0]
        disclose(migrated, tmp_path, form, str(tmp_path / path))
        text = (tmp_path / path).read_text()
        for message in messages:
            child, carer, involvement = message["child"], message["carers"][0], message["involvement"]
            for secret in (child["family_name"], *child["given_names"], child["address"]["lines"][0], child["address"]["postcode"],
                           child["identifiers"]["nhs_number"], child["identifiers"]["upn"], carer["name"], carer["phone"],
                           involvement["practitioner"]["name"], involvement["practitioner"]["phone"], involvement["practitioner"]["email"]):
                assert secret not in text, f"{secret!r} is in {path}"
        for pattern in (NHS_NUMBER, UPN, EMAIL, PHONE, FULL_POSTCODE):
            assert not pattern.search(text), f"{pattern.pattern} matches in {path}"


def test_a_pseudonymised_line_says_only_what_research_needs(migrated, tmp_path, local_authority, disclosure_holds):
    la_code, partner = local_authority()
    # Five children alike, so that the line is shown as held: fewer would be generalised.
    sent = [send(partner, a_child_with_everything(date_of_birth="2013-07-21"), disclosure_holds) for _ in range(5)]
    keys = Pseudonymiser(migrated.pseudonym_key)

    rows = exported_pseudonyms(migrated, tmp_path, "all.jsonl")

    (line,) = [row for row in rows if row["pseudonym"] == keys.for_recipient(None)(keys.base(sent[0]))]
    assert line == {"pseudonym": line["pseudonym"], "year_month_of_birth": "2013-07", "gender": "female",
                    "postcode_district": "LS1", "la_code": la_code, "service_kinds": ["school"]}
    assert not set(sent) & set(json.dumps(rows).split('"'))


def test_pseudonyms_are_stable_across_exports_and_differ_per_recipient(migrated, tmp_path, local_authority, disclosure_holds):
    la_code, partner = local_authority()
    for _ in range(5):
        send(partner, a_feed_message(), disclosure_holds)

    def pseudonyms(name: str, *more: str) -> list[str]:
        return [row["pseudonym"] for row in exported_pseudonyms(migrated, tmp_path, name, *more) if row["la_code"] == la_code]

    first = pseudonyms("first.jsonl", "--recipient", "uni-leeds")
    again = pseudonyms("again.jsonl", "--recipient", "uni-leeds")
    other = pseudonyms("other.jsonl", "--recipient", "ons")
    default = pseudonyms("default.jsonl")

    assert len(first) == 5 and len(set(first)) == len(first)
    assert sorted(again) == sorted(first)
    assert not set(other) & set(first) and not set(default) & set(first) and not set(default) & set(other)


def test_the_pseudonymised_file_is_k_anonymous_on_a_population_with_small_districts(migrated, tmp_path, local_authority, disclosure_holds):
    la_code, partner = local_authority()
    keys = Pseudonymiser(migrated.pseudonym_key)

    def children(count: int, born: str, postcode: str, service: str = "school", gender: str = "female", **child) -> list[str]:
        made = []
        for _ in range(count):
            message = a_feed_message(service=service)
            message["child"].update(date_of_birth=born, gender=gender, **child)
            message["child"]["address"]["postcode"] = postcode
            made.append(send(partner, message, disclosure_holds))
        return made

    common = children(6, "2014-05-06", "LS1 4AP")
    by_year = children(1, "2014-01-06", "LS2 7EE") + children(2, "2014-02-06", "LS2 7EE") + children(2, "2014-03-06", "LS2 7EE")
    by_la = children(2, "2014-09-06", "LS3 1AA") + children(3, "2014-10-06", "LS4 2BB")
    shielded = children(1, "2014-11-06", "LS1 4AP", shielded=True)
    lone = children(1, "2012-01-06", "LS9 8AA", service="youth_offending", gender="male")
    in_mental_health = children(5, "2014-05-06", "LS1 4AP", service="mental_health")
    runner = CliRunner()
    path = tmp_path / "k.jsonl"

    told = runner.invoke(cli, ["disclose", "bulk", "--pseudonymised", str(path)], env=migrated.as_environment(), catch_exceptions=False)

    assert told.exit_code == 0, told.output
    assert re.search(r"shared by at least 5 children: [\d,]+ rows generalised .*[\d,]+ suppressed", told.output), told.output
    rows = {row["pseudonym"]: row for row in map(json.loads, path.read_text().splitlines())}
    ours = [row for row in rows.values() if row["la_code"] == la_code]
    alike = Counter((row["year_month_of_birth"], row["gender"], row["postcode_district"], row["la_code"], tuple(row["service_kinds"]))
                    for row in rows.values())
    assert min(alike.values()) >= 5
    assert not {kind for row in ours for kind in row["service_kinds"]} & SENSITIVE_SERVICES

    def line(contactpoint_id: str) -> dict | None:
        return rows.get(keys.for_recipient(None)(keys.base(contactpoint_id)))

    assert {line(cp)["year_month_of_birth"] for cp in common} == {"2014-05"}
    assert {(line(cp)["year_month_of_birth"], line(cp)["postcode_district"]) for cp in by_year} == {("2014", "LS2")}
    assert {(line(cp)["year_month_of_birth"], line(cp)["postcode_district"]) for cp in by_la + shielded} == {("2014", None)}
    assert line(lone[0]) is None
    assert {tuple(line(cp)["service_kinds"]) for cp in in_mental_health} == {()}


def test_k_is_raised_never_lowered(migrated, tmp_path, local_authority, disclosure_holds):
    la_code, partner = local_authority()
    for _ in range(6):
        send(partner, a_feed_message(), disclosure_holds)
    runner = CliRunner()

    lowered = runner.invoke(cli, ["disclose", "bulk", "--pseudonymised", str(tmp_path / "low.jsonl"), "--k", "2"], env=migrated.as_environment())
    raised = disclose(migrated, tmp_path, "--pseudonymised", str(tmp_path / "high.jsonl"), "--k", "7")

    assert lowered.exit_code != 0 and not (tmp_path / "low.jsonl").exists()
    assert not [row for row in raised if row["la_code"] == la_code]


def test_suppression_holds_on_a_population_built_to_expose_small_cells(migrated, tmp_path, local_authority, disclosure_holds):
    la_code, partner = local_authority()
    for _ in range(6):
        send(partner, a_feed_message(service="school", **{}), disclosure_holds)
    lone = a_feed_message(service="youth_offending")
    send(partner, lone, disclosure_holds)

    rows = [row for row in disclose(migrated, tmp_path, "--anonymised", str(tmp_path / "counts.jsonl")) if row["la_code"] == la_code]

    cells = {(row["age_band"], row["service_kind"]): row for row in rows}
    assert cells["10-15", "youth_offending"] == {**cells["10-15", "youth_offending"], "count": None, "suppressed": True}
    assert cells["10-15", "school"]["suppressed"]  # else the band's total would give the lone child away
    assert all(row["count"] == 0 or row["count"] >= 5 for row in rows if not row["suppressed"])
    assert cells["0-4", "school"] == {**cells["0-4", "school"], "count": 0, "suppressed": False}


def test_every_export_is_audited_with_who_what_form_and_how_many_rows(services, migrated, tmp_path, source, disclosure_holds):
    send(source, a_feed_message(), disclosure_holds)

    rows = exported_pseudonyms(migrated, tmp_path, "audited.jsonl", "--recipient", "audited-recipient")

    def recorded():
        with services["audit"].db.sessions() as session:
            events = session.scalars(select(AuditRecord).where(AuditRecord.action == "bulk_export")).all()
        return [e.event for e in events if e.event["detail"].get("recipient") == "audited-recipient"]

    (event,) = wait_until(recorded, what="the export's audit event")
    assert event["service"] == "disclosure" and event["actor"]["username"] == operator()["username"]
    assert event["detail"] == {**event["detail"], "form": "pseudonymised", "rows": len(rows), "file": "audited.jsonl"}
    assert event["occurred_at"]


def test_asking_for_both_forms_or_neither_is_refused_in_one_line(migrated, tmp_path):
    runner = CliRunner()
    for args in ([], ["--pseudonymised", str(tmp_path / "a"), "--anonymised", str(tmp_path / "b")],
                 ["--anonymised", str(tmp_path / "b"), "--recipient", "x"]):
        done = runner.invoke(cli, ["disclose", "bulk", *args], env=migrated.as_environment())
        assert done.exit_code != 0
    assert not list(tmp_path.iterdir())
