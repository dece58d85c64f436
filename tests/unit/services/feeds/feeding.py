"""Feed messages for the feeds service's unit tests, and taking them in as the consumer would."""
from __future__ import annotations

import copy

from services.feeds.intake import receive_feed_messages
from services.feeds.schemas import AcceptedFeedMessageSchema
from shared.contracts.children import CHILD_MERGED
from shared.messaging.envelope import Envelope

BODY = {
    "schema": "contactpoint.feed.v1", "source_record_id": "YOT-000123", "sequence": 17, "action": "upsert",
    "child": {
        "family_name": "Smith", "given_names": ["Amy", "Louise"], "former_family_names": [],
        "date_of_birth": "2012-03-04", "gender": "female",
        "address": {"lines": ["1 High Street"], "town": "Leeds", "postcode": "LS1 4AP"},
        "identifiers": {"nhs_number": "9434765919"},
    },
    "involvement": {"service": "youth_offending", "organisation": "Leeds YOT",
                    "practitioner": {"name": "Sam Patel", "phone": None, "email": None}},
}


def body(**changes) -> dict:
    message = copy.deepcopy(BODY)
    message.update(changes)
    return message


def unsure_match(**changes) -> dict:
    """The child of ``BODY`` without an NHS number or a middle name, living elsewhere, a digit of the birth date different:
    sure enough to ask, not to link."""
    child = copy.deepcopy(BODY["child"]) | {"identifiers": {}, "given_names": ["Amy"], "date_of_birth": "2012-03-07",
                                            "address": {"lines": ["9 Low Road"], "town": "York", "postcode": "YO1 7HH"}}
    return body(source_record_id="UPN-9", involvement=None, child=child | changes)


def receive(uow, raw: dict, source_id: str = "yot-leeds", kind: str = "youth_offending", user_id: str | None = "", message_id: str = "m-1"):
    envelope = Envelope("cp.feeds", f"{source_id}.{kind}", raw, message_id=message_id,
                        user_id=source_id if user_id == "" else user_id)
    uow.emitted.clear()
    receive_feed_messages(uow, [(AcceptedFeedMessageSchema().load(raw), envelope)])
    uow.session.flush()
    return uow.emitted


def feedback_of(emitted: list[Envelope]) -> dict:
    [told] = [e for e in emitted if e.exchange == "cp.feedback"]
    return told.body


def merged_of(emitted: list[Envelope]) -> dict:
    [merged] = [e for e in emitted if e.routing_key == CHILD_MERGED]
    return merged.body

