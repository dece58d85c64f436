"""A chosen password's rules (NIST SP 800-63B) and the growing wait after failed sign-ins."""
import fakeredis
import pytest

from services.identity.passwords import MIN_LENGTH, common_passwords, weakness
from services.identity.throttling import CLIENT_ALLOWANCE, LoginRules, LoginThrottle, wait_seconds
from shared.errors import Throttled


def test_a_long_uncommon_password_is_accepted():
    assert weakness("tin kettle orchard 47 lanterns", "sam.patel") is None


def test_a_short_password_is_refused_saying_how_long_it_must_be():
    assert str(MIN_LENGTH) in weakness("Xq7!rT2#", "sam.patel")


@pytest.mark.parametrize("password", ["password1234", "PASSWORD1234", "Safeguarding123", "correct horse battery staple"])
def test_a_common_password_is_refused_whatever_its_case(password):
    assert "common passwords" in weakness(password, "sam.patel")


def test_a_password_holding_the_username_is_refused():
    assert "username" in weakness("my-name-is-Sam.Patel!", "sam.patel")


def test_the_common_password_list_is_data_without_its_comments():
    listed = common_passwords()

    assert "123456" in listed and "password" in listed
    assert not any(entry.startswith("#") for entry in listed)


def test_the_first_failures_cost_nothing_then_each_wait_doubles_up_to_a_cap():
    waits = [wait_seconds(failures, allowed=3, max_wait=900) for failures in range(1, 9)]

    assert waits == [0, 0, 1, 2, 4, 8, 16, 32]
    assert wait_seconds(10_000, allowed=3, max_wait=900) == 900


RULES = LoginRules(throttle_after=3, max_wait_seconds=900, account_max_wait_seconds=60)


@pytest.fixture
def throttle():
    return LoginThrottle(fakeredis.FakeRedis(server=fakeredis.FakeServer(), decode_responses=True), RULES)


def test_one_address_failing_at_one_account_waits_after_its_allowance(throttle):
    for _ in range(3):
        throttle.check("sam", "10.0.0.1")
        throttle.failed("sam", "10.0.0.1")

    with pytest.raises(Throttled, match="try again in 1 second$"):
        throttle.check("sam", "10.0.0.1")
    throttle.check("jo", "10.0.0.1")


def test_the_holder_from_another_address_does_not_wait_for_one_guesser(throttle):
    for _ in range(20):
        throttle.failed("sam", "10.0.0.1")

    throttle.check("sam", "10.0.0.2")


def test_forgiving_an_account_lifts_its_wait(throttle):
    for _ in range(5):
        throttle.failed("sam", "10.0.0.1")

    throttle.forgive("sam", "10.0.0.1")

    throttle.check("sam", "10.0.0.1")


def test_an_address_waits_only_after_many_more_failures_than_a_pair(throttle):
    for attempt in range(3 * CLIENT_ALLOWANCE - 1):
        throttle.failed(f"user-{attempt}", "10.0.0.9")
    throttle.check("someone", "10.0.0.9")

    throttle.failed("user-last", "10.0.0.9")

    with pytest.raises(Throttled):
        throttle.check("someone", "10.0.0.9")


def test_an_account_guessed_from_many_addresses_waits_never_longer_than_its_cap(throttle):
    for attempt in range(1000):
        throttle.failed("sam", f"10.1.{attempt // 250}.{attempt % 250}")

    with pytest.raises(Throttled, match="try again in 60 seconds$"):
        throttle.check("sam", "10.9.9.9")
