import copy
import json
import random
import re
import time
from datetime import date

from contactpoint.synthetic import (
    SENSITIVE_SERVICES,
    SERVICES,
    feed_message,
    is_valid_nhs_number,
    make_nhs_number,
    nhs_check_digit,
    population,
    with_errors,
)
from shared.contracts.feeds import SCHEMA_NAME, SERVICE_KINDS, FeedMessageSchema
from shared.contracts.validators import POSTCODE

REFERENCE_DATE = date(2026, 11, 1)
CHILD_KEYS = {"family_name", "given_names", "former_family_names", "date_of_birth", "gender", "address", "identifiers"}
MESSAGE_KEYS = {"schema", "source_record_id", "sequence", "action", "child", "carers", "involvement", "consent"}
INVOLVEMENT_KEYS = {
    "service", "organisation", "practitioner", "lead_professional", "caf_completed", "sensitive", "started_on", "ended_on",
}


def age_on(day, born):
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def messages(count, seed=3):
    rng = random.Random(seed)
    return [
        feed_message(child, source_record_id=f"rec-{child.person_id}", sequence=1, service=rng.choice(SERVICES), rng=rng)
        for child in population(count, seed)
    ]


def test_check_digit_of_a_known_nhs_number():
    assert nhs_check_digit("943476591") == 9
    assert is_valid_nhs_number("9434765919")
    assert not is_valid_nhs_number("9434765918")


def test_check_digit_is_zero_for_remainder_zero_and_none_when_it_would_be_ten():
    assert nhs_check_digit("000000000") == 0
    assert nhs_check_digit("000000006") is None


def test_malformed_nhs_numbers_are_invalid():
    for value in ("943476591", "94347659190", "943 476 5919", "94347659I9", ""):
        assert not is_valid_nhs_number(value)


def test_made_nhs_numbers_are_valid_and_start_4_to_7():
    rng = random.Random(1)
    for _ in range(10_000):
        number = make_nhs_number(rng)
        assert is_valid_nhs_number(number)
        assert number[0] in "4567"


def test_population_is_deterministic_for_a_seed():
    assert list(population(2_000, seed=7)) == list(population(2_000, seed=7))
    assert list(population(200, seed=7)) != list(population(200, seed=8))


def test_population_yields_n_children_with_ids_0_to_n_minus_1():
    assert [child.person_id for child in population(5_000)] == list(range(5_000))
    assert list(population(0)) == []


def test_every_child_is_aged_0_to_17_on_the_reference_date():
    ages = {age_on(REFERENCE_DATE, child.date_of_birth) for child in population(20_000)}
    assert ages == set(range(18))


def test_nhs_numbers_and_upns_are_valid_and_never_repeat():
    children = list(population(50_000))
    assert all(is_valid_nhs_number(child.nhs_number) for child in children)
    assert all(re.fullmatch(r"[A-Z]\d{12}", child.upn) for child in children)
    assert len({child.nhs_number for child in children}) == len(children)
    assert len({child.upn for child in children}) == len(children)


def test_about_one_percent_are_twins_sharing_birth_and_home_but_not_first_name():
    children = list(population(50_000))
    twins = [child for child in children if child.twin_of is not None]
    assert 0.006 < len(twins) / len(children) < 0.014
    for child in twins:
        twin = children[child.twin_of]
        assert twin.twin_of == child.person_id
        assert abs(twin.person_id - child.person_id) == 1
        assert (twin.family_name, twin.date_of_birth, twin.address_lines, twin.postcode, twin.carers) == (
            child.family_name, child.date_of_birth, child.address_lines, child.postcode, child.carers)
        assert twin.given_names[0] != child.given_names[0]
        assert twin.nhs_number != child.nhs_number


def test_postcodes_are_uk_postcodes_and_authorities_are_english():
    for child in population(20_000):
        assert POSTCODE.match(child.postcode), child.postcode
        assert re.fullmatch(r"E0[689]\d{6}", child.la_code)


def test_common_names_collide_and_some_have_apostrophes_or_hyphens():
    children = list(population(20_000))
    family_names = [child.family_name for child in children]
    assert family_names.count("Smith") > 100
    assert any("'" in name for name in family_names)
    assert any("-" in name for name in family_names)
    assert any("-" in child.given_names[0] for child in children)
    assert all(1 <= len(child.given_names) <= 3 for child in children)
    assert all(1 <= len(child.carers) <= 2 for child in children)


def test_feed_message_has_exactly_the_contract_keys_and_is_json_serialisable():
    for message in messages(2_000):
        assert set(message) == MESSAGE_KEYS
        assert set(message["child"]) == CHILD_KEYS
        assert set(message["child"]["address"]) == {"lines", "town", "postcode"}
        assert set(message["involvement"]) == INVOLVEMENT_KEYS
        assert set(message["involvement"]["practitioner"]) == {"name", "phone", "email"}
        assert message["schema"] == SCHEMA_NAME
        assert json.loads(json.dumps(message)) == message
        FeedMessageSchema().load(message)


def test_feed_message_carries_only_the_named_identifiers():
    child = next(population(1))
    rng = random.Random(1)
    only_nhs = feed_message(child, source_record_id="a", sequence=0, service="health", rng=rng, identifiers=("nhs_number",))
    none = feed_message(child, source_record_id="a", sequence=0, service="health", rng=rng, identifiers=())
    assert only_nhs["child"]["identifiers"] == {"nhs_number": child.nhs_number}
    assert none["child"]["identifiers"] == {}


def test_services_are_in_the_contract_and_sensitive_ones_are_flagged():
    assert set(SERVICES) <= set(SERVICE_KINDS)
    assert SENSITIVE_SERVICES == {"sexual_health", "mental_health", "substance_misuse"}
    child = next(population(1))
    rng = random.Random(1)
    for service in SERVICES:
        message = feed_message(child, source_record_id="a", sequence=0, service=service, rng=rng)
        assert message["involvement"]["sensitive"] == (service in SENSITIVE_SERVICES)
        assert message["involvement"]["practitioner"]["email"].endswith("@example.org")


def test_with_errors_never_mutates_its_input_and_keeps_nhs_numbers_valid():
    rng = random.Random(9)
    originals = messages(3_000)
    untouched = copy.deepcopy(originals)
    garbled = [with_errors(message, rng, rate=1.0) for message in originals]
    assert originals == untouched
    for before, after in zip(originals, garbled):
        assert after != before
        assert set(after) == set(before) and set(after["child"]) == set(before["child"])
        nhs_number = after["child"]["identifiers"].get("nhs_number")
        assert nhs_number in (None, before["child"]["identifiers"]["nhs_number"])
        assert nhs_number is None or is_valid_nhs_number(nhs_number)
        FeedMessageSchema().load(after)


def test_with_errors_changes_a_date_of_birth_only_by_swapping_day_and_month():
    rng = random.Random(4)
    swapped = 0
    for message in messages(3_000):
        born = date.fromisoformat(message["child"]["date_of_birth"])
        garbled = date.fromisoformat(with_errors(message, rng, rate=1.0)["child"]["date_of_birth"])
        if garbled != born:
            assert (garbled.day, garbled.month, garbled.year) == (born.month, born.day, born.year)
            swapped += 1
    assert swapped > 0


def test_with_errors_garbles_about_the_given_share_of_messages():
    rng = random.Random(2)
    originals = messages(5_000)
    changed = sum(with_errors(message, rng, rate=0.3) != message for message in originals)
    assert 0.26 < changed / len(originals) < 0.34
    assert all(with_errors(message, rng, rate=0.0) == message for message in originals[:500])


def test_two_hundred_thousand_children_generate():
    started = time.perf_counter()
    count = sum(1 for _ in population(200_000))
    elapsed = time.perf_counter() - started
    assert count == 200_000
    print(f"{count / elapsed:,.0f} children a second")
