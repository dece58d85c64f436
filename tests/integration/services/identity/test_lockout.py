"""An account is locked only when its password is right and its second factor wrong, again and again — whoever
does that knows the password — and its holder is mailed. Wrong passwords never lock (they are only slowed), so
nobody can lock a holder out by guessing. A locked or suspended account is refused exactly as a wrong password
is, without its factors being checked. Throttling is set aside here, so the count alone decides."""
import logging

import pytest

from contactpoint.commands.common import operator
from shared.contracts.requests import SUSPEND_USER, UNLOCK_USER
from tests.integration.services.identity.identity_support import audit, identity, mail  # noqa: F401 (fixtures: identity alone)
from tests.integration.services.identity.identity_support import a_wrong_code, an_account, an_address, bearer, give_email, identity_alone, log_in
from tests.integration.services.identity.identity_support import signed_in_token
from tests.support import wait_until

pytestmark = pytest.mark.integration

LOCKOUT_AFTER = 3


@pytest.fixture(scope="module")
def services(migrated, mail):
    # Throttling would make each guess wait; here only the count of failures is under test.
    with identity_alone(migrated.but(login_throttle_after=1000, login_lockout_after=LOCKOUT_AFTER,
                                     smtp_url=mail.url)) as running:
        yield running


def right_password_wrong_code(http, account, times: int) -> None:
    for _ in range(times):
        assert log_in(http, account, client=an_address(), otp=a_wrong_code(account.totp_secret)).status_code == 401


@pytest.fixture
def locked(mail, http, identity, migrated):
    account = an_account(identity, mail=mail)
    give_email(migrated, account.username, f"{account.username}@example.org")
    right_password_wrong_code(http, account, LOCKOUT_AFTER)
    return account


def the_plain_refusal(answer) -> dict:
    assert answer.status_code == 401, answer.get_json()
    return answer.get_json()


def test_after_repeated_wrong_codes_with_the_right_password_even_the_right_factors_are_refused_as_a_wrong_password_is(mail,
        http, identity, locked):
    right = log_in(http, locked, client=an_address())
    wrong = log_in(http, an_account(identity, mail=mail), client=an_address(), password="not-the-password")

    assert the_plain_refusal(right) == the_plain_refusal(wrong)
    assert the_plain_refusal(right)["error"]["code"] == "not_authenticated"


def test_the_holder_is_mailed_at_their_own_address_when_the_account_locks(mail, locked):
    letter = wait_until(lambda: next((letter for letter in mail.letters
                                      if letter["To"] == f"{locked.username}@example.org"), None),
                        what="the letter telling the holder of the lock")

    assert "locked" in letter["Subject"]
    assert "your password is known" in letter.get_content()


def test_an_account_without_an_address_is_locked_and_the_log_says_its_holder_could_not_be_told(mail, http, identity, caplog,
                                                                                             migrated):
    account = an_account(identity, mail=mail)
    give_email(migrated, account.username, None)  # as an account made before enrolment by mail

    with caplog.at_level(logging.WARNING, logger="services.identity.sign_in"):
        right_password_wrong_code(http, account, LOCKOUT_AFTER)

    assert f"account {account.username} was locked, and its holder could not be told" in caplog.text
    assert log_in(http, account, client=an_address()).status_code == 401


def test_any_number_of_wrong_passwords_never_locks(mail, http, identity):
    account = an_account(identity, mail=mail)
    for _ in range(2 * LOCKOUT_AFTER):
        assert log_in(http, account, client=an_address(), password="wrong").status_code == 401

    assert log_in(http, account, client=an_address()).status_code == 200


def test_fewer_wrong_codes_than_the_limit_do_not_lock_and_a_success_starts_the_count_again(mail, http, identity):
    account = an_account(identity, mail=mail)
    right_password_wrong_code(http, account, LOCKOUT_AFTER - 1)
    assert log_in(http, account, client=an_address()).status_code == 200

    right_password_wrong_code(http, account, LOCKOUT_AFTER - 1)
    assert log_in(http, account, client=an_address()).status_code == 200


def test_a_suspended_account_is_refused_as_a_wrong_password_is(mail, http, identity):
    account = an_account(identity, mail=mail)
    identity.perform(SUSPEND_USER, {"username": account.username, "reason": "on leave", "actor": operator()})

    right = log_in(http, account, client=an_address())
    wrong = log_in(http, an_account(identity, mail=mail), client=an_address(), password="not-the-password")

    assert the_plain_refusal(right) == the_plain_refusal(wrong)


def test_the_las_administrator_unlocks_it_through_the_api(mail, http, identity, locked):
    admin = signed_in_token(http, an_account(identity, "la_admin", mail=mail))

    unlocked = http.post(f"/api/v1/accounts/{locked.username}/unlock", headers=bearer(admin))

    assert unlocked.status_code == 200, unlocked.get_json()
    assert unlocked.get_json()["status"] == "active"
    assert log_in(http, locked, client=an_address()).status_code == 200


def test_an_operator_unlocks_it_as_the_command_line_does(http, identity, locked):
    identity.perform(UNLOCK_USER, {"username": locked.username, "actor": operator()})

    assert log_in(http, locked, client=an_address()).status_code == 200


def test_the_lock_and_the_unlock_are_audit_events(audit, identity, locked):
    identity.perform(UNLOCK_USER, {"username": locked.username, "actor": operator()})

    assert audit.about(locked.username, "account_locked")["detail"]["failed_logins"] == LOCKOUT_AFTER
    assert audit.about(locked.username, "account_unlocked")["actor"]["role"] == "operator"
