"""One child's record from every source record linked to it: per field, the most trusted holding source speaks, then the newest."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import event

from services.feeds.merging import snapshot
from services.feeds.models import Base, LinkedChild, Source, SourceRecord
from shared.contracts.audit import NATIONAL
from shared.contracts.children import ChildMergedSchema

CP_ID = "CP-00001-00002-00003-00004"
FIRST = datetime(2024, 1, 1, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def session(session_for):
    session = session_for(Base)
    session.add_all([
        Source(source_id="school-mis", name="School MIS", la_code="E08000035", kinds=["school"]),
        Source(source_id="health-ccg", name="Community health", la_code=None, kinds=["health", "sexual_health"]),
        Source(source_id="yot-leeds", name="Leeds YOT", la_code="E08000035", kinds=["youth_offending"]),
        Source(source_id="social-bradford", name="Bradford social care", la_code="E08000032", kinds=["social_care"]),
    ])
    return session


@pytest.fixture
def linked(session):
    child = LinkedChild(contactpoint_id=CP_ID, version=7)
    session.add(child)
    session.flush()
    return child


def message(family_name="Smith", postcode="LS1 4AP", carers=(), service=None, retain_to_25=False) -> dict:
    body = {
        "schema": "contactpoint.feed.v1", "source_record_id": "x", "sequence": 1, "action": "upsert",
        "child": {
            "family_name": family_name, "given_names": ["Amy"], "former_family_names": [],
            "date_of_birth": "2012-03-04", "gender": "female",
            "address": {"lines": ["1 High Street"], "town": "Leeds", "postcode": postcode},
            "identifiers": {"nhs_number": "9434765919"},
        },
        "carers": [{"name": name, "relationship": "mother", "parental_responsibility": True, "phone": None} for name in carers],
        "consent": {"retain_to_25": retain_to_25},
    }
    if service:
        body["involvement"] = {
            "service": service, "organisation": f"{service} team", "practitioner": {"name": "Sam Patel", "phone": None, "email": None},
            "lead_professional": False, "caf_completed": False, "sensitive": False, "started_on": "2024-01-10", "ended_on": None,
        }
    return body


def record(session, source_id: str, body: dict, minutes: int, held: bool = True, record_id: str | None = None) -> None:
    """A source record linked to the child, received ``minutes`` after the first."""
    session.add(SourceRecord(
        source_id=source_id, source_record_id=record_id or f"{source_id}-rec", contactpoint_id=CP_ID, sequence=1,
        held=held, nhs_number="9434765919", family_key=body["child"]["family_name"].lower(), date_of_birth=datetime(2012, 3, 4).date(),
        birth_year=2012, birthday="03-04",
        message=body, received_at=FIRST + timedelta(minutes=minutes),
    ))
    session.flush()


def test_a_record_without_a_postcode_leaves_the_address_to_one_that_has_it(session, linked):
    record(session, "school-mis", message(postcode="LS1 4AP"), minutes=0)
    record(session, "health-ccg", message(postcode=None), minutes=5)

    merged = snapshot(session, linked)

    assert merged["demographics"]["address"]["postcode"] == "LS1 4AP"
    assert merged["provenance"]["address"]["source_id"] == "school-mis"


def test_a_child_no_source_knows_the_postcode_of_is_published_without_one(session, linked):
    record(session, "health-ccg", message(postcode=None), minutes=0)

    merged = ChildMergedSchema().load(snapshot(session, linked))

    assert merged["demographics"]["address"]["postcode"] is None


def test_among_equally_trusted_sources_the_newest_record_gives_the_demographics(session, linked):
    record(session, "school-mis", message(family_name="Smith", postcode="LS1 4AP"), minutes=0)
    record(session, "social-bradford", message(family_name="Smith-Jones", postcode="LS2 7EW"), minutes=5)

    merged = snapshot(session, linked)

    assert merged["demographics"]["family_name"] == "Smith-Jones"
    assert merged["demographics"]["address"]["postcode"] == "LS2 7EW"
    said = merged["provenance"]["family_name"]
    assert (said["source_id"], said["source_record_id"]) == ("social-bradford", "social-bradford-rec")
    assert said["received_at"].startswith("2024-01-01T09:05")


def test_a_more_trusted_source_speaks_for_a_field_however_old(session, linked):
    record(session, "health-ccg", message(family_name="Smith"), minutes=0)
    record(session, "yot-leeds", message(family_name="Smyth"), minutes=5)

    merged = snapshot(session, linked)

    assert merged["demographics"]["family_name"] == "Smith"
    assert merged["provenance"]["date_of_birth"]["source_id"] == "health-ccg"


def test_each_field_survives_on_its_own(session, linked):
    health = message(family_name="Smith")
    health["child"]["identifiers"] = {"nhs_number": "9434765919"}
    school = message(family_name="Smyth")
    school["child"]["identifiers"] = {"upn": "A123456789012", "nhs_number": "9434765919"}
    record(session, "health-ccg", health, minutes=0)
    record(session, "school-mis", school, minutes=5)

    merged = snapshot(session, linked)

    assert merged["demographics"]["identifiers"] == {"nhs_number": "9434765919", "upn": "A123456789012"}
    assert merged["provenance"]["identifiers.nhs_number"]["source_id"] == "health-ccg"
    assert merged["provenance"]["identifiers.upn"]["source_id"] == "school-mis"


def test_former_family_names_are_every_one_the_records_declare(session, linked):
    first, second = message(family_name="Smith"), message(family_name="Smith")
    first["child"]["former_family_names"] = ["Jones"]
    second["child"]["former_family_names"] = ["Brown", "jones"]
    record(session, "school-mis", first, minutes=0)
    record(session, "health-ccg", second, minutes=5)

    assert snapshot(session, linked)["demographics"]["former_family_names"] == ["Brown", "jones"]


def test_a_record_that_no_longer_holds_the_child_does_not_speak_for_it_however_new(session, linked):
    record(session, "school-mis", message(family_name="Smith"), minutes=0)
    record(session, "yot-leeds", message(family_name="Removed"), minutes=5, held=False)

    assert snapshot(session, linked)["demographics"]["family_name"] == "Smith"


def test_every_holding_record_gives_its_involvement_with_its_source(session, linked):
    record(session, "school-mis", message(service="school"), minutes=0)
    record(session, "health-ccg", message(service="health"), minutes=5)
    record(session, "yot-leeds", message(service="youth_offending"), minutes=10, held=False)

    involvements = snapshot(session, linked)["involvements"]

    assert sorted((i["source_id"], i["service"]) for i in involvements) == [("health-ccg", "health"), ("school-mis", "school")]


def test_each_involvement_carries_the_la_of_the_source_that_reported_it_and_none_from_a_national_source(session, linked):
    record(session, "social-bradford", message(service="social_care"), minutes=0)
    record(session, "health-ccg", message(service="health"), minutes=5)

    involvements = snapshot(session, linked)["involvements"]

    assert sorted((i["source_id"], i["la_code"]) for i in involvements) == [("health-ccg", None), ("social-bradford", "E08000032")]


def test_a_record_without_an_involvement_adds_none(session, linked):
    record(session, "school-mis", message(), minutes=0)

    assert snapshot(session, linked)["involvements"] == []


def test_the_carers_come_from_the_most_trusted_holding_record_that_names_any(session, linked):
    record(session, "school-mis", message(carers=["Jo Smith"]), minutes=5)
    record(session, "health-ccg", message(carers=["Pat Smith"]), minutes=0)
    record(session, "yot-leeds", message(carers=()), minutes=10)

    assert [carer["name"] for carer in snapshot(session, linked)["carers"]] == ["Pat Smith"]


def test_the_child_belongs_to_the_la_of_a_holding_source_that_has_one(session, linked):
    record(session, "health-ccg", message(), minutes=10)
    record(session, "school-mis", message(), minutes=0)

    assert snapshot(session, linked)["la_code"] == "E08000035"


def test_a_child_held_only_by_national_sources_is_national(session, linked):
    record(session, "health-ccg", message(), minutes=0)

    assert snapshot(session, linked)["la_code"] == NATIONAL


def test_a_child_no_source_holds_any_longer_is_inactive_and_national_with_its_last_known_details(session, linked):
    record(session, "school-mis", message(family_name="Older"), minutes=0, held=False)
    record(session, "yot-leeds", message(family_name="Newest", service="youth_offending", carers=["Jo"]), minutes=5, held=False)

    merged = snapshot(session, linked)

    assert merged["active"] is False
    assert merged["la_code"] == NATIONAL
    assert merged["demographics"]["family_name"] == "Newest"
    assert merged["involvements"] == [] and merged["carers"] == []


def test_a_child_held_by_any_source_is_active(session, linked):
    record(session, "school-mis", message(), minutes=0, held=False)
    record(session, "yot-leeds", message(), minutes=5)

    assert snapshot(session, linked)["active"] is True


def test_consent_to_keep_the_record_to_25_from_any_holding_source_counts(session, linked):
    record(session, "school-mis", message(retain_to_25=False), minutes=5)
    record(session, "health-ccg", message(retain_to_25=True), minutes=0)
    record(session, "yot-leeds", message(retain_to_25=True), minutes=10, held=False)

    assert snapshot(session, linked)["retain_to_25"] is True


def test_consent_given_only_by_a_source_that_no_longer_holds_the_child_does_not_count(session, linked):
    record(session, "school-mis", message(retain_to_25=False), minutes=0)
    record(session, "yot-leeds", message(retain_to_25=True), minutes=5, held=False)

    assert snapshot(session, linked)["retain_to_25"] is False


def test_every_linked_source_record_is_listed_holding_or_not(session, linked):
    record(session, "school-mis", message(), minutes=0, record_id="S-1")
    record(session, "yot-leeds", message(), minutes=5, record_id="Y-9", held=False)

    assert sorted(snapshot(session, linked)["source_records"]) == [["school-mis", "S-1"], ["yot-leeds", "Y-9"]]


def test_records_of_other_children_take_no_part(session, linked):
    record(session, "school-mis", message(family_name="Smith"), minutes=0)
    session.add(LinkedChild(contactpoint_id="CP-OTHER", version=1))
    session.add(SourceRecord(
        source_id="yot-leeds", source_record_id="other", contactpoint_id="CP-OTHER", sequence=1, held=True,
        nhs_number=None, family_key="jones", date_of_birth=datetime(2010, 1, 1).date(), birth_year=2010, birthday="01-01",
        message=message(family_name="Jones", service="youth_offending"), received_at=FIRST + timedelta(days=1),
    ))
    session.flush()

    merged = snapshot(session, linked)

    assert merged["demographics"]["family_name"] == "Smith"
    assert merged["source_records"] == [["school-mis", "school-mis-rec"]]
    assert merged["involvements"] == []


def test_the_snapshot_names_the_child_and_its_version_and_is_not_shielded(session, linked):
    record(session, "school-mis", message(), minutes=0)

    merged = snapshot(session, linked)

    assert (merged["contactpoint_id"], merged["version"], merged["shielded"]) == (CP_ID, 7, False)


def test_the_snapshot_is_what_the_directory_accepts(session, linked):
    record(session, "school-mis", message(carers=["Jo Smith"], service="school", retain_to_25=True), minutes=0)
    record(session, "social-bradford", message(service="social_care"), minutes=5)
    record(session, "yot-leeds", message(), minutes=10, held=False)

    loaded = ChildMergedSchema().load(snapshot(session, linked))

    assert loaded["contactpoint_id"] == CP_ID
    assert sorted(i["la_code"] for i in loaded["involvements"]) == ["E08000032", "E08000035"]


def test_a_snapshot_reads_the_sources_of_its_records_and_no_other(session, linked):
    record(session, "school-mis", message(), 0)
    record(session, "health-ccg", message(), 5)
    session.flush()
    session.expunge_all()
    read = []
    event.listen(session, "loaded_as_persistent", lambda _, loaded: read.append(loaded))

    merged = snapshot(session, session.get(LinkedChild, CP_ID))

    assert sorted(loaded.source_id for loaded in read if isinstance(loaded, Source)) == ["health-ccg", "school-mis"]
    assert merged["la_code"] == "E08000035"
