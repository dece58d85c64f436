"""Taking in a feed message: only from its own source, newest sequence wins, linked to a child, and both sides told."""
from __future__ import annotations

import copy

import pytest
from sqlalchemy import select

from services.feeds.errors import SourceNotAllowed
from services.feeds.intake import receive_feed_messages, reject_to_source
from services.feeds.models import LinkedChild, ReviewTask, SourceRecord
from services.feeds.schemas import AcceptedFeedMessageSchema
from shared.contracts.children import CHILD_MERGED, ChildMergedSchema
from shared.messaging.envelope import Envelope
from tests.unit.services.feeds.feeding import BODY, body, feedback_of, merged_of, receive, unsure_match


def test_a_new_record_makes_a_new_child_tells_the_directory_and_accepts_the_message(uow):
    emitted = receive(uow, body())

    merged = merged_of(emitted)
    told = feedback_of(emitted)
    assert merged["version"] == 1 and merged["active"] is True
    assert merged["source_records"] == [["yot-leeds", "YOT-000123"]]
    assert told == {"message_id": "m-1", "outcome": "accepted", "applied": True, "contactpoint_id": merged["contactpoint_id"]}
    assert ChildMergedSchema().load(merged)["la_code"] == "E08000035"


def test_a_newer_sequence_replaces_what_is_held_and_raises_the_childs_version(uow):
    first = merged_of(receive(uow, body(sequence=17)))
    child = copy.deepcopy(BODY["child"]) | {"family_name": "Smith-Jones"}
    second = merged_of(receive(uow, body(sequence=18, child=child), message_id="m-2"))

    assert second["contactpoint_id"] == first["contactpoint_id"]
    assert second["version"] == 2
    assert second["demographics"]["family_name"] == "Smith-Jones"


@pytest.mark.parametrize("sequence", [17, 16, 0])
def test_an_older_or_repeated_sequence_never_overwrites_the_newer_one(uow, sequence):
    receive(uow, body(sequence=17))
    emitted = receive(uow, body(sequence=sequence, child=BODY["child"] | {"family_name": "Stale"}), message_id="m-late")

    told = feedback_of(emitted)
    assert told["outcome"] == "accepted" and told["applied"] is False and "17" in told["note"]
    assert [e for e in emitted if e.routing_key == CHILD_MERGED] == []
    record = uow.session.get(SourceRecord, ("yot-leeds", "YOT-000123"))
    assert (record.sequence, record.message["child"]["family_name"]) == (17, "Smith")


def test_a_removal_stops_the_source_holding_the_child(uow):
    receive(uow, body(sequence=17))
    emitted = receive(uow, body(sequence=18, action="remove", child=None), message_id="m-2")

    merged = merged_of(emitted)
    assert merged["active"] is False and merged["involvements"] == []
    assert merged["source_records"] == [["yot-leeds", "YOT-000123"]]
    assert feedback_of(emitted)["applied"] is True


def test_a_removal_of_a_record_never_held_changes_nothing(uow):
    emitted = receive(uow, body(action="remove", child=None))

    assert feedback_of(emitted)["applied"] is False
    assert uow.session.query(LinkedChild).count() == 0


def test_a_record_from_another_source_with_the_same_nhs_number_joins_the_same_child(uow):
    first = merged_of(receive(uow, body()))
    school = body(source_record_id="UPN-9", involvement=BODY["involvement"] | {"service": "school", "organisation": "Leeds High"})
    second = merged_of(receive(uow, school, source_id="school-mis", kind="school", message_id="m-2"))

    assert second["contactpoint_id"] == first["contactpoint_id"]
    assert sorted(second["source_records"]) == [["school-mis", "UPN-9"], ["yot-leeds", "YOT-000123"]]
    assert sorted(i["source_id"] for i in second["involvements"]) == ["school-mis", "yot-leeds"]


def test_a_twin_with_another_given_name_becomes_a_child_of_their_own(uow):
    amy = merged_of(receive(uow, body(child=BODY["child"] | {"identifiers": {}})))
    beth = body(source_record_id="YOT-000124", child=BODY["child"] | {"given_names": ["Beth"], "identifiers": {}})

    assert merged_of(receive(uow, beth, message_id="m-2"))["contactpoint_id"] != amy["contactpoint_id"]


@pytest.mark.parametrize("source_id, kind, user_id, why", [
    ("unknown", "youth_offending", "", "registered"),
    ("retired", "health", "", "enabled"),
    ("yot-leeds", "youth_offending", None, "user_id"),
    ("yot-leeds", "youth_offending", "school-mis", "own broker user"),
    ("yot-leeds", "school", "", "not registered to send 'school'"),
], ids=["unknown-source", "disabled-source", "no-user-id", "another-sources-user", "unregistered-kind"])
def test_a_message_not_from_a_registered_enabled_source_sending_its_own_kinds_is_refused(uow, source_id, kind, user_id, why):
    with pytest.raises(SourceNotAllowed, match=why) as refused:
        receive(uow, body(), source_id=source_id, kind=kind, user_id=user_id)

    assert refused.value.code == "source_not_allowed"
    assert uow.emitted == []


def test_a_rejected_message_is_reported_to_its_source_with_every_fault():
    reason = {"code": "invalid_message", "details": {"case_notes": ["Unknown field."]}}
    envelope = Envelope("cp.feeds", "yot-leeds.youth_offending", {}, message_id="partner-7")

    [told] = reject_to_source(envelope, reason)

    assert (told.exchange, told.routing_key) == ("cp.feedback", "yot-leeds.rejected")
    assert told.body == {
        "message_id": "partner-7", "outcome": "rejected", "faults": reason,
        "fields": [{"field": "case_notes", "problem": "Unknown field."}], "case_information": ["case_notes"],
    }


def test_a_second_record_for_a_child_first_sent_without_identifiers_is_linked_to_it(uow):
    without = body(child={key: value for key, value in BODY["child"].items() if key != "identifiers"})
    first = merged_of(receive(uow, without))
    school = body(source_record_id="UPN-9", involvement=None)

    assert merged_of(receive(uow, school, source_id="school-mis", kind="school", message_id="m-2"))["contactpoint_id"] == first["contactpoint_id"]


def test_a_record_new_to_a_batch_and_changed_later_in_it_is_written_once_as_the_last_message_left_it(uow):
    messages = [body(sequence=1), body(sequence=2, child=BODY["child"] | {"family_name": "Smith-Jones"}),
                body(sequence=3, action="remove", child=None)]

    receive_batch(uow, [(raw, "yot-leeds", "youth_offending") for raw in messages])

    [merged] = [e.body for e in uow.emitted if e.routing_key == CHILD_MERGED]
    assert (merged["version"], merged["active"], merged["demographics"]["family_name"]) == (1, False, "Smith-Jones")
    assert [e.body["applied"] for e in uow.emitted if e.exchange == "cp.feedback"] == [True, True, True]
    record = uow.session.scalars(select(SourceRecord)).one()
    assert (record.sequence, record.held, record.message["child"]["family_name"]) == (3, False, "Smith-Jones")


def test_records_of_one_new_child_from_two_sources_in_one_batch_make_one_child_published_once_at_its_first_version(uow):
    school = body(source_record_id="UPN-9", involvement=BODY["involvement"] | {"service": "school", "organisation": "Leeds High"})

    receive_batch(uow, [(body(), "yot-leeds", "youth_offending"), (school, "school-mis", "school")])

    [merged] = [e.body for e in uow.emitted if e.routing_key == CHILD_MERGED]
    assert merged["version"] == 1
    assert sorted(merged["source_records"]) == [["school-mis", "UPN-9"], ["yot-leeds", "YOT-000123"]]
    assert uow.session.query(LinkedChild).count() == 1


def test_an_unsure_match_with_a_child_new_to_the_batch_makes_a_child_marked_as_its_possible_duplicate(uow):
    receive_batch(uow, [(body(), "yot-leeds", "youth_offending"), (unsure_match(), "school-mis", "record")])

    [task] = uow.session.query(ReviewTask).all()
    merged = {e.body["contactpoint_id"]: e.body for e in uow.emitted if e.routing_key == CHILD_MERGED}
    assert merged[task.contactpoint_id]["possible_duplicate_of"] == [task.candidate_id]
    assert merged[task.candidate_id]["possible_duplicate_of"] == [task.contactpoint_id]
    assert [child["version"] for child in merged.values()] == [1, 1]


def receive_batch(uow, messages: list[tuple[dict, str, str]]) -> None:
    """Takes the messages in as one batch: (body, source_id, kind) each."""
    receive_feed_messages(uow, [
        (AcceptedFeedMessageSchema().load(raw), Envelope("cp.feeds", f"{source_id}.{kind}", raw, message_id=f"m-{n}", user_id=source_id))
        for n, (raw, source_id, kind) in enumerate(messages)
    ])
