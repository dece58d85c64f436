"""Which child a source record is about: a verified identifier links at once; otherwise Fellegi–Sunter weights and two thresholds."""
from __future__ import annotations

import re
import uuid
from datetime import date, datetime, timezone

import pytest

from services.feeds.linkage_model import DEFAULT
from services.feeds.matching import Described, blocking_keys, find_child, match_weight, new_contactpoint_id
from services.feeds.models import Base, LinkedChild, Source, SourceRecord

BORN = date(2012, 3, 4)


@pytest.fixture
def session(session_for):
    session = session_for(Base)
    session.add(Source(source_id="school-mis", name="School MIS", la_code="E08000035", kinds=["school"]))
    return session


def child(family_name="Smith", given_names=("Amy",), born=BORN, nhs_number=None, postcode="LS1 4AP", former=(), gender="female") -> dict:
    """A child as the feed schema loads it."""
    return {
        "family_name": family_name, "given_names": list(given_names), "former_family_names": list(former),
        "date_of_birth": born, "gender": gender,
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
        contactpoint_id=contactpoint_id, sequence=1, held=True, **blocking_keys(Described.of(described)), message=message or raw(described),
        received_at=datetime(2024, 1, 1, tzinfo=timezone.utc),
    ))
    session.flush()
    return contactpoint_id


def linked_to(session, described: dict) -> str | None:
    match = find_child(session, Described.of(described))
    return match.contactpoint_id if match.decision == "link" else None


def test_a_child_nobody_has_sent_is_new(session):
    assert find_child(session, Described.of(child())).decision == "new"


def test_the_same_nhs_number_links_at_once_whatever_the_names_and_birth_date(session):
    held(session, child(family_name="Smith", given_names=["Amy"], nhs_number="9434765919"), "CP-AMY")

    assert linked_to(session, child(family_name="Jones", given_names=["Amelia"], born=date(2012, 4, 3), nhs_number="9434765919")) == "CP-AMY"


def test_the_same_name_birth_date_and_home_link(session):
    held(session, child(), "CP-AMY")

    assert linked_to(session, child()) == "CP-AMY"


def test_names_are_compared_by_their_keys_not_their_spelling_on_the_page(session):
    held(session, child(family_name="O'Brien-Smith", given_names=["Zoë"]), "CP-ZOE")

    assert linked_to(session, child(family_name="OBRIEN SMITH", given_names=["zoe"])) == "CP-ZOE"


@pytest.mark.parametrize("slip", [
    {"family_name": "Smtih"}, {"given_names": ["Louise", "Amy"]}, {"born": date(2012, 4, 3)}, {"postcode": "ls14ap"},
    {"family_name": "Jones", "former": ["Smith"]}, {"given_names": ["Amy"]},
], ids=["family-name-typo", "given-names-swapped", "day-and-month-swapped", "postcode-unformatted", "new-family-name", "middle-name-dropped"])
def test_one_data_entry_slip_still_links(session, slip):
    held(session, child(given_names=["Amy", "Louise"]), "CP-AMY")

    assert linked_to(session, child(**slip)) == "CP-AMY"


def test_twins_with_the_same_family_birth_date_and_home_but_different_given_names_stay_apart(session):
    held(session, child(given_names=["Amy"]), "CP-AMY")

    assert find_child(session, Described.of(child(given_names=["Beth"]))).decision == "new"


def test_a_twin_is_never_linked_even_through_a_family_name_slip(session):
    held(session, child(given_names=["Amy"]), "CP-AMY")

    assert find_child(session, Described.of(child(family_name="Smtih", given_names=["Beth"]))).decision == "new"


def test_a_wholly_different_birth_date_is_for_a_person_to_decide_however_alike_the_rest(session):
    held(session, child(given_names=["Amy", "Louise"]), "CP-AMY")

    match = find_child(session, Described.of(child(given_names=["Amy", "Louise"], born=date(2013, 8, 21))))

    assert (match.decision, match.contactpoint_id) == ("review", "CP-AMY")
    assert match.weight >= DEFAULT.link_at


def test_a_child_who_moved_house_is_still_found(session):
    held(session, child(postcode="LS1 4AP"), "CP-AMY")

    assert linked_to(session, child(postcode="M1 1AE")) == "CP-AMY"


@pytest.mark.parametrize("missing_from", ["the record", "the one held", "both"])
def test_a_record_without_a_postcode_links_by_its_other_details(session, missing_from):
    held(session, child(postcode=None if missing_from != "the record" else "LS1 4AP"), "CP-AMY")

    assert linked_to(session, child(postcode=None if missing_from != "the one held" else "LS1 4AP")) == "CP-AMY"


def test_two_children_without_a_postcode_are_not_taken_for_twins_of_one_home(session):
    held(session, child(family_name="Jones", given_names=["Amy"], postcode=None), "CP-AMY")

    assert linked_to(session, child(family_name="Jones", given_names=["Amy", "Louise"], postcode=None)) == "CP-AMY"


def test_a_move_and_a_digit_of_the_birth_date_wrong_is_for_a_person_to_decide(session):
    held(session, child(), "CP-AMY")

    match = find_child(session, Described.of(child(postcode="M1 1AE", born=date(2012, 3, 7))))

    assert (match.decision, match.contactpoint_id) == ("review", "CP-AMY")


@pytest.mark.parametrize("slip", [
    {"family_name": "Amy", "given_names": ["Smith", "Louise"]}, {"born": date(2012, 3, 9)}, {"given_names": ["Louise"]},
    {"family_name": "Jones"}, {"family_name": "Smith-Jones"}, {"given_names": ["Amie", "Louise"]},
], ids=["given-and-family-swapped", "a-digit-of-the-birth-date", "known-by-the-middle-name", "family-name-changed-and-former-lost",
        "double-barrelled", "given-name-typo"])
def test_a_slip_that_looks_like_a_twin_is_one_child(session, slip):
    held(session, child(given_names=["Amy", "Louise"]), "CP-AMY")

    assert linked_to(session, child(**slip)) == "CP-AMY"


@pytest.mark.parametrize("held_family, sent_family", [("Smith", "Smtih"), ("McDonald", "MacDonald")])
def test_a_slip_in_both_names_and_a_move_is_still_found_by_how_the_names_sound(session, held_family, sent_family):
    held(session, child(family_name=held_family, given_names=["Amelia"]), "CP-AMELIA")

    assert linked_to(session, child(family_name=sent_family, given_names=["Amelai"], postcode="M1 1AE")) == "CP-AMELIA"


@pytest.mark.parametrize("sent", [
    {"family_name": "Louise", "given_names": ["Smith"]}, {"family_name": "Amy", "given_names": ["Jones"]},
], ids=["known-by-the-middle-name", "family-name-changed-former-kept"])
def test_names_written_the_other_way_round_after_another_change_are_one_child(session, sent):
    held(session, child(family_name="Smith", given_names=["Amy", "Louise"], former=["Jones"]), "CP-AMY")

    assert linked_to(session, child(**sent)) == "CP-AMY"


@pytest.mark.parametrize("held_given, sent", [
    ("Amelia", {"given_names": ["Maelia"]}), ("Amelia", {"family_name": "Bmith", "postcode": "M1 1AE", "given_names": ["Amelia"]}),
    ("Thomas", {"given_names": ["Tommy"]}), ("Tommy", {"given_names": ["Thommas"]}),
], ids=["first-two-letters-of-the-given-name-swapped", "first-letter-of-the-family-name-wrong-and-a-move", "diminutive",
        "full-form-with-a-slip"])
def test_a_name_written_another_way_that_looks_like_a_twin_is_one_child(session, held_given, sent):
    held(session, child(given_names=[held_given]), "CP-ONE")

    assert linked_to(session, child(**sent)) == "CP-ONE"


def test_twins_with_rhyming_names_stay_apart(session):
    held(session, child(given_names=["Lily"]), "CP-LILY")

    assert find_child(session, Described.of(child(given_names=["Tilly"]))).decision == "new"


def test_names_written_the_other_way_round_with_the_family_name_now_former_are_one_child(session):
    held(session, child(family_name="Ward", given_names=["Elsie"]), "CP-ELSIE")

    assert linked_to(session, child(family_name="Elsie", given_names=["Miah"], former=["Ward"])) == "CP-ELSIE"


def test_a_twin_written_the_other_way_round_stays_apart(session):
    held(session, child(family_name="Harrison", given_names=["Emma"]), "CP-EMMA")

    assert find_child(session, Described.of(child(family_name="Phoebe", given_names=["Harrison"]))).decision == "new"


@pytest.mark.parametrize("born", [date(2012, 8, 14), date(2012, 4, 5)], ids=["two-digits-wrong", "day-and-month-swapped-and-a-digit-wrong"])
def test_two_slips_in_the_birth_date_link_in_the_same_home_only(session, born):
    held(session, child(), "CP-AMY")

    assert linked_to(session, child(born=born)) == "CP-AMY"
    assert linked_to(session, child(born=born, postcode="M1 1AE")) is None


def test_a_move_and_the_year_of_birth_one_out_is_for_a_person_to_decide(session):
    held(session, child(born=date(2020, 12, 31)), "CP-AMY")

    match = find_child(session, Described.of(child(born=date(2019, 12, 31), postcode="M1 1AE")))

    assert (match.decision, match.contactpoint_id) == ("review", "CP-AMY")


@pytest.mark.parametrize("twin", [
    {"given_names": ["Beth", "Louise"]}, {"given_names": ["Beth"], "born": date(2012, 3, 5)}, {"given_names": ["Ella"], "family_name": "Smyth"},
], ids=["sharing-a-middle-name", "a-digit-of-the-birth-date-wrong", "family-name-slip"])
def test_a_twin_stays_apart(session, twin):
    held(session, child(given_names=["Bella", "Louise"] if "Ella" in twin["given_names"] else ["Amy", "Rose"]), "CP-TWIN")

    assert find_child(session, Described.of(child(**twin))).decision == "new"


def test_twins_given_the_same_middle_names_stay_apart_by_their_nhs_numbers(session):
    held(session, child(given_names=["Amy", "Louise"], nhs_number="9434765919"), "CP-AMY")

    assert find_child(session, Described.of(child(given_names=["Beth", "Louise"], nhs_number="4010232137"))).decision == "new"


def test_the_same_name_is_weaker_evidence_the_more_children_hold_it():
    model = DEFAULT.with_term_frequencies({"family_name": ["smith"] * 500 + ["hebblethwaite"] + ["jones"] * 499})
    smith, hebblethwaite = (Described.of(child(family_name=name)) for name in ("Smith", "Hebblethwaite"))

    assert match_weight(smith, smith, model) < match_weight(smith, smith) < match_weight(hebblethwaite, hebblethwaite, model)


@pytest.mark.parametrize("held_name, sent_name", [("William", "Billy"), ("Elizabeth", "Beth"), ("Oliwia", "Olivia"), ("Katie", "Kate")])
def test_a_diminutive_or_another_spelling_is_the_same_given_name(session, held_name, sent_name):
    held(session, child(given_names=[held_name]), "CP-ONE")

    assert linked_to(session, child(given_names=[sent_name])) == "CP-ONE"


def test_only_a_family_name_and_a_birthday_in_common_is_a_new_child(session):
    held(session, child(given_names=["Amy"], postcode="LS1 4AP", gender="female"), "CP-AMY")

    assert find_child(session, Described.of(child(given_names=["Tom"], postcode="M1 1AE", gender="male"))).decision == "new"


def test_names_that_agree_never_link_two_different_nhs_numbers(session):
    held(session, child(nhs_number="9434765919"), "CP-AMY")

    assert find_child(session, Described.of(child(nhs_number="4010232137"))).decision == "new"


def test_a_record_with_an_nhs_number_links_by_weight_to_one_held_without(session):
    held(session, child(), "CP-AMY")

    assert linked_to(session, child(nhs_number="9434765919")) == "CP-AMY"


def test_a_record_without_an_nhs_number_links_by_weight_to_one_held_with(session):
    held(session, child(nhs_number="9434765919"), "CP-AMY")

    assert linked_to(session, child()) == "CP-AMY"


def test_among_namesakes_the_best_weighted_is_chosen(session):
    held(session, child(given_names=["Amy"]), "CP-AMY")
    held(session, child(given_names=["Beth"]), "CP-BETH")

    assert linked_to(session, child(given_names=["Beth", "Anne"])) == "CP-BETH"


def test_a_record_that_gave_no_identifiers_is_still_found(session):
    first = child()
    message = raw(first)
    del message["child"]["identifiers"]
    held(session, first, "CP-AMY", message=message)

    assert linked_to(session, child(nhs_number="9434765919")) == "CP-AMY"


def test_children_with_different_names_in_another_script_stay_apart(session):
    held(session, child(family_name="Иванова", given_names=["Анна"]), "CP-ANNA")

    assert linked_to(session, child(family_name="Петрова", given_names=["Мария"])) is None


def test_every_agreeing_field_adds_weight():
    full = Described.of(child(given_names=["Amy"]))

    weights = [match_weight(full, Described.of(other)) for other in (
        child(given_names=["Beth"], postcode="M1 1AE", born=date(2011, 1, 1), gender="male"),
        child(given_names=["Beth"], postcode="M1 1AE", born=date(2011, 1, 1)),
        child(given_names=["Beth"], postcode="M1 1AE"),
        child(given_names=["Beth"]),
        child(given_names=["Amy"]),
    )]

    assert weights == sorted(weights) and len(set(weights)) == len(weights)


def test_a_new_contactpoint_id_is_four_groups_of_five_after_cp():
    assert re.fullmatch(r"CP(-[0-9A-F]{5}){4}", new_contactpoint_id())


def test_new_contactpoint_ids_are_never_repeated():
    assert len({new_contactpoint_id() for _ in range(1000)}) == 1000
