"""Signing in and out through the portal's API, with identity answering over the real broker and revocations in Redis."""
import pytest

from tests.integration.services.builders import an_nhs_number
from tests.integration.services.identity.identity_support import a_wrong_code

pytestmark = pytest.mark.integration


def a_search(http, token: str):
    return http.get("/api/v1/children/search", query_string={"identifier": an_nhs_number(), "purpose": "safeguarding"},
                    headers={"Authorization": f"Bearer {token}"})


def test_the_right_password_and_one_time_code_give_a_bearer_token(http, new_account, log_in):
    account = new_account("practitioner")

    answer = log_in(account)

    assert answer.status_code == 200
    token = answer.get_json()
    assert token["token_type"] == "Bearer" and token["expires_in"] > 0
    assert a_search(http, token["access_token"]).status_code == 200


def test_a_wrong_password_or_code_is_refused_without_saying_which(new_account, log_in):
    account = new_account("practitioner")

    wrong_password = log_in(account, password=account.password + "x")
    wrong_code = log_in(account, otp=a_wrong_code(account.totp_secret))
    unknown_user = log_in(account, username=account.username + "x")

    assert wrong_password.status_code == wrong_code.status_code == unknown_user.status_code == 401
    assert wrong_password.get_json() == wrong_code.get_json() == unknown_user.get_json()
    assert set(wrong_password.get_json()["error"]) - {"field"} == {"code", "message"}


def test_a_one_time_code_is_refused_the_second_time(new_account, log_in):
    account = new_account("practitioner")
    code = account.otp()

    first = log_in(account, otp=code)
    again = log_in(account, otp=code)

    assert first.status_code == 200
    assert again.status_code == 401
    assert "access_token" not in again.get_json()


def test_after_logout_the_token_is_refused_at_once(http, practitioner):
    assert a_search(http, practitioner.token).status_code == 200

    signed_out = practitioner.post("/api/v1/auth/logout")

    assert signed_out.status_code == 204
    refused = a_search(http, practitioner.token)
    assert refused.status_code == 401
    assert set(refused.get_json()["error"]) - {"field"} == {"code", "message"}
    assert practitioner.post("/api/v1/auth/logout").status_code == 401
