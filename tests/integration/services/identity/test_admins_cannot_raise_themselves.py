"""An LA's administrator makes, suspends and re-vets its own LA's practitioners, and nothing more: each attack here is
made with an la_admin's real token. Only the national operator makes la_admins and approvers; no one changes their own
account; vetting dates are kept with who recorded them."""
import pytest

from tests.integration.services.identity.identity_support import identity, services  # noqa: F401 (fixtures: identity alone)
from tests.integration.services.identity.identity_support import an_account, bearer, signed_in_token
from tests.support import unique

pytestmark = pytest.mark.integration

TODAY = "2026-01-05"


@pytest.fixture(scope="module")
def admin(http, identity):
    account = an_account(identity, "la_admin")
    return account, signed_in_token(http, account)


def refused(answer, code: str = "forbidden") -> None:
    assert answer.status_code == 403, answer.get_json()
    assert answer.get_json()["error"]["code"] == code


def a_new_account(http, token: str, role: str, category: str = "la_contactpoint_team"):
    return http.post("/api/v1/accounts", headers=bearer(token), json={
        "username": unique("raised"), "email": "raised@example.org", "category": category, "role": role,
        "trained_on": TODAY, "disclosure_on": TODAY,
    })


@pytest.mark.parametrize("role", ["approver", "la_admin", "auditor"])
def test_an_la_admin_cannot_create_an_approver_or_another_administrator(http, admin, role):
    refused(a_new_account(http, admin[1], role))


@pytest.mark.parametrize("category", ["la_contactpoint_team", "security"])
def test_an_la_admin_cannot_give_an_administrators_or_security_teams_category(http, admin, category):
    refused(a_new_account(http, admin[1], "practitioner", category))


@pytest.mark.parametrize("action", ["suspend", "unlock", "reset-2fa"])
def test_no_one_changes_their_own_account(http, admin, action):
    account, token = admin

    refused(http.post(f"/api/v1/accounts/{account.username}/{action}", headers=bearer(token), json={}), "own_account")
    refused(http.put(f"/api/v1/accounts/{account.username}/vetting", headers=bearer(token), json={"trained_on": TODAY}), "own_account")


def test_an_la_admin_cannot_suspend_or_revet_an_approver_or_another_administrator_of_its_own_la(http, identity, admin):
    for role in ("approver", "la_admin"):
        other = an_account(identity, role)
        refused(http.post(f"/api/v1/accounts/{other.username}/suspend", headers=bearer(admin[1]), json={}))
        refused(http.put(f"/api/v1/accounts/{other.username}/vetting", headers=bearer(admin[1]), json={"trained_on": TODAY}))


def test_an_la_admin_makes_and_revets_a_practitioner_and_the_vetting_says_who_recorded_it(http, admin):
    account, token = admin
    made = a_new_account(http, token, "practitioner", "teacher")
    assert made.status_code == 201, made.get_json()
    assert made.get_json()["vetting_recorded_by"] == account.username

    revetted = http.put(f"/api/v1/accounts/{made.get_json()['username']}/vetting", headers=bearer(token), json={"trained_on": "2026-02-01"})

    assert revetted.status_code == 200, revetted.get_json()
    assert (revetted.get_json()["trained_on"], revetted.get_json()["vetting_recorded_by"]) == ("2026-02-01", account.username)
    assert revetted.get_json()["vetting_recorded_at"]
