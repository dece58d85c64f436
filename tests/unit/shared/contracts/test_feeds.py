"""The feed message contract: what a partner may send, and what it is told back."""
from __future__ import annotations

import copy
from datetime import date

import pytest
from marshmallow import ValidationError

from services.feeds.schemas import AcceptedFeedMessageSchema
from shared.contracts.feeds import FeedMessageSchema, feedback, kind_of, rejection, source_of

CONTRACT_EXAMPLE = {
    "schema": "contactpoint.feed.v1",
    "source_record_id": "YOT-000123",
    "sequence": 17,
    "action": "upsert",
    "child": {
        "family_name": "Smith", "given_names": ["Amy", "Louise"], "former_family_names": [],
        "date_of_birth": "2012-03-04", "gender": "female",
        "address": {"lines": ["1 High Street"], "town": "Leeds", "postcode": "LS1 4AP"},
        "identifiers": {"nhs_number": "9434765919", "upn": "A123456789012"},
    },
    "carers": [{"name": "Jo Smith", "relationship": "mother", "parental_responsibility": True,
                "phone": "0113 496 0000"}],
    "involvement": {"service": "youth_offending", "organisation": "Leeds YOT",
                    "practitioner": {"name": "Sam Patel", "phone": "0113 496 0001",
                                     "email": "sam.patel@example.org"},
                    "lead_professional": False, "caf_completed": False, "sensitive": False,
                    "started_on": "2024-01-10", "ended_on": None},
    "consent": {"retain_to_25": False},
}


def example(**changes) -> dict:
    """The contract's example with ``changes`` applied; a key like ``child__address__postcode`` reaches inside."""
    message = copy.deepcopy(CONTRACT_EXAMPLE)
    for path, value in changes.items():
        *parents, name = path.split("__")
        target = message
        for parent in parents:
            target = target[int(parent) if parent.isdigit() else parent]
        if value is DROP:
            del target[name]
        else:
            target[name] = value
    return message


DROP = object()


def faults_of(message: dict, schema=FeedMessageSchema) -> dict:
    with pytest.raises(ValidationError) as refused:
        schema().load(message)
    return refused.value.messages


def test_the_contracts_example_is_accepted_with_its_dates_read_as_dates():
    loaded = FeedMessageSchema().load(example())

    assert loaded["child"]["date_of_birth"] == date(2012, 3, 4)
    assert loaded["involvement"]["started_on"] == date(2024, 1, 10)
    assert loaded["child"]["identifiers"] == {"nhs_number": "9434765919", "upn": "A123456789012"}


def test_a_minimal_upsert_is_accepted_with_the_optional_parts_defaulted():
    message = example(carers=DROP, involvement=DROP, consent=DROP, child__former_family_names=DROP, child__identifiers=DROP)

    loaded = FeedMessageSchema().load(message)

    assert loaded["carers"] == [] and loaded["involvement"] is None and loaded["consent"] == {}
    assert loaded["child"]["identifiers"] == {} and loaded["child"]["former_family_names"] == []


@pytest.mark.parametrize("where", ["", "child__", "involvement__", "carers__0__", "involvement__practitioner__"])
def test_case_information_has_no_field_anywhere_and_is_refused(where):
    message = example(**{f"{where}case_notes": "disclosed abuse at home"})

    faults = faults_of(message)

    assert "case_notes" in str(faults)


@pytest.mark.parametrize("field", ["schema", "source_record_id", "sequence", "action"])
def test_the_envelope_fields_are_required(field):
    assert field in faults_of(example(**{field: DROP}))


@pytest.mark.parametrize("changes, where", [
    ({"schema": "contactpoint.feed.v2"}, "schema"),
    ({"action": "delete"}, "action"),
    ({"sequence": "17"}, "sequence"),
    ({"sequence": -1}, "sequence"),
    ({"sequence": 1.5}, "sequence"),
    ({"source_record_id": ""}, "source_record_id"),
    ({"child__date_of_birth": "04/03/2012"}, "child"),
    ({"child__date_of_birth": "2012-02-30"}, "child"),
    ({"child__gender": "F"}, "child"),
    ({"child__given_names": []}, "child"),
    ({"child__given_names": ["A", "B", "C", "D", "E", "F"]}, "child"),
    ({"child__family_name": ""}, "child"),
    ({"child__address__postcode": "not a postcode"}, "child"),
    ({"child__address": DROP}, "child"),
    ({"child__identifiers__nhs_number": "9434765918"}, "child"),
    ({"child__identifiers__nhs_number": "943476591"}, "child"),
    ({"child__identifiers__upn": "a123456789012"}, "child"),
    ({"child__identifiers__upn": "A12345678901"}, "child"),
    ({"child__identifiers__passport": "123456789"}, "child"),
    ({"involvement__service": "police"}, "involvement"),
    ({"involvement__started_on": "yesterday"}, "involvement"),
    ({"involvement__practitioner__email": "not an email"}, "involvement"),
    ({"involvement__practitioner": DROP}, "involvement"),
    ({"carers__0__name": ""}, "carers"),
    ({"consent__retain_to_25": "perhaps"}, "consent"),
], ids=lambda value: str(value) if isinstance(value, str) else "-".join(f"{k}={'left-out' if v is DROP else repr(v)}" for k, v in value.items()))
def test_a_message_with_a_wrong_value_is_refused_naming_where(changes, where):
    assert where in faults_of(example(**changes))


@pytest.mark.parametrize("changes, where", [
    ({"child__family_name": "Sm1th"}, ("family_name",)), ({"child__given_names": ["Amy", "Lou\tise"]}, ("given_names", 1)),
    ({"child__former_family_names": ["Jones\x00"]}, ("former_family_names", 0)), ({"child__family_name": "Smith\u200b"}, ("family_name",)),
    ({"child__given_names": ["Amy\u0663"]}, ("given_names", 0)),
], ids=["digit", "tab", "nul", "zero-width-space", "arabic-digit"])
def test_a_name_with_a_digit_or_a_control_character_is_refused_naming_the_field(changes, where):
    faults = faults_of(example(**changes))["child"]
    for step in where:
        faults = faults[step]

    assert "must not hold" in str(faults)


def test_the_feedback_on_a_name_with_a_digit_names_the_field():
    with pytest.raises(ValidationError) as refused:
        FeedMessageSchema().load(example(child__family_name="Sm1th"))

    told = rejection("yot-leeds", "m-1", {"code": "invalid_message", "message": "invalid", "details": refused.value.messages})

    assert told.body["fields"] == [{"field": "child.family_name", "problem": "a name must not hold digits"}]


def test_names_in_any_script_with_hyphens_apostrophes_and_spaces_are_accepted():
    FeedMessageSchema().load(example(child__family_name="O'Brien-Smith", child__given_names=["Zoë", "Анна Мария"]))


def test_every_fault_is_reported_not_only_the_first():
    faults = faults_of(example(sequence="x", child__gender="F", involvement__service="police"))

    assert {"sequence", "child", "involvement"} <= set(faults)


@pytest.mark.parametrize("postcode", [DROP, None], ids=["left-out", "null"])
def test_a_child_whose_postcode_is_unknown_is_accepted(postcode):
    loaded = FeedMessageSchema().load(example(child__address__postcode=postcode))

    assert loaded["child"]["address"].get("postcode") is None


@pytest.mark.parametrize("postcode", [
    "ls14ap", "LS1 4AP", " ls1  4ap ", "SW1A 1AA", "EC1A 1BB", "W1A 0AX", "M1 1AE", "B33 8TH", "CR2 6XH", "DN55 1PT", "GIR 0AA",
])
def test_postcodes_are_accepted_in_any_case_and_spacing(postcode):
    FeedMessageSchema().load(example(child__address__postcode=postcode))


def test_a_removal_needs_no_child():
    loaded = AcceptedFeedMessageSchema().load(example(action="remove", child=None, carers=DROP, involvement=DROP))

    assert loaded["action"] == "remove" and loaded["child"] is None


def test_an_upsert_that_does_not_describe_the_child_is_refused():
    assert "child" in faults_of(example(child=None), AcceptedFeedMessageSchema)
    assert "child" in faults_of(example(child=DROP), AcceptedFeedMessageSchema)


def test_the_source_and_kind_are_read_from_the_routing_key():
    assert (source_of("yot-leeds.youth_offending"), kind_of("yot-leeds.youth_offending")) == ("yot-leeds", "youth_offending")
    assert (source_of("yot-leeds"), kind_of("yot-leeds")) == ("yot-leeds", "")


def test_feedback_goes_to_the_sources_own_routing_key_naming_its_message():
    told = feedback("yot-leeds", "rejected", "partner-msg-1", faults={"code": "invalid_message"})

    assert (told.exchange, told.routing_key, told.type) == ("cp.feedback", "yot-leeds.rejected", "feeds.message.rejected")
    assert told.body == {"message_id": "partner-msg-1", "outcome": "rejected", "faults": {"code": "invalid_message"}}
    assert told.message_id != "partner-msg-1"
