"""An account that fails too often is locked until its LA's administrator unlocks it (throttling set aside here,
so the count alone decides), and the lock is told only to someone who gives every factor right."""
import pytest

from contactpoint.commands.common import operator
from shared.contracts.requests import UNLOCK_USER
from tests.integration.services.identity.identity_support import (  # noqa: F401 (fixtures)
    AuditReader,
    a_wrong_code,
    an_account,
    an_address,
    audit,
    bearer,
    identity,
    identity_alone,
    log_in,
    signed_in_token,
)

pytestmark = pytest.mark.integration

LOCKOUT_AFTER = 10


@pytest.fixture(scope="module")
def services(migrated):
    # Throttling would make each guess wait; here only the count of failures is under test.
    with identity_alone(migrated.but(login_throttle_after=1000, login_lockout_after=LOCKOUT_AFTER)) as running:
        yield running


@pytest.fixture
def locked(http, identity):
    account = an_account(identity)
    for _ in range(LOCKOUT_AFTER):
        assert log_in(http, account, client=an_address(), otp=a_wrong_code(account.totp_secret)).status_code == 401
    return account


def test_after_ten_failures_even_the_right_factors_are_refused_saying_the_account_is_locked(http, locked):
    answer = log_in(http, locked, client=an_address())

    assert answer.status_code == 403
    assert answer.get_json()["error"]["code"] == "account_locked"
    assert "LA administrator" in answer.get_json()["error"]["message"]


def test_a_locked_account_still_answers_a_wrong_factor_with_the_plain_refusal(http, locked):
    answer = log_in(http, locked, client=an_address(), password="not-" + locked.password)

    assert answer.status_code == 401
    assert answer.get_json()["error"]["code"] == "not_authenticated"


def test_fewer_failures_than_the_limit_do_not_lock_and_a_success_starts_the_count_again(http, identity):
    account = an_account(identity)
    for _ in range(LOCKOUT_AFTER - 1):
        log_in(http, account, client=an_address(), password="wrong")
    assert log_in(http, account, client=an_address()).status_code == 200

    for _ in range(LOCKOUT_AFTER - 1):
        log_in(http, account, client=an_address(), password="wrong")
    assert log_in(http, account, client=an_address()).status_code == 200


def test_the_las_administrator_unlocks_it_through_the_api(http, identity, locked):
    admin = signed_in_token(http, an_account(identity, "la_admin"))

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
