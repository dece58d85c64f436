"""A chosen password's rules (NIST SP 800-63B) and the growing wait after failed sign-ins."""
import fakeredis
import pytest

from services.identity.passwords import MIN_LENGTH, common_passwords, weakness
from services.identity.throttling import CLIENT_ALLOWANCE, MAX_WAIT_SECONDS, LoginThrottle, wait_seconds
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
    waits = [wait_seconds(failures, allowed=3) for failures in range(1, 9)]

    assert waits == [0, 0, 1, 2, 4, 8, 16, 32]
    assert wait_seconds(10_000, allowed=3) == MAX_WAIT_SECONDS


@pytest.fixture
def throttle():
    return LoginThrottle(fakeredis.FakeRedis(server=fakeredis.FakeServer(), decode_responses=True), throttle_after=3)


def test_an_account_waits_after_its_allowance_of_failures(throttle):
    for _ in range(3):
        throttle.check("sam", "10.0.0.1")
        throttle.failed("sam", "10.0.0.1")

    with pytest.raises(Throttled, match="try again in 1 second$"):
        throttle.check("sam", "10.0.0.2")
    throttle.check("jo", "10.0.0.3")


def test_forgiving_an_account_lifts_its_wait(throttle):
    for _ in range(5):
        throttle.failed("sam", "10.0.0.1")

    throttle.forgive("sam")

    throttle.check("sam", "10.0.0.2")


def test_an_address_waits_only_after_many_more_failures_than_an_account(throttle):
    for attempt in range(3 * CLIENT_ALLOWANCE - 1):
        throttle.failed(f"user-{attempt}", "10.0.0.9")
    throttle.check("someone", "10.0.0.9")

    throttle.failed("user-last", "10.0.0.9")

    with pytest.raises(Throttled):
        throttle.check("someone", "10.0.0.9")
