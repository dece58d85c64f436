"""Finding children from identifying details: indexed keys narrow the search, the score ranks what is found."""
from __future__ import annotations

from datetime import date

import pytest

from services.directory.matching import search_keys
from services.directory.models import Base, Child, SearchKey
from services.directory.queries import SearchTooBroad, held, search
from services.directory.rules import MAX_READ, MAX_RESULTS, REFINE_NOTICE, require_identifying
from shared.contracts.directory import CriteriaSchema
from shared.contracts.validators import normal_postcode, postcode_district
from shared.names import name_key

BORN = date(2012, 3, 4)


@pytest.fixture
def session(session_for):
    return session_for(Base)


def add(session, contactpoint_id: str, family_name="Smith", given_names=("Amy",), born=BORN, postcode="LS1 4AP",
        nhs_number=None, upn=None, active=True, shielded=False, former_family_names=()) -> None:
    session.add(Child(
        contactpoint_id=contactpoint_id, version=1, la_code="E08000035", active=active, shielded=shielded,
        family_name=family_name, family_key=name_key(family_name), given_names=list(given_names),
        former_family_keys=[name_key(name) for name in former_family_names],
        date_of_birth=born, gender="female", postcode=normal_postcode(postcode), nhs_number=nhs_number, upn=upn, record={},
    ))
    session.add_all(SearchKey(key=key, contactpoint_id=contactpoint_id)
                    for key in search_keys([family_name, *former_family_names], given_names, born, postcode_district(postcode)))
    session.flush()


def results(session, **criteria) -> list[dict]:
    return search(session, criteria)["results"]


def found(session, **criteria) -> list[str]:
    return [result["contactpoint_id"] for result in results(session, **criteria)]


def test_a_child_is_found_by_nhs_number_written_with_spaces(session):
    add(session, "CP-AMY", nhs_number="9434765919")
    add(session, "CP-OTHER", nhs_number="4010232137")

    assert found(session, identifier="943 476 5919") == ["CP-AMY"]


def test_a_child_is_found_by_upn_written_in_lower_case(session):
    add(session, "CP-AMY", upn="A123456789012")

    assert found(session, identifier="a123456789012") == ["CP-AMY"]


def test_a_family_name_written_another_way_matches_by_its_key_above_a_similar_name(session):
    add(session, "CP-OBRIEN", family_name="O'Brien")
    add(session, "CP-OBRIAN", family_name="O'Brian")

    ranked = results(session, family_name="obrien", date_of_birth=BORN)

    assert [r["contactpoint_id"] for r in ranked] == ["CP-OBRIEN", "CP-OBRIAN"]
    assert ranked[0]["score"] == 1.0 > ranked[1]["score"]


def test_a_birth_date_with_day_and_month_swapped_still_finds_the_child_ranked_below_an_exact_one(session):
    add(session, "CP-SWAPPED", born=date(2012, 4, 3))
    add(session, "CP-EXACT", born=BORN)

    ranked = results(session, family_name="Smith", date_of_birth=BORN)

    assert [(r["contactpoint_id"], r["score"]) for r in ranked] == [("CP-EXACT", 1.0), ("CP-SWAPPED", 0.917)]


def test_a_birth_date_whose_day_cannot_be_a_month_is_not_swapped(session):
    add(session, "CP-13TH", born=date(2012, 3, 13))

    assert found(session, family_name="Smith", date_of_birth=date(2012, 3, 13)) == ["CP-13TH"]
    assert found(session, family_name="Smith", date_of_birth=date(2012, 4, 13)) == []


def test_a_birth_date_whose_day_and_month_are_the_same_finds_only_that_date(session):
    add(session, "CP-MAY", born=date(2012, 5, 5))

    assert [r["score"] for r in results(session, family_name="Smith", date_of_birth=date(2012, 5, 5))] == [1.0]


def test_another_birth_date_finds_nobody(session):
    add(session, "CP-AMY")

    assert found(session, family_name="Smith", date_of_birth=date(2012, 3, 5)) == []


def test_a_postcode_written_any_way_finds_the_child(session):
    add(session, "CP-AMY", postcode="LS1 4AP")
    asked = require_identifying(CriteriaSchema().load({"family_name": "Smith", "given_name": "Amy", "postcode": " ls1  4ap "}))

    assert found(session, **asked) == ["CP-AMY"]


def test_by_names_and_postcode_a_child_is_found_at_the_postcode_whatever_the_names_sound_like_and_in_its_district_by_their_sound(session):
    add(session, "CP-AMY", family_name="Smith", postcode="LS1 4AP")

    assert found(session, family_name="Snith", given_name="Amy", postcode="LS1 4AP") == ["CP-AMY"]  # no key of Snith is Smith's
    assert found(session, family_name="Smyth", given_name="Amy", postcode="LS1 6BB") == ["CP-AMY"]


def test_by_names_and_postcode_a_child_of_those_names_in_another_district_is_not_read(session):
    add(session, "CP-AMY", family_name="Smith", postcode="LS1 4AP")

    assert found(session, family_name="Smith", given_name="Amy", postcode="M1 1AE") == []


def test_by_date_names_and_postcode_a_child_is_found_at_the_postcode_whatever_the_names_sound_like(session):
    add(session, "CP-AMY", family_name="Smith", postcode="LS1 4AP")
    add(session, "CP-OTHER", family_name="Smith", postcode="M1 1AE", born=date(2011, 5, 6))

    assert found(session, family_name="Snith", given_name="Amy", date_of_birth=BORN, postcode="LS1 4AP") == ["CP-AMY"]


def test_a_given_name_that_differs_leaves_a_candidate_ranked_below_one_that_agrees(session):
    add(session, "CP-AMY", given_names=["Amy", "Louise"])
    add(session, "CP-BETH", given_names=["Beth"])

    ranked = results(session, given_name="louise", date_of_birth=BORN, postcode="LS1 4AP")

    # Louise is Amy's middle name: a little below a first name that agrees.
    assert [(r["contactpoint_id"], r["score"]) for r in ranked] == [("CP-AMY", 0.981), ("CP-BETH", 0.615)]


def test_of_two_children_born_on_one_day_the_one_whose_first_name_is_searched_ranks_above_the_one_whose_middle_name_it_is(session):
    add(session, "CP-A-JAMES-AS-MIDDLE-NAME", given_names=["Joseph", "James"])
    add(session, "CP-B-JAMES", given_names=["James", "Connor"])

    assert found(session, family_name="Smith", given_name="James", date_of_birth=BORN) == ["CP-B-JAMES", "CP-A-JAMES-AS-MIDDLE-NAME"]


def test_a_child_no_source_holds_any_longer_is_never_found(session):
    add(session, "CP-GONE", nhs_number="9434765919", active=False)

    assert found(session, identifier="9434765919") == []
    assert found(session, family_name="Smith", date_of_birth=BORN) == []


def test_a_result_summarises_the_child_with_only_the_postcode_district(session):
    add(session, "CP-AMY", given_names=["Amy", "Louise"], postcode="LS1 4AP", nhs_number="9434765919")

    assert results(session, identifier="9434765919") == [{
        "contactpoint_id": "CP-AMY", "family_name": "Smith", "given_names": ["Amy", "Louise"],
        "date_of_birth": "2012-03-04", "gender": "female", "postcode_district": "LS1", "score": 1.0,
    }]


def test_a_shielded_child_is_found_without_even_its_postcode_district(session):
    add(session, "CP-SHIELDED", nhs_number="9434765919", shielded=True)

    assert results(session, identifier="9434765919")[0]["postcode_district"] is None


def test_no_more_than_the_maximum_results_are_given_best_first_then_by_id(session):
    for n in range(MAX_RESULTS + 5):
        add(session, f"CP-{n:03d}", born=date(2012, 4, 3) if n % 2 else BORN)

    answer = search(session, {"family_name": "Smith", "date_of_birth": BORN})

    assert len(answer["results"]) == MAX_RESULTS
    assert answer["notice"] == REFINE_NOTICE
    exact = [r["contactpoint_id"] for r in answer["results"] if r["score"] == 1.0]
    assert exact == sorted(f"CP-{n:03d}" for n in range(0, MAX_RESULTS + 5, 2))
    assert [r["score"] for r in answer["results"]] == sorted((r["score"] for r in answer["results"]), reverse=True)


def test_a_child_is_read_by_its_contactpoint_id(session):
    add(session, "CP-AMY")

    assert held(session, "CP-AMY").contactpoint_id == "CP-AMY"
    assert held(session, "CP-NOBODY") is None


# A shielded child ----------------------------------------------------------------------------------


def hold_shielded(session, contactpoint_id: str, postcode: str = "LS1 4AP") -> None:
    from services.directory.handlers import hold_children
    from shared.contracts.children import ChildMergedSchema

    class Holding:
        pass

    uow = Holding()
    uow.session = session
    hold_children(uow, [(ChildMergedSchema().load({
        "contactpoint_id": contactpoint_id, "version": 1, "la_code": "E08000035", "active": True, "shielded": True,
        "demographics": {"family_name": "Smith", "given_names": ["Amy"], "date_of_birth": BORN.isoformat(), "gender": "female",
                         "address": {"lines": [], "town": "Leeds", "postcode": postcode}, "identifiers": {}},
    }), None)])
    session.flush()


def test_a_shielded_child_scores_the_same_whether_the_postcode_searched_is_theirs_or_not(session):
    hold_shielded(session, "CP-SHIELDED", postcode="LS1 4AP")

    at_home = results(session, family_name="Smith", given_name="Amy", date_of_birth=BORN, postcode="LS1 4AP")
    elsewhere = results(session, family_name="Smith", given_name="Amy", date_of_birth=BORN, postcode="M1 1AE")

    assert [r["score"] for r in at_home] == [r["score"] for r in elsewhere] == [1.0]


def test_a_shielded_child_is_shown_by_name_date_of_birth_and_gender_alone(session):
    hold_shielded(session, "CP-SHIELDED")

    (shown,) = results(session, family_name="Smith", date_of_birth=BORN)

    assert shown["postcode_district"] is None
    assert set(shown) == {"contactpoint_id", "family_name", "given_names", "date_of_birth", "gender", "postcode_district", "score"}


def test_a_shielded_child_is_never_found_by_where_they_live(session):
    hold_shielded(session, "CP-SHIELDED", postcode="LS1 4AP")
    add(session, "CP-NEIGHBOUR", given_names=("Amy",), postcode="LS1 4AP")

    assert found(session, family_name="Smith", given_name="Amy", postcode="LS1 4AP") == ["CP-NEIGHBOUR"]
    # Found by a name and the date of birth, the postcode aside: the same at home as elsewhere.
    assert "CP-SHIELDED" in found(session, given_name="Amy", date_of_birth=BORN, postcode="LS1 4AP")
    assert "CP-SHIELDED" in found(session, given_name="Amy", date_of_birth=BORN, postcode="M1 1AE")


def test_a_namesake_who_sounds_like_the_mistyped_name_does_not_hide_the_right_child(session):
    # "Anelia" is "Amelia" mistyped past its sound, and sounds like "Annalee": the namesake is read first, and is not enough.
    add(session, "CP-AMELIA", family_name="Smith", given_names=("Amelia",))
    add(session, "CP-ANNALEE", family_name="Smith", given_names=("Annalee",))

    assert found(session, family_name="Smith", given_name="Anelia", date_of_birth=BORN)[0] == "CP-AMELIA"


def test_a_child_who_agrees_with_every_criterion_is_found_among_the_namesakes_alone(session):
    add(session, "CP-AMY", family_name="Smith", given_names=("Amy",))
    add(session, "CP-SISTER", family_name="Smith", given_names=("Alice",))
    counted: list[int] = []

    assert [r["contactpoint_id"] for r in search(session, {"family_name": "Smith", "given_name": "Amy", "date_of_birth": BORN},
                                                  counted=counted)["results"]] == ["CP-AMY"]
    assert counted == [1]


def test_names_mistyped_past_their_sound_are_found_by_their_initials_on_the_dates_meant(session):
    add(session, "CP-AMELIA", family_name="Kowalski", given_names=("Amelia",))
    add(session, "CP-OTHER-INITIALS", family_name="Okafor", given_names=("Chidi",))
    counted: list[int] = []

    answer = search(session, {"family_name": "Kowalsci", "given_name": "Amekia", "date_of_birth": BORN}, counted=counted)

    assert [r["contactpoint_id"] for r in answer["results"]] == ["CP-AMELIA"]
    assert counted == [1]


@pytest.mark.parametrize("others, criteria", [
    ({"family_name": "Jones", "postcode": "M1 1AE"}, {"given_name": "Amleia", "date_of_birth": BORN, "postcode": "LS1 4AP"}),
    ({"family_name": "Smith", "postcode": "LS1 6BB"}, {"family_name": "Smiht", "given_name": "Amelia", "postcode": "LS1 4AP"}),
], ids=["a-name-date-and-postcode-beside-namesakes-born-then-elsewhere", "names-and-postcode-beside-namesakes-in-the-district"])
def test_one_at_the_postcode_who_agrees_better_than_any_child_elsewhere_could_is_read_alone(session, others, criteria):
    add(session, "CP-AMELIA", family_name="Smith", given_names=("Amelia",), postcode="LS1 4AP")
    for n in range(30):
        add(session, f"CP-ELSEWHERE-{n:02d}", given_names=("Amelia",), **others)
    counted: list[int] = []

    answer = search(session, criteria, counted=counted)

    assert [r["contactpoint_id"] for r in answer["results"]] == ["CP-AMELIA"]
    assert counted == [1]


def test_by_a_name_date_and_postcode_one_at_the_postcode_who_agrees_no_better_than_a_child_elsewhere_could_reads_the_others(session):
    # Another given name at the postcode (a twin): a child elsewhere agreeing on name and date could rank above them.
    add(session, "CP-TWIN", family_name="Smith", given_names=("Amelia",), postcode="LS1 4AP")
    add(session, "CP-ELSEWHERE", family_name="Jones", given_names=("Beatrice",), postcode="M1 1AE")

    assert found(session, given_name="Beatrice", date_of_birth=BORN, postcode="LS1 4AP")[0] == "CP-ELSEWHERE"


def test_a_shielded_child_who_agrees_with_all_else_ranks_above_one_at_the_postcode_as_when_every_candidate_is_read(session):
    add(session, "CP-AT-THE-POSTCODE", family_name="Smith", given_names=("Amie",), postcode="LS1 4AP")
    hold_shielded(session, "CP-SHIELDED", postcode="M1 1AE")

    assert found(session, given_name="Amy", date_of_birth=BORN, postcode="LS1 4AP")[0] == "CP-SHIELDED"


def test_a_search_that_would_read_more_than_the_bound_is_asked_to_be_refined_and_reads_no_more(session):
    session.add_all(Child(
        contactpoint_id=f"CP-{n:04d}", version=1, la_code="E08000035", active=True, shielded=False, family_name="Smith",
        family_key="smith", given_names=["Amy"], former_family_keys=[], date_of_birth=BORN, gender="female", postcode="LS1 4AP",
        record={}) for n in range(MAX_READ + 1))
    session.add_all(SearchKey(key=key, contactpoint_id=f"CP-{n:04d}") for n in range(MAX_READ + 1)
                    for key in search_keys(["Smith"], ["Amy"], BORN, "LS1"))
    session.flush()

    # Names that sound like none of them, with their initials: the last resort would read them all.
    with pytest.raises(SearchTooBroad) as refusal:
        search(session, {"family_name": "Sqwyxz", "given_name": "Avrekk", "date_of_birth": BORN})
    assert refusal.value.code == "refine_search" and "refine your search" in refusal.value.message
    with pytest.raises(SearchTooBroad):
        search(session, {"family_name": "Smith", "given_name": "Anna", "date_of_birth": BORN})
