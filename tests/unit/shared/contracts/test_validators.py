"""Identifying details: UK postcodes in one written form, NHS numbers with a right check digit."""
from __future__ import annotations

import pytest
from marshmallow import ValidationError

from shared.contracts.validators import (
    nhs_number_is_valid,
    normal_postcode,
    postcode_district,
    validate_nhs_number,
    validate_postcode,
    whole_postcode,
)


@pytest.mark.parametrize("written", ["ls14ap", "LS1 4AP", "ls1 4ap", "  LS1   4AP ", "L S 1 4 A P"])
def test_a_postcode_written_any_way_has_one_normal_form(written):
    assert normal_postcode(written) == "LS1 4AP"


def test_a_postcode_too_short_to_split_is_only_tidied():
    assert normal_postcode(" ab ") == "AB"


@pytest.mark.parametrize("postcode, district", [("ls14ap", "LS1"), ("SW1A 1AA", "SW1A"), ("m11ae", "M1"), ("DN55 1PT", "DN55")])
def test_the_district_is_the_outward_part_of_the_postcode(postcode, district):
    assert postcode_district(postcode) == district


@pytest.mark.parametrize("typed, loaded", [(" ls14ap ", "LS1 4AP"), ("gir0aa", "GIR 0AA"), ("LS1", "LS1"), ("not a postcode", "not a postcode")])
def test_a_whole_postcode_is_given_in_its_normal_form_and_anything_else_as_typed(typed, loaded):
    assert whole_postcode(typed) == loaded


@pytest.mark.parametrize("postcode", ["SW1A 1AA", "ec1a1bb", "W1A 0AX", "M1 1AE", "B33 8TH", "CR2 6XH", "DN55 1PT", "GIR 0AA"])
def test_uk_postcodes_are_accepted(postcode):
    validate_postcode(postcode)


@pytest.mark.parametrize("postcode", ["", "LS1", "12345", "LS1 4A", "QS1 4AP", "LS1 4CP", "LS1 AAP", "ZZZZ 1AA", "LS1 4AP X"])
def test_what_is_not_a_uk_postcode_is_refused(postcode):
    with pytest.raises(ValidationError, match="not a UK postcode"):
        validate_postcode(postcode)


@pytest.mark.parametrize("number", ["9434765919", "4010232137", "0000000000", "9990000018"])
def test_nhs_numbers_with_the_right_check_digit_are_valid(number):
    assert nhs_number_is_valid(number)


@pytest.mark.parametrize("number", ["9434765918", "9434765910", "4010232138"])
def test_an_nhs_number_with_a_wrong_check_digit_is_not_valid(number):
    assert not nhs_number_is_valid(number)


def test_nine_digits_whose_check_digit_would_be_ten_make_no_valid_nhs_number():
    nine = "000000006"  # 6 x 2 = 12, remainder 1: the check digit would be 10

    assert not any(nhs_number_is_valid(nine + str(digit)) for digit in range(10))


@pytest.mark.parametrize("number", ["", "943476591", "94347659190", "943 476 5919", "943476591X"])
def test_an_nhs_number_must_be_exactly_ten_digits(number):
    assert not nhs_number_is_valid(number)


@pytest.mark.parametrize("number", ["９４３４７６５９１９", "٩٤٣٤٧٦٥٩١٩"], ids=["full-width", "arabic-indic"])
def test_an_nhs_number_in_digits_other_than_ascii_is_not_valid(number):
    assert not nhs_number_is_valid(number)


def test_a_postcode_in_digits_other_than_ascii_is_refused():
    with pytest.raises(ValidationError):
        validate_postcode("LS１ ４AP")


def test_an_invalid_nhs_number_is_refused_by_the_schema_validator():
    validate_nhs_number("9434765919")
    with pytest.raises(ValidationError, match="NHS number"):
        validate_nhs_number("9434765918")
