"""The directory's rules: a search must name one child for an allowed purpose; a reader sees only what they may,
and whether their own local authority works with the child."""
from __future__ import annotations

import copy
from datetime import date

import pytest

from services.directory.rules import SHIELDED_NOTICE, la_involved, require_identifying, require_purpose, withhold
from shared.errors import InvalidRequest

BORN = date(2012, 3, 4)


@pytest.mark.parametrize("purpose", ["safeguarding", "wellbeing"])
def test_safeguarding_and_wellbeing_are_allowed_purposes(purpose):
    assert require_purpose(purpose) == purpose


@pytest.mark.parametrize("purpose", [None, "", "enforcement", "immigration", "Safeguarding"])
def test_any_other_purpose_or_none_is_refused(purpose):
    with pytest.raises(InvalidRequest) as refused:
        require_purpose(purpose)

    assert refused.value.code == "purpose_not_allowed"
    assert refused.value.as_dict()["kind"] == "invalid_request"


@pytest.mark.parametrize("criteria", [
    {"identifier": "9434765919"},
    {"family_name": "Smith", "date_of_birth": BORN},
    {"given_name": "Amy", "date_of_birth": BORN, "postcode": "LS1 4AP"},
    {"family_name": "Smith", "given_name": "Amy", "postcode": "LS1 4AP"},
    {"family_name": "Smith", "given_name": "Amy", "date_of_birth": BORN, "postcode": "LS1 4AP", "identifier": "A123456789012"},
], ids=lambda criteria: "+".join(criteria))
def test_criteria_that_name_one_child_are_enough(criteria):
    assert require_identifying(criteria) == criteria


@pytest.mark.parametrize("criteria", [
    {},
    {"family_name": "Smith"},
    {"given_name": "Amy"},
    {"postcode": "LS1 4AP"},
    {"date_of_birth": BORN},
    {"family_name": "Smith", "given_name": "Amy"},
    {"family_name": "Smith", "postcode": "LS1 4AP"},
    {"given_name": "Amy", "date_of_birth": BORN},
    {"date_of_birth": BORN, "postcode": "LS1 4AP"},
], ids=lambda criteria: "+".join(criteria) or "nothing")
def test_criteria_that_could_fit_many_children_are_refused_as_trawling(criteria):
    with pytest.raises(InvalidRequest) as refused:
        require_identifying(criteria)

    assert refused.value.code == "criteria_too_weak"


def test_criteria_left_empty_are_dropped_and_do_not_count():
    given = {"family_name": "Smith", "date_of_birth": BORN, "given_name": "", "postcode": None, "identifier": None}

    assert require_identifying(given) == {"family_name": "Smith", "date_of_birth": BORN}


def test_empty_criteria_cannot_make_up_a_sufficient_set():
    with pytest.raises(InvalidRequest, match="not enough"):
        require_identifying({"family_name": "Smith", "date_of_birth": None, "identifier": ""})


@pytest.mark.parametrize("name", ["Sm*", "S%", "Sm_th", "Sm?th", "*"])
@pytest.mark.parametrize("field", ["family_name", "given_name"])
def test_wildcards_in_a_name_are_refused(field, name):
    criteria = {"family_name": "Smith", "given_name": "Amy", "postcode": "LS1 4AP", field: name}

    with pytest.raises(InvalidRequest, match="without wildcards") as refused:
        require_identifying(criteria)

    assert refused.value.code == "criteria_too_weak"


@pytest.mark.parametrize("name", ["S", " S ", "   "])
def test_a_fragment_of_a_name_is_refused_even_with_a_birth_date(name):
    with pytest.raises(InvalidRequest, match="whole name"):
        require_identifying({"family_name": name, "date_of_birth": BORN})


def test_a_two_letter_name_is_a_whole_name():
    assert require_identifying({"family_name": "Ng", "date_of_birth": BORN})["family_name"] == "Ng"


def record(*involvements) -> dict:
    return {
        "contactpoint_id": "CP-1",
        "demographics": {"family_name": "Smith", "given_names": ["Amy"], "address": {"lines": ["1 High Street"], "postcode": "LS1 4AP"}},
        "carers": [{"name": "Jo Smith", "relationship": "mother", "phone": "0113 496 0000"}],
        "involvements": list(involvements),
    }


def involvement(service: str, sensitive: bool = False, la_code: str | None = "E08000035") -> dict:
    return {"service": service, "organisation": f"{service} team", "sensitive": sensitive, "la_code": la_code,
            "practitioner": {"name": "Sam Patel", "phone": "0113 496 0001", "email": "sam.patel@example.org"}}


def test_a_reader_whose_category_may_not_see_sensitive_services_does_not_see_them():
    seen = withhold(record(involvement("school"), involvement("sexual_health", sensitive=True)), shielded=False, sees_sensitive=False)

    assert [i["service"] for i in seen["involvements"]] == ["school"]


def test_a_reader_whose_category_may_see_sensitive_services_sees_every_involvement():
    seen = withhold(record(involvement("school"), involvement("mental_health", sensitive=True)), shielded=False, sees_sensitive=True)

    assert [i["service"] for i in seen["involvements"]] == ["school", "mental_health"]


def test_a_record_that_is_not_shielded_is_shown_whole_and_says_so():
    whole = record(involvement("school"))

    seen = withhold(whole, shielded=False, sees_sensitive=False)

    assert seen == {**whole, "shielded": False, "withheld": []}
    assert "notice" not in seen


def test_a_shielded_record_hides_all_that_locates_the_child_but_keeps_which_services_are_involved():
    team = {"la_code": "E08000035", "name": "Leeds ContactPoint team", "phone": "0113 496 0999", "email": "cp@leeds.example.org"}

    seen = withhold(record(involvement("school")), shielded=True, sees_sensitive=True, la_code="E08000035", la_team=team)

    assert seen["demographics"]["address"] is None
    assert seen["demographics"]["family_name"] == "Smith"
    assert seen["carers"] == [{"name": "Jo Smith", "relationship": "mother", "phone": None}]
    assert seen["involvements"][0]["service"] == "school"
    assert seen["involvements"][0]["organisation"] is None
    assert seen["involvements"][0]["practitioner"] is None
    assert seen["shielded"] is True
    assert seen["la_team"] == team
    assert seen["notice"] == SHIELDED_NOTICE.format(team="Leeds ContactPoint team, 0113 496 0999, cp@leeds.example.org")


def test_a_shielded_record_of_an_la_whose_team_gave_no_contact_names_the_la():
    seen = withhold(record(involvement("school")), shielded=True, sees_sensitive=True, la_code="E08000035")

    assert seen["la_team"] == {"la_code": "E08000035", "name": None, "phone": None, "email": None}
    assert "local authority E08000035" in seen["notice"]


def test_a_reader_is_told_what_was_withheld_from_them_by_kind_and_count():
    seen = withhold(record(involvement("school"), involvement("mental_health", sensitive=False)), shielded=False, sees_sensitive=False)

    assert seen["withheld"] == [{"kind": "sensitive_involvement", "count": 1,
                                 "message": "1 involvement with a sensitive service is not shown to your role"}]


def test_a_shielded_record_says_each_kind_it_withholds_with_its_count():
    seen = withhold(record(involvement("school"), involvement("health"), involvement("sexual_health", sensitive=True)),
                    shielded=True, sees_sensitive=False, la_code="E08000035")

    assert {item["kind"]: item["count"] for item in seen["withheld"]} == {
        "sensitive_involvement": 1, "address": 1, "carer_contact": 1, "organisation": 2, "practitioner": 2,
    }
    assert all(item["message"] for item in seen["withheld"])
    assert "2 organisations are not shown" in " ".join(item["message"] for item in seen["withheld"])


def test_a_shielded_record_still_withholds_sensitive_services():
    seen = withhold(record(involvement("school"), involvement("substance_misuse", sensitive=True)), shielded=True, sees_sensitive=False)

    assert [i["service"] for i in seen["involvements"]] == ["school"]


def test_withholding_leaves_the_held_record_as_it_was():
    held = record(involvement("school"), involvement("sexual_health", sensitive=True))
    before = copy.deepcopy(held)

    withhold(held, shielded=True, sees_sensitive=False)

    assert held == before


def test_an_la_with_a_service_working_with_the_child_is_involved_even_through_a_sensitive_one():
    held = record(involvement("school", la_code="E08000032"), involvement("mental_health", sensitive=True, la_code="E09000001"))

    assert la_involved(held, "E08000032") and la_involved(held, "E09000001")


@pytest.mark.parametrize("involvements", [
    pytest.param([involvement("school", la_code="E08000032")], id="another LA's service"),
    pytest.param([involvement("health", la_code=None)], id="a national service"),
    pytest.param([], id="no service"),
])
def test_an_la_with_no_service_working_with_the_child_is_not_involved(involvements):
    assert not la_involved(record(*involvements), "E09000001")
