"""No trawling, case by case: each refusal says what more would identify one child; only identifying details are criteria."""
from __future__ import annotations

from datetime import date

import pytest
from marshmallow import ValidationError

from services.directory.rules import CRITERIA, SUFFICIENT_CRITERIA, require_identifying, require_purpose, what_more_is_needed
from services.directory.schemas import CriteriaSchema
from shared.errors import InvalidRequest

BORN = date(2012, 3, 4)
EXAMPLE = {"family_name": "Smith", "given_name": "Amy", "date_of_birth": BORN, "postcode": "LS1 4AP", "identifier": "9434765919"}


def refusal(criteria: dict) -> InvalidRequest:
    with pytest.raises(InvalidRequest) as refused:
        require_identifying(criteria)
    assert refused.value.code == "criteria_too_weak"
    return refused.value


@pytest.mark.parametrize("given, needed", [
    ({}, "add NHS number or UPN, or family name and date of birth, or family name and given name and full postcode, "
         "or given name and date of birth and full postcode"),
    ({"family_name": "Smith"}, "add date of birth, or NHS number or UPN, or given name and full postcode"),
    ({"given_name": "Amy"}, "add NHS number or UPN, or family name and date of birth, or family name and full postcode, "
                            "or date of birth and full postcode"),
    ({"postcode": "LS1 4AP"}, "add NHS number or UPN, or family name and given name, or family name and date of birth, "
                              "or given name and date of birth"),
    ({"date_of_birth": BORN}, "add family name, or NHS number or UPN, or given name and full postcode"),
    ({"family_name": "Smith", "given_name": "Amy"}, "add date of birth, or full postcode, or NHS number or UPN"),
    ({"family_name": "Smith", "postcode": "LS1 4AP"}, "add given name, or date of birth, or NHS number or UPN"),
    ({"given_name": "Amy", "date_of_birth": BORN}, "add family name, or full postcode, or NHS number or UPN"),
    ({"date_of_birth": BORN, "postcode": "LS1 4AP"}, "add family name, or given name, or NHS number or UPN"),
], ids=lambda value: "+".join(value) or "nothing" if isinstance(value, dict) else "")
def test_criteria_too_weak_are_refused_saying_what_to_add(given, needed):
    refused = refusal({name: EXAMPLE[name] for name in given})

    assert refused.message == f"these details are not enough to identify one child: {needed}"


def test_every_sufficient_set_is_enough_and_no_smaller_set_is():
    for rule in SUFFICIENT_CRITERIA:
        assert require_identifying({name: EXAMPLE[name] for name in rule}).keys() == rule
        for left_out in rule:
            smaller = rule - {left_out}
            if not any(other <= smaller for other in SUFFICIENT_CRITERIA):
                refusal({name: EXAMPLE[name] for name in smaller})


def test_the_rules_name_only_criteria_a_search_takes():
    assert frozenset().union(*SUFFICIENT_CRITERIA) == set(CRITERIA)


def test_what_more_is_needed_offers_only_the_smallest_additions():
    assert what_more_is_needed({"family_name", "given_name"}) == "add date of birth, or full postcode, or NHS number or UPN"


@pytest.mark.parametrize("postcode", ["LS1", "LS1 4", "not a postcode", "LS1 4A"])
def test_a_partial_postcode_is_refused_as_a_fragment(postcode):
    refused = refusal({"family_name": "Smith", "given_name": "Amy", "postcode": postcode})

    assert "whole UK postcode" in refused.message


@pytest.mark.parametrize("postcode", ["ls14ap", "LS1 4AP", " ls1  4ap "])
def test_a_whole_postcode_written_any_way_is_loaded_in_its_one_form_and_is_enough_with_two_names(postcode):
    asked = CriteriaSchema().load({"family_name": "Smith", "given_name": "Amy", "postcode": postcode})

    assert require_identifying(asked)["postcode"] == "LS1 4AP"


@pytest.mark.parametrize("postcode", ["LS1", "not a postcode", "LS1 4A"])
def test_what_is_not_a_whole_postcode_is_loaded_as_typed_for_the_refusal_to_say_so(postcode):
    asked = CriteriaSchema().load({"family_name": "Smith", "given_name": "Amy", "postcode": postcode})

    assert asked["postcode"] == postcode
    assert "whole UK postcode" in refusal(asked).message


@pytest.mark.parametrize("name", ["S.", "'-", "1234", "S-"])
def test_a_name_with_fewer_than_two_letters_is_a_fragment(name):
    assert "whole name" in refusal({"family_name": name, "date_of_birth": BORN}).message


@pytest.mark.parametrize("name", ["Иванова", "王", "O'Neill"])
def test_a_whole_name_in_any_script_is_a_name(name):
    assert require_identifying({"family_name": name, "date_of_birth": BORN})["family_name"] == name


@pytest.mark.parametrize("purpose", ["enforcement", "crime", "crime_prevention", "immigration", "research", "WELLBEING"])
def test_a_purpose_other_than_safeguarding_or_wellbeing_is_refused_and_says_why(purpose):
    with pytest.raises(InvalidRequest, match="not used for enforcement or crime") as refused:
        require_purpose(purpose)

    assert refused.value.code == "purpose_not_allowed"


@pytest.mark.parametrize("profiling", [
    {"service": "mental_health"}, {"involvement": "youth_offending"}, {"la_code": "E08000035"},
    {"gender": "female"}, {"organisation": "Leeds YOT"}, {"sensitive": True},
])
def test_a_search_takes_no_criterion_but_identifying_details_so_no_profiling(profiling):
    with pytest.raises(ValidationError, match="Unknown field"):
        CriteriaSchema().load({"family_name": "Smith", "date_of_birth": "2012-03-04", **profiling})
