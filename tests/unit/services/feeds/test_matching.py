"""Which child a source record is about: an NHS number links at once; otherwise family name, birth date and a given name."""
from __future__ import annotations

import re
import uuid
from datetime import date, datetime, timezone

import pytest

from services.feeds.matching import find_child, new_contactpoint_id
from services.feeds.models import Base, LinkedChild, Source, SourceRecord
from shared.names import name_key

BORN = date(2012, 3, 4)


@pytest.fixture
def session(session_for):
    session = session_for(Base)
    session.add(Source(source_id="school-mis", name="School MIS", la_code="E08000035", kinds=["school"]))
    return session


def child(family_name="Smith", given_names=("Amy",), born=BORN, nhs_number=None, postcode="LS1 4AP") -> dict:
    """A child as the feed schema loads it."""
    return {
        "family_name": family_name, "given_names": list(given_names), "former_family_names": [],
        "date_of_birth": born, "gender": "female",
        "address": {"lines": ["1 High Street"], "town": "Leeds", "postcode": postcode},
        "identifiers": {"nhs_number": nhs_number} if nhs_number else {},
    }


def raw(described: dict) -> dict:
    """The message as the partner sent it, which is what a source record keeps."""
    return {"schema": "contactpoint.feed.v1", "sequence": 1, "action": "upsert",
            "child": {**described, "date_of_birth": described["date_of_birth"].isoformat()}}


def held(session, described: dict, contactpoint_id: str, record_id: str | None = None, message: dict | None = None) -> str:
    """Stores a source record of ``described`` linked to ``contactpoint_id``, as the feeds handler does."""
    if session.get(LinkedChild, contactpoint_id) is None:
        session.add(LinkedChild(contactpoint_id=contactpoint_id, version=1))
    session.add(SourceRecord(
        source_id="school-mis", source_record_id=record_id or f"rec-{uuid.uuid4().hex[:8]}",
        contactpoint_id=contactpoint_id, sequence=1, held=True,
        nhs_number=described["identifiers"].get("nhs_number"), family_key=name_key(described["family_name"]),
        date_of_birth=described["date_of_birth"], message=message or raw(described),
        received_at=datetime(2024, 1, 1, tzinfo=timezone.utc),
    ))
    session.flush()
    return contactpoint_id


def test_a_child_nobody_has_sent_matches_nothing(session):
    assert find_child(session, child()) is None


def test_the_same_nhs_number_links_at_once_whatever_the_names_and_birth_date(session):
    held(session, child(family_name="Smith", given_names=["Amy"], nhs_number="9434765919"), "CP-AMY")

    found = find_child(session, child(family_name="Jones", given_names=["Amelia"], born=date(2012, 4, 3), nhs_number="9434765919"))

    assert found == "CP-AMY"


def test_the_same_family_name_birth_date_and_given_name_link(session):
    held(session, child(), "CP-AMY")

    assert find_child(session, child()) == "CP-AMY"


def test_names_are_compared_by_their_keys_not_their_spelling_on_the_page(session):
    held(session, child(family_name="O'Brien-Smith", given_names=["Zoë"]), "CP-ZOE")

    assert find_child(session, child(family_name="OBRIEN SMITH", given_names=["zoe"])) == "CP-ZOE"


def test_any_one_given_name_in_common_is_enough(session):
    held(session, child(given_names=["Amy", "Louise"]), "CP-AMY")

    assert find_child(session, child(given_names=["Louise"])) == "CP-AMY"


def test_twins_with_the_same_family_birth_date_and_home_but_different_given_names_stay_apart(session):
    held(session, child(given_names=["Amy"]), "CP-AMY")

    assert find_child(session, child(given_names=["Beth"])) is None


def test_a_different_birth_date_does_not_link(session):
    held(session, child(), "CP-AMY")

    assert find_child(session, child(born=date(2012, 3, 5))) is None


def test_a_different_family_name_does_not_link_without_an_nhs_number(session):
    held(session, child(family_name="Smith"), "CP-AMY")

    assert find_child(session, child(family_name="Smyth")) is None


def test_names_that_agree_do_not_link_two_different_nhs_numbers(session):
    held(session, child(nhs_number="9434765919"), "CP-AMY")

    assert find_child(session, child(nhs_number="4010232137")) is None


def test_a_record_with_an_nhs_number_links_by_name_to_one_held_without(session):
    held(session, child(), "CP-AMY")

    assert find_child(session, child(nhs_number="9434765919")) == "CP-AMY"


def test_a_record_without_an_nhs_number_links_by_name_to_one_held_with(session):
    held(session, child(nhs_number="9434765919"), "CP-AMY")

    assert find_child(session, child()) == "CP-AMY"


def test_among_namesakes_the_one_with_a_given_name_in_common_is_chosen(session):
    held(session, child(given_names=["Amy"]), "CP-AMY")
    held(session, child(given_names=["Beth"]), "CP-BETH")

    assert find_child(session, child(given_names=["Beth", "Anne"])) == "CP-BETH"


def test_an_nhs_number_not_held_falls_back_to_names(session):
    held(session, child(), "CP-AMY")

    assert find_child(session, child(nhs_number="4010232137")) == "CP-AMY"


def test_a_record_that_gave_no_identifiers_is_still_found_by_name(session):
    first = child()
    message = raw(first)
    del message["child"]["identifiers"]
    held(session, first, "CP-AMY", message=message)

    assert find_child(session, child(nhs_number="9434765919")) == "CP-AMY"


def test_children_with_different_names_in_another_script_stay_apart(session):
    held(session, child(family_name="Иванова", given_names=["Анна"]), "CP-ANNA")

    assert find_child(session, child(family_name="Петрова", given_names=["Мария"])) is None


def test_a_new_contactpoint_id_is_four_groups_of_five_after_cp():
    assert re.fullmatch(r"CP(-[0-9A-F]{5}){4}", new_contactpoint_id())


def test_new_contactpoint_ids_are_never_repeated():
    assert len({new_contactpoint_id() for _ in range(1000)}) == 1000
