"""Guessing is slowed, never turned into a lock-out: failed sign-ins throttled in Redis per address and account
(429 with Retry-After), the address as a trusted proxy reports it; one refusal for every wrong factor, one use for
every code; through the portal, with identity on the real broker."""
import pytest

from services.identity.throttling import CLIENT_ALLOWANCE
from services.portal.bootstrap import create_app
from tests.integration.services.identity.identity_support import audit, identity, services  # noqa: F401 (fixtures: identity alone)
from tests.integration.services.identity.identity_support import a_fresh_code, a_wrong_code, an_account, an_address, log_in
from tests.support import unique, wait_until

pytestmark = pytest.mark.integration


def assert_refused(answer, status: int, code: str) -> dict:
    assert answer.status_code == status, answer.get_json()
    error = answer.get_json()["error"]
    assert set(error) - {"field"} == {"code", "message"} and error["code"] == code
    return error


def test_a_wrong_one_time_code_is_refused_as_any_wrong_factor_is(http, identity):
    account, client = an_account(identity), an_address()

    wrong_code = log_in(http, account, client=client, otp=a_wrong_code(account.totp_secret))
    wrong_password = log_in(http, account, client=client, password=account.password + "x")

    assert assert_refused(wrong_code, 401, "not_authenticated") == assert_refused(wrong_password, 401, "not_authenticated")
    assert "access_token" not in wrong_code.get_json()


@pytest.mark.parametrize("code", ["12345é", "１２３４５６", "abcdef", "1"], ids=["accented", "full-width", "letters", "short"])
def test_a_code_of_any_other_shape_is_refused_not_a_fault(http, identity, code):
    account = an_account(identity)

    assert_refused(log_in(http, account, client=an_address(), otp=code), 401, "not_authenticated")


def test_the_same_code_twice_is_refused_the_second_time(http, identity):
    account, client = an_account(identity), an_address()
    code = a_fresh_code(account.totp_secret)

    first = log_in(http, account, client=client, otp=code)
    again = log_in(http, account, client=client, otp=code)

    assert first.status_code == 200
    assert_refused(again, 401, "not_authenticated")


def test_repeated_failures_on_one_account_are_throttled_within_ten(http, identity):
    account, client = an_account(identity), an_address()

    answers = [log_in(http, account, client=client, password="wrong-" + account.password) for _ in range(10)]

    statuses = [answer.status_code for answer in answers]
    assert 429 in statuses, statuses
    first_throttled = answers[statuses.index(429)]
    assert "try again in" in assert_refused(first_throttled, 429, "throttled")["message"]
    assert int(first_throttled.headers["Retry-After"]) >= 1
    assert set(statuses[:statuses.index(429)]) == {401}


def test_while_throttled_even_the_right_factors_wait_and_afterwards_they_work(http, identity):
    account, client = an_account(identity), an_address()
    while log_in(http, account, client=client, password="wrong").status_code != 429:
        pass

    assert_refused(log_in(http, account, client=client), 429, "throttled")
    signed_in = wait_until(lambda: (answer := log_in(http, account, client=an_address())).status_code == 200 and answer,
                           what="the account's wait to pass")

    assert signed_in.get_json()["token_type"] == "Bearer"


def test_two_hundred_wrong_passwords_from_one_client_leave_the_holder_signing_in_from_another_within_a_minute(
        http, identity):
    victim, attacker, holder = an_account(identity), an_address(), an_address()

    answers = [log_in(http, victim, client=attacker, password="guess").status_code for _ in range(200)]

    assert set(answers) == {401, 429} and answers.count(401) < 10, answers
    signed_in = wait_until(lambda: log_in(http, victim, client=holder).status_code == 200, timeout=60,
                           what="the holder signing in beside the guesser")
    assert signed_in


def test_behind_a_trusted_proxy_each_client_is_throttled_by_its_own_address(migrated, services, identity):
    portal = create_app(migrated.but(trusted_proxies="192.0.2.0/24"))
    proxied = portal.test_client()
    victim, attacker, holder = an_account(identity), an_address(), an_address()

    def through_proxy(client: str, **factors):
        return proxied.post("/api/v1/auth/login", environ_base={"REMOTE_ADDR": "192.0.2.7"},
                            headers={"X-Forwarded-For": client}, json=factors)

    try:
        while through_proxy(attacker, username=victim.username, password="guess", otp="000000").status_code != 429:
            pass
        holders = through_proxy(holder, username=victim.username, password=victim.password,
                                otp=a_fresh_code(victim.totp_secret))
        assert holders.status_code == 200, holders.get_json()
    finally:
        portal.extensions["contactpoint"].gateway.close()
        portal.extensions["contactpoint"].revocations.close()


def test_an_untrusted_peer_cannot_pick_its_address_by_writing_the_header(http, identity):
    victim, attacker = an_account(identity), an_address()
    answers = [http.post("/api/v1/auth/login", environ_base={"REMOTE_ADDR": attacker},
                         headers={"X-Forwarded-For": an_address()},
                         json={"username": victim.username, "password": "guess", "otp": "000000"}).status_code
               for _ in range(10)]

    assert 429 in answers, answers


def test_an_account_being_guessed_does_not_throttle_another(http, identity):
    guessed, other, client = an_account(identity), an_account(identity), an_address()
    while log_in(http, guessed, client=client, password="wrong").status_code != 429:
        pass

    assert log_in(http, other, client=client).status_code == 200


def test_an_address_trying_many_accounts_is_throttled_for_every_account(http, identity):
    client, innocent = an_address(), an_account(identity)
    attempts = 0
    while log_in(http, innocent, client=client, username=unique("nobody"), password="guess").status_code != 429:
        attempts += 1
        assert attempts <= 3 * CLIENT_ALLOWANCE, "the address was never throttled"

    assert_refused(log_in(http, innocent, client=client), 429, "throttled")
    assert log_in(http, innocent, client=an_address()).status_code == 200


def test_an_unknown_account_is_refused_as_a_wrong_password_is(http, identity):
    account = an_account(identity)

    unknown = log_in(http, account, client=an_address(), username=unique("nobody"))
    wrong = log_in(http, account, client=an_address(), password="not-" + account.password)

    assert assert_refused(unknown, 401, "not_authenticated") == assert_refused(wrong, 401, "not_authenticated")


def test_success_and_failure_are_audit_events(http, identity, audit):
    account, client = an_account(identity), an_address()

    log_in(http, account, client=client, otp=a_wrong_code(account.totp_secret))
    assert log_in(http, account, client=client).status_code == 200

    failed = audit.about(account.username, "login_failed")
    succeeded = audit.about(account.username, "login_succeeded")
    assert failed["outcome"] == "refused" and failed["detail"]["client"] == client
    assert succeeded["outcome"] == "success" and succeeded["actor"]["username"] == account.username
    assert "password" not in str(failed) and account.password not in str(succeeded)
