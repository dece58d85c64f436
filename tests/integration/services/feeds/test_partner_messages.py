"""A partner system's feed messages on the real broker: what a registered source sends becomes a directory record;
what it may not send the broker refuses; what is malformed is dead-lettered and the source is told."""
import json

import pytest
from amqp.exceptions import AccessRefused, PreconditionFailed

from tests.integration.services.builders import a_feed_message, a_name, an_nhs_number
from tests.support import wait_until

pytestmark = pytest.mark.integration


def found_in_directory(practitioner, nhs_number: str) -> list[dict]:
    answer = practitioner.get("/api/v1/children/search", identifier=nhs_number, purpose="safeguarding")
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()["results"]


def test_what_a_registered_source_sends_becomes_a_directory_record(source, practitioner):
    message = a_feed_message()
    nhs_number = message["child"]["identifiers"]["nhs_number"]

    told = source.feedback_about(source.publish(message))
    results = wait_until(lambda: found_in_directory(practitioner, nhs_number), what="the child to be found")

    assert told["outcome"] == "accepted" and told["applied"] is True
    assert told["routing_key"] == f"{source.source_id}.accepted"
    assert [r["contactpoint_id"] for r in results] == [told["contactpoint_id"]]
    assert results[0]["family_name"] == message["child"]["family_name"]
    record = practitioner.get(f"/api/v1/children/{told['contactpoint_id']}", purpose="safeguarding").get_json()
    assert [(i["source_id"], i["organisation"]) for i in record["involvements"]] == [(source.source_id, "Leeds Test School")]


def test_the_broker_refuses_a_publish_under_another_sources_routing_key(register_source):
    sender, other = register_source(), register_source()

    with pytest.raises(AccessRefused, match="ACCESS_REFUSED - access to topic"):
        sender.publish_as(a_feed_message(), routing_key=f"{other.source_id}.school", user_id=sender.source_id)

    # Had the message got through, the feeds service would have told the other source of it.
    hears_first_of_the_next(other)


def test_the_broker_refuses_a_publish_with_a_spoofed_user_id(register_source):
    sender, other = register_source(), register_source()

    with pytest.raises(PreconditionFailed, match="user_id property set to"):
        sender.publish_as(a_feed_message(), routing_key=f"{sender.source_id}.school", user_id=other.source_id)

    hears_first_of_the_next(sender)


def hears_first_of_the_next(source) -> None:
    """The feedback about a message published now is the first the source hears: nothing refused before it got through."""
    sentinel = source.publish(a_feed_message())
    source.feedback_about(sentinel)
    assert list(source.feedback) == [sentinel]


def test_a_source_cannot_read_another_sources_feedback(register_source):
    reader, owner = register_source(), register_source()

    with reader.connection() as connection, pytest.raises(AccessRefused, match=f"access to queue 'cp.feedback.{owner.source_id}'"):
        connection.default_channel.basic_get(f"cp.feedback.{owner.source_id}")


def test_a_message_with_case_notes_is_dead_lettered_and_its_source_told_the_fault(source, practitioner, dead_letters):
    message = a_feed_message(case_notes="must never be held")

    message_id = source.publish(message)
    told = source.feedback_about(message_id)
    dead = dead_letters(message_id)

    assert told["outcome"] == "rejected" and told["routing_key"] == f"{source.source_id}.rejected"
    assert told["faults"]["code"] == "invalid_message" and "case_notes" in told["faults"]["details"]
    reason = json.loads(dead.headers["x-reason"])
    assert reason["code"] == "invalid_message" and "case_notes" in reason["details"]
    assert dead.headers["x-original-routing-key"] == f"{source.source_id}.school"
    assert found_in_directory(practitioner, message["child"]["identifiers"]["nhs_number"]) == []


def test_a_body_that_is_not_json_is_dead_lettered_with_its_reason(source, dead_letters):
    message_id = source.publish_raw(b"{not json")

    dead = dead_letters(message_id)

    assert dead.body == b"{not json"
    reason = json.loads(dead.headers["x-reason"])
    assert reason["code"] == "undecodable" and "not JSON" in reason["message"]


def test_the_source_of_a_body_that_is_not_json_is_told(source, dead_letters):
    message_id = source.publish_raw(b"{not json")
    dead_letters(message_id)

    # Feedback on a rejection is sent before the worker takes its next message, so once a later
    # message's feedback is here, any feedback on the broken one is here too.
    source.feedback_about(source.publish(a_feed_message()))

    assert source.feedback.get(message_id, {}).get("outcome") == "rejected"


def test_an_older_sequence_never_overwrites_a_newer_one(source, practitioner):
    record_id, nhs_number = "REC-SEQ", an_nhs_number()
    newer, older, newest = a_name(), a_name(), a_name()

    def send(sequence: int, family_name: str) -> dict:
        message = a_feed_message(source_record_id=record_id, sequence=sequence, family_name=family_name, nhs_number=nhs_number)
        return source.feedback_about(source.publish(message))

    def family_name_held() -> str | None:
        results = found_in_directory(practitioner, nhs_number)
        return results[0]["family_name"] if results else None

    assert send(5, newer)["applied"] is True
    wait_until(lambda: family_name_held() == newer, what="sequence 5 in the directory")

    late, repeated = send(3, older), send(5, older)

    assert (late["outcome"], late["applied"]) == ("accepted", False)
    assert (repeated["outcome"], repeated["applied"]) == ("accepted", False)
    assert family_name_held() == newer
    assert send(6, newest)["applied"] is True
    wait_until(lambda: family_name_held() == newest, what="sequence 6 in the directory")
