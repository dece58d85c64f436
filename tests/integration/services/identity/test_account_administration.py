"""An LA's administrator manages the accounts of its own LA through the API, and no one else's; other roles manage none;
an auditor reads no child record."""
import pytest

from contactpoint.commands.common import operator
from shared.contracts.requests import RESET_TOTP
from tests.integration.services.conftest import LA_CODE
from tests.integration.services.identity.identity_support import audit, identity, services  # noqa: F401 (fixtures: identity alone)
from tests.integration.services.identity.identity_support import OTHER_LA, AuditReader, a_fresh_code, an_account, an_address, bearer, log_in
from tests.integration.services.identity.identity_support import signed_in_token, still_signed_in
from tests.support import unique

pytestmark = pytest.mark.integration

ACTIONS = ("suspend", "unlock", "reset-2fa")


@pytest.fixture(scope="module")
def admin(http, identity) -> str:
    return signed_in_token(http, an_account(identity, "la_admin"))


def assert_forbidden(answer) -> None:
    assert answer.status_code == 403, answer.get_json()
    assert answer.get_json()["error"]["code"] == "forbidden"


@pytest.mark.parametrize("action", ACTIONS)
def test_an_la_admin_cannot_manage_another_las_accounts(http, identity, admin, action):
    elsewhere = an_account(identity, la_code=OTHER_LA)
    token = signed_in_token(http, elsewhere)

    assert_forbidden(http.post(f"/api/v1/accounts/{elsewhere.username}/{action}", headers=bearer(admin), json={}))

    assert still_signed_in(http, token)


def test_an_la_admin_cannot_record_vetting_or_create_accounts_for_another_la(http, identity, admin):
    elsewhere = an_account(identity, la_code=OTHER_LA)

    assert_forbidden(http.put(f"/api/v1/accounts/{elsewhere.username}/vetting", headers=bearer(admin), json={"trained_on": "2026-01-01"}))
    created = http.post("/api/v1/accounts", headers=bearer(admin), json={
        "username": "made-by-admin-" + elsewhere.username[-8:], "email": "holder@example.org", "category": "teacher",
        "role": "practitioner", "trained_on": "2026-01-01", "disclosure_on": "2026-01-01",
    })
    assert created.status_code == 201, created.get_json()
    (listed,) = [a for a in http.get("/api/v1/accounts", headers=bearer(admin)).get_json()["accounts"]
                 if a["username"] == created.get_json()["username"]]
    assert listed["la_code"] == LA_CODE


def test_an_la_admin_lists_only_its_own_las_accounts(http, identity, admin):
    own, elsewhere = an_account(identity), an_account(identity, la_code=OTHER_LA)

    listed = http.get("/api/v1/accounts", headers=bearer(admin))

    assert listed.status_code == 200
    names = {account["username"] for account in listed.get_json()["accounts"]}
    assert own.username in names and elsewhere.username not in names
    assert {account["la_code"] for account in listed.get_json()["accounts"]} == {LA_CODE}


def test_an_la_admin_may_not_create_an_auditor(http, admin):
    answer = http.post("/api/v1/accounts", headers=bearer(admin), json={
        "username": "would-be-auditor", "email": "a@example.org", "category": "security", "role": "auditor"})

    assert_forbidden(answer)


def test_an_la_admin_suspends_and_reinstates_an_account_of_its_own_la(http, identity, admin, migrated):
    member = an_account(identity)
    token = signed_in_token(http, member)
    audit = AuditReader(migrated)
    try:
        suspended = http.post(f"/api/v1/accounts/{member.username}/suspend", headers=bearer(admin), json={"reason": "on leave"})

        assert suspended.status_code == 200 and suspended.get_json()["status"] == "suspended"
        assert not still_signed_in(http, token)
        assert http.post(f"/api/v1/accounts/{member.username}/unlock", headers=bearer(admin)).get_json()["status"] == "active"
        assert log_in(http, member, client=an_address()).status_code == 200
        event = audit.about(member.username, "account_suspended")
        assert event["actor"]["role"] == "la_admin" and event["la_code"] == LA_CODE and event["detail"]["reason"] == "on leave"
    finally:
        audit.close()


def test_an_la_admin_resets_a_lost_second_factor_and_sees_no_secret_nor_link(http, identity, admin):
    member = an_account(identity)

    reset = http.post(f"/api/v1/accounts/{member.username}/reset-2fa", headers=bearer(admin))

    assert reset.status_code == 200
    assert reset.get_json() == {**reset.get_json(), "status": "enrolling", "enrolment_sent": False}
    assert not {"password", "totp_secret", "otpauth_uri", "enrolment_url"} & set(reset.get_json())
    assert log_in(http, member, client=an_address(), otp=a_fresh_code(member.totp_secret)).status_code == 401


def test_without_mail_an_la_admins_new_account_waits_for_a_link_the_operator_passes_on(http, identity, admin):
    created = http.post("/api/v1/accounts", headers=bearer(admin), json={
        "username": unique("held"), "email": "holder@example.org", "category": "teacher", "role": "practitioner",
        "trained_on": "2026-01-01", "disclosure_on": "2026-01-01",
    })

    assert created.status_code == 201, created.get_json()
    assert created.get_json() == {**created.get_json(), "status": "enrolling", "enrolment_sent": False}
    assert not {"password", "totp_secret", "otpauth_uri", "enrolment_url"} & set(created.get_json())
    operator_reset = identity.perform(RESET_TOTP, {"username": created.get_json()["username"], "actor": operator()})
    assert operator_reset["enrolment_url"].startswith("http://") and operator_reset["enrolment_sent"] is False


def test_an_unknown_account_is_not_found(http, admin):
    answer = http.post("/api/v1/accounts/no-such-account/suspend", headers=bearer(admin), json={})

    assert answer.status_code == 404


@pytest.mark.parametrize("role", ["practitioner", "auditor", "approver"])
def test_no_other_role_manages_accounts(http, identity, role):
    token = signed_in_token(http, an_account(identity, role))
    member = an_account(identity)

    assert_forbidden(http.get("/api/v1/accounts", headers=bearer(token)))
    for action in ACTIONS:
        assert_forbidden(http.post(f"/api/v1/accounts/{member.username}/{action}", headers=bearer(token), json={}))
