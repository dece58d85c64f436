"""What the feeds service refuses, on the real broker: every fault is named back to the source, case information by name;
kinds are the source's own; a repeated message changes nothing."""
import json
from dataclasses import replace

import pytest

from contactpoint import partner
from services.feeds.models import LinkedChild, SourceRecord
from shared.messaging.publisher import publish_on
from tests.integration.services.builders import a_feed_message
from tests.support import wait_until

pytestmark = pytest.mark.integration


def test_case_information_is_refused_and_every_fault_named_in_the_feedback(source, dead_letters):
    message = a_feed_message(allegation="never held", nhs_number="9434765918")
    message["child"]["assessment_notes"] = "never held"
    message["child"]["address"]["postcode"] = "NOT A CODE"

    message_id = source.publish(message)
    told = source.feedback_about(message_id)

    assert told["outcome"] == "rejected" and told["message_id"] == message_id
    assert told["case_information"] == ["allegation", "child.assessment_notes"]
    assert {fault["field"] for fault in told["fields"]} == {
        "allegation", "child.assessment_notes", "child.address.postcode", "child.identifiers.nhs_number",
    }
    reason = json.loads(dead_letters(message_id).headers["x-reason"])
    assert set(reason["details"]) == {"allegation", "child"}


def test_a_birth_date_in_the_future_is_refused(source):
    message = a_feed_message()
    message["child"]["date_of_birth"] = "2999-01-01"

    told = source.feedback_about(source.publish(message))

    assert told["outcome"] == "rejected"
    assert told["fields"] == [{"field": "child.date_of_birth", "problem": "must not be in the future"}]


def test_a_kind_the_source_is_not_registered_for_is_refused_with_feedback(source, dead_letters):
    message_id = source.publish(a_feed_message(service="health"))

    told = source.feedback_about(message_id)

    assert told["outcome"] == "rejected" and told["routing_key"] == f"{source.source_id}.rejected"
    assert told["faults"]["code"] == "source_not_allowed" and "'health'" in told["faults"]["message"]
    assert json.loads(dead_letters(message_id).headers["x-reason"])["code"] == "source_not_allowed"


def test_an_involvement_sent_under_another_kinds_routing_key_is_refused(register_source):
    sender = register_source(kinds=("school", "health"))
    envelope = replace(partner.feed_envelope(sender.source_id, a_feed_message(service="school")), routing_key=f"{sender.source_id}.health")
    with sender.connection() as connection:
        publish_on(connection.channel(), envelope)

    told = sender.feedback_about(envelope.message_id)

    assert told["outcome"] == "rejected" and "must be sent as" in told["faults"]["message"]


def test_a_repeated_message_id_changes_nothing(services, source):
    envelope = partner.feed_envelope(source.source_id, a_feed_message())
    with source.connection() as connection:
        channel = connection.channel()
        publish_on(channel, envelope)
        publish_on(channel, replace(envelope, body={**envelope.body, "sequence": 2}))
    told = source.feedback_about(envelope.message_id)
    # One consumer takes the queue in order: once a later message is answered, the repeat has been seen.
    source.feedback_about(source.publish(a_feed_message()))

    with services["feeds"].db.sessions() as session:
        child = session.get(LinkedChild, told["contactpoint_id"])
        record = session.get(SourceRecord, (source.source_id, envelope.body["source_record_id"]))
        assert (child.version, record.sequence) == (1, 1)
    assert list(source.feedback).count(envelope.message_id) == 1


def test_a_removal_without_an_involvement_is_taken_under_the_record_kind(services, source):
    record_id = "REC-REMOVE"
    added = source.feedback_about(source.publish(a_feed_message(source_record_id=record_id)))
    removal = {"schema": "contactpoint.feed.v1", "source_record_id": record_id, "sequence": 2, "action": "remove"}

    removed = source.feedback_about(source.publish(removal))

    assert (removed["outcome"], removed["applied"], removed["contactpoint_id"]) == ("accepted", True, added["contactpoint_id"])

    def released() -> bool:
        with services["feeds"].db.sessions() as session:
            return not session.get(SourceRecord, (source.source_id, record_id)).held

    wait_until(released, what="the source to release the child")
