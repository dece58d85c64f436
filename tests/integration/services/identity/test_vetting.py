"""Only vetted staff sign in: lapsed training or disclosure keeps an account out and says why, the scheduled sweep
suspends such accounts, and a person changes their own password (old password and a fresh code) under NIST's rules."""
from datetime import date, timedelta

import pytest

from contactpoint.commands.common import operator
from services.identity.vetting import years_after
from shared.contracts.requests import (
    LIST_USERS,
    RECORD_VETTING,
    SUSPEND_LAPSED,
    UNLOCK_USER,
)
from shared.scheduling import schedules
from tests.integration.services.identity.identity_support import audit, identity, services  # noqa: F401 (fixtures: identity alone)
from tests.integration.services.identity.identity_support import a_fresh_code, an_account, an_address, bearer, log_in, signed_in_token
from tests.integration.services.identity.identity_support import still_signed_in

pytestmark = pytest.mark.integration

FOUR_YEARS_AGO = years_after(date.today(), -4)


def status_of(identity, username: str) -> dict:
    return next(u for u in identity.perform(LIST_USERS, {"la_code": None, "actor": operator()}) if u["username"] == username)


def test_an_account_whose_vetting_has_lapsed_cannot_sign_in_and_is_told_why(http, identity):
    lapsed = an_account(identity, vetted_on=FOUR_YEARS_AGO)

    answer = log_in(http, lapsed, client=an_address())

    assert answer.status_code == 403
    error = answer.get_json()["error"]
    assert error["code"] == "vetting_lapsed"
    assert "training" in error["message"] and years_after(FOUR_YEARS_AGO, 3).isoformat() in error["message"]
    assert "access_token" not in answer.get_json()


def test_vetting_only_just_current_still_signs_in(http, identity):
    current = an_account(identity, vetted_on=years_after(date.today(), -3) + timedelta(days=1))

    assert log_in(http, current, client=an_address()).status_code == 200


def test_the_lapse_is_told_only_to_someone_who_gives_every_factor_right(http, identity):
    lapsed = an_account(identity, vetted_on=FOUR_YEARS_AGO)

    answer = log_in(http, lapsed, client=an_address(), password="not-" + lapsed.password)

    assert answer.status_code == 401 and answer.get_json()["error"]["code"] == "not_authenticated"


def test_the_scheduled_sweep_suspends_lapsed_accounts_ends_their_sessions_and_leaves_the_rest(http, identity):
    assert schedules()[SUSPEND_LAPSED] <= 24 * 60 * 60
    current = an_account(identity)
    signed_in = an_account(identity)
    token = signed_in_token(http, signed_in)
    identity.perform(RECORD_VETTING, {"username": signed_in.username, "trained_on": FOUR_YEARS_AGO.isoformat(),
                                      "disclosure_on": None, "actor": operator()})

    swept = identity.perform(SUSPEND_LAPSED, {"actor": operator()})

    assert signed_in.username in swept["suspended"] and current.username not in swept["suspended"]
    suspended = status_of(identity, signed_in.username)
    assert suspended["status"] == "suspended" and "training" in suspended["status_reason"]
    assert status_of(identity, current.username)["status"] == "active"
    assert not still_signed_in(http, token)
    refused = log_in(http, signed_in, client=an_address())
    assert refused.status_code == 401 and refused.get_json()["error"]["code"] == "not_authenticated"
    assert identity.perform(SUSPEND_LAPSED, {"actor": operator()})["suspended"] == []


def test_a_suspended_lapsed_account_is_unlocked_only_once_new_vetting_is_recorded(http, identity):
    lapsed = an_account(identity, vetted_on=FOUR_YEARS_AGO)
    identity.perform(SUSPEND_LAPSED, {"actor": operator()})

    with pytest.raises(Exception, match="record new vetting dates first"):
        identity.perform(UNLOCK_USER, {"username": lapsed.username, "actor": operator()})
    today = date.today().isoformat()
    identity.perform(RECORD_VETTING, {"username": lapsed.username, "trained_on": today, "disclosure_on": today, "actor": operator()})
    identity.perform(UNLOCK_USER, {"username": lapsed.username, "actor": operator()})

    assert log_in(http, lapsed, client=an_address()).status_code == 200


# Changing one's own password -------------------------------------------------------------------

NEW_PASSWORD = "tin kettle orchard 47 lanterns"


def change_password(http, token: str, account, *, old: str | None = None, new: str = NEW_PASSWORD, otp: str | None = None):
    return http.post("/api/v1/auth/password", headers=bearer(token), environ_base={"REMOTE_ADDR": an_address()}, json={
        "old_password": old or account.password, "new_password": new, "otp": otp or a_fresh_code(account.totp_secret),
    })


def test_a_person_changes_their_own_password_and_every_session_ends(http, identity):
    account = an_account(identity)
    token = signed_in_token(http, account)

    changed = change_password(http, token, account)

    assert changed.status_code == 204, changed.get_json()
    assert not still_signed_in(http, token)
    assert log_in(http, account, client=an_address()).status_code == 401
    assert log_in(http, account, client=an_address(), password=NEW_PASSWORD, otp=a_fresh_code(account.totp_secret)).status_code == 200


@pytest.mark.parametrize("new, why", [("short-pw", "at least 12"), ("password1234", "common passwords")])
def test_a_weak_new_password_is_refused_saying_why(http, identity, new, why):
    account = an_account(identity)
    token = signed_in_token(http, account)

    answer = change_password(http, token, account, new=new, otp="000000")

    assert answer.status_code == 400
    assert answer.get_json()["error"]["code"] == "weak_password" and why in answer.get_json()["error"]["message"]
    assert still_signed_in(http, token)


def test_the_old_password_must_be_right_and_a_wrong_one_counts_as_a_failed_sign_in(http, identity):
    account = an_account(identity)
    token = signed_in_token(http, account)

    answer = change_password(http, token, account, old="not-" + account.password)

    assert answer.status_code == 401
    assert still_signed_in(http, token)
    assert log_in(http, account, client=an_address(), password=NEW_PASSWORD).status_code == 401


def test_a_code_already_used_does_not_change_the_password(http, identity):
    account = an_account(identity)
    code = a_fresh_code(account.totp_secret)
    token = log_in(http, account, client=an_address(), otp=code).get_json()["access_token"]

    assert change_password(http, token, account, otp=code).status_code == 401
