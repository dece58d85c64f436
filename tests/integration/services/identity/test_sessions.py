"""A token works only while its session does: it ends at once on logout, suspension or a new second factor."""
import pytest

from contactpoint.commands.common import operator
from shared.contracts.requests import RESET_TOTP, SUSPEND_USER
from tests.support import enrol
from tests.integration.services.identity.identity_support import audit, identity, services  # noqa: F401 (fixtures: identity alone)
from tests.integration.services.identity.identity_support import an_account, an_address, bearer, log_in, signed_in_token, still_signed_in

pytestmark = pytest.mark.integration


def test_the_defaults_are_thirty_minutes_idle_and_twelve_hours_in_all(http, identity):
    answer = log_in(http, an_account(identity), client=an_address()).get_json()

    assert (answer["idle_timeout"], answer["expires_in"]) == (30 * 60, 12 * 60 * 60)


def test_logout_ends_the_token_at_once_and_only_that_one(http, identity, audit):
    account = an_account(identity)
    first, second = signed_in_token(http, account), signed_in_token(http, account)

    assert http.post("/api/v1/auth/logout", headers=bearer(first)).status_code == 204

    assert not still_signed_in(http, first)
    assert still_signed_in(http, second)
    assert audit.about(account.username, "logout")["actor"]["username"] == account.username


def test_suspension_ends_every_session_of_the_account_at_once(http, identity, audit):
    account, other = an_account(identity), an_account(identity)
    tokens = [signed_in_token(http, account), signed_in_token(http, account)]
    others = signed_in_token(http, other)

    identity.perform(SUSPEND_USER, {"username": account.username, "reason": "left the service", "actor": operator()})

    assert not any(still_signed_in(http, token) for token in tokens)
    assert still_signed_in(http, others)
    refused = log_in(http, account, client=an_address())
    assert refused.status_code == 401 and "left the service" not in refused.get_json()["error"]["message"]
    assert audit.about(account.username, "account_suspended")["detail"]["reason"] == "left the service"


def test_a_reset_second_factor_ends_every_session_and_the_old_factors_stop_working_until_the_holder_enrols_again(http, identity):
    account = an_account(identity)
    token = signed_in_token(http, account)

    reset = identity.perform(RESET_TOTP, {"username": account.username, "actor": operator()})

    assert not still_signed_in(http, token)
    assert reset["status"] == "enrolling" and "totp_secret" not in reset
    assert log_in(http, account, client=an_address()).status_code == 401
    enrolled = enrol(reset["enrolment_url"], identity.perform)
    assert enrolled.totp_secret != account.totp_secret
    renewed = type(account)(account.username, enrolled.password, enrolled.totp_secret, account.role)
    assert log_in(http, renewed, client=an_address()).status_code == 200
